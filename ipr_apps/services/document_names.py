"""Names of stored documents: a safe base name from the client's file name + the sniffed type's
extension, so `x.html` holding a PDF is kept and served as `x.pdf`."""

from __future__ import annotations

import re
import unicodedata
from typing import Protocol

from werkzeug.utils import secure_filename

MAX_NAME = 255
FALLBACK_STEM = "document"
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
_SEPARATORS = re.compile(r"[\s_]+")


class HasExtension(Protocol):
    extension: str


def download_name(raw: str | None, kind: HasExtension) -> str:
    """`kind`'s extension after a safe stem of the client's name (`document` if none is left)."""
    return safe_stem(raw, MAX_NAME - len(kind.extension)) + kind.extension


def name_for(stored_as: str, content_type: str) -> str:
    """The name to send a stored document under: its type's extension (rows stored before the
    names were made from the sniffed type included); `.bin` for any other type."""
    extension = EXTENSIONS.get(content_type, ".bin")
    return safe_stem(stored_as, MAX_NAME - len(extension)) + extension


def safe_stem(raw: str | None, most: int = MAX_NAME) -> str:
    """The base name without the client's extension, cleaned as werkzeug's secure_filename
    does. secure_filename keeps ASCII only ("营业执照.pdf" would become "pdf"), so a name with
    other letters is cleaned the same way but keeps its letters and digits."""
    name = unicodedata.normalize("NFC", (raw or "").replace("\\", "/").rsplit("/", 1)[-1])
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    stem = secure_filename(stem) if stem.isascii() else _unicode_stem(stem)
    return stem[:most].strip("._-") or FALLBACK_STEM


def _unicode_stem(stem: str) -> str:
    kept = "".join(
        ch if unicodedata.category(ch)[0] in "LNM" or ch in "-." else " "
        for ch in stem
        if unicodedata.category(ch)[0] != "C"  # no control or right-to-left override characters
    )
    return _SEPARATORS.sub("_", kept.strip()).strip("._-")
