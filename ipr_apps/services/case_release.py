"""Releasing detained goods: the nightly release of the cases the holder did not confirm by
their deadline, and an officer of the case's district releasing them before it.

The nightly run finds the overdue cases through the (status, confirm_by, id) index in batches
of BATCH, each batch one transaction whose rows are locked and checked again. A holder's
confirmation at the same moment cannot also win: on PostgreSQL the row lock orders the two
(whoever comes second sees the other's status and stops); on SQLite, where reads take no lock,
the version column (`version_id_col`) makes the later UPDATE match no row, and the batch is
read and tried again without the case that was confirmed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, or_, select

from ipr_apps.case_workflow import CaseAction, apply
from ipr_apps.db import db, unit_of_work
from ipr_apps.errors import ConflictError, ValidationError
from ipr_apps.models import CaseOutcome, CaseStatus, DetentionCase, User, today
from ipr_apps.services.case_access import get_case
from ipr_apps.services.notifications import notify_case

BATCH = 200
ATTEMPTS = 3
REASON_MAX = 1000
C = DetentionCase


@dataclass(frozen=True)
class Released:
    case_id: int
    case_number: str
    confirm_by: date


def overdue(day: date) -> ColumnElement[bool]:
    """Awaiting the holder, whose last day to confirm was before `day`."""
    return and_(C.status == CaseStatus.AWAITING_HOLDER, C.confirm_by < day)


def release_overdue(day: date) -> list[Released]:
    """Release every case still awaiting the holder after its deadline, as of `day`; one
    transaction per batch. A second run, or two at once, release nothing twice."""
    released: list[Released] = []
    for ids in _overdue_ids(day, BATCH):
        released += _release_batch(ids, day)
    return released


def release(actor: User, case_id: int, reason: str | None) -> DetentionCase:
    """An officer of the case's district releases the goods before the holder confirmed."""
    reason = _reason(reason)
    with unit_of_work():
        case = get_case(actor, case_id, for_update=True)
        _release(case, actor, reason, today())
        notify_case(case, "case_released", reason=reason, by_officer=True)
    return case


def _overdue_ids(day: date, size: int) -> Iterator[list[int]]:
    """Keyset on (confirm_by, id), the read transaction ended before each batch."""
    after: tuple[Any, int] | None = None
    while True:
        stmt = select(C.confirm_by, C.id).where(overdue(day))
        if after is not None:
            value, last_id = after
            stmt = stmt.where(C.confirm_by >= value, or_(C.confirm_by > value, C.id > last_id))
        rows = db.session.execute(stmt.order_by(C.confirm_by, C.id).limit(size)).all()
        db.session.rollback()
        if not rows:
            return
        yield [row[1] for row in rows]
        after = (rows[-1][0], rows[-1][1])


def _release_batch(ids: list[int], day: date) -> list[Released]:
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _try_batch(ids, day)
        except ConflictError:  # a holder confirmed one of them meanwhile: read them again
            if attempt == ATTEMPTS:
                raise
    return []  # pragma: no cover (the loop returns or raises)


def _try_batch(ids: list[int], day: date) -> list[Released]:
    done = []
    with unit_of_work() as session:
        stmt = (
            select(C).where(C.id.in_(ids), overdue(day)).order_by(C.confirm_by, C.id)
            .with_for_update().execution_options(populate_existing=True)
        )  # fmt: skip
        for case in session.execute(stmt).scalars():
            _release(case, None, f"not confirmed by {case.confirm_by}", day)
            notify_case(case, "case_released", reason=None, by_officer=False)
            done.append(Released(case.id, case.case_number, case.confirm_by))
    return done


def _release(case: DetentionCase, actor: User | None, note: str, day: date) -> None:
    apply(case, CaseAction.RELEASE, actor, note)
    case.outcome = CaseOutcome.RELEASED
    case.outcome_on = day


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError.on("reason", _("Give the reason."))
    if len(reason) > REASON_MAX:
        raise ValidationError.on(
            "reason", _("Keep the reason under %(most)s characters.", most=REASON_MAX)
        )
    return reason
