"""Documents: content checks, limits, storage on disk, who may attach/see/remove, mark image."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import current_app, url_for
from PIL import Image
from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.errors import NotFound, PermissionDenied, TransitionError, ValidationError
from ipr_apps.models import Application, DocType, Document, IpRight, Role, Status, utcnow
from ipr_apps.services import documents, filing
from tests import factories, files

PNG = files.png()
JPEG = files.jpeg()
PDF = files.pdf()


def _post_file(client, endpoint: str, application_id: int, data: bytes, name: str, **fields):
    with current_app.test_request_context():
        url = url_for(endpoint, application_id=application_id)
    payload = {**fields, "file": (io.BytesIO(data), name)}
    return client.post(url, data=payload, content_type="multipart/form-data")


def _upload(client, application, data=PDF, name="certificate.pdf", doc_type="ipr_certificate"):
    return _post_file(client, "documents.upload", application.id, data, name, doc_type=doc_type)


def _get(client, url: str):
    """GET and buffer the body, closing the file that send_file opened."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def _rows(application) -> list[Document]:
    stmt = select(Document).where(Document.application_id == application.id).order_by(Document.id)
    return list(db.session.execute(stmt).scalars())


def _disk(app) -> set[Path]:
    return {p for p in Path(app.config["UPLOAD_FOLDER"]).rglob("*") if p.is_file()}


def _path(app, document: Document) -> Path:
    return Path(app.config["UPLOAD_FOLDER"]) / document.stored_name[:2] / document.stored_name


def _back_to_edit(response, application) -> bool:
    with current_app.test_request_context():
        edit = url_for("filing.edit", application_id=application.id)
    return response.status_code == 302 and response.headers["Location"] == edit


def _attach(owner, application, data=PDF, name="doc.pdf", doc_type=DocType.IPR_CERTIFICATE):
    return documents.attach(owner, application.id, doc_type, io.BytesIO(data), name)


@pytest.fixture
def owner(make_user, login):
    user = make_user(Role.HOLDER)
    login(user)
    return user


@pytest.fixture
def draft(owner, make_application):
    return make_application(owner, "draft")


def _pixels(data: bytes) -> tuple[str, tuple[int, int], bytes]:
    with Image.open(io.BytesIO(data)) as image:
        return image.format, image.size, image.tobytes()


@pytest.mark.parametrize(
    ("data", "name", "content_type", "stored_as"),
    [
        (PNG, "logo.png", "image/png", "logo.png"),
        (JPEG, "photo.jpeg", "image/jpeg", "photo.jpg"),
        (PDF, "certificate.pdf", "application/pdf", "certificate.pdf"),
        (PDF, "scan.png", "application/pdf", "scan.pdf"),  # the content decides, not the name
        (PDF, "x.html", "application/pdf", "x.pdf"),
    ],
)
def test_upload_stores_file_under_random_name(
    app, client, draft, data, name, content_type, stored_as
):
    assert _back_to_edit(_upload(client, draft, data, name), draft)
    [document] = _rows(draft)
    assert (document.doc_type, document.original_name) == (DocType.IPR_CERTIFICATE, stored_as)
    stored = _path(app, document).read_bytes()
    assert (document.content_type, document.size_bytes) == (content_type, len(stored))
    assert document.sha256 == hashlib.sha256(stored).hexdigest()
    extension = stored_as.rsplit(".", 1)[1]
    assert re.fullmatch(r"[0-9a-f]{32}\." + extension, document.stored_name)
    if content_type == "application/pdf":
        assert stored == data  # kept as uploaded, once it passed every check
    else:  # re-encoded: the same picture
        assert _pixels(stored)[:2] == _pixels(data)[:2]
    if content_type == "image/png":
        assert _pixels(stored) == _pixels(data)  # lossless


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"<html><script>alert(1)</script></html>", "innocent.png"),
        (b"", "empty.pdf"),
        (b"GIF89a\x01\x00\x01\x00", "anim.gif"),
        (b"%PDF", "truncated.pdf"),
    ],
)
def test_content_that_is_not_pdf_jpeg_or_png_is_refused(app, client, draft, data, name):
    before = _disk(app)
    assert _back_to_edit(_upload(client, draft, data, name), draft)
    assert _rows(draft) == []
    assert _disk(app) == before


