"""API tokens: created for a user, shown once, stored only as a SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

from ipr_apps.db import best_effort_touch, db, unit_of_work
from ipr_apps.errors import NotFound, ValidationError
from ipr_apps.models import ApiToken, SecurityAction, User, utcnow
from ipr_apps.services import security_log

TOKEN_PREFIX = "ipr_"  # noqa: S105 (marks our tokens; not a secret)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(
    user: User, label: str | None = None, by_operator: bool = False
) -> tuple[ApiToken, str]:
    """Create a token; returns the row and the raw token, which is never stored.

    by_operator: made at the command line (flask ipr create-token), not by the user itself.
    """
    label = (label or "").strip() or "API token"
    if len(label) > 100:
        raise ValidationError.on("label", _("Label must be at most 100 characters."))
    if not user.active:
        raise ValidationError(_("Cannot create a token for a deactivated account."))
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with unit_of_work():
        token = ApiToken(user=user, label=label, token_hash=_digest(raw), prefix=raw[:10])
        db.session.add(token)
        security_log.record(SecurityAction.TOKEN_CREATED, None if by_operator else user, token)
    return token, raw


def list_tokens(user: User) -> list[ApiToken]:
    stmt = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    return list(db.session.execute(stmt).scalars())


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens; another user's token is NotFound."""
    with unit_of_work() as session:
        token = session.get(ApiToken, token_id)
        if token is None or token.user_id != user.id:
            raise NotFound(_("No such token."))
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            security_log.record(SecurityAction.TOKEN_REVOKED, user, token)
        return token


def user_for_token(raw: str) -> User | None:
    """The active user a bearer token belongs to, or None (unknown, revoked, inactive)."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = db.session.execute(
        select(ApiToken)
        .where(ApiToken.token_hash == _digest(raw))
        .options(joinedload(ApiToken.user))
    ).scalar_one_or_none()
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    _touch(token)
    return token.user


def _touch(token: ApiToken) -> None:
    """Stamp last_used_at at most once per TOKEN_TOUCH_INTERVAL, best-effort: an API read
    must not write (nor wait for, nor fail on) the database's lock on every call."""
    now = utcnow()
    cutoff = now - timedelta(seconds=current_app.config["TOKEN_TOUCH_INTERVAL"])
    if token.last_used_at is not None and token.last_used_at > cutoff:
        return
    stmt = (
        update(ApiToken)
        .where(ApiToken.id == token.id)
        .where(or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= cutoff))
        .values(last_used_at=now)
    )
    best_effort_touch(stmt)
