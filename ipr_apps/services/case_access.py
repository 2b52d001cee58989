"""Who may see which detention case: holders their own, officers their district's, admins
all. The one place that answers 404-or-not, and the filter every case list uses."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true

from ipr_apps.case_workflow import is_district_officer, is_owner
from ipr_apps.db import db
from ipr_apps.errors import NotFound
from ipr_apps.models import DetentionCase, Recordation, Role, User
from ipr_apps.pagination import Page, keyset_page


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
        raise NotFound("No such case.")
    return case


def cases_of(user: User, cursor: str | None, size: int) -> Page:
    """The cases `user` may see, newest first (keyset on opened_on, id)."""
    stmt = select(DetentionCase).where(visible(user))
    columns = [DetentionCase.opened_on, DetentionCase.id]
    return keyset_page(stmt, columns, cursor, size, descending=True)
