"""Signed, time-limited links for accounts: e-mail confirmation and password reset."""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ipr_apps.db import db
from ipr_apps.models import User

CONFIRM_SALT = "ipr-apps.confirm-email"
RESET_SALT = "ipr-apps.password-reset"


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _load(token: str, salt: str, max_age: int) -> tuple[User, dict] | None:
    """The user and payload of a valid, unexpired token, or None."""
    try:
        payload = _serializer(salt).loads(token, max_age=max_age)
    except BadSignature:  # also SignatureExpired, its subclass
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        return None
    user = db.session.get(User, payload["u"])
    if user is None or not user.active:
        return None
    return user, payload


def confirm_token(user: User) -> str:
    """For the link that confirms the user's address (bound to that address)."""
    return _serializer(CONFIRM_SALT).dumps({"u": user.id, "e": user.email})


def user_for_confirm_token(token: str) -> User | None:
    loaded = _load(token, CONFIRM_SALT, current_app.config["EMAIL_CONFIRM_MAX_AGE"])
    if loaded is None or loaded[1].get("e") != loaded[0].email:
        return None
    return loaded[0]


def _fingerprint(password_hash: str) -> str:
    # The token carries a digest of the current hash: once the password changes, the link dies.
    return hashlib.sha256(password_hash.encode()).hexdigest()[:32]


def reset_token(user: User) -> str:
    """For the link that sets a new password: works once (it is bound to the current hash)."""
    return _serializer(RESET_SALT).dumps({"u": user.id, "h": _fingerprint(user.password_hash)})


def user_for_reset_token(token: str) -> User | None:
    loaded = _load(token, RESET_SALT, current_app.config["PASSWORD_RESET_MAX_AGE"])
    if loaded is None or loaded[1].get("h") != _fingerprint(loaded[0].password_hash):
        return None
    return loaded[0]
