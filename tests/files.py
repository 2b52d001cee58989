"""Real files for upload tests, built with pypdf and Pillow: valid ones, and the hostile ones
that the upload check must refuse."""

from __future__ import annotations

import io
from functools import cache

from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>\n"
GPS_IFD = 0x8825


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _one_page(pages: int = 1) -> PdfWriter:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    return writer


@cache
def pdf(pages: int = 1) -> bytes:
    """A valid PDF with blank A4 pages."""
    return _written(_one_page(pages))


def _javascript(script: str) -> DictionaryObject:
    return DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(script)}
    )


def pdf_with_open_action_js() -> bytes:
    """/OpenAction << /S /JavaScript /JS (...) >> in the catalog."""
    writer = _one_page()
    writer._root_object[NameObject("/OpenAction")] = _javascript("app.alert(1)")
    return _written(writer)


def pdf_with_named_js() -> bytes:
    """Document-level JavaScript (/Names /JavaScript), as pypdf's add_open_action writes it."""
    writer = _one_page()
    writer.add_open_action(JavaScript("app.alert(1);"))
    return _written(writer)


def pdf_with_page_aa_js() -> bytes:
    """An additional action (/AA) on the page that runs JavaScript when the page opens."""
    writer = _one_page()
    aa = DictionaryObject({NameObject("/O"): writer._add_object(_javascript("1"))})
    writer.pages[0][NameObject("/AA")] = aa
    return _written(writer)


def _with_annotation(annotation: DictionaryObject) -> bytes:
    writer = _one_page()
    annotation.update({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (10, 10, 100, 100)]),
    })  # fmt: skip
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    return _written(writer)


def pdf_with_link_js() -> bytes:
    """A link annotation whose action is JavaScript."""
    link = {NameObject("/Subtype"): NameObject("/Link"), NameObject("/A"): _javascript("1")}
    return _with_annotation(DictionaryObject(link))


def pdf_with_file_attachment_annotation() -> bytes:
    return _with_annotation(
        DictionaryObject({NameObject("/Subtype"): NameObject("/FileAttachment")})
    )


def pdf_with_launch_action() -> bytes:
    """An /OpenAction that starts a program."""
    writer = _one_page()
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")}
    )
    return _written(writer)


def pdf_with_xfa_form() -> bytes:
    """A dynamic XFA form: its XML (which may carry scripts) in the catalog's /AcroForm."""
    writer = _one_page()
    xfa = StreamObject()
    xfa._data = b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><script>app.alert(1)</script>'
    xfa_list = ArrayObject([TextStringObject("template"), writer._add_object(xfa)])
    form = DictionaryObject({NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): xfa_list})
    writer._root_object[NameObject("/AcroForm")] = writer._add_object(form)
    return _written(writer)


def pdf_with_embedded_file() -> bytes:
    writer = _one_page()
    writer.add_attachment("invoice.exe", b"MZ\x90\x00 not really a program")
    return _written(writer)


def pdf_encrypted() -> bytes:
    writer = _one_page()
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    return _written(writer)


def pdf_without_pages() -> bytes:
    return _written(PdfWriter())


def image(fmt: str = "PNG", size: tuple[int, int] = (8, 6), exif: Image.Exif | None = None):
    """A small valid PNG or JPEG (a colour gradient, so JPEG has something to encode)."""
    width, height = size
    picture = Image.new("RGB", size)
    picture.putdata([(x * 30 % 256, y * 40 % 256, 90) for y in range(height) for x in range(width)])
    out = io.BytesIO()
    picture.save(out, fmt, **({"exif": exif} if exif is not None else {}))
    return out.getvalue()


def png(size: tuple[int, int] = (8, 6)) -> bytes:
    return image("PNG", size)


def jpeg(size: tuple[int, int] = (8, 6)) -> bytes:
    return image("JPEG", size)


def gps_exif(orientation: int | None = None) -> Image.Exif:
    """EXIF with a GPS position (Shanghai), a camera model and optionally an orientation."""
    exif = Image.Exif()
    exif[0x0110] = "Secret Phone 12"  # Model
    if orientation is not None:
        exif[0x0112] = orientation
    exif[GPS_IFD] = {1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)}
    return exif
