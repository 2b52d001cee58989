"""Conditional GETs for the reviewers' queue: an ETag that changes whenever the page could.

A reviewer's browser keeps the queue it was last shown and asks again with `If-None-Match`
(the page is sent `Cache-Control: private, no-cache`); while nothing it shows has changed the
answer is a bodiless 304 that costs the server one statement (the session look-up reads
the version and the badge too: `preloads`) instead of the page's queries and its rendering
(issue 16, target 3: the queue answers at the rate of a static file).

The ETag is a digest of everything the page depends on besides the URL:

- the counter row `queue_data`, which gets a new random value (like the screening index's
  counter) at the commit of every transaction that inserted, changed or deleted a submitted
  application (any but a draft, or one whose status changed) or its right, an information
  request, a recordation or a user's name — marked by the session's flushes and ORM bulk
  statements, written in `before_commit`, so in the same transaction as the change and after
  its last flush (the row is locked only for the commit). Holders' drafts, their documents
  and everything else leave it alone: filing does not contend for the row until it submits.
  A random value also tells apart a database restored from a backup. Bulk writers that bypass
  the session (the generator's COPY, imports) call `changed()` in `derived.rebuild_derived`;
- the reader: user id, name, role, locale, the unread notifications of the navigation bar's
  badge (the page then reuses the count), the session's CSRF secret (a new sign-in gets a new
  page, so the cached page's forms always carry a token the session accepts);
- today's date (the "days left" column) and this release of the code (templates, Python,
  translations and static files, by size and modification time).

A request with a flashed message pending always renders (the message is shown once).
"""

from __future__ import annotations

import hashlib
from itertools import chain
from pathlib import Path

from flask import Response, current_app, g, request, session
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from ipr_apps.db import renew_version, version_of
from ipr_apps.models import (
    Application,
    Counter,
    InformationRequest,
    IpRight,
    Recordation,
    Status,
    User,
    today,
)
from ipr_apps.services import capped, notifications

SCOPE = "queue_data"
ENDPOINT = "review.index"
MARK = "queue_data_changed"
WATCHED = (Application, IpRight, InformationRequest, Recordation)
USER_FIELDS = ("name",)
CACHE_CONTROL = "private, no-cache"
_release: dict[str, str] = {}


def changed(session: Session) -> None:
    """Inside a transaction that changed what the queue shows: give it a new version."""
    renew_version(session, SCOPE)


def version(session: Session) -> int:
    """The version as this transaction sees it (0 before any change was recorded)."""
    return version_of(session, SCOPE)


def etag(db_session: Session, user: User) -> str:
    """The queue page's ETag for this request's URL, reader and the data's version."""
    data, g.unread_notifications = _version_and_unread(db_session, user)
    parts = (
        data, request.full_path, user.id, user.name, user.role, str(get_locale()),
        str(g.unread_notifications), session_secret(), today().isoformat(), release(),
    )  # fmt: skip
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def preloads(endpoint: str | None, user_id: int) -> list:
    """What the sign-in's session look-up reads for the queue page in its own statement (the
    data's version and the badge's unread count): a revalidation is then one round trip."""
    return _columns(user_id) if endpoint == ENDPOINT else []


def preloaded(user_id: int, values: tuple) -> None:
    """Keep for `etag` what the session look-up read of `preloads`."""
    if values:
        g.queue_preloaded = (user_id, values)


def _columns(user_id: int) -> list:
    data = select(Counter.value).where(Counter.scope == SCOPE).scalar_subquery()
    return [data, capped.column(notifications.unread_of(user_id))]


def _version_and_unread(db_session: Session, user: User) -> tuple[int, capped.Capped]:
    """The data's version and the badge's unread count, as the session look-up read them
    or else in one statement (each statement is a round trip to PostgreSQL)."""
    user_id, values = g.pop("queue_preloaded", (None, None))
    if user_id != user.id:
        values = db_session.execute(select(*_columns(user.id))).one()
    value, count = values
    return value or 0, capped.number(count)


def session_secret() -> str:
    """The session's CSRF secret, made now if the page is the session's first form."""
    if "csrf_token" not in session:
        generate_csrf()
    return str(session["csrf_token"])


def not_modified(tag: str) -> Response | None:
    """The 304 when the browser's copy is this version (never with a message to flash)."""
    if session.get("_flashes") or tag not in request.if_none_match:
        return None
    response = Response(status=304)
    return conditional(response, tag)


def conditional(response: Response, tag: str) -> Response:
    """Mark a rendered page as revalidated by its ETag."""
    response.set_etag(tag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.vary.add("Cookie")
    return response


def release() -> str:
    """This release of the code: the sizes and times of its files (once per process)."""
    root = Path(current_app.root_path)
    key = str(root)
    if key not in _release:
        digest = hashlib.sha256()
        for path in sorted(chain(root.rglob("*"), (root.parent / "templates").rglob("*"))):
            if path.is_file() and "__pycache__" not in path.parts:
                stat = path.stat()
                digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        _release[key] = digest.hexdigest()[:16]
    return _release[key]


# -- Marking the transactions that change what the queue shows ------------------------------


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    if MARK not in session.info and any(
        _shows(session, obj) for obj in chain(session.new, session.dirty, session.deleted)
    ):
        session.info[MARK] = True


def _shows(session: Session, obj) -> bool:
    if isinstance(obj, Application):
        return _submitted(session, obj)
    if isinstance(obj, IpRight):
        owner = inspect(obj).attrs.application.loaded_value
        return not isinstance(owner, Application) or _submitted(session, owner)
    if isinstance(obj, User):
        return obj in session.new or (session.is_modified(obj) and _name_changed(obj))
    return isinstance(obj, WATCHED)


def _submitted(session: Session, application: Application) -> bool:
    """Not a draft, or a draft just submitted (the queue never shows drafts)."""
    if application.status != Status.DRAFT:
        return True
    return (
        application not in session.new and inspect(application).attrs.status.history.has_changes()
    )


def _name_changed(user: User) -> bool:
    attrs = inspect(user).attrs
    return any(attrs[name].history.has_changes() for name in USER_FIELDS)


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    entity = state.bind_mapper.class_ if state.bind_mapper is not None else None
    if entity is not None and issubclass(entity, (*WATCHED, User)):
        state.session.info[MARK] = True


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()
    if session.info.pop(MARK, False):
        changed(session)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(MARK, None)
