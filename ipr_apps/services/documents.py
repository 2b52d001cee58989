"""Documents attached to applications: uploads parsed by content, stored under random names.

A new file is written before the transaction commits and removed again if it fails, so a
failed upload leaves no orphan file. Once customs has seen an application (it was submitted at
least once), a removed or replaced document is only marked superseded: its row and file stay,
readable to staff. Only a never-submitted draft's documents are really deleted, the file after
the commit, so no file goes while a row still refers to it. Stored names are 128 random bits,
created exclusively, so a name is never used twice.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import BinaryIO

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ipr_apps.db import db, unit_of_work
from ipr_apps.errors import NotFound, ValidationError
from ipr_apps.models import (
    Application,
    DocType,
    Document,
    IpRight,
    IprType,
    Role,
    Status,
    User,
    utcnow,
)
from ipr_apps.services import change_rules
from ipr_apps.services.access import get_application, get_editable
from ipr_apps.services.completeness import required_documents
from ipr_apps.services.document_files import (  # noqa: F401  (re-exported)
    LIMITS,
    STORED_NAME,
    Saved,
    human_size,
    limit,
    removed_on_error,
    save,
    stored_path,
    unlink,
)
from ipr_apps.services.document_names import download_name
from ipr_apps.services.file_checks import DOCUMENT_KINDS, IMAGE_KINDS

log = logging.getLogger(__name__)

STAFF = (Role.REVIEWER, Role.ADMIN)


def missing_for(application: Application) -> list[DocType]:
    """Required document types not attached yet."""
    present = {document.doc_type for document in application.documents}
    return [doc_type for doc_type in required_documents(application) if doc_type not in present]


def get(actor: User, document_id: int) -> Document:
    """The document if `actor` may see it; otherwise NotFound. Earlier (superseded) versions
    are for staff only: to the holder a removed or replaced document is gone."""
    document = db.session.get(Document, document_id)
    if document is None or not (document.is_current or actor.role in STAFF):
        raise NotFound(_("No such document."))
    if actor.role == Role.OFFICER:  # port officers read recordations: their marks, nothing else
        if not _recorded_mark_image(document):
            raise NotFound(_("No such document."))
        return document
    get_application(actor, document.application_id)
    return document


def _recorded_mark_image(document: Document) -> bool:
    """The mark image of an approved application of a recordation (its facts, now or once)."""
    stmt = (
        select(Application.id)
        .join(IpRight, IpRight.application_id == Application.id)
        .where(
            IpRight.mark_image_id == document.id,
            Application.id == document.application_id,
            Application.recordation_id.is_not(None),
            Application.status == Status.APPROVED,
        )
    )
    return db.session.execute(stmt).first() is not None


def get_for_download(actor: User, document_id: int) -> tuple[Document, Path]:
    document = get(actor, document_id)
    path = stored_path(document)
    if not path.is_file():
        log.error("File of document %s is missing: %s", document.id, path)
        raise NotFound(_("The file is missing."))
    return document, path


def list_for(actor: User, application_id: int) -> list[Document]:
    """The current documents (what the holder sees and customs decides on)."""
    application = get_application(actor, application_id)
    stmt = select(Document).where(
        Document.application_id == application.id, Document.superseded_at.is_(None)
    )
    return list(db.session.execute(stmt.order_by(Document.id)).scalars())


def earlier_for(actor: User, application: Application) -> list[Document]:
    """Superseded versions, newest first, with who replaced or removed them: staff only."""
    if actor.role not in STAFF:
        return []
    stmt = (
        select(Document)
        .where(Document.application_id == application.id, Document.superseded_at.is_not(None))
        .options(joinedload(Document.superseded_by))
        .order_by(Document.superseded_at.desc(), Document.id.desc())
    )
    return list(db.session.execute(stmt).scalars())


def attach(
    actor: User,
    application_id: int,
    doc_type: DocType | str,
    stream: BinaryIO | None,
    filename: str | None,
) -> Document:
    """Attach a PDF, JPEG or PNG file to an editable application."""
    # keep_loaded: the answer shows the new row as written, without reading it back.
    with removed_on_error() as written, unit_of_work(keep_loaded=True) as session:
        application = get_editable(actor, application_id)
        kind = _doc_type(doc_type)
        _check_room(application)
        saved = save(stream, filename, DOCUMENT_KINDS, written)
        document = _new_document(application, kind, saved, filename, actor)
        session.add(document)
    return document


def set_mark_image(
    actor: User, application_id: int, stream: BinaryIO | None, filename: str | None
) -> Document:
    """Upload a trademark's mark image (JPEG or PNG), replacing any previous one."""
    with removed_on_error() as written, unit_of_work() as session:
        application = get_editable(actor, application_id)
        if application.ipr_type != IprType.TRADEMARK:
            raise ValidationError.on("file", _("Only a trademark has a mark image."))
        change_rules.check_mark_image(application)
        if application.right is None:
            application.right = IpRight()
        old = _mark_image(application)
        _check_room(application, replacing=old is not None)
        saved = save(stream, filename, IMAGE_KINDS, written)
        document = _new_document(application, DocType.OTHER, saved, filename, actor)
        session.add(document)
        session.flush()
        application.right.mark_image_id = document.id
        session.flush()  # the link moves before the old row goes
        old_path = _retire(old, application, actor) if old is not None else None
    if old_path is not None:
        unlink(old_path)
    return document


