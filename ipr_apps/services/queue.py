"""The reviewers' queue: tabs, filters, keyset pages and per-tab counts on indexed columns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from ipr_apps.db import db
from ipr_apps.models import Application, IpRight, IprType, Status, User, today, utcnow
from ipr_apps.pagination import Page, keyset_page

RECENT_DAYS = 30


class Tab(StrEnum):
    UNCLAIMED = "unclaimed"
    MINE = "mine"
    IN_REVIEW = "in_review"
    WAITING = "waiting"
    DECIDED = "decided"

    @property
    def label(self) -> str:
        return {
            "unclaimed": "Unclaimed",
            "mine": "Mine",
            "in_review": "Claimed (all)",
            "waiting": "Waiting for the holder",
            "decided": f"Decided (last {RECENT_DAYS} days)",
        }[self.value]


@dataclass
class Filters:
    ipr_type: IprType | None = None
    country: str | None = None
    overdue: bool = False
    flagged: bool = False
    q: str | None = None


def _base(tab: Tab, reviewer: User) -> tuple[Select, list, bool]:
    """The tab's rows, sort columns (ending in id) and direction; each matches an index."""
    a = Application
    if tab == Tab.UNCLAIMED:
        return select(a).where(a.status == Status.SUBMITTED), [a.due_on, a.id], False
    if tab == Tab.MINE:
        return select(a).where(a.claimed_by_id == reviewer.id), [a.due_on, a.id], False
    if tab == Tab.IN_REVIEW:
        return select(a).where(a.status == Status.UNDER_REVIEW), [a.due_on, a.id], False
    if tab == Tab.WAITING:
        stmt = select(a).where(a.status == Status.INFO_REQUESTED)
        return stmt, [a.submitted_at, a.id], False
    since = utcnow() - timedelta(days=RECENT_DAYS)
    return select(a).where(a.decided_at >= since), [a.decided_at, a.id], True


def _filtered(stmt: Select, filters: Filters) -> Select:
    a = Application
    if filters.ipr_type:
        stmt = stmt.where(a.ipr_type == filters.ipr_type)
    if filters.country:
        stmt = stmt.where(a.holder_country == filters.country.upper())
    if filters.overdue:
        stmt = stmt.where(a.due_on < today())
    if filters.flagged:
        stmt = stmt.where(a.duplicate_flag.is_(True))
    if filters.q:
        stmt = stmt.where(_search(filters.q.strip()))
    return stmt


def _search(q: str):
    """Reference or right number (exact), holder name (prefix): all index-friendly."""
    a = Application
    by_number = select(IpRight.application_id).where(IpRight.registration_number == q)
    return or_(
        a.reference == q.upper(),
        a.id.in_(by_number),
        a.holder_name_local.startswith(q, autoescape=True),
        a.holder_name_en.startswith(q, autoescape=True),
    )


def page(tab: Tab, reviewer: User, filters: Filters, cursor: str | None, size: int) -> Page:
    stmt, columns, descending = _base(tab, reviewer)
    stmt = _filtered(stmt, filters).options(
        selectinload(Application.right), selectinload(Application.claimed_by)
    )
    return keyset_page(stmt, columns, cursor, size, descending=descending)


def counts(reviewer: User) -> dict[Tab, int]:
    """One indexed COUNT per tab (unfiltered), for the tab badges."""
    return {
        tab: db.session.scalar(select(func.count()).select_from(_base(tab, reviewer)[0].subquery()))
        for tab in Tab
    }