def test_size_limit_from_config(app, client, draft, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", len(PDF))
    before = _disk(app)
    _upload(client, draft, PDF + b"\n", "big.pdf")
    assert _rows(draft) == [] and _disk(app) == before
    _upload(client, draft, PDF, "exact.pdf")
    assert [d.original_name for d in _rows(draft)] == ["exact.pdf"]


def test_default_limits(app):
    assert documents.limit("DOCUMENT_MAX_BYTES") == 10 * 1024 * 1024
    assert documents.limit("DOCUMENTS_PER_APPLICATION") == 20


def test_the_21st_file_is_refused(app, client, owner, draft):
    for n in range(20):
        _attach(owner, draft, name=f"page{n}.pdf")
    before = _disk(app)
    _upload(client, draft, PNG, "one-too-many.png")
    assert len(_rows(draft)) == 20 and _disk(app) == before
    with pytest.raises(ValidationError) as caught:
        _attach(owner, draft)
    assert "file" in caught.value.fields


@pytest.mark.parametrize("doc_type", ["", "passport", None])
def test_unknown_document_type_is_refused(app, client, owner, draft, doc_type):
    with pytest.raises(ValidationError) as caught:
        _attach(owner, draft, doc_type=doc_type)
    assert "doc_type" in caught.value.fields
    _upload(client, draft, doc_type=doc_type or "")
    assert _rows(draft) == []


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\me\\Desktop\\licence.pdf", "licence.pdf"),
        ("evil\u202egpj.pdf", "evilgpj.pdf"),  # no right-to-left override tricks
        ("x" * 300 + ".pdf", "x" * 251 + ".pdf"),
        ("", "document.pdf"),
        ("cert <b>.pdf", "cert_b.pdf"),
        ("invoice.pdf.exe", "invoice.pdf.pdf"),  # the extension is always the sniffed type's
        ("page.html", "page.pdf"),
        (".htaccess", "htaccess.pdf"),
        ("营业执照 2024.PDF", "营业执照_2024.pdf"),  # letters of any script are kept
    ],
)
def test_original_name_is_sanitised_for_display(app, owner, draft, raw, kept):
    assert _attach(owner, draft, name=raw).original_name == kept


def test_failed_transaction_leaves_no_orphan_file(app, owner, draft, monkeypatch):
    before = _disk(app)

    def fail() -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(db.session, "commit", fail)
    with pytest.raises(RuntimeError):
        _attach(owner, draft)
    monkeypatch.undo()
    assert _rows(draft) == [] and _disk(app) == before


def test_removal_deletes_row_and_file(app, client, owner, draft):
    document = _attach(owner, draft)
    path = _path(app, document)
    assert path.is_file()
    assert _back_to_edit(client.post(f"/documents/{document.id}/delete"), draft)
    assert _rows(draft) == [] and not path.exists()


def test_another_holder_gets_404_everywhere(app, owner, draft, make_user, login):
    document = _attach(owner, draft)
    other = login(make_user(Role.HOLDER), to=app.test_client())
    assert _upload(other, draft, PNG, "x.png").status_code == 404
    assert _post_file(other, "documents.mark_image", draft.id, PNG, "m.png").status_code == 404
    assert _get(other, f"/documents/{document.id}").status_code == 404
    assert other.post(f"/documents/{document.id}/delete").status_code == 404
    assert [d.id for d in _rows(draft)] == [document.id] and _path(app, document).is_file()


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.ADMIN])
def test_staff_download_but_never_change(app, owner, draft, make_user, login, role):
    document = _attach(owner, draft, PNG, "logo.png", DocType.GOODS_PHOTO)
    staff_user = make_user(role)
    staff = login(staff_user, to=app.test_client())
    response = _get(staff, f"/documents/{document.id}")
    stored = _path(app, document).read_bytes()
    assert (response.status_code, response.data, response.mimetype) == (200, stored, "image/png")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert response.headers["Content-Disposition"].startswith("inline")
    attachment = _get(staff, f"/documents/{document.id}?download=1")
    assert attachment.headers["Content-Disposition"].startswith("attachment")
    assert "logo.png" in attachment.headers["Content-Disposition"]
    staff.post(f"/documents/{document.id}/delete")
    _upload(staff, draft)
    assert [d.id for d in _rows(draft)] == [document.id]
    with pytest.raises(PermissionDenied):
        documents.remove(staff_user, document.id)


