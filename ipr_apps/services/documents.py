"""Documents attached to applications: uploads recognised by content, stored under random names.

A new file is written before the transaction commits and removed again if it fails, so a
failed upload leaves no orphan file; a removed document's file goes only after the commit.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy import func, select

from ipr_apps.db import db, unit_of_work
from ipr_apps.errors import NotFound, TooLarge, ValidationError
from ipr_apps.models import Application, DocType, Document, IpRight, IprType, User
from ipr_apps.services.access import get_application, get_editable
from ipr_apps.services.completeness import required_documents

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kind:
    """A file type we accept, recognised by its leading (magic) bytes."""

    magic: bytes
    content_type: str
    extension: str
    label: str


PDF = Kind(b"%PDF-", "application/pdf", ".pdf", "PDF")
JPEG = Kind(b"\xff\xd8\xff", "image/jpeg", ".jpg", "JPEG")
PNG = Kind(b"\x89PNG\r\n\x1a\n", "image/png", ".png", "PNG")
DOCUMENT_KINDS = (PDF, JPEG, PNG)
IMAGE_KINDS = (JPEG, PNG)
HEAD_BYTES = max(len(kind.magic) for kind in DOCUMENT_KINDS)
CHUNK_BYTES = 64 * 1024
MAX_NAME = 255
LIMITS = {"DOCUMENT_MAX_BYTES": 10 * 1024 * 1024, "DOCUMENTS_PER_APPLICATION": 20}
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(pdf|jpg|png)$")
CHOOSE_A_FILE = "Choose a file to upload."


@dataclass(frozen=True)
class Saved:
    path: Path
    kind: Kind
    size: int
    sha256: str


def limit(key: str) -> int:
    """DOCUMENT_MAX_BYTES (per file) or DOCUMENTS_PER_APPLICATION, from the config."""
    return int(current_app.config.get(key, LIMITS[key]))


def human_size(size: int) -> str:
    """1536 → '1.5 KB'; used in messages and in the documents panel."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB".replace(".0 ", " ")
    return f"{size / (1024 * 1024):.1f} MB".replace(".0 ", " ")


def stored_path(document: Document) -> Path:
    """Where the document's file lives: <upload folder>/<first 2 chars>/<stored name>."""
    name = document.stored_name
    if not STORED_NAME.match(name):  # never build a path from anything else
        raise NotFound("The file is missing.")
    return Path(current_app.config["UPLOAD_FOLDER"]) / name[:2] / name


def clean_filename(raw: str | None, kind: Kind) -> str:
    """The client's file name, for display only: base name, no control characters, ≤ 255."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if name in ("", ".", ".."):
        return f"document{kind.extension}"
    if len(name) > MAX_NAME:
        suffix = Path(name).suffix if len(Path(name).suffix) <= 10 else ""
        name = name[: MAX_NAME - len(suffix)] + suffix
    return name


def missing_for(application: Application) -> list[DocType]:
    """Required document types not attached yet."""
    present = {document.doc_type for document in application.documents}
    return [doc_type for doc_type in required_documents(application) if doc_type not in present]


def get(actor: User, document_id: int) -> Document:
    """The document if `actor` may see its application; otherwise NotFound."""
    document = db.session.get(Document, document_id)
    if document is None:
        raise NotFound("No such document.")
    get_application(actor, document.application_id)
    return document


def get_for_download(actor: User, document_id: int) -> tuple[Document, Path]:
    document = get(actor, document_id)
    path = stored_path(document)
    if not path.is_file():
        log.error("File of document %s is missing: %s", document.id, path)
        raise NotFound("The file is missing.")
    return document, path


def list_for(actor: User, application_id: int) -> list[Document]:
    application = get_application(actor, application_id)
    stmt = select(Document).where(Document.application_id == application.id).order_by(Document.id)
    return list(db.session.execute(stmt).scalars())


def attach(
    actor: User,
    application_id: int,
    doc_type: DocType | str,
    stream: BinaryIO | None,
    filename: str | None,
) -> Document:
    """Attach a PDF, JPEG or PNG file to an editable application."""
    with _removed_on_error() as written, unit_of_work() as session:
        application = get_editable(actor, application_id)
        kind = _doc_type(doc_type)
        _check_room(application)
        saved = _save(stream, filename, DOCUMENT_KINDS, written)
        document = _new_document(application, kind, saved, filename, actor)
        session.add(document)
    return document


def set_mark_image(
    actor: User, application_id: int, stream: BinaryIO | None, filename: str | None
) -> Document:
    """Upload a trademark's mark image (JPEG or PNG), replacing any previous one."""
    with _removed_on_error() as written, unit_of_work() as session:
        application = get_editable(actor, application_id)
        if application.ipr_type != IprType.TRADEMARK:
            raise ValidationError.on("file", "Only a trademark has a mark image.")
        if application.right is None:
            application.right = IpRight()
        old = _mark_image(application)
        if old is None:
            _check_room(application)
        saved = _save(stream, filename, IMAGE_KINDS, written)
        document = _new_document(application, DocType.OTHER, saved, filename, actor)
        session.add(document)
        session.flush()
        application.right.mark_image_id = document.id
        session.flush()  # the link moves before the old row goes
        old_path = _delete(old) if old is not None else None
    if old_path is not None:
        _unlink(old_path)
    return document


