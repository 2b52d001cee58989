"""Compile ipr_apps/translations/zh_Hans/…/messages.po into messages.mo when it is stale."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

FOLDER = Path(__file__).resolve().parent.parent / "ipr_apps" / "translations"


def compile_if_stale() -> None:
    for po in FOLDER.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as handle:
            catalogue = read_po(handle)
        # Written aside and renamed: several test workers may start at once.
        fd, temporary = tempfile.mkstemp(dir=po.parent, suffix=".mo.tmp")
        with os.fdopen(fd, "wb") as handle:
            write_mo(handle, catalogue)
        os.replace(temporary, mo)