def test_agent_who_filed_attaches_and_downloads(app, make_user, login):
    holder, agent = make_user(Role.HOLDER), make_user(Role.HOLDER, agency=True)
    factories.grant_mandate(agent, holder)
    application = filing.create_draft(agent, "trademark", holder_org_id=holder.organisation_id)
    agent_client = login(agent, to=app.test_client())
    _upload(agent_client, application, doc_type="power_of_attorney")
    [document] = _rows(application)
    assert document.uploaded_by_id == agent.id
    assert _get(agent_client, f"/documents/{document.id}").data == PDF
    holder_client = login(holder, to=app.test_client())
    assert _get(holder_client, f"/documents/{document.id}").status_code == 200


def _make_submitted(application: Application) -> None:
    application.status = Status.SUBMITTED
    application.first_submitted_at = application.submitted_at = utcnow()
    application.due_on = date.today() + timedelta(days=42)
    db.session.commit()


def test_owner_cannot_change_documents_once_submitted(app, client, owner, make_application):
    submitted = make_application(owner, "submitted")
    _upload(client, submitted)
    _post_file(client, "documents.mark_image", submitted.id, PNG, "mark.png")
    assert _rows(submitted) == []
    with pytest.raises(TransitionError):
        _attach(owner, submitted)
    draft = make_application(owner, "draft")
    document = _attach(owner, draft)
    _make_submitted(draft)
    client.post(f"/documents/{document.id}/delete")
    assert [d.id for d in _rows(draft)] == [document.id] and _path(app, document).is_file()
    assert _get(client, f"/documents/{document.id}").data == PDF  # still visible


def test_owner_may_attach_while_information_is_requested(app, owner, make_application):
    application = make_application(owner, "info_requested")
    assert _attach(owner, application).application_id == application.id


def test_missing_file_on_disk_is_404(app, client, owner, draft):
    document = _attach(owner, draft)
    _path(app, document).unlink()
    assert _get(client, f"/documents/{document.id}").status_code == 404
    with pytest.raises(NotFound):
        documents.get_for_download(owner, document.id)


def _mark_id(application) -> int | None:
    return db.session.get(IpRight, application.id).mark_image_id


def test_mark_image_set_replaced_and_cleared(app, client, owner, draft):
    _post_file(client, "documents.mark_image", draft.id, PNG, "mark.png")
    [first] = _rows(draft)
    assert (_mark_id(draft), first.doc_type, first.content_type) == (
        first.id,
        DocType.OTHER,
        "image/png",
    )
    first_path = _path(app, first)
    second = documents.set_mark_image(owner, draft.id, io.BytesIO(JPEG), "mark2.jpg")
    assert [d.id for d in _rows(draft)] == [second.id] and _mark_id(draft) == second.id
    assert not first_path.exists()  # a draft never submitted: really deleted
    assert _pixels(_path(app, second).read_bytes())[:2] == ("JPEG", (8, 6))
    client.post(f"/documents/{second.id}/delete")
    assert _rows(draft) == [] and _mark_id(draft) is None


def test_mark_image_must_be_an_image_of_a_trademark(app, client, owner, make_application):
    draft = make_application(owner, "draft")
    _post_file(client, "documents.mark_image", draft.id, PDF, "mark.pdf")
    with pytest.raises(ValidationError):
        documents.set_mark_image(owner, draft.id, io.BytesIO(PDF), "mark.pdf")
    patent = make_application(owner, "draft", ipr_type="patent_design")
    with pytest.raises(ValidationError):
        documents.set_mark_image(owner, patent.id, io.BytesIO(PNG), "mark.png")
    assert _rows(draft) == _rows(patent) == [] and _mark_id(draft) is None


def test_list_for_respects_visibility(app, owner, draft, make_user):
    document = _attach(owner, draft)
    assert [d.id for d in documents.list_for(owner, draft.id)] == [document.id]
    assert [d.id for d in documents.list_for(make_user(Role.REVIEWER), draft.id)] == [document.id]
    with pytest.raises(NotFound):
        documents.list_for(make_user(Role.HOLDER), draft.id)


