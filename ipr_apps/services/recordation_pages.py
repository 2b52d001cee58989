"""What the recordation pages show: the list of a user's recordations, the timing of one
(days left, renewal window), its history (applications and events) and its recorded versions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from dateutil.relativedelta import relativedelta
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from ipr_apps.db import db
from ipr_apps.errors import NotFound
from ipr_apps.models import (
    Application,
    IprType,
    Recordation,
    RecordationEvent,
    RecordationStatus,
    Role,
    Status,
    User,
)
from ipr_apps.models.recordations import search_key
from ipr_apps.pagination import Page, keyset_page
from ipr_apps.services import register
from ipr_apps.services.access import agency_branches, represents
from ipr_apps.services.recordations import renewal_opens
from ipr_apps.services.register import BEYOND

EXPIRING_MONTHS = range(1, 25)  # "expiring within N months": N in 1..24
STAFF = (Role.REVIEWER, Role.ADMIN)
# Port officers read every recordation (they act at the border on any of them) but not the
# applications behind them, which are the reviewers' business.
READERS = (*STAFF, Role.OFFICER)


class Window(StrEnum):
    """Where a recordation stands relative to its renewal window."""

    NOT_YET = "not_yet"  # in force, the window opens later
    OPEN = "open"  # in force, a renewal may be filed today
    CLOSED = "closed"  # the validity has ended, or the recordation is no longer in force


@dataclass(frozen=True)
class Timing:
    days_left: int  # calendar days until the last valid day (0: today; negative: past)
    opens: date  # the first day a renewal may be filed
    closes: date  # the last day a renewal may be filed (the last valid day)
    window: Window
    # The right ends no later than the recordation: a renewal could not extend it.
    right_ends_first: bool


def timing(recordation: Recordation, day: date) -> Timing:
    opens, closes = renewal_opens(recordation.valid_until), recordation.valid_until
    if not recordation.status.in_force or day > closes:
        window = Window.CLOSED
    elif day < opens:
        window = Window.NOT_YET
    else:
        window = Window.OPEN
    expiry = recordation.right_expiry
    return Timing(
        days_left=(closes - day).days, opens=opens, closes=closes, window=window,
        right_ends_first=expiry is not None and expiry <= closes,
    )  # fmt: skip


def timings(recordations: list[Recordation], day: date) -> dict[int, Timing]:
    return {r.id: timing(r, day) for r in recordations}


@dataclass
class ListQuery:
    status: RecordationStatus | None = None
    ipr_type: IprType | None = None
    expiring_months: int | None = None  # active ones ending within N months
    q: str | None = None

    @property
    def filtered(self) -> bool:
        return any((self.status, self.ipr_type, self.expiring_months, self.q))


def expiring_by(day: date, months: int) -> date:
    """The last end date that counts as "expiring within `months` months" of `day`."""
    return day + relativedelta(months=months)


# Searched by their folded keys (as the public register): a range on each key's index.
MATCHED_KEYS = ("number_key", "right_number_key", "holder_name_key", "holder_name_other_key")


def matching(q: str):
    """Number, right number or holder name (either script), each by its start, in any case
    or width: a range on each key's (key, id) index, never a LIKE that scans the table."""
    prefix = search_key(q) or ""
    return or_(
        *(
            and_(column >= prefix, column < prefix + BEYOND)
            for column in (getattr(Recordation, key) for key in MATCHED_KEYS)
        )
    )


def recordations_of(user: User, query: ListQuery, cursor: str | None, size: int, day: date) -> Page:
    """The user's recordations (all of them for staff and officers), soonest end first; a
    search over all of them in the order of the text that matched (the public register's
    merge of the search keys' indexes): no index serves both a prefix and the end date, and
    a page must not sort every row a short prefix matches."""
    where = _filters(query, day)
    if query.q and user.role in READERS:
        return register.search(query.q, cursor, size, where=tuple(where))
    stmt, branches = select(Recordation).where(*where), []
    if user.is_agent:  # each of its parts from its own index, merged
        branches = agency_branches(user, Recordation.agency_id, Recordation.holder_org_id)
    elif user.role not in READERS:  # one holder's: its index, then the filters
        stmt = stmt.where(Recordation.holder_org_id == user.organisation_id)
    if query.q:
        stmt = stmt.where(matching(query.q))
    columns = [Recordation.valid_until, Recordation.id]
    return keyset_page(stmt, columns, cursor, size, branches=branches)


def _filters(query: ListQuery, day: date) -> list:
    where = []
    if query.status is not None:
        where.append(Recordation.status == query.status)
    if query.ipr_type is not None:
        where.append(Recordation.ipr_type == query.ipr_type)
    if query.expiring_months is not None:
        where.append(Recordation.status == RecordationStatus.ACTIVE)
        where.append(Recordation.valid_until <= expiring_by(day, query.expiring_months))
    return where


