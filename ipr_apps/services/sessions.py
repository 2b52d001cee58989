"""Signed-in sessions kept on the server: started at sign-in, checked on every request, ended by
sign-out, a password change or deactivation, and after an idle time or a maximum age."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.sql import ColumnElement
from ua_parser import parse as parse_user_agent

from ipr_apps.db import best_effort_touch, db, unit_of_work
from ipr_apps.errors import NotFound
from ipr_apps.models import EndReason, SecurityAction, User, UserSession, utcnow
from ipr_apps.services import security_log

log = logging.getLogger(__name__)

# last_seen_at is written at most this often per session: a page view is a read, not a write.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class SessionInfo:
    """A live session as the profile page lists it."""

    id: int
    device: str
    ip: str | None
    created_at: datetime
    last_seen_at: datetime
    current: bool


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def idle_timeout() -> timedelta:
    return timedelta(seconds=int(current_app.config["SESSION_IDLE_TIMEOUT"]))


def max_age() -> timedelta:
    return timedelta(seconds=int(current_app.config["SESSION_MAX_AGE"]))


def live_condition(now: datetime) -> ColumnElement[bool]:
    """SQL for "still works at `now`": not revoked, seen recently enough, young enough."""
    return (
        UserSession.revoked_at.is_(None)
        & (UserSession.last_seen_at > now - idle_timeout())
        & (UserSession.created_at > now - max_age())
    )


def ended_before(cutoff: datetime) -> ColumnElement[bool]:
    """SQL for "had stopped working before `cutoff`" (the nightly clean-up deletes those)."""
    return or_(
        UserSession.revoked_at < cutoff,
        UserSession.last_seen_at < cutoff - idle_timeout(),
        UserSession.created_at < cutoff - max_age(),
    )


def start(user: User, ip: str | None, user_agent: str | None) -> tuple[UserSession, str]:
    """A new session for `user`; returns the row and the raw id for the cookie (never stored)."""
    raw = secrets.token_urlsafe(32)
    with unit_of_work() as session:
        row = UserSession(
            user=user, token_hash=_digest(raw), ip=(ip or None) and ip[:45],
            user_agent=(user_agent or None) and user_agent[:255],
        )  # fmt: skip
        session.add(row)
    return row, raw


def lookup(raw: str | None) -> UserSession | None:
    """The live session with this raw id, or None (unknown, ended, idle or too old)."""
    return lookup_with(raw)[0]


def lookup_with(raw: str | None, also: Sequence[ColumnElement] = ()) -> tuple:
    """(`lookup`, the values of the scalar columns `also` read in the same statement): a page
    that needs a value or two of its own saves a round trip ((None, ()) without a session)."""
    if not raw:
        return None, ()
    stmt = (
        select(UserSession, *also)
        .where(UserSession.token_hash == _digest(raw))
        # The request needs the user and its organisation (is_agent, names) too: one query.
        .options(joinedload(UserSession.user).joinedload(User.organisation))
        # _touch writes on another connection, behind this session's back
        .execution_options(populate_existing=True)
    )
    found = db.session.execute(stmt).one_or_none()
    now = utcnow()
    if found is None or found[0].ends_at(idle_timeout(), max_age()) <= now:
        return None, ()
    row = found[0]
    if now - row.last_seen_at >= TOUCH_EVERY:
        _touch(row.id, now)
    return row, tuple(found[1:])


def _touch(session_id: int, now: datetime) -> None:
    """Record activity, best-effort: if the database is busy the request goes on, and a later
    request records it (an idle timeout of hours allows that)."""
    stmt = (
        update(UserSession)
        .where(UserSession.id == session_id, UserSession.last_seen_at < now)
        .values(last_seen_at=now)
    )
    best_effort_touch(stmt)


def end(raw: str | None, reason: EndReason = EndReason.LOGOUT) -> UserSession | None:
    """End the session with this raw id (sign-out); returns it, or None if there was none."""
    if not raw:
        return None
    with unit_of_work() as session:
        stmt = select(UserSession).where(UserSession.token_hash == _digest(raw))
        row = session.execute(stmt).scalar_one_or_none()
        if row is not None:
            row.revoke(reason, utcnow())
        return row


def end_one(actor: User, session_id: int) -> UserSession:
    """End one of the actor's own sessions; another user's session is NotFound."""
    with unit_of_work() as session:
        row = session.get(UserSession, session_id)
        if row is None or row.user_id != actor.id:
            raise NotFound(_("No such session."))
        row.revoke(EndReason.ENDED_BY_USER, utcnow())
        _log_revoked(actor, actor, [row], EndReason.ENDED_BY_USER)
        return row


def end_all(
    user: User, except_session: int | None = None, reason: EndReason = EndReason.ENDED_BY_USER
) -> list[UserSession]:
    """End every live session of `user` but `except_session` (an id); returns those ended."""
    with unit_of_work() as session:
        return revoke_all(session, user, except_session, reason, actor=user)


def revoke_all(
    session: Session,
    user: User,
    except_session: int | None,
    reason: EndReason,
    actor: User | None = None,
) -> list[UserSession]:
    """end_all inside the caller's transaction (a password change, a deactivation); `actor`
    (None: the operator) is who did it, for the security log."""
    now = utcnow()
    stmt = select(UserSession).where(UserSession.user_id == user.id, live_condition(now))
    if except_session is not None:
        stmt = stmt.where(UserSession.id != except_session)
    rows = list(session.execute(stmt.order_by(UserSession.id)).scalars())  # the log lists them
    for row in rows:
        row.revoke(reason, now)
    _log_revoked(actor, user, rows, reason)
    return rows


def _log_revoked(actor: User | None, user: User, rows: list[UserSession], reason: EndReason):
    if rows:
        detail = {"reason": reason.value, "sessions": [row.id for row in rows]}
        security_log.record(SecurityAction.SESSION_REVOKED, actor, user, detail)


def list_live(user: User, current: int | None = None) -> list[SessionInfo]:
    """The user's sessions that still work, most recently used first."""
    stmt = (
        select(UserSession)
        .where(UserSession.user_id == user.id, live_condition(utcnow()))
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    )
    return [
        SessionInfo(row.id, device_label(row.user_agent), row.ip, row.created_at,
                    row.last_seen_at, row.id == current)
        for row in db.session.execute(stmt).scalars()
    ]  # fmt: skip


def device_label(user_agent: str | None) -> str:
    """A label such as `Firefox on Windows` from a User-Agent header, or `Unknown browser`,
    in the reader's language (the parse is cached, the wording is not)."""
    browser, system = _browser_and_system(user_agent)
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or _("Unknown browser")


@lru_cache(maxsize=512)
def _browser_and_system(user_agent: str | None) -> tuple[str | None, str | None]:
    result = parse_user_agent(user_agent or "")
    browser = result.user_agent.family if result.user_agent else None
    system = result.os.family if result.os else None
    return (
        browser if browser and browser != "Other" else None,
        system if system and system != "Other" else None,
    )
