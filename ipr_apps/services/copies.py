"""A new draft that starts from what an earlier application filed: revise-and-file-again
after a refusal, and renewals and amendments of a recordation (from its recorded facts).

Everything filed is copied — holder section, right, goods, licensees, traders, ports,
infringers — and the current documents as new files (the mark image stays the mark image).
Called inside the caller's unit of work, with the list that collects files written.
"""

from __future__ import annotations

from pathlib import Path

from ipr_apps import workflow
from ipr_apps.db import db
from ipr_apps.models import Application, Document, IpRight, Kind, Recordation, User
from ipr_apps.services import content, document_files
from ipr_apps.services.filing import filing_org_ids, new_reference
from ipr_apps.system_notes import SystemNote
from ipr_apps.workflow import Action


def new_draft_from(
    actor: User,
    source: Application,
    written: list[Path],
    *,
    kind: Kind = Kind.NEW,
    recordation: Recordation | None = None,
    revises: Application | None = None,
) -> Application:
    """A draft owned by `actor` (its agency when an agent files) holding a copy of `source`."""
    holder_id, agency_id = filing_org_ids(actor, source.holder_org_id)
    draft = Application(
        reference=new_reference(), ipr_type=source.ipr_type, kind=kind,
        holder_org_id=holder_id, agency_id=agency_id, filed_by_id=actor.id,
        recordation=recordation, revises=revises,
        # The relationship is post_update (a row cycle): without the column the INSERT of a
        # renewal or amendment would break the change_has_recordation CHECK.
        recordation_id=recordation.id if recordation is not None else None,
    )  # fmt: skip
    draft.right = IpRight()
    workflow.apply(draft, Action.CREATE, actor, _note(kind, source, revises))
    db.session.add(draft)
    copy_content(source, draft)
    db.session.flush()
    copy_documents(source, draft, actor, written)
    return draft


def _note(kind: Kind, source: Application, revises: Application | None) -> SystemNote:
    if revises is not None:
        key = "revises"
    else:
        key = {Kind.NEW: "copied", Kind.RENEWAL: "renewal"}.get(kind, "amendment")
    return SystemNote.of(key, reference=source.reference)


def copy_content(source: Application, target: Application) -> None:
    """Every content group as the form and the API see it (the holder's draft answer to an
    information request is not content)."""
    payload = content.to_payload(source)
    payload.pop("response", None)
    content.apply_payload(target, payload)


def copy_documents(
    source: Application, target: Application, actor: User, written: list[Path]
) -> list[Document]:
    """The source's current documents as new rows and files of `target` (flushed)."""
    copies = []
    mark_id = source.right.mark_image_id if source.right else None
    for document in source.documents:
        path = document_files.duplicate(document, written)
        copy = Document(
            application_id=target.id, doc_type=document.doc_type,
            original_name=document.original_name, stored_name=path.name,
            content_type=document.content_type, size_bytes=document.size_bytes,
            sha256=document.sha256, uploaded_by_id=actor.id,
        )  # fmt: skip
        db.session.add(copy)
        db.session.flush()
        if document.id == mark_id:
            target.right.mark_image_id = copy.id
        copies.append(copy)
    return copies
