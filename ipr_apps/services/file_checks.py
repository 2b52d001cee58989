"""What an upload really is: PDFs parsed whole by pypdf, images decoded and re-encoded by Pillow."""

from __future__ import annotations

import io
import logging
import struct
from collections.abc import Iterator
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, PdfObject

from ipr_apps.errors import ValidationError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kind:
    """A file type we accept: recognised by its leading (magic) bytes, then parsed whole."""

    magic: bytes
    content_type: str
    extension: str
    label: str
    pillow_formats: tuple[str, ...] = ()


PDF = Kind(b"%PDF-", "application/pdf", ".pdf", "PDF")
JPEG = Kind(b"\xff\xd8\xff", "image/jpeg", ".jpg", "JPEG", ("JPEG", "MPO"))
PNG = Kind(b"\x89PNG\r\n\x1a\n", "image/png", ".png", "PNG", ("PNG",))
DOCUMENT_KINDS = (PDF, JPEG, PNG)
IMAGE_KINDS = (JPEG, PNG)
HEAD_BYTES = max(len(kind.magic) for kind in DOCUMENT_KINDS)

# Whole sentences: they are shown as they are, in the reader's language (lazy: str() them).
NOT_A_PDF = _l("This file is not a readable PDF. Save or print it to a new PDF and upload that.")
NO_PAGES = _l("This PDF has no pages. Upload a PDF with at least one page.")
ENCRYPTED = _l(
    "This PDF is encrypted or protected by a password. Save a copy without protection and "
    "upload that."
)
JAVASCRIPT = _l(
    "This PDF contains JavaScript, which we do not accept. Print it to a new PDF and upload that."
)
EMBEDDED = _l(
    "This PDF contains embedded files, which we do not accept. Print it to a new PDF, and "
    "upload any other file on its own."
)
LAUNCH = _l(
    "This PDF contains an action that opens programs or other files, which we do not accept. "
    "Print it to a new PDF and upload that."
)
XFA = _l(
    "This PDF is a dynamic (XFA) form, which may run scripts we cannot check. Print it to a "
    "new PDF and upload that."
)
PDF_TRAILING = _l(
    "This file has extra data after the end of the PDF, which we do not accept. Print it to a "
    "new PDF and upload that."
)
NOT_AN_IMAGE = _l("This image could not be read. Save it again as PNG or JPEG and upload that.")
IMAGE_TRAILING = _l(
    "This image has extra data after its end, which we do not accept. Save it again as PNG or "
    "JPEG and upload that."
)
MAX_OBJECTS = 200_000  # far more than any scan has; a bound on the walk below
JAVASCRIPT_KEYS = {"/JS", "/JavaScript"}
EMBEDDED_KEYS = {"/EmbeddedFiles", "/EmbeddedFile", "/EF", "/RichMediaContent"}
EMBEDDED_SUBTYPES = {"/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/Screen"}


def refuse(message) -> ValidationError:
    return ValidationError.on("file", str(message))


def kind_of(head: bytes, allowed: tuple[Kind, ...]) -> Kind:
    """The kind the leading bytes claim; the parse in `checked` decides whether it is true."""
    if not head:
        raise refuse(_("The file is empty."))
    for kind in allowed:
        if head.startswith(kind.magic):
            return kind
    names = _(
        "%(some)s or %(last)s",
        some=_(", ").join(kind.label for kind in allowed[:-1]),
        last=allowed[-1].label,
    )
    raise refuse(
        _(
            "This file is not a %(names)s file, whatever its name says (its content is of "
            "another kind). Upload a %(names)s file.",
            names=names,
        )
    )


def checked(kind: Kind, data: bytes, max_pixels: int) -> bytes:
    """The bytes to store: a PDF as uploaded once it passed every check, an image re-encoded."""
    if kind is PDF:
        check_pdf(data)
        return data
    return reencode_image(kind, data, max_pixels)


# ------------------------------------------------------------------------------------- PDF


def check_pdf(data: bytes) -> None:
    """The whole file parses (strictly), has pages, no encryption, scripts, XFA forms or
    embedded files."""
    if data.rstrip(b"\x00\t\n\f\r ")[-5:] != b"%%EOF":
        raise refuse(PDF_TRAILING if b"%%EOF" in data else NOT_A_PDF)
    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        if reader.is_encrypted:
            raise refuse(ENCRYPTED)
        if len(reader.pages) == 0:
            raise refuse(NO_PAGES)
        for value in _every_object(reader):
            _check_object(value)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        # Any failure to parse means "not a PDF we can vouch for"; the details are for the log.
        log.info("PDF refused: %s: %s", type(exc).__name__, exc)
        raise refuse(NOT_A_PDF) from exc


