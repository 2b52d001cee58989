"""Who may see which recordation: the one place that answers 404-or-not."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import false, select

from ipr_apps.db import db
from ipr_apps.errors import NotFound
from ipr_apps.models import Recordation, Role, User
from ipr_apps.recordation_workflow import is_owner
from ipr_apps.services.access import mandate_exists, remember_mandate, represents


def can_view(recordation: Recordation, user: User) -> bool:
    """Staff, port officers (read-only: to act at the border on it), the holder's users, the
    agency that filed, and any agency the holder mandates."""
    if user.role in (Role.REVIEWER, Role.ADMIN, Role.OFFICER) or is_owner(recordation, user):
        return True
    return (
        user.role == Role.HOLDER and user.is_agent and represents(user, recordation.holder_org_id)
    )


def get_recordation(user: User, recordation_id: int, for_update: bool = False) -> Recordation:
    """The recordation if `user` may see it; otherwise NotFound (never 'forbidden')."""
    return get_with(user, recordation_id, for_update=for_update)[0]


def get_with(
    user: User, recordation_id: int, *columns, for_update: bool = False
) -> tuple[Recordation, tuple]:
    """get_recordation, and further `columns` of its row from the same query (a page's
    correlated EXISTS); an agent's mandate from the holder is asked there too."""
    agent = user.role == Role.HOLDER and user.is_agent
    held = mandate_exists(user, Recordation.holder_org_id) if agent else false()
    stmt = select(Recordation, held, *columns).where(Recordation.id == recordation_id)
    if for_update:
        stmt = stmt.with_for_update(of=Recordation)
    row = db.session.execute(stmt).one_or_none()
    if row is None:
        raise NotFound(_("No such recordation."))
    recordation, mandated, *extra = row
    if agent:
        remember_mandate(user, recordation.holder_org_id, bool(mandated))
    if not can_view(recordation, user):
        raise NotFound(_("No such recordation."))
    return recordation, tuple(extra)
