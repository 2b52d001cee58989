"""Issue 11 item 9: every upload is parsed whole (pypdf, Pillow); hostile files are refused with a
clear message on the page and in the API; images are stored re-encoded without metadata; files
are stored and served under a name with the sniffed type's extension."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.errors import ValidationError
from ipr_apps.models import DocType, Document, Role
from ipr_apps.services import documents
from tests import files
from tests.api_helpers import API, assert_error, bearer, token_for

# The user-facing sentences (written out here so that this file fails on a build without them).
NOT_A_PDF = "This file is not a readable PDF. Save or print it to a new PDF and upload that."
JAVASCRIPT = (
    "This PDF contains JavaScript, which we do not accept. Print it to a new PDF and upload that."
)
EMBEDDED = (
    "This PDF contains embedded files, which we do not accept. Print it to a new PDF, and "
    "upload any other file on its own."
)
LAUNCH = (
    "This PDF contains an action that opens programs or other files, which we do not accept. "
    "Print it to a new PDF and upload that."
)
ENCRYPTED = (
    "This PDF is encrypted or protected by a password. Save a copy without protection and "
    "upload that."
)
NO_PAGES = "This PDF has no pages. Upload a PDF with at least one page."
XFA = (
    "This PDF is a dynamic (XFA) form, which may run scripts we cannot check. Print it to a "
    "new PDF and upload that."
)
PDF_TRAILING = (
    "This file has extra data after the end of the PDF, which we do not accept. Print it to a "
    "new PDF and upload that."
)
NOT_AN_IMAGE = "This image could not be read. Save it again as PNG or JPEG and upload that."
IMAGE_TRAILING = (
    "This image has extra data after its end, which we do not accept. Save it again as PNG or "
    "JPEG and upload that."
)

HOSTILE = {
    "pdf header + html": (b"%PDF-1.4\n" + files.HTML, "x.pdf", NOT_A_PDF),
    "pdf header + executable": (b"%PDF-1.7\nMZ\x90\x00" + bytes(512) + b"%%EOF\n", "a.pdf",
                                NOT_A_PDF),
    "pdf header only": (b"%PDF-1.4\n%%EOF\n", "a.pdf", NOT_A_PDF),
    "truncated pdf": (files.pdf()[:-80], "cut.pdf", NOT_A_PDF),
    "pdf + html after %%EOF": (files.pdf() + files.HTML, "x.pdf", PDF_TRAILING),
    "/OpenAction javascript": (files.pdf_with_open_action_js(), "js.pdf", JAVASCRIPT),
    "/Names /JavaScript": (files.pdf_with_named_js(), "js.pdf", JAVASCRIPT),
    "page /AA javascript": (files.pdf_with_page_aa_js(), "js.pdf", JAVASCRIPT),
    "link annotation javascript": (files.pdf_with_link_js(), "js.pdf", JAVASCRIPT),
    "/Launch action": (files.pdf_with_launch_action(), "run.pdf", LAUNCH),
    "XFA form": (files.pdf_with_xfa_form(), "form.pdf", XFA),
    "/EmbeddedFiles": (files.pdf_with_embedded_file(), "att.pdf", EMBEDDED),
    "/FileAttachment annotation": (files.pdf_with_file_attachment_annotation(), "a.pdf",
                                   EMBEDDED),
    "encrypted pdf": (files.pdf_encrypted(), "locked.pdf", ENCRYPTED),
    "pdf without pages": (files.pdf_without_pages(), "empty.pdf", NO_PAGES),
    "png + html": (files.png() + files.HTML, "x.png", IMAGE_TRAILING),
    "jpeg + html": (files.jpeg() + files.HTML, "x.jpg", IMAGE_TRAILING),
    "png + executable": (files.png() + b"MZ\x90\x00" + bytes(64), "x.png", IMAGE_TRAILING),
    "truncated png": (files.png()[:-20], "cut.png", NOT_AN_IMAGE),
    "truncated jpeg": (files.jpeg()[:-40], "cut.jpg", NOT_AN_IMAGE),
    "png header + html": (b"\x89PNG\r\n\x1a\n" + files.HTML, "x.png", NOT_AN_IMAGE),
    "jpeg header + html": (b"\xff\xd8\xff\xe0" + files.HTML, "x.jpg", NOT_AN_IMAGE),
}  # fmt: skip


@pytest.fixture
def owner(make_user, login):
    user = make_user(Role.HOLDER)
    login(user)
    return user


@pytest.fixture
def draft(owner, make_application):
    return make_application(owner, "draft")


def _rows(application_id: int) -> list[Document]:
    stmt = select(Document).where(Document.application_id == application_id)
    return list(db.session.execute(stmt.order_by(Document.id)).scalars())


def _disk(app) -> set[Path]:
    return {p for p in Path(app.config["UPLOAD_FOLDER"]).rglob("*") if p.is_file()}


def _stored(app, document: Document) -> bytes:
    name = document.stored_name
    return (Path(app.config["UPLOAD_FOLDER"]) / name[:2] / name).read_bytes()


def _upload_page(client, application_id: int, data: bytes, name: str):
    return client.post(
        f"/applications/{application_id}/documents",
        data={"doc_type": "ipr_certificate", "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data", follow_redirects=True,
    )  # fmt: skip


def _attach(owner, application, data: bytes, name: str) -> Document:
    return documents.attach(owner, application.id, DocType.OTHER, io.BytesIO(data), name)


@pytest.mark.parametrize(("data", "name", "message"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_file_is_refused_with_a_clear_message(
    app, client, owner, draft, data, name, message
):
    before = _disk(app)
    page = _upload_page(client, draft.id, data, name).get_data(as_text=True)
    assert message in page
    with pytest.raises(ValidationError) as refused:
        _attach(owner, draft, data, name)
    assert refused.value.fields == {"file": [message]}
    assert _rows(draft.id) == [] and _disk(app) == before


@pytest.mark.parametrize(
    "key", ["pdf header + html", "/OpenAction javascript", "/EmbeddedFiles", "png + html"]
)
def test_api_refuses_the_same_files_with_422(app, client, owner, draft, key):
    data, name, message = HOSTILE[key]
    response = client.post(
        f"{API}/applications/{draft.id}/documents",
        data={"doc_type": "other", "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data", headers=bearer(token_for(owner)),
    )  # fmt: skip
    assert response.status_code == 422
    error = assert_error(response.get_json())
    assert error["code"] == "validation_error" and error["fields"] == {"file": [message]}
    assert _rows(draft.id) == []


@pytest.mark.parametrize("key", ["png + html", "jpeg + html", "truncated png"])
def test_mark_image_gets_the_same_checks(app, owner, draft, key):
    data, name, message = HOSTILE[key]
    with pytest.raises(ValidationError) as refused:
        documents.set_mark_image(owner, draft.id, io.BytesIO(data), name)
    assert refused.value.fields == {"file": [message]}
    assert _rows(draft.id) == []


def test_refused_upload_on_the_edit_page_keeps_what_was_typed(app, client, owner, draft):
    response = client.post(
        f"/applications/{draft.id}/edit",
        data={"action": "upload_document", "doc_type": "ipr_certificate",
              "right-title": "TYPED BEFORE THE UPLOAD",
              "file": (io.BytesIO(files.pdf_with_open_action_js()), "js.pdf")},
        content_type="multipart/form-data", follow_redirects=True,
    )  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and JAVASCRIPT in page
    assert "TYPED BEFORE THE UPLOAD" in page and _rows(draft.id) == []


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_images_are_stored_re_encoded_without_exif_or_gps(app, owner, draft, fmt):
    uploaded = files.image(fmt, size=(8, 6), exif=files.gps_exif())
    with Image.open(io.BytesIO(uploaded)) as original:
        assert original.getexif().get_ifd(files.GPS_IFD)  # the fixture does carry a position
    document = _attach(owner, draft, uploaded, f"photo.{fmt.lower()}")
    stored = _stored(app, document)
    assert b"Secret Phone" not in stored and stored != uploaded
    with Image.open(io.BytesIO(stored)) as image:
        assert (image.format, image.size) == (fmt, (8, 6))
        assert len(image.getexif()) == 0 and "exif" not in image.info
    assert document.size_bytes == len(stored)


def test_exif_orientation_is_applied_before_it_is_stripped(app, owner, draft):
    rotated = files.image("JPEG", size=(8, 6), exif=files.gps_exif(orientation=6))
    document = _attach(owner, draft, rotated, "portrait.jpg")
    with Image.open(io.BytesIO(_stored(app, document))) as image:
        assert image.size == (6, 8) and len(image.getexif()) == 0


def test_decompression_bomb_is_refused_with_a_clear_message(app, client, owner, draft,
                                                            monkeypatch):  # fmt: skip
    assert documents.limit("DOCUMENT_MAX_PIXELS") == 50_000_000
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_PIXELS", 1_000)
    big = files.png(size=(40, 40))  # 1,600 pixels
    page = _upload_page(client, draft.id, big, "huge.png").get_data(as_text=True)
    assert "This image has too many pixels (at most 0.001 million)." in page
    assert _rows(draft.id) == []
    assert Image.MAX_IMAGE_PIXELS > 1_000  # Pillow's global guard is given back
    _attach(owner, draft, files.png(size=(20, 20)), "small.png")
    assert len(_rows(draft.id)) == 1


def test_valid_files_pass_and_pdfs_are_kept_byte_for_byte(app, owner, draft):
    pdf = _attach(owner, draft, files.pdf(pages=3), "three pages.pdf")
    assert _stored(app, pdf) == files.pdf(pages=3) and pdf.original_name == "three_pages.pdf"
    png = _attach(owner, draft, files.png(), "logo.png")
    jpeg = _attach(owner, draft, files.jpeg(), "photo.jpeg")
    assert [(d.content_type, d.original_name) for d in (png, jpeg)] == [
        ("image/png", "logo.png"), ("image/jpeg", "photo.jpg"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("data", "name", "content_type", "served_as"),
    [
        (files.pdf(), "x.html", "application/pdf", "x.pdf"),
        (files.png(), "page.htm", "image/png", "page.png"),
        (files.jpeg(), "shell.php", "image/jpeg", "shell.jpg"),
    ],
    ids=["pdf", "png", "jpeg"],
)
def test_downloads_are_named_and_typed_by_the_sniffed_type(
    app, client, owner, draft, data, name, content_type, served_as
):
    document = _attach(owner, draft, data, name)
    for query, disposition in (("", "inline"), ("?download=1", "attachment")):
        response = client.get(f"/documents/{document.id}{query}")
        response.close()
        assert response.status_code == 200 and response.mimetype == content_type
        assert response.headers["Content-Disposition"] == f"{disposition}; filename={served_as}"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_row_stored_under_the_clients_extension_is_served_by_its_type(app, client, owner, draft):
    """Rows from before this check kept the client's name: the extension is fixed when served."""
    document = _attach(owner, draft, files.pdf(), "x.pdf")
    document.original_name = "x.html"
    db.session.commit()
    response = client.get(f"/documents/{document.id}?download=1")
    response.close()
    assert response.headers["Content-Disposition"] == "attachment; filename=x.pdf"


def test_a_non_latin_name_is_kept_and_sent_encoded(app, client, owner, draft):
    document = _attach(owner, draft, files.pdf(), "营业执照.pdf")
    assert document.original_name == "营业执照.pdf"
    response = client.get(f"/documents/{document.id}?download=1")
    response.close()
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    assert "%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7.pdf" in disposition


def test_a_file_whose_content_is_not_what_its_name_says_is_told_so(owner, draft):
    with pytest.raises(ValidationError) as refused:
        _attach(owner, draft, b"Just some text, renamed.\n", "certificate.pdf")
    [message] = refused.value.fields["file"]
    assert "whatever its name says" in message and message.endswith(
        "Upload a PDF, JPEG or PNG file."
    )