def test_panel_on_edit_and_show_pages(app, client, owner, draft, make_user, login):
    page = client.get(f"/applications/{draft.id}/edit").get_data(as_text=True)
    assert 'data-testid="no-documents"' in page and 'data-testid="missing-documents"' in page
    assert 'enctype="multipart/form-data"' in page and 'data-testid="upload-mark-image"' in page
    image = _attach(owner, draft, PNG, "logo.png", DocType.GOODS_PHOTO)
    pdf = _attach(owner, draft, PDF, "cert <b>.pdf")
    page = client.get(f"/applications/{draft.id}/edit").get_data(as_text=True)
    assert f'class="doc-thumb" src="/documents/{image.id}"' in page
    assert f"/documents/{pdf.id}/delete" in page and "cert_b.pdf" in page
    assert pdf.sha256[:12] in page
    reviewer = login(make_user(Role.REVIEWER), to=app.test_client())
    page = reviewer.get(f"/applications/{draft.id}").get_data(as_text=True)
    assert f"/documents/{image.id}" in page and f"/documents/{pdf.id}/delete" not in page
    assert 'data-testid="upload-document"' not in page


# --------------------------------------------------------------- upload messages (issue 9, #8)
# A browser sends the file field even when no file was chosen: no name, no bytes. That is
# "choose a file"; a chosen file that holds no bytes is "the file is empty".

NOTHING_CHOSEN = (b"", "")
EMPTY_FILE = (b"", "empty.pdf")


@pytest.mark.parametrize(
    ("upload", "message"),
    [(NOTHING_CHOSEN, "Choose a file to upload."), (EMPTY_FILE, "The file is empty.")],
)
@pytest.mark.parametrize("mark_image", [False, True])
def test_service_says_choose_a_file_when_none_was_chosen(app, owner, draft, upload, message,
                                                         mark_image):  # fmt: skip
    stream = io.BytesIO(upload[0])
    with pytest.raises(ValidationError) as raised:
        if mark_image:
            documents.set_mark_image(owner, draft.id, stream, upload[1])
        else:
            documents.attach(owner, draft.id, DocType.IPR_CERTIFICATE, stream, upload[1])
    assert raised.value.fields == {"file": [message]}
    assert _rows(draft) == []


@pytest.mark.parametrize(
    ("action", "field"), [("upload_document", "file"), ("upload_mark_image", "mark_image")]
)
@pytest.mark.parametrize(
    ("upload", "shown", "not_shown"),
    [
        (NOTHING_CHOSEN, "Choose a file to upload.", "The file is empty."),
        (EMPTY_FILE, "The file is empty.", "Choose a file"),
    ],
)
def test_edit_page_upload_buttons_say_choose_a_file(
    app, client, owner, draft, action, field, upload, shown, not_shown
):
    data = {
        "action": action,
        "doc_type": "ipr_certificate",
        field: (io.BytesIO(upload[0]), upload[1]),
    }
    response = client.post(
        f"/applications/{draft.id}/edit", data=data, content_type="multipart/form-data",
        follow_redirects=True,
    )  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "the file was not attached" in page
    assert shown in page and not_shown not in page
    assert _rows(draft) == []


def test_documents_panel_form_says_choose_a_file(app, client, draft):
    response = _upload(client, draft, *NOTHING_CHOSEN)
    assert _back_to_edit(response, draft)
    page = client.get(f"/applications/{draft.id}/edit").get_data(as_text=True)
    assert "Choose a file to upload." in page and "The file is empty." not in page
    assert _rows(draft) == []


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "Choose a file to upload"),  # no `file` field at all
        ({"file": NOTHING_CHOSEN}, "Choose a file to upload."),
        ({"file": EMPTY_FILE}, "The file is empty."),
    ],
)
def test_api_upload_names_the_missing_or_empty_file(app, client, owner, draft, files, message):
    from tests.api_helpers import API, assert_error, bearer, token_for

    data = {"doc_type": "other"}
    data.update({name: (io.BytesIO(body), filename) for name, (body, filename) in files.items()})
    response = client.post(
        f"{API}/applications/{draft.id}/documents", data=data,
        content_type="multipart/form-data", headers=bearer(token_for(owner)),
    )  # fmt: skip
    assert response.status_code == 422
    error = assert_error(response.get_json())
    assert error["code"] == "validation_error"
    [field_message] = error["fields"]["file"]
    assert field_message.startswith(message)
    assert _rows(draft) == []


# --------------------------------------------------------------------------- inline view


