"""Who may see which application: the one place that answers 404-or-not."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select, select

from ipr_apps.db import db
from ipr_apps.errors import NotFound, PermissionDenied, TransitionError
from ipr_apps.models import AgentMandate, Application, Organisation, Role, User
from ipr_apps.workflow import EDITABLE_STATES, is_owner


def can_view(application: Application, user: User) -> bool:
    """Staff, the owner (holder or filing agent), and any agency the holder has mandated."""
    if user.role in (Role.REVIEWER, Role.ADMIN) or is_owner(application, user):
        return True
    return user.is_agent and represents(user, application.holder_org_id)


def get_application(user: User, application_id: int, for_update: bool = False) -> Application:
    """The application if `user` may see it; otherwise NotFound (never 'forbidden')."""
    stmt = select(Application).where(Application.id == application_id)
    if for_update:
        stmt = stmt.with_for_update()
    application = db.session.execute(stmt).scalar_one_or_none()
    if application is None or not can_view(application, user):
        raise NotFound(_("No such application."))
    return application


def get_editable(user: User, application_id: int) -> Application:
    """The application locked for a content change by its owner while it is editable."""
    application = get_application(user, application_id, for_update=True)
    if not is_owner(application, user):
        raise PermissionDenied(_("Only the holder (or its agent) changes an application."))
    if application.status not in EDITABLE_STATES:
        raise TransitionError(
            _(
                "The application is %(state)s and can no longer be changed.",
                state=application.status.label.lower(),
            )
        )
    return application


def mandated_holder_ids(agent: User) -> Select:
    """SELECT of the holder organisations whose mandate the agent's agency holds now."""
    return select(AgentMandate.holder_id).where(
        AgentMandate.agency_id == agent.organisation_id, AgentMandate.revoked_at.is_(None)
    )


def represents(agent: User, holder_org_id: int) -> bool:
    stmt = mandated_holder_ids(agent).where(AgentMandate.holder_id == holder_org_id)
    return db.session.execute(stmt).first() is not None


def represented_holders(agent: User) -> list[Organisation]:
    """The holder organisations an agent's agency holds a mandate for, by name."""
    if not agent.is_agent:
        return []
    stmt = (
        select(Organisation)
        .where(Organisation.id.in_(mandated_holder_ids(agent)))
        .order_by(Organisation.name_local)
    )
    return list(db.session.execute(stmt).scalars())
