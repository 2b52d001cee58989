"""Read-only lists that the home pages, the API and the CLI share."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from ipr_apps.db import db
from ipr_apps.models import Application, Status, User
from ipr_apps.pagination import Page, keyset_page
from ipr_apps.services.access import mandated_holder_ids


def applications_of(user: User, status: Status | None, cursor: str | None, size: int) -> Page:
    """A holder's applications, newest first; an agent's: those it filed and those of every
    holder it represents."""
    org = user.organisation
    if org.is_agency:
        mine = or_(
            Application.agency_id == org.id,
            Application.holder_org_id.in_(mandated_holder_ids(user)),
        )
    else:
        mine = Application.holder_org_id == org.id
    stmt = select(Application).where(mine)
    if status is not None:
        stmt = stmt.where(Application.status == status)
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