def remove(actor: User, document_id: int) -> None:
    """Remove a current document: superseded once customs has seen the application, else
    deleted with its file. A removed mark image is unlinked from the right."""
    with unit_of_work() as session:
        stmt = select(Document.application_id).where(
            Document.id == document_id, Document.superseded_at.is_(None)
        )
        application_id = session.execute(stmt).scalar_one_or_none()
        if application_id is None:
            raise NotFound(_("No such document."))
        application = get_editable(actor, application_id)  # locks it: one change at a time
        document = session.get(Document, document_id, populate_existing=True)
        if document is None or not document.is_current:
            raise NotFound(_("No such document."))
        if application.right is not None and application.right.mark_image_id == document.id:
            change_rules.check_mark_image(application)
        path = _retire(document, application, actor)
    if path is not None:
        unlink(path)


def _doc_type(value: DocType | str | None) -> DocType:
    try:
        return DocType(value)
    except ValueError as exc:
        raise ValidationError.on("doc_type", _("Choose the type of document.")) from exc


def _check_room(application: Application, replacing: bool = False) -> None:
    """At most N current documents (a replacement adds none), and M kept in all (earlier
    versions included)."""
    stmt = select(func.count(), func.count(Document.superseded_at)).where(
        Document.application_id == application.id
    )
    kept, superseded = db.session.execute(stmt).one()
    most = limit("DOCUMENTS_PER_APPLICATION")
    if not replacing and kept - superseded >= most:
        raise ValidationError.on(
            "file", _("At most %(most)s documents per application.", most=most)
        )
    if kept >= limit("DOCUMENT_VERSIONS_PER_APPLICATION"):
        raise ValidationError.on(
            "file",
            _(
                "This application has no room for more files: earlier versions are kept for "
                "customs, and the limit is reached. Please contact customs."
            ),
        )


def _mark_image(application: Application) -> Document | None:
    mark_id = application.right.mark_image_id
    return db.session.get(Document, mark_id) if mark_id is not None else None


def _new_document(
    application: Application, doc_type: DocType, saved: Saved, filename: str | None, actor: User
) -> Document:
    return Document(
        application_id=application.id, doc_type=doc_type,
        original_name=download_name(filename, saved.kind), stored_name=saved.path.name,
        content_type=saved.kind.content_type, size_bytes=saved.size, sha256=saved.sha256,
        uploaded_by_id=actor.id,
    )  # fmt: skip


def _retire(document: Document, application: Application, actor: User) -> Path | None:
    """Take a document out of the current list (clearing the mark-image link first). Seen by
    customs: mark it superseded, keep row and file. Never submitted: delete the row and
    return its file, to be removed after the commit."""
    right = db.session.get(IpRight, document.application_id)
    if right is not None and right.mark_image_id == document.id:
        right.mark_image_id = None
        db.session.flush()  # the link goes before the row it points at
    if application.seen_by_customs:
        document.superseded_at = utcnow()
        document.superseded_by_id = actor.id
        return None
    path = stored_path(document)
    db.session.delete(document)
    return path
