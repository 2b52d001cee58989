"""Who may see which application: the one place that answers 404-or-not."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, event, false, or_, select
from sqlalchemy.orm import Session

from ipr_apps.db import db
from ipr_apps.errors import NotFound, PermissionDenied, TransitionError
from ipr_apps.models import AgentMandate, Application, Organisation, Role, User
from ipr_apps.workflow import EDITABLE_STATES, is_owner


def can_view(application: Application, user: User) -> bool:
    """Staff, the owner (holder or filing agent), and any agency the holder has mandated."""
    if user.role in (Role.REVIEWER, Role.ADMIN) or is_owner(application, user):
        return True
    return user.is_agent and represents(user, application.holder_org_id)


def get_application(
    user: User, application_id: int, for_update: bool = False, loads: Sequence = ()
) -> Application:
    """The application if `user` may see it; otherwise NotFound (never 'forbidden').
    `loads`: loader options for the relations the caller reads (locked: the row alone)."""
    stmt = select(Application).where(Application.id == application_id).options(*loads)
    if for_update:
        stmt = stmt.with_for_update(of=Application)
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


def mandated_holder_id_list(agent: User) -> list[int]:
    """The same holders as constants: a list filtered by them then reads each holder's rows
    from the holders' index (as a subquery the database walked the list's date index and
    filtered every row: a page cost the size of the table, not of the agency's share)."""
    return sorted(db.session.execute(mandated_holder_ids(agent)).scalars())


MAX_BRANCHES = 400  # SQLite allows 500 SELECTs in a UNION; beyond, one IN list


def agency_branches(agent: User, agency_column, holder_column) -> list[ColumnElement[bool]]:
    """What an agency's list shows, as conditions an index serves each (keyset_page's
    branches): the rows its agency column names, and each mandating holder's rows."""
    holders = mandated_holder_id_list(agent)
    own = agency_column == agent.organisation_id
    if len(holders) >= MAX_BRANCHES:
        return [own, holder_column.in_(holders)]
    return [own, *(holder_column == holder for holder in holders)]


def holders_own_branches(agent: User, agency_column, holder_column) -> list[ColumnElement[bool]]:
    """What an agency's "holders' own filings" list shows, as keyset_page branches: each
    mandating holder's rows filed by nobody else (no agency: an ordered range of the partial
    index ix_applications_holder_own), and one branch for what other agencies filed for
    these holders (ranges of ix_applications_holder_agency). One branch per holder over the
    holder's index read the holder's whole range and dropped the agency's own rows: at a
    million applications a busy holder's thousands, filed by its agency."""
    holders, ours = mandated_holder_id_list(agent), agent.organisation_id
    if not holders:
        return [false()]  # never none: a list without branches would show every row
    if len(holders) >= MAX_BRANCHES:
        return [and_(holder_column.in_(holders), not_filed_by(agency_column, ours))]
    by_others = and_(holder_column.in_(holders), agency_column.is_not(None), agency_column != ours)
    return [*(and_(holder_column == h, agency_column.is_(None)) for h in holders), by_others]


def not_filed_by(agency_column, agency_id: int) -> ColumnElement[bool]:
    """Rows the agency did not file: the holder's own and other agencies'."""
    return or_(agency_column.is_(None), agency_column != agency_id)


def represents(agent: User, holder_org_id: int) -> bool:
    """Whether the agent's agency holds the holder's mandate now. Asked once per session and
    pair: a page asks it for every button and link (access, renew, amend, history)."""
    memo = _mandates_seen()
    key = (agent.organisation_id, holder_org_id)
    if key not in memo:
        stmt = mandated_holder_ids(agent).where(AgentMandate.holder_id == holder_org_id)
        memo[key] = db.session.execute(stmt).first() is not None
    return memo[key]


def mandate_exists(agent: User, holder_org_id_column):
    """`represents` as a correlated EXISTS, to ask it in the query that loads the row."""
    return mandated_holder_ids(agent).where(AgentMandate.holder_id == holder_org_id_column).exists()


def remember_mandate(agent: User, holder_org_id: int, held: bool) -> None:
    """What a query that loaded a row answered for `represents` (mandate_exists)."""
    _mandates_seen()[(agent.organisation_id, holder_org_id)] = held


def _mandates_seen() -> dict[tuple[int | None, int], bool]:
    return db.session.info.setdefault("mandates_seen", {})


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_mandates(session: Session, *_args) -> None:
    """Any write may grant or revoke a mandate: ask again after it."""
    session.info.pop("mandates_seen", None)


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