def _every_object(reader: PdfReader) -> Iterator[PdfObject]:
    """The trailer, then every object of the cross-reference tables and object streams."""
    yield reader.trailer
    numbers = {(n, g) for g, table in reader.xref.items() for n in table}
    numbers |= {(n, 0) for n in reader.xref_objStm}
    if len(numbers) > MAX_OBJECTS:
        raise ValueError(f"{len(numbers)} objects")
    for number, generation in sorted(numbers):
        value = reader.get_object(IndirectObject(number, generation, reader))
        if value is None:
            raise ValueError(f"object {number} {generation} is unreadable")
        yield value


def _check_object(value: PdfObject) -> None:
    """Look through one object and the direct objects nested in it (references are visited
    on their own by `_every_object`)."""
    pending: list[PdfObject] = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, DictionaryObject):  # streams too: their dictionary
            _check_dictionary(item)
            pending.extend(v for v in item.values() if not isinstance(v, IndirectObject))
        elif isinstance(item, ArrayObject):
            pending.extend(v for v in item if not isinstance(v, IndirectObject))


def _check_dictionary(item: DictionaryObject) -> None:
    keys = set(item.keys())
    action = _name(item, "/S")
    if keys & JAVASCRIPT_KEYS or action == "/JavaScript":
        raise refuse(JAVASCRIPT)
    if action == "/Launch":
        raise refuse(LAUNCH)
    if "/XFA" in keys:  # the form's XML may hold scripts in streams the walk does not read
        raise refuse(XFA)
    if keys & EMBEDDED_KEYS or _name(item, "/Subtype") in EMBEDDED_SUBTYPES:
        raise refuse(EMBEDDED)


def _name(item: DictionaryObject, key: str) -> str | None:
    value = item.get(key)
    if isinstance(value, IndirectObject):
        value = value.get_object()
    return str(value) if isinstance(value, NameObject) else None


# ----------------------------------------------------------------------------------- images


def reencode_image(kind: Kind, data: bytes, max_pixels: int) -> bytes:
    """Decode the whole image and write it anew: no EXIF (GPS!), comments or text chunks; the
    EXIF orientation applied; same format. Data after the image's end is refused."""
    end = png_end(data) if kind is PNG else jpeg_end(data)
    if end is None:
        raise refuse(NOT_AN_IMAGE)
    if data[end:].strip(b"\x00"):
        raise refuse(IMAGE_TRAILING)
    too_many = refuse(
        _(
            "This image has too many pixels (at most %(most)s million). Reduce its size and "
            "upload it again.",
            most=f"{max_pixels / 1e6:g}",
        )
    )
    # Pillow's decompression-bomb guard, at our limit, checked as soon as the header is read;
    # our own comparison below is what counts (Pillow only warns up to twice its limit).
    pillow_limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, max_pixels
    try:
        with Image.open(io.BytesIO(data), formats=kind.pillow_formats) as image:
            if image.width * image.height > max_pixels:
                raise too_many
            image.load()
            return _encoded(ImageOps.exif_transpose(image), kind)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise too_many from exc
    except (OSError, ValueError, SyntaxError, struct.error, EOFError) as exc:
        log.info("Image refused: %s: %s", type(exc).__name__, exc)
        raise refuse(NOT_AN_IMAGE) from exc
    finally:
        Image.MAX_IMAGE_PIXELS = pillow_limit


def _encoded(image: Image.Image, kind: Kind) -> bytes:
    keep = {key: image.info[key] for key in ("icc_profile", "transparency") if key in image.info}
    image.info = {}  # Pillow would carry comments and other metadata over from here
    out = io.BytesIO()
    if kind is JPEG:
        if image.mode not in ("L", "RGB", "CMYK"):
            image = image.convert("RGB")
        keep.pop("transparency", None)
        image.save(out, "JPEG", quality=90, optimize=True, **keep)
    else:
        image.save(out, "PNG", optimize=True, **keep)
    return out.getvalue()


def png_end(data: bytes) -> int | None:
    """Offset just after the IEND chunk, walking the chunks; None if the structure is broken."""
    offset = len(PNG.magic)
    while offset + 12 <= len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        chunk_type = data[offset + 4 : offset + 8]
        offset += 12 + length
        if chunk_type == b"IEND":
            return offset if offset <= len(data) else None
    return None


def jpeg_end(data: bytes) -> int | None:
    """Offset just after the EOI marker, walking the segments and entropy-coded data."""
    offset = 2  # after SOI
    while offset + 1 < len(data):
        if data[offset] != 0xFF:
            return None
        marker = data[offset + 1]
        if marker == 0xFF:  # fill byte
            offset += 1
            continue
        offset += 2
        if marker == 0xD9:  # EOI
            return offset
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # no length
            continue
        if offset + 2 > len(data):
            return None
        offset += struct.unpack(">H", data[offset : offset + 2])[0]
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next real marker
            offset = _scan_end(data, offset)
    return None


def _scan_end(data: bytes, offset: int) -> int:
    while (offset := data.find(b"\xff", offset)) != -1 and offset + 1 < len(data):
        following = data[offset + 1]
        if following != 0x00 and not 0xD0 <= following <= 0xD7:
            return offset
        offset += 2
    return len(data)
