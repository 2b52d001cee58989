"""The security log: who did which admin or security action, from where; and its search."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import has_request_context, request
from sqlalchemy import insert, inspect, or_, select

from ipr_apps.db import best_effort_write, db, unit_of_work
from ipr_apps.models import SecurityAction, SecurityEvent, User
from ipr_apps.pagination import Page, keyset_page

# Short names for the kinds of rows an event may be about (anything else: its table name).
TARGET_TYPES = {"User": "user", "ApiToken": "token", "Holiday": "holiday", "Job": "job"}
TARGET_TYPES |= {"CustomsDistrict": "district", "Organisation": "organisation"}

Target = Any  # a model instance, or a (type, id) pair

# How long a throttled sign-in's entry waits for a busy database before it is dropped.
THROTTLED_WAIT_MS = 250


def record(
    action: SecurityAction,
    actor: User | None = None,
    target: Target = None,
    detail: dict[str, Any] | None = None,
    email: str | None = None,
) -> SecurityEvent:
    """Add the event to the current transaction (the caller's unit of work commits it).

    actor=None is the operator at the command line, or nobody (a failed sign-in).
    """
    event = SecurityEvent(**_fields(action, actor, target, detail, email))
    db.session.add(event)
    return event


def record_now(
    action: SecurityAction,
    actor: User | None = None,
    target: Target = None,
    detail: dict[str, Any] | None = None,
    email: str | None = None,
) -> None:
    """Record an event that has no transaction of its own (a failed sign-in, a download)."""
    with unit_of_work():
        record(action, actor, target, detail, email)


def record_signin_throttled(email: str | None, limit: str) -> bool:
    """A sign-in attempt refused by throttling (`limit`: "account" or "address"), best-effort:
    in its own short transaction that waits for a lock THROTTLED_WAIT_MS at most, so a refusal
    never fails, nor holds a worker, because the database is busy. True when recorded."""
    address = normal_email(email)
    user_id = db.session.execute(select(User.id).where(User.email == address)).scalar()
    target = ("user", user_id) if user_id is not None else None
    fields = _fields(SecurityAction.SIGNIN_THROTTLED, None, target, {"limit": limit}, address)
    return best_effort_write(insert(SecurityEvent).values(**fields), THROTTLED_WAIT_MS)


def normal_email(email: str | None) -> str | None:
    """An address as accounts store it (trimmed, lower case), cut to the column's size."""
    return (email or "").replace("\x00", "").strip().lower()[:254] or None


def _fields(action, actor, target, detail, email) -> dict[str, Any]:
    target_type, target_id = _target(target)
    return {
        "action": SecurityAction(action).value,
        "actor_id": actor.id if actor is not None else None,
        "target_type": target_type,
        "target_id": target_id,
        "email": normal_email(email),
        "detail": detail or None,
        **_client(),
    }


def _target(target: Target) -> tuple[str | None, str | None]:
    if target is None:
        return None, None
    if isinstance(target, tuple):
        return target[0], str(target[1])
    if hasattr(target, "_get_current_object"):  # current_user: the User behind the proxy
        target = target._get_current_object()
    state = inspect(target)
    if state.identity is None:  # created in this transaction: give it its key first
        db.session.flush()
    kind = TARGET_TYPES.get(type(target).__name__, target.__tablename__)
    key = state.identity[0]
    return kind, key.isoformat() if isinstance(key, date) else str(key)


def _client() -> dict[str, str | None]:
    if not has_request_context():
        return {"ip_address": None, "user_agent": None}
    agent = request.user_agent.string[: SecurityEvent.USER_AGENT_MAX] or None
    return {"ip_address": (request.remote_addr or "")[:45] or None, "user_agent": agent}


@dataclass
class Search:
    """The admin page's filters; every one optional."""

    action: SecurityAction | None = None
    actor: str | None = None  # start of the actor's e-mail address
    target: str | None = None  # "user:12", "12", or a target account's e-mail address
    start: date | None = None
    end: date | None = None  # inclusive
    text: str | None = None  # start of the e-mail tried or of the IP address


def page(search: Search, cursor: str | None, size: int) -> Page:
    """Matching events, newest first, on the (created_at, id) indexes."""
    e = SecurityEvent
    stmt = select(e)
    if search.action is not None:
        stmt = stmt.where(e.action == search.action.value)
    if search.actor:
        actors = select(User.id).where(User.email.startswith(search.actor.lower(), autoescape=True))
        stmt = stmt.where(e.actor_id.in_(actors))
    if search.target:
        stmt = stmt.where(_target_condition(search.target.strip()))
    if search.start:
        stmt = stmt.where(e.created_at >= datetime.combine(search.start, time()))
    if search.end:
        stmt = stmt.where(e.created_at < datetime.combine(search.end + timedelta(days=1), time()))
    if search.text:
        text = search.text.strip().lower()
        stmt = stmt.where(
            or_(
                e.email.startswith(text, autoescape=True),
                e.ip_address.startswith(text, autoescape=True),
            )
        )
    return keyset_page(stmt, [e.created_at, e.id], cursor, size, descending=True)


def _target_condition(target: str):
    e = SecurityEvent
    if "@" in target:
        accounts = select(User.id).where(User.email == target.lower())
        ids = [str(i) for i in db.session.execute(accounts).scalars()]
        return (e.target_type == "user") & e.target_id.in_(ids)
    kind, colon, key = target.partition(":")
    if not colon:
        return e.target_id == target
    return (e.target_type == kind.lower()) & (e.target_id == key)


def accounts_of(events: list[SecurityEvent]) -> dict[int, User]:
    """The accounts a page of events names (actors and user targets), in one query."""
    ids = {e.actor_id for e in events if e.actor_id is not None}
    ids |= {int(e.target_id) for e in events if e.target_type == "user" and e.target_id}
    if not ids:
        return {}
    return {u.id: u for u in db.session.execute(select(User).where(User.id.in_(ids))).scalars()}