def remove(actor: User, document_id: int) -> None:
    """Delete a document (and its file); a removed mark image is unlinked from the right."""
    with unit_of_work() as session:
        stmt = select(Document.application_id).where(Document.id == document_id)
        application_id = session.execute(stmt).scalar_one_or_none()
        if application_id is None:
            raise NotFound("No such document.")
        get_editable(actor, application_id)  # locks the application: one change at a time
        document = session.get(Document, document_id, populate_existing=True)
        if document is None:
            raise NotFound("No such document.")
        path = _delete(document)
    _unlink(path)


def _doc_type(value: DocType | str | None) -> DocType:
    try:
        return DocType(value)
    except ValueError as exc:
        raise ValidationError.on("doc_type", "Choose the type of document.") from exc


def _check_room(application: Application) -> None:
    stmt = select(func.count()).where(Document.application_id == application.id)
    most = limit("DOCUMENTS_PER_APPLICATION")
    if db.session.execute(stmt).scalar_one() >= most:
        raise ValidationError.on("file", f"At most {most} documents per application.")


def _mark_image(application: Application) -> Document | None:
    mark_id = application.right.mark_image_id
    return db.session.get(Document, mark_id) if mark_id is not None else None


def _new_document(
    application: Application, doc_type: DocType, saved: Saved, filename: str | None, actor: User
) -> Document:
    return Document(
        application_id=application.id, doc_type=doc_type,
        original_name=clean_filename(filename, saved.kind), stored_name=saved.path.name,
        content_type=saved.kind.content_type, size_bytes=saved.size, sha256=saved.sha256,
        uploaded_by_id=actor.id,
    )  # fmt: skip


def _delete(document: Document) -> Path:
    """Delete the row (clearing the mark-image link first); return the file to remove."""
    path = stored_path(document)
    right = db.session.get(IpRight, document.application_id)
    if right is not None and right.mark_image_id == document.id:
        right.mark_image_id = None
        db.session.flush()  # the link goes before the row it points at
    db.session.delete(document)
    return path


@contextmanager
def _removed_on_error() -> Iterator[list[Path]]:
    """Collects the files written; removes them if anything (the commit too) fails."""
    written: list[Path] = []
    try:
        yield written
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


def _save(
    stream: BinaryIO | None, filename: str | None, allowed: tuple[Kind, ...], written: list[Path]
) -> Saved:
    """Check the content type and size while copying the stream to a new random name."""
    if stream is None:
        raise ValidationError.on("file", CHOOSE_A_FILE)
    head = _read_head(stream)
    if not head and not filename:
        # A form sent with no file chosen still carries the field: no name, no bytes.
        raise ValidationError.on("file", CHOOSE_A_FILE)
    kind = _kind_of(head, allowed)
    name = secrets.token_hex(16) + kind.extension
    path = Path(current_app.config["UPLOAD_FOLDER"]) / name[:2] / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("xb") as out:
        written.append(path)
        size, sha256 = _copy(head, stream, out)
    return Saved(path, kind, size, sha256)


def _read_head(stream: BinaryIO) -> bytes:
    """The first bytes; a read may return fewer bytes than asked before the end."""
    head = b""
    while len(head) < HEAD_BYTES and (chunk := stream.read(HEAD_BYTES - len(head))):
        head += chunk
    return head


def _kind_of(head: bytes, allowed: tuple[Kind, ...]) -> Kind:
    if not head:
        raise ValidationError.on("file", "The file is empty.")
    for kind in allowed:
        if head.startswith(kind.magic):
            return kind
    names = ", ".join(kind.label for kind in allowed[:-1]) + f" or {allowed[-1].label}"
    raise ValidationError.on("file", f"Upload a {names} file.")


def _copy(head: bytes, stream: BinaryIO, out: BinaryIO) -> tuple[int, str]:
    most, size, digest = limit("DOCUMENT_MAX_BYTES"), 0, hashlib.sha256()
    chunk = head
    while chunk:
        size += len(chunk)
        if size > most:
            message = f"The file is larger than {human_size(most)}."
            raise TooLarge(message, {"file": [message]})
        digest.update(chunk)
        out.write(chunk)
        chunk = stream.read(CHUNK_BYTES)
    return size, digest.hexdigest()


def _unlink(path: Path) -> None:
    """Remove a file whose row is gone; a leftover file is harmless, so only log."""
    try:
        path.unlink(missing_ok=True)
    except OSError:
        log.exception("Could not remove %s", path)
