"""The reviewers' daily digest: the applications due within 5 working days (and the overdue
ones), the reviewer's own claims first, as one e-mail queued in the outbox per reviewer."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ipr_apps import emails
from ipr_apps.db import db, unit_of_work
from ipr_apps.models import Application, IprType, Role, Status, User, today
from ipr_apps.services import outbox
from ipr_apps.workdays import days_left_until, due_date, working_day

HORIZON_WORKING_DAYS = 5
LISTED = 50  # rows per section; the rest are counted and wait on the queue page


@dataclass(frozen=True)
class Row:
    """One application of the digest; names and labels are worded when each reviewer's
    e-mail is rendered, in that reviewer's language."""

    reference: str
    ipr_type: IprType
    right_title: str
    holder_local: str | None
    holder_en: str | None
    due_on: date
    days_left: int
    link: str


@dataclass(frozen=True)
class Section:
    rows: list[Row]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def send_digests() -> int:
    """Queue a digest for every active reviewer with something due; returns how many.

    Nothing is sent on weekends and holidays (the next working day's digest covers them), and
    nothing to a reviewer with no claimed or unclaimed application due."""
    day = today()
    if not working_day(day):
        return 0
    until = due_date(day, HORIZON_WORKING_DAYS)
    with unit_of_work():
        claimed = _due(Status.UNDER_REVIEW, until)
        unclaimed = _due(Status.SUBMITTED, until, LISTED)
        left = days_left_until({a.id: a.due_on for a in claimed + unclaimed}, day)
        open_to_all = Section([_row(a, left) for a in unclaimed], _count_due(until))
        by_reviewer = defaultdict(list)
        for application in claimed:
            by_reviewer[application.claimed_by_id].append(_row(application, left))
        sent = 0
        for reviewer in _active_reviewers():
            mine = by_reviewer.get(reviewer.id, [])
            if mine or open_to_all.total:
                _queue_digest(reviewer, Section(mine[:LISTED], len(mine)), open_to_all, day, until)
                sent += 1
    return sent


def _due(status: Status, until: date, limit: int | None = None) -> list[Application]:
    """Applications in `status` due by `until`, soonest first: a range of the queue index
    (status, due_on, id). Claimed ones are all loaded: they are the reviewers' work in hand."""
    stmt = (
        select(Application)
        .where(Application.status == status, Application.due_on <= until)
        .order_by(Application.due_on, Application.id)
        .limit(limit)
        .options(selectinload(Application.right), selectinload(Application.holder_org))
    )
    return list(db.session.execute(stmt).scalars())


def _count_due(until: date) -> int:
    stmt = select(func.count()).where(
        Application.status == Status.SUBMITTED, Application.due_on <= until
    )
    return db.session.execute(stmt).scalar_one()


def _active_reviewers() -> list[User]:
    stmt = select(User).where(User.role == Role.REVIEWER, User.active.is_(True)).order_by(User.id)
    return list(db.session.execute(stmt).scalars())


def _row(application: Application, left: dict[int, int]) -> Row:
    local, english = application.holder_name_local, application.holder_name_en
    if not (local or english):  # as Application.holder_reader_name
        local, english = application.holder_org.name_local, application.holder_org.name_en
    return Row(
        reference=application.reference, ipr_type=application.ipr_type,
        right_title=application.right_title, holder_local=local, holder_en=english,
        due_on=application.due_on, days_left=left[application.id],
        link=emails.link("review.show", application_id=application.id),
    )  # fmt: skip


def _queue_digest(
    reviewer: User, mine: Section, unclaimed: Section, day: date, until: date
) -> None:
    subject, body = emails.render(
        "reviewer_digest", user=reviewer, mine=mine, unclaimed=unclaimed, day=day,
        until=until, horizon=HORIZON_WORKING_DAYS, queue_link=emails.link("review.index"),
    )  # fmt: skip
    outbox.queue(reviewer.email, subject, body)
