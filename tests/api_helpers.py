"""Shared helpers of the JSON API tests: tokens, headers, small real files, the error shape."""

from __future__ import annotations

from ipr_apps.models import User
from ipr_apps.services import tokens
from tests import files

API = "/api/v1"

PDF_BYTES = files.pdf()  # real files: uploads are parsed whole (pypdf, Pillow)
PNG_BYTES = files.png()


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
