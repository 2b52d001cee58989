"""Shared helpers of the JSON API tests: tokens, headers, small real files, the error shape."""

from __future__ import annotations

import struct
import zlib

from ipr_apps.models import User
from ipr_apps.services import tokens

API = "/api/v1"

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n"
    + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    + _png_chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
    + _png_chunk(b"IEND", b"")
)


def token_for(user: User, label: str = "tests") -> str:
    _row, raw = tokens.create_token(user, label)
    return raw


def bearer(raw: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"} if raw else {}


def assert_error(body: object, status: int | None = None) -> dict:
    """The API's error body: {"error": {"code": str, "message": str, "fields": dict}}."""
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error, dict) and set(error) == {"code", "message", "fields"}, body
    assert isinstance(error["code"], str) and error["code"], body
    assert isinstance(error["message"], str) and error["message"], body
    assert isinstance(error["fields"], dict), body
    return error
