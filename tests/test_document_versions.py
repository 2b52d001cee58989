"""Issue 11 item 5 (documents): once customs has seen an application, a removed or replaced
document is kept as an earlier version (row and file), readable to staff only; a draft never
submitted still really deletes; no code path removes a file that a row still refers to."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.errors import NotFound, ValidationError
from ipr_apps.models import Application, DocType, Document, IpRight, Role, utcnow
from ipr_apps.services import documents, maintenance
from tests import files
from tests.api_helpers import API, bearer, token_for


@pytest.fixture
def owner(make_user, login):
    user = make_user(Role.HOLDER)
    login(user)
    return user


@pytest.fixture
def seen(owner, make_application) -> Application:
    """Submitted once, then sent back for more information: the holder may edit again."""
    return make_application(owner, "info_requested")


@pytest.fixture
def reviewer(app, make_user, login):
    user = make_user(Role.REVIEWER, name="Rita Reviewer")
    return user, login(user, to=app.test_client())


def _attach(owner, application, name="certificate.pdf", data=None) -> Document:
    data = data if data is not None else files.pdf()
    stream = io.BytesIO(data)
    return documents.attach(owner, application.id, DocType.IPR_CERTIFICATE, stream, name)


def _path(app, document: Document) -> Path:
    name = document.stored_name
    return Path(app.config["UPLOAD_FOLDER"]) / name[:2] / name


def _row(document_id: int) -> Document | None:
    db.session.expire_all()
    return db.session.get(Document, document_id)


def _status(client, url: str) -> int:
    response = client.get(url)
    response.close()
    return response.status_code


def test_seen_by_customs_means_submitted_at_least_once(owner, make_application, reviewer):
    assert not make_application(owner, "draft").seen_by_customs
    assert not make_application(owner, "withdrawn").seen_by_customs  # a draft given up
    for status in ("submitted", "under_review", "info_requested", "approved", "rejected"):
        assert make_application(owner, status, claimed_by=reviewer[0]).seen_by_customs


def test_removal_after_submission_keeps_row_and_file_as_an_earlier_version(
    app, client, owner, seen
):
    document = _attach(owner, seen)
    assert client.post(f"/documents/{document.id}/delete").status_code == 302
    kept = _row(document.id)
    assert kept is not None and _path(app, kept).read_bytes() == files.pdf()
    assert kept.superseded_by_id == owner.id
    assert utcnow() - kept.superseded_at < timedelta(minutes=1)
    assert documents.list_for(owner, seen.id) == []
    assert seen.documents == [] and DocType.IPR_CERTIFICATE in documents.missing_for(seen)


def test_holder_no_longer_sees_or_downloads_a_superseded_version(app, client, owner, seen):
    document = _attach(owner, seen)
    documents.remove(owner, document.id)
    assert _status(client, f"/documents/{document.id}") == 404
    assert _status(client, f"/documents/{document.id}?download=1") == 404
    page = client.get(f"/applications/{seen.id}/edit").get_data(as_text=True)
    assert f"/documents/{document.id}" not in page and "Earlier versions" not in page
    assert "Customs keeps a copy of any document you remove or replace." in page
    listed = client.get(f"{API}/applications/{seen.id}/documents",
                        headers=bearer(token_for(owner))).get_json()  # fmt: skip
    assert listed == []
    with pytest.raises(NotFound):  # and it cannot be removed twice
        documents.remove(owner, document.id)


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.ADMIN])
def test_staff_see_and_download_earlier_versions(app, owner, seen, make_user, login, role):
    old = _attach(owner, seen, "first scan.pdf")
    documents.remove(owner, old.id)
    new = _attach(owner, seen, "better scan.pdf", files.pdf(pages=2))
    staff = make_user(role)
    client = login(staff, to=app.test_client())
    response = client.get(f"/documents/{old.id}?download=1")
    response.close()
    assert response.status_code == 200 and response.headers["Content-Disposition"].endswith(
        "first_scan.pdf"
    )
    assert [d.id for d in documents.earlier_for(staff, seen)] == [old.id]
    assert [d.id for d in documents.list_for(staff, seen.id)] == [new.id]
    assert documents.earlier_for(owner, seen) == []


def test_review_page_lists_earlier_versions_with_date_and_who(app, owner, seen, reviewer):
    old = _attach(owner, seen, "first scan.pdf")
    documents.remove(owner, old.id)
    current = _attach(owner, seen, "better scan.pdf")
    _user, client = reviewer
    page = client.get(f"/review/{seen.id}").get_data(as_text=True)
    assert "Earlier versions" in page
    earlier = page.split('data-testid="earlier-documents"')[1].split("</table>")[0]
    assert f'href="/documents/{old.id}?download=1"' in earlier and "first_scan.pdf" in earlier
    assert _row(old.id).superseded_at.strftime('datetime="%Y-%m-%dT%H:%MZ"') in earlier
    assert f"by {owner.name}" in earlier
    assert f"/documents/{current.id}" not in earlier
    viewers = page.split('data-testid="document-viewer"')[1:]
    assert len(viewers) == 1 and f"/documents/{current.id}" in viewers[0]


def test_replacing_the_mark_image_after_submission_keeps_the_old_one(app, owner, seen):
    first = documents.set_mark_image(owner, seen.id, io.BytesIO(files.png()), "mark.png")
    second = documents.set_mark_image(owner, seen.id, io.BytesIO(files.jpeg()), "mark2.jpg")
    assert db.session.get(IpRight, seen.id).mark_image_id == second.id
    kept = _row(first.id)
    assert kept.superseded_by_id == owner.id and _path(app, kept).is_file()
    assert [d.id for d in documents.list_for(owner, seen.id)] == [second.id]


def test_a_draft_never_submitted_still_really_deletes(app, owner, make_application):
    draft = make_application(owner, "draft")
    document = _attach(owner, draft)
    path = _path(app, document)
    documents.remove(owner, document.id)
    assert _row(document.id) is None and not path.exists()
    mark = documents.set_mark_image(owner, draft.id, io.BytesIO(files.png()), "mark.png")
    mark_path = _path(app, mark)
    documents.set_mark_image(owner, draft.id, io.BytesIO(files.png()), "mark2.png")
    assert _row(mark.id) is None and not mark_path.exists()


def test_earlier_versions_do_not_count_against_the_documents_limit(app, owner, seen,
                                                                   monkeypatch):  # fmt: skip
    monkeypatch.setitem(app.config, "DOCUMENTS_PER_APPLICATION", 2)
    monkeypatch.setitem(app.config, "DOCUMENT_VERSIONS_PER_APPLICATION", 4)
    for n in range(3):
        documents.remove(owner, _attach(owner, seen, f"v{n}.pdf").id)
    _attach(owner, seen, "current.pdf")  # 3 earlier + 1 current = 4 kept
    with pytest.raises(ValidationError) as full:
        _attach(owner, seen, "one more.pdf")
    assert "earlier versions are kept" in full.value.fields["file"][0]


def test_replacing_the_mark_image_over_and_over_meets_the_same_limit(app, owner, seen,
                                                                     monkeypatch):  # fmt: skip
    monkeypatch.setitem(app.config, "DOCUMENT_VERSIONS_PER_APPLICATION", 2)
    for name in ("mark1.png", "mark2.png"):
        documents.set_mark_image(owner, seen.id, io.BytesIO(files.png()), name)
    with pytest.raises(ValidationError):
        documents.set_mark_image(owner, seen.id, io.BytesIO(files.png()), "mark3.png")
    assert len(db.session.execute(select(Document)).all()) == 2


def test_nightly_cleanup_keeps_the_files_of_earlier_versions(app, owner, seen, monkeypatch,
                                                             tmp_path):  # fmt: skip
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    document = _attach(owner, seen)
    documents.remove(owner, document.id)
    removed = maintenance.purge_orphan_uploads(utcnow() + timedelta(days=30))
    assert removed == 0 and _path(app, _row(document.id)).is_file()


def test_a_commit_that_reached_the_database_keeps_its_file(app, owner, seen, monkeypatch):
    """The connection can fail after COMMIT arrived: the row exists, so the file must stay."""
    real_commit = db.session.commit

    def commit_then_fail() -> None:
        real_commit()
        raise ConnectionError("connection lost after COMMIT")

    monkeypatch.setattr(db.session, "commit", commit_then_fail)
    with pytest.raises(ConnectionError):
        _attach(owner, seen)
    monkeypatch.undo()
    [document] = db.session.execute(select(Document)).scalars()
    assert _path(app, document).read_bytes() == files.pdf()


def test_a_stored_name_is_never_reused_nor_overwritten(app, owner, seen, monkeypatch):
    first = _attach(owner, seen, "first.pdf")
    documents.remove(owner, first.id)  # an earlier version now; its file stays
    taken = first.stored_name.removesuffix(".pdf")
    draws = iter([taken, "0" * 32])
    monkeypatch.setattr("secrets.token_hex", lambda _n: next(draws))
    second = _attach(owner, seen, "second.pdf", files.pdf(pages=2))
    assert second.stored_name == "0" * 32 + ".pdf"
    assert _path(app, _row(first.id)).read_bytes() == files.pdf()
    assert _path(app, second).read_bytes() == files.pdf(pages=2)
