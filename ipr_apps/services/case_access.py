"""Who may see which detention case: holders their own, officers their district's, admins
all. The one place that answers 404-or-not, and the filter every case list uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, false, func, or_, select, true
from sqlalchemy.orm import selectinload

from ipr_apps.case_workflow import is_district_officer, is_owner
from ipr_apps.db import db
from ipr_apps.errors import NotFound
from ipr_apps.models import (
    CaseIprType,
    CaseStatus,
    DetentionCase,
    Mode,
    Recordation,
    Role,
    User,
    today,
)
from ipr_apps.pagination import Page, keyset_page
from ipr_apps.services.register import BEYOND


def can_view(case: DetentionCase, user: User) -> bool:
    return user.role == Role.ADMIN or is_district_officer(case, user) or is_owner(case, user)


def visible(user: User) -> ColumnElement[bool]:
    """The WHERE clause of the cases `user` may see (same rule as `can_view`)."""
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.OFFICER:
        return DetentionCase.port_code == user.district_code
    if user.role == Role.HOLDER and user.organisation_id is not None:
        org = user.organisation_id
        # Only an agency files for others: a holder's list reads its own index in date order
        # (with the OR, the planners walk every case by date, filtering).
        if not user.is_agent:
            return DetentionCase.holder_org_id == org
        by_agency = select(Recordation.id).where(Recordation.agency_id == org)
        return or_(DetentionCase.holder_org_id == org, DetentionCase.recordation_id.in_(by_agency))
    return false()


def get_case(user: User, case_id: int, for_update: bool = False) -> DetentionCase:
    """The case if `user` may see it; otherwise NotFound (never 'forbidden')."""
    stmt = select(DetentionCase).where(DetentionCase.id == case_id)
    if for_update:
        stmt = stmt.with_for_update()
    case = db.session.execute(stmt).scalar_one_or_none()
    if case is None or not can_view(case, user):
        raise NotFound(_("No such case."))
    return case


@dataclass(frozen=True)
class CaseQuery:
    """A case list's filters (all optional; together they narrow the list)."""

    status: CaseStatus | None = None
    mode: Mode | None = None
    ipr_type: CaseIprType | None = None
    overdue: bool = False  # awaiting the holder past its deadline (the release is due)
    q: str | None = None  # the start of the case number or of the recordation number

    @property
    def active(self) -> int:
        return sum(1 for v in (self.status, self.mode, self.ipr_type, self.overdue, self.q) if v)

    def where(self, day: date) -> list[ColumnElement[bool]]:
        found = []
        for column, value in (
            (DetentionCase.status, self.status), (DetentionCase.mode, self.mode),
            (DetentionCase.ipr_type, self.ipr_type),
        ):  # fmt: skip
            if value is not None:
                found.append(column == value)
        if self.overdue:
            found.append(DetentionCase.status == CaseStatus.AWAITING_HOLDER)
            found.append(DetentionCase.confirm_by < day)
        if self.q:
            found.append(
                or_(
                    starts_folded(DetentionCase.case_number, self.q),
                    starts_folded(DetentionCase.recordation_number, self.q),
                )
            )
        return found


def starts_folded(column, prefix: str) -> ColumnElement[bool]:
    """`column` starts with `prefix` in any (ASCII) case, read from the index on lower(column)
    (models.cases): PostgreSQL's text_pattern_ops serves LIKE 'prefix%'; SQLite never uses an
    index for a LIKE with ESCAPE, but does for a range on the same expression."""
    folded, prefix = func.lower(column), prefix.lower()
    if db.session.get_bind().dialect.name == "postgresql":
        return folded.startswith(prefix, autoescape=True)
    return and_(folded >= prefix, folded < prefix + BEYOND)


def cases_of(user: User, cursor: str | None, size: int, query: CaseQuery | None = None) -> Page:
    """The cases `user` may see (narrowed by `query`), newest first (keyset on opened_on, id)."""
    stmt = select(DetentionCase).where(visible(user), *(query or CaseQuery()).where(today()))
    stmt = stmt.options(selectinload(DetentionCase.holder_org))
    columns = [DetentionCase.opened_on, DetentionCase.id]
    return keyset_page(stmt, columns, cursor, size, descending=True)
