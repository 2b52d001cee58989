"""The nightly end of recordations: those whose right expired lapse, those whose validity
ended expire.

A recordation ends on the first day after the earlier of its validity end and its right's
expiry. When the right ends first or on the same day (the validity was capped by the
right's term, or an amendment recorded an earlier expiry), it *lapses* on `right_expiry + 1`;
otherwise it *expires* on `valid_until + 1` — also when the right expired later still but
nobody ran the job in between: the validity had already ended, which is what happened first.

A renewal filed in time (submitted before the end, not decided yet) keeps the recordation in
force until customs decide it: approved, the validity runs on from the old end without a gap;
refused or withdrawn, the next run ends the recordation as of its old end.

Candidates are found through the (status, right_expiry, id) and (status, valid_until, id)
indexes, in their order (services/batches), in batches of BATCH, each batch one transaction
whose rows are locked and checked again (a concurrent run, a cancellation or a renewal may
have changed them), so a second run, or two at once, change nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select

from ipr_apps.db import unit_of_work
from ipr_apps.models import Application, Kind, Recordation, RecordationStatus
from ipr_apps.recordation_workflow import RecordationAction
from ipr_apps.recordation_workflow import apply as apply_event
from ipr_apps.services.batches import recordation_ids
from ipr_apps.workflow import PENDING_STATES

BATCH = 500
ONE_DAY = timedelta(days=1)
R = Recordation


@dataclass(frozen=True)
class Change:
    recordation_id: int
    number: str
    old_status: RecordationStatus
    new_status: RecordationStatus
    ended_on: date


def _no_pending_renewal() -> ColumnElement[bool]:
    a = Application
    pending = exists().where(
        a.recordation_id == R.id, a.kind == Kind.RENEWAL, a.status.in_(PENDING_STATES)
    )
    return ~pending


def _lapsing(day: date) -> ColumnElement[bool]:
    """The right expired before `day`, no later than the validity."""
    return and_(
        R.status == RecordationStatus.ACTIVE,
        R.right_expiry < day,
        R.right_expiry <= R.valid_until,
        _no_pending_renewal(),
    )


def _expiring(day: date) -> ColumnElement[bool]:
    """The validity ended before `day`, before the right did (or its expiry is unknown)."""
    return and_(
        R.status == RecordationStatus.ACTIVE,
        R.valid_until < day,
        or_(R.right_expiry.is_(None), R.right_expiry > R.valid_until),
        _no_pending_renewal(),
    )


def expire(today: date) -> list[Change]:
    """End every active recordation that was no longer in force before `today`; one
    transaction per batch. Returns the changes made: lapses, then expiries, each
    in the order of the day they ended."""
    changes: list[Change] = []
    for condition, key, action in (
        (_lapsing(today), R.right_expiry, RecordationAction.LAPSE),
        (_expiring(today), R.valid_until, RecordationAction.EXPIRE),
    ):
        for ids in recordation_ids(condition, key, BATCH):
            changes += _end_batch(ids, condition, key, action)
    return changes


def _end_batch(
    ids: list[int], condition: ColumnElement[bool], key: Any, action: RecordationAction
) -> list[Change]:
    changes = []
    with unit_of_work() as session:
        stmt = (
            select(R).where(R.id.in_(ids), condition).order_by(key, R.id)
            .with_for_update().execution_options(populate_existing=True)
        )  # fmt: skip
        for recordation in session.execute(stmt).scalars():
            changes.append(_end(recordation, action))
    return changes


def _end(recordation: Recordation, action: RecordationAction) -> Change:
    old = recordation.status
    if action == RecordationAction.LAPSE:
        last_day = recordation.right_expiry
        note = f"the right expired on {last_day}"
    else:
        last_day = recordation.valid_until
        note = f"valid until {last_day}, not renewed"
    ended_on = last_day + ONE_DAY
    apply_event(recordation, action, None, note, ended_on=ended_on)
    return Change(recordation.id, recordation.number, old, recordation.status, ended_on)


def summary(changes: list[Change]) -> dict[str, int]:
    """How many expired and how many lapsed."""
    counts = {"expired": 0, "lapsed": 0}
    for change in changes:
        counts[change.new_status.value] += 1
    return counts
