"""Document files on disk: read an upload within the limits, check it, write it under a new
random name; remove a file only when no row refers to it."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.errors import ConflictError, NotFound, TooLarge, ValidationError
from ipr_apps.i18n import format_number, ngettext
from ipr_apps.models import Document, RequestDocument
from ipr_apps.services.file_checks import HEAD_BYTES, Kind, checked, kind_of

log = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
LIMITS = {
    "DOCUMENT_MAX_BYTES": 10 * 1024 * 1024,
    "DOCUMENTS_PER_APPLICATION": 20,
    # Every upload kept for an application, earlier versions included: a bound on the disk
    # a holder can fill by replacing files over and over once they are kept.
    "DOCUMENT_VERSIONS_PER_APPLICATION": 100,
    "DOCUMENT_MAX_PIXELS": 50_000_000,  # per image; Pillow's decompression-bomb guard
}
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(pdf|jpg|png)$")
CHOOSE_A_FILE = _l("Choose a file to upload.")
NAME_ATTEMPTS = 3


class FileMissing(ConflictError):
    """A document's row exists but its file does not (the upload folder was not restored)."""

    code = "file_missing"


@dataclass(frozen=True)
class Saved:
    path: Path
    kind: Kind
    size: int
    sha256: str


def limit(key: str) -> int:
    """One of LIMITS, from the config (IPR_<KEY> in the environment)."""
    return int(current_app.config.get(key, LIMITS[key]))


def human_size(size: int) -> str:
    """1536 → '1.5 KB'; used in messages and in the documents panel."""
    if size < 1024:
        return ngettext("%(num)d byte", "%(num)d bytes", size)
    if size < 1024 * 1024:
        return f"{format_number(size / 1024, 1)} KB".replace(".0 ", " ")
    return f"{format_number(size / (1024 * 1024), 1)} MB".replace(".0 ", " ")


def stored_path(document: Document) -> Path:
    """Where the document's file lives: <upload folder>/<first 2 chars>/<stored name>."""
    name = document.stored_name
    if not STORED_NAME.match(name):  # never build a path from anything else
        raise NotFound(_("The file is missing."))
    return Path(current_app.config["UPLOAD_FOLDER"]) / name[:2] / name


@contextmanager
def removed_on_error() -> Iterator[list[Path]]:
    """Collects the files written; removes them if anything (the commit too) fails."""
    written: list[Path] = []
    try:
        yield written
    except BaseException:
        for path in written:
            unlink_unless_referenced(path)
        raise


def unlink_unless_referenced(path: Path) -> None:
    """A failed commit may still have reached the database (a connection lost after COMMIT):
    remove the file only when no row names it. When unsure, keep it; the orphan sweep
    (services.maintenance, nightly) removes an unreferenced file later."""
    try:
        db.session.rollback()
        stmt = select(Document.id).where(Document.stored_name == path.name)
        evidence = select(RequestDocument.id).where(RequestDocument.stored_name == path.name)
        referenced = db.session.execute(stmt.union_all(evidence)).first() is not None
    except Exception:  # the database is what failed; the file can wait
        log.warning("Kept %s: could not tell whether a row refers to it", path)
        return
    if not referenced:
        path.unlink(missing_ok=True)


def save(
    stream: BinaryIO | None, filename: str | None, allowed: tuple[Kind, ...], written: list[Path]
) -> Saved:
    """Read the upload (within the size limit), parse it whole, and write what passed (an
    image re-encoded) to a new random name."""
    if stream is None:
        raise ValidationError.on("file", str(CHOOSE_A_FILE))
    head = _read_head(stream)
    if not head and not filename:
        # A form sent with no file chosen still carries the field: no name, no bytes.
        raise ValidationError.on("file", str(CHOOSE_A_FILE))
    kind = kind_of(head, allowed)
    data = checked(kind, _read_all(head, stream), limit("DOCUMENT_MAX_PIXELS"))
    path = _new_file(kind.extension)
    written.append(path)
    path.write_bytes(data)
    return Saved(path, kind, len(data), hashlib.sha256(data).hexdigest())


def duplicate(document: Document, written: list[Path]) -> Path:
    """A new file with the same bytes as `document`'s, under a new random name: a copied
    application owns its files, so removing one never touches the other's."""
    try:
        data = stored_path(document).read_bytes()
    except FileNotFoundError as exc:  # e.g. a database restored without its upload folder
        log.error("The file of document %s (%s) is missing", document.id, document.stored_name)
        raise FileMissing(
            _(
                "The file of “%(name)s” is missing on the server, so it cannot be copied. Ask "
                "the administrator to restore it, or remove it and upload it again.",
                name=document.original_name,
            )
        ) from exc
    path = _new_file(Path(document.stored_name).suffix)
    written.append(path)
    path.write_bytes(data)
    return path


def _new_file(extension: str) -> Path:
    """Create an empty file under a new random name. Exclusive creation: a name taken (an
    existing file, of a current or earlier version) is never overwritten but drawn again."""
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    for _attempt in range(NAME_ATTEMPTS):
        name = secrets.token_hex(16) + extension
        path = folder / name[:2] / name
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            path.open("xb").close()
        except FileExistsError:
            log.warning("Stored name %s is taken; drawing another", name)
            continue
        return path
    raise FileExistsError("no free stored name")  # 128 random bits: not in this universe


def _read_head(stream: BinaryIO) -> bytes:
    """The first bytes; a read may return fewer bytes than asked before the end."""
    head = b""
    while len(head) < HEAD_BYTES and (chunk := stream.read(HEAD_BYTES - len(head))):
        head += chunk
    return head


def _read_all(head: bytes, stream: BinaryIO) -> bytes:
    """The whole upload, refused as soon as it passes the size limit (never read past it)."""
    return read_at_most(stream, limit("DOCUMENT_MAX_BYTES"), head)


def read_at_most(stream: BinaryIO, most: int, head: bytes = b"") -> bytes:
    """`head` and the rest of `stream`; TooLarge (on "file") as soon as it passes `most` bytes."""
    chunks, size = [head], len(head)
    while size <= most and (chunk := stream.read(CHUNK_BYTES)):
        chunks.append(chunk)
        size += len(chunk)
    if size > most:
        message = _("The file is larger than %(size)s.", size=human_size(most))
        raise TooLarge(message, {"file": [message]})
    return b"".join(chunks)


def unlink(path: Path) -> None:
    """Remove a file whose row is gone (deleted and committed); a leftover file is harmless."""
    try:
        path.unlink(missing_ok=True)
    except OSError:
        log.exception("Could not remove %s", path)