@pytest.mark.parametrize(
    ("data", "name", "content_type", "framed_by"),
    [
        (PDF, "certificate.pdf", "application/pdf", "SAMEORIGIN"),
        (PNG, "logo.png", "image/png", "DENY"),
        (JPEG, "photo.jpg", "image/jpeg", "DENY"),
    ],
)
def test_pdf_jpeg_and_png_are_served_inline_pdf_framed_by_our_pages_only(
    app, client, owner, draft, data, name, content_type, framed_by
):
    document = _attach(owner, draft, data, name)
    response = _get(client, f"/documents/{document.id}")
    stored = _path(app, document).read_bytes()
    assert (response.status_code, response.mimetype, response.data) == (200, content_type, stored)
    assert response.headers["Content-Disposition"] == f"inline; filename={name}"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == framed_by
    csp = response.headers["Content-Security-Policy"]
    assert csp.startswith("default-src 'none'") and "script-src" not in csp
    if content_type == "application/pdf":
        assert "frame-ancestors 'self'" in csp  # the review page's <iframe>, nobody else's
    else:
        assert "sandbox" in csp and "frame-ancestors" not in csp
    download = _get(client, f"/documents/{document.id}?download=1")
    assert download.headers["Content-Disposition"] == f"attachment; filename={name}"


def test_a_stored_file_of_any_other_type_is_only_ever_downloaded(app, client, owner, draft):
    document = _attach(owner, draft)
    document.content_type = "text/html"  # e.g. a row from before content checks, or tampered
    db.session.commit()
    response = _get(client, f"/documents/{document.id}")
    assert response.status_code == 200 and response.mimetype == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("who", ["anonymous", "other holder", "owner", "reviewer", "admin"])
def test_inline_view_only_for_the_owner_and_staff(app, owner, draft, make_user, login, who):
    document = _attach(owner, draft, PDF, "certificate.pdf")
    visitor = app.test_client()
    if who == "owner":
        login(owner, to=visitor)
    elif who != "anonymous":
        role = {"other holder": Role.HOLDER, "reviewer": Role.REVIEWER, "admin": Role.ADMIN}[who]
        login(make_user(role), to=visitor)
    response = _get(visitor, f"/documents/{document.id}")
    if who == "anonymous":
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    elif who == "other holder":
        assert response.status_code == 404 and response.mimetype == "text/html"
    else:
        assert response.status_code == 200 and response.data == PDF


def test_review_page_shows_every_document_inline(app, client, owner, draft, make_user, login):
    image = _attach(owner, draft, PNG, "logo <b>.png", DocType.GOODS_PHOTO)  # logo_b.png
    pdf = _attach(owner, draft, PDF, "certificate.pdf")
    _make_submitted(draft)
    reviewer = login(make_user(Role.REVIEWER), to=app.test_client())
    response = reviewer.get(f"/review/{draft.id}")
    page = response.get_data(as_text=True)
    viewers = page.split('data-testid="document-viewer"')[1:]
    assert len(viewers) == 2
    assert re.search(rf'<img src="/documents/{image.id}" alt="Goods photo: logo_b.png"', page)
    assert re.search(rf'<iframe src="/documents/{pdf.id}" title="[^"]*certificate.pdf"', page)
    assert f'href="/documents/{pdf.id}?download=1"' in viewers[1]  # when no PDF viewer
    csp = response.headers["Content-Security-Policy"]
    assert "frame-src 'self'" in csp and "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp and response.headers["X-Frame-Options"] == "DENY"
    holder_page = client.get(f"/applications/{draft.id}").get_data(as_text=True)
    assert 'data-testid="document-viewer"' not in holder_page  # only the review page


def test_an_upload_from_the_application_page_returns_to_that_page(client, draft):
    page = client.get(f"/applications/{draft.id}").get_data(as_text=True)
    assert 'name="back" value="show"' in page  # the page's own upload form says where it is
    response = client.post(
        f"/applications/{draft.id}/documents",
        data={"doc_type": "ipr_certificate", "file": (io.BytesIO(PDF), "c.pdf"), "back": "show"},
        content_type="multipart/form-data",
    )
    assert response.headers["Location"] == f"/applications/{draft.id}"
    assert len(_rows(draft)) == 1
    other = client.post(
        f"/applications/{draft.id}/documents",
        data={"doc_type": "ipr_certificate", "file": (io.BytesIO(PDF), "d.pdf"), "back": "//evil"},
        content_type="multipart/form-data",
    )
    assert other.headers["Location"] == f"/applications/{draft.id}/edit"  # only a known name
