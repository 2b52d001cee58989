"""Copying an application into a new draft (revise-and-file-again, renewals, amendments)."""

from __future__ import annotations

import io

import pytest

from ipr_apps.db import db, unit_of_work
from ipr_apps.models import Application, DocType, Document, Kind, Status, StatusEvent
from ipr_apps.services import content, documents, filing
from ipr_apps.services.copies import new_draft_from
from ipr_apps.services.document_files import FileMissing, removed_on_error, stored_path
from tests.factories import complete_payload
from tests.files import pdf, png


def _filed(owner) -> Application:
    draft = filing.create_draft(owner, "trademark", complete_payload())
    documents.attach(owner, draft.id, DocType.IPR_CERTIFICATE, io.BytesIO(pdf()), "cert.pdf")
    documents.set_mark_image(owner, draft.id, io.BytesIO(png()), "mark.png")
    return db.session.get(Application, draft.id)


def test_a_copy_holds_everything_filed_and_its_own_files(app, make_user):
    owner = make_user()
    source = _filed(owner)
    with unit_of_work():
        written = []
        copy = new_draft_from(owner, source, written, revises=source)
    db.session.expire_all()
    copy, source = db.session.get(Application, copy.id), db.session.get(Application, source.id)
    assert (copy.status, copy.kind, copy.revises_id) == (Status.DRAFT, Kind.NEW, source.id)
    assert copy.reference != source.reference
    assert content.to_payload(copy) == content.to_payload(source)
    pairs = list(zip(source.documents, copy.documents, strict=True))
    assert len(pairs) == 2
    for old, new in pairs:
        assert (new.doc_type, new.sha256, new.original_name) == (
            old.doc_type, old.sha256, old.original_name,
        )  # fmt: skip
        assert new.stored_name != old.stored_name
        assert stored_path(new).read_bytes() == stored_path(old).read_bytes()
    mark = db.session.get(Document, copy.right.mark_image_id)
    assert mark.application_id == copy.id and mark.original_name == "mark.png"
    event = db.session.query(StatusEvent).filter_by(application_id=copy.id).one()
    assert (event.action, event.to_status, event.note) == (
        "create", "draft", f"Revises {source.reference}",
    )  # fmt: skip


def test_removing_a_copied_document_leaves_the_original_file(app, make_user):
    owner = make_user()
    source = _filed(owner)
    with unit_of_work():
        copy = new_draft_from(owner, source, [])
    copied = copy.documents[0]
    documents.remove(owner, copied.id)
    assert stored_path(source.documents[0]).exists()


def test_a_missing_file_is_a_clear_refusal_and_nothing_is_created(app, make_user):
    owner = make_user()
    source = _filed(owner)
    stored_path(source.documents[0]).unlink()
    before = db.session.query(Application).count()
    missing = pytest.raises(FileMissing, match=r"cert\.pdf")
    with missing, removed_on_error() as written, unit_of_work():
        new_draft_from(owner, source, written, revises=source)
    db.session.rollback()
    assert db.session.query(Application).count() == before
    assert FileMissing.http_status == 409
