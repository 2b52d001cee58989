"""The reviewers' queue: tabs, filters, keyset pages and capped per-tab counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from ipr_apps.db import db
from ipr_apps.models import Application, IprType, Status, User, today, utcnow
from ipr_apps.pagination import Page, Sort, keyset_page
from ipr_apps.services import capped
from ipr_apps.services.listings import matching

RECENT_DAYS = 30


class Tab(StrEnum):
    UNCLAIMED = "unclaimed"
    MINE = "mine"
    IN_REVIEW = "in_review"
    WAITING = "waiting"
    DECIDED = "decided"

    @property
    def label(self) -> str:
        return str(TAB_LABELS[self]) % {"days": RECENT_DAYS}


TAB_LABELS = {
    Tab.UNCLAIMED: _l("Unclaimed"),
    Tab.MINE: _l("Mine"),
    Tab.IN_REVIEW: _l("Claimed (all)"),
    Tab.WAITING: _l("Waiting for the holder"),
    Tab.DECIDED: _l("Decided (last %(days)s days)"),
}


@dataclass
class Filters:
    ipr_type: IprType | None = None
    country: str | None = None
    overdue: bool = False
    flagged: bool = False
    q: str | None = None


# Sort orders a reviewer can pick (each is an index: status or claimant, column, id).
SORTS = {
    "due": Application.due_on,
    "submitted": Application.first_submitted_at,
    "decided": Application.decided_at,
}
TAB_SORTS: dict[Tab, tuple[str, ...]] = {
    Tab.UNCLAIMED: ("due", "submitted"),
    Tab.MINE: ("due", "submitted"),
    Tab.IN_REVIEW: ("due", "submitted"),
    Tab.WAITING: ("submitted",),
    Tab.DECIDED: ("decided", "submitted"),
}
DEFAULT_SORT = {Tab.WAITING: "submitted", Tab.DECIDED: "-decided"}


def sort_for(tab: Tab, raw: str | None) -> Sort:
    """The tab's sort from the URL, or its default (oldest deadline first)."""
    return Sort.parse(raw, TAB_SORTS[tab], DEFAULT_SORT.get(tab, "due"))


def _base(tab: Tab, reviewer: User) -> Select:
    """The tab's rows (unfiltered, unsorted)."""
    a = Application
    if tab == Tab.UNCLAIMED:
        return select(a).where(a.status == Status.SUBMITTED)
    if tab == Tab.MINE:
        return select(a).where(a.claimed_by_id == reviewer.id)
    if tab == Tab.IN_REVIEW:
        return select(a).where(a.status == Status.UNDER_REVIEW)
    if tab == Tab.WAITING:
        return select(a).where(a.status == Status.INFO_REQUESTED)
    return select(a).where(a.decided_at >= utcnow() - timedelta(days=RECENT_DAYS))


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
        stmt = stmt.where(matching(filters.q))
    return stmt


def page(
    tab: Tab, reviewer: User, filters: Filters, sort: Sort, cursor: str | None, size: int
) -> Page:
    stmt = _filtered(_base(tab, reviewer), filters).options(
        selectinload(Application.right),
        selectinload(Application.claimed_by),
        selectinload(Application.information_requests),
        selectinload(Application.recordation),
    )
    columns = [SORTS[sort.key], Application.id]
    return keyset_page(stmt, columns, cursor, size, descending=sort.descending)


def tab_counts(reviewer: User) -> dict[Tab, capped.Capped]:
    """The tab badges: each tab counted up to capped.CAP ("999+"), in one statement."""
    return capped.counts({tab: _base(tab, reviewer) for tab in Tab})


def count_of(tab: Tab, reviewer: User):
    """The exact number of the tab's rows, as a scalar subquery (one indexed COUNT)."""
    return select(func.count()).select_from(_base(tab, reviewer).subquery()).scalar_subquery()


def counts(reviewer: User) -> dict[Tab, int]:
    """Exact counts per tab (the statistics' backlog), all in one statement."""
    values = db.session.execute(select(*(count_of(tab, reviewer) for tab in Tab))).one()
    return dict(zip(Tab, values, strict=True))