@dataclass(frozen=True)
class HistoryRow:
    application: Application
    linked: bool  # the viewer may open the application's page
    current: bool  # its content is the recorded facts now
    recorded: bool  # approved: its content was (or is) the recorded facts


def all_applications(recordation: Recordation) -> list[Application]:
    """Every application of the recordation, oldest first, with its right: one query for the
    page's history, its change panel and the facts shown (each version is one of them)."""
    stmt = (
        select(Application)
        .where(Application.recordation_id == recordation.id)
        .options(joinedload(Application.right))
        .order_by(Application.id)
    )
    return list(db.session.execute(stmt).scalars())


def applications(
    recordation: Recordation, viewer: User, rows: list[Application] | None = None
) -> list[HistoryRow]:
    """Every application that touched the recordation (the original, renewals, amendments,
    refused and withdrawn ones too), oldest first. Staff do not see holders' unsent drafts.
    `rows`: all_applications(recordation), when the page has them."""
    rows = all_applications(recordation) if rows is None else rows
    staff = viewer.role in STAFF
    holder = viewer.role == Role.HOLDER
    mandated = holder and viewer.is_agent and represents(viewer, recordation.holder_org_id)
    return [
        HistoryRow(
            application=app,
            linked=staff or mandated or (holder and _owns(app, viewer)),
            current=app.id == recordation.facts_application_id,
            recorded=app.status == Status.APPROVED,
        )
        for app in rows
        if app.seen_by_customs or holder
    ]


def _owns(application: Application, user: User) -> bool:
    return user.organisation_id in (application.holder_org_id, application.agency_id)


def version(
    recordation: Recordation, application_id: int | None, rows: list[Application] | None = None
) -> Application:
    """The recorded facts: the current ones, or an earlier approved version of them.
    `rows`: all_applications(recordation), when the page has them (then no query)."""
    if rows is not None:
        wanted = recordation.facts_application_id if application_id is None else application_id
        found = [a for a in rows if a.id == wanted and a.status == Status.APPROVED]
        if found:
            return found[0]
    if application_id is None or application_id == recordation.facts_application_id:
        return recordation.facts_application
    if not 0 < application_id < 2**31:  # not an id: no query (PostgreSQL integer range)
        raise NotFound(_("No such version of this recordation."))
    stmt = select(Application).where(
        Application.id == application_id,
        Application.recordation_id == recordation.id,
        Application.status == Status.APPROVED,
    )
    application = db.session.execute(stmt).scalar_one_or_none()
    if application is None:
        raise NotFound(_("No such version of this recordation."))
    return application


@dataclass(frozen=True)
class EventRow:
    at: datetime
    action: str
    who: str  # you | named | customs | system
    name: str | None
    from_status: str | None
    to_status: str
    valid_until: date
    application: Application | None
    note: str | None  # in the reader's language where the system wrote it
    previous_until: date | None = None  # the validity before this event (a renewal's "was")


# Notes the system writes on events, in English in the database. Renewals, amendments,
# expiries and lapses have theirs said by the event's sentence (templates/recordations/
# _events.html) instead; people's reasons (cancel, revoke) are shown as written.
PEOPLES_NOTES = ("cancel", "revoke")
SYSTEM_NOTES = {"Imported from the previous system": _l("Imported from the previous system")}


def events(recordation: Recordation, viewer: User) -> list[EventRow]:
    """The recordation's events, oldest first, as `viewer` may read them: holders and agents
    read "Customs" for any customs officer, never a name."""
    staff = viewer.role in STAFF
    stmt = (
        select(RecordationEvent)
        .where(RecordationEvent.recordation_id == recordation.id)
        # Many-to-one: joined in the same query (the applications are the history's).
        .options(joinedload(RecordationEvent.actor), joinedload(RecordationEvent.application))
        .order_by(RecordationEvent.id)
    )
    rows, previous_until = [], None
    for event in db.session.execute(stmt).scalars():
        rows.append(_event_row(event, viewer, staff, previous_until))
        previous_until = event.valid_until
    return rows


def _event_row(event, viewer: User, staff: bool, previous_until: date | None) -> EventRow:
    if event.actor is None:
        who = "system"
    elif staff:
        who = "named"
    elif event.actor.role == Role.HOLDER:  # the holder's side (a cancellation)
        who = "you" if event.actor_id == viewer.id else "named"
    else:
        who = "customs"
    return EventRow(
        at=event.created_at, action=event.action, who=who,
        name=event.actor.name if who == "named" else None,
        from_status=_label(event.from_status), to_status=_label(event.to_status),
        valid_until=event.valid_until, application=event.application, note=_note(event),
        previous_until=previous_until,
    )  # fmt: skip


def _note(event: RecordationEvent) -> str | None:
    if event.action in PEOPLES_NOTES or not event.note:
        return event.note
    known = SYSTEM_NOTES.get(event.note)
    return str(known) if known is not None else None


def _label(status: str | None) -> str | None:
    return RecordationStatus(status).label if status else None
