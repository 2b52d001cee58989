"""Reminders to a recordation's holder (and the agency of its recorded facts), by e-mail and
in the app, about the end of its validity.

When: 6, 3 and 1 calendar month(s) before `valid_until` — the reminder of N months is due
from the day `valid_until - N months` (the 6-month one thus on the day the renewal window
opens) until `valid_until` — and once the recordation has expired or lapsed (`expired`,
`lapsed`), if it ended at most NOTICE_DAYS ago: news of an end long past, such as that of a
historical record imported after it expired, would only confuse.

Once: each kind is sent at most once per recordation *and validity end*. A renewal moves
`valid_until`, so the reminders start over for the new end. A row in `recordation_reminders`
(unique per recordation, kind and end) is inserted, `ON CONFLICT DO NOTHING`, in the
transaction that queues the messages; a run that finds the row already there, or whose
insert loses to a concurrent run, sends nothing.

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
from sqlalchemy.dialects import postgresql, sqlite

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
    utcnow,
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
    """One transaction: claim `kind` for the batch's recordations (those another run has
    claimed meanwhile drop out), record the earlier kinds not yet recorded as skipped, and
    queue the messages of the claimed ones."""
    with unit_of_work() as session:
        stmt = select(R).where(R.id.in_(ids), band).order_by(R.id)
        batch = list(session.execute(stmt.execution_options(populate_existing=True)).scalars())
        won = _claim(batch, kind, ReminderOutcome.SENT)
        winners = [r for r in batch if r.id in won]
        skipped: dict[int, list[ReminderKind]] = {}
        for earlier in _earlier(kind):
            for recordation_id in _claim(winners, earlier, ReminderOutcome.SKIPPED):
                skipped.setdefault(recordation_id, []).append(earlier)
        sent = []
        for recordation in winners:
            template = TEMPLATES.get(kind, "recordation_reminder")
            notifications.notify_recordation(recordation, template, **_context(recordation, kind))
            sent.append(
                Sent(recordation.id, recordation.number, kind, recordation.valid_until,
                     tuple(skipped.get(recordation.id, ())))
            )  # fmt: skip
    return sent


def _earlier(kind: ReminderKind) -> list[ReminderKind]:
    """The reminders before the end that come before `kind`, the earliest first."""
    if kind.months is None:
        return []
    return [k for k in reversed(BEFORE) if k.months > kind.months]


def _claim(
    recordations: list[Recordation], kind: ReminderKind, outcome: ReminderOutcome
) -> set[int]:
    """Insert the row of `kind` for each recordation's current end, skipping those already
    there (the unique constraint; on PostgreSQL a concurrent run's uncommitted row is waited
    for); the ids of the recordations whose row this call inserted."""
    if not recordations:
        return set()
    now = utcnow()
    rows = [
        {"recordation_id": r.id, "kind": kind, "valid_until": r.valid_until,
         "outcome": outcome, "created_at": now}
        for r in recordations
    ]  # fmt: skip
    insert = (
        postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    )
    stmt = insert(RR).values(rows).on_conflict_do_nothing().returning(RR.recordation_id)
    return set(db.session.execute(stmt).scalars())


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
