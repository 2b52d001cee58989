"""Read-only lists that the home pages, the API and the CLI share."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from ipr_apps.db import db
from ipr_apps.models import Application, Role, Status, User
from ipr_apps.pagination import Page, keyset_page
from ipr_apps.services.access import mandated_holder_ids


def _owned_by(user: User):
    org = user.organisation
    if org.is_agency:
        return or_(
            Application.agency_id == org.id,
            Application.holder_org_id.in_(mandated_holder_ids(user)),
        )
    return Application.holder_org_id == org.id


def applications_of(user: User, status: Status | None, cursor: str | None, size: int) -> Page:
    """A holder's applications, newest first; an agent's: those it filed and those of every
    holder it represents."""
    stmt = select(Application).where(_owned_by(user))
    if status is not None:
        stmt = stmt.where(Application.status == status)
    return keyset_page(
        stmt, [Application.created_at, Application.id], cursor, size, descending=True
    )


def api_page(user: User, status, ipr_type, cursor: str | None, size: int) -> Page:
    """The API's list: a holder's own (see applications_of), everything for staff."""
    if user.role == Role.HOLDER:
        stmt = select(Application).where(_owned_by(user))
    else:
        stmt = select(Application)
    if status is not None:
        stmt = stmt.where(Application.status == status)
    if ipr_type is not None:
        stmt = stmt.where(Application.ipr_type == ipr_type)
    return keyset_page(
        stmt, [Application.created_at, Application.id], cursor, size, descending=True
    )


def count_by_status() -> dict[Status, int]:
    rows = db.session.execute(
        select(Application.status, func.count()).group_by(Application.status)
    ).all()
    counts = dict.fromkeys(Status, 0)
    counts.update(dict(rows))
    return counts
