"""Reminders to a recordation's holder (and the agency of its recorded facts), by e-mail and
in the app, about the end of its validity.

When: 6, 3 and 1 calendar month(s) before `valid_until` — the reminder of N months is due
from the day `valid_until - N months` (the 6-month one thus on the day the renewal window
opens) until `valid_until` — and once the recordation has expired or lapsed (`expired`,
`lapsed`), if it ended at most NOTICE_DAYS ago: news of an end long past, such as that of a
historical record imported after it expired, would only confuse.

Once: each kind is sent at most once per recordation *and validity end*. A renewal moves
`valid_until`, so the reminders start over for the new end. A row in `recordation_reminders`
(unique per recordation, kind and end) is inserted in the transaction that queues the
messages; a run that finds the row already there, or whose insert loses to a concurrent
run, sends nothing.

The most urgent only: when several reminders are due at once — the job did not run for
months, or a recordation was created or imported with 2 months left — only the most urgent
(the one with the fewest months) is sent, and the earlier ones not yet recorded are recorded
as `skipped`: three e-mails in one night saying the same thing would be noise, and a skipped
one must never be sent later (it would announce more time than is left).

Only active recordations get reminders before their end; cancelled, revoked, expired and
lapsed ones get none (an expired or lapsed one gets its one notice of the end).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import ColumnElement, and_, exists, select
from sqlalchemy.exc import IntegrityError

from ipr_apps.db import db, unit_of_work
from ipr_apps.models import (
    FINAL_STATES,
    Application,
    Kind,
    Recordation,
    RecordationReminder,
    RecordationStatus,
    ReminderKind,
    ReminderOutcome,
)
from ipr_apps.services import notifications
from ipr_apps.services.batches import recordation_ids
from ipr_apps.services.recordations import renewal_opens

BATCH = 200
NOTICE_DAYS = 30
ONE_DAY = timedelta(days=1)
# Before the end, the most urgent first: each finds its recordations in its own band of ends.
BEFORE = (ReminderKind.ONE_MONTH, ReminderKind.THREE_MONTHS, ReminderKind.SIX_MONTHS)
ENDED = {
    ReminderKind.EXPIRED: RecordationStatus.EXPIRED,
    ReminderKind.LAPSED: RecordationStatus.LAPSED,
}
TEMPLATES = {
    ReminderKind.EXPIRED: "recordation_expired",
    ReminderKind.LAPSED: "recordation_lapsed",
}
R, RR = Recordation, RecordationReminder


@dataclass(frozen=True)
class Sent:
    recordation_id: int
    number: str
    kind: ReminderKind
    valid_until: date
    skipped: tuple[ReminderKind, ...] = field(default=())


def due_from(valid_until: date, kind: ReminderKind) -> date:
    """The first day the reminder `kind` (6, 3 or 1 month(s) before the end) is due."""
    return valid_until - relativedelta(months=kind.months)


def latest_end_due(day: date, kind: ReminderKind) -> date:
    """The latest `valid_until` for which `kind` is due on `day`. Calendar months are not
    invertible at month ends (31 August and 28 August both minus 6 months give 28 February),
    so step on past `day + N months` while the reminder is still due."""
    end = day + relativedelta(months=kind.months)
    while due_from(end + ONE_DAY, kind) <= day:
        end += ONE_DAY
    return end


def send_due(today: date) -> list[Sent]:
    """Send every reminder due on `today` that has not been sent (or skipped) yet; one
    transaction per batch of recordations. Returns what was sent."""
    sent: list[Sent] = []
    lowest = today  # a recordation whose end has passed is for `expire`, not a reminder
    for kind in BEFORE:
        highest = latest_end_due(today, kind)
        band = and_(
            R.status == RecordationStatus.ACTIVE, R.valid_until >= lowest,
            R.valid_until <= highest, _not_recorded(kind),
        )  # fmt: skip
        sent += _send_all(band, R.valid_until, kind)
        lowest = highest + ONE_DAY
    for kind, status in ENDED.items():
        band = and_(
            R.status == status, R.ended_on >= today - timedelta(days=NOTICE_DAYS),
            R.ended_on <= today, _not_recorded(kind),
        )  # fmt: skip
        sent += _send_all(band, R.ended_on, kind)
    return sent


def _not_recorded(kind: ReminderKind) -> ColumnElement[bool]:
    return ~exists().where(
        RR.recordation_id == R.id, RR.kind == kind, RR.valid_until == R.valid_until
    )


def _send_all(band: ColumnElement[bool], key, kind: ReminderKind) -> list[Sent]:
    sent: list[Sent] = []
    for ids in recordation_ids(band, key, BATCH):
        sent += _send_batch(ids, band, kind)
    return sent


def _send_batch(ids: list[int], band: ColumnElement[bool], kind: ReminderKind) -> list[Sent]:
    sent = []
    with unit_of_work() as session:
        stmt = select(R).where(R.id.in_(ids), band).order_by(R.id)
        stmt = stmt.execution_options(populate_existing=True)
        for recordation in session.execute(stmt).scalars():
            result = _remind(recordation, kind)
            if result is not None:
                sent.append(result)
    return sent


def _remind(recordation: Recordation, kind: ReminderKind) -> Sent | None:
    """Record `kind` as sent and queue its messages, or None when another run has just done
    so; the earlier reminders of this end not yet recorded are recorded as skipped."""
    if not _record(recordation, kind, ReminderOutcome.SENT):
        return None
    skipped = tuple(
        earlier
        for earlier in _earlier(kind)
        if _record(recordation, earlier, ReminderOutcome.SKIPPED)
    )
    notifications.notify_recordation(
        recordation, TEMPLATES.get(kind, "recordation_reminder"), **_context(recordation, kind)
    )
    return Sent(recordation.id, recordation.number, kind, recordation.valid_until, skipped)


def _earlier(kind: ReminderKind) -> list[ReminderKind]:
    if kind.months is None:
        return []
    return [k for k in reversed(BEFORE) if k.months > kind.months]


def _record(recordation: Recordation, kind: ReminderKind, outcome: ReminderOutcome) -> bool:
    """Insert the reminder's row in a savepoint; False if it was already there (the unique
    constraint: sent or skipped earlier, or by a concurrent run that has just committed)."""
    session = db.session
    if session.execute(
        select(RR.id).where(
            RR.recordation_id == recordation.id, RR.kind == kind,
            RR.valid_until == recordation.valid_until,
        )
    ).first():  # fmt: skip
        return False
    try:
        with session.begin_nested():
            session.add(
                RR(recordation_id=recordation.id, kind=kind,
                   valid_until=recordation.valid_until, outcome=outcome)
            )  # fmt: skip
    except IntegrityError:
        return False
    return True


def _context(recordation: Recordation, kind: ReminderKind) -> dict:
    """What the e-mail templates say: the end, the renewal window, whether the right's own
    term caps a renewal, and the renewal application already started, if any (so the
    reminder does not ask for a second one)."""
    until, right_expiry = recordation.valid_until, recordation.right_expiry
    renewal = _open_renewal(recordation) if kind.months else None
    return {
        "renewal": renewal, "renewal_filed": renewal is not None and renewal.seen_by_customs,
        "kind": kind.value, "months": kind.months, "valid_until": until,
        "ends_on": until + ONE_DAY, "renewal_opens": renewal_opens(until),
        "right_caps": right_expiry is not None and right_expiry <= until,
        "right_expiry": right_expiry,
    }  # fmt: skip


def _open_renewal(recordation: Recordation) -> Application | None:
    stmt = (
        select(Application)
        .where(
            Application.recordation_id == recordation.id,
            Application.kind == Kind.RENEWAL,
            Application.status.not_in(FINAL_STATES),
        )
        .order_by(Application.id.desc())
        .limit(1)
    )
    return db.session.execute(stmt).scalar()
