"""Starting a renewal or an amendment of a recordation: a draft of that kind, pre-filled
from the recorded facts, filed by the holder, its agency or an agency it mandates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from ipr_apps.db import db, unit_of_work
from ipr_apps.errors import ConflictError, PermissionDenied, TransitionError, ValidationError
from ipr_apps.models import FINAL_STATES, Application, Kind, Recordation, Role, User, today
from ipr_apps.recordation_workflow import RecordationAction, transition_for
from ipr_apps.services import change_rules, copies
from ipr_apps.services.access import represents
from ipr_apps.services.document_files import removed_on_error
from ipr_apps.services.recordation_access import get_recordation
from ipr_apps.services.recordations import in_renewal_window

ACTIONS = {Kind.RENEWAL: RecordationAction.FILE_RENEWAL,
           Kind.AMENDMENT: RecordationAction.FILE_AMENDMENT}  # fmt: skip


def start_renewal(actor: User, recordation_id: int) -> Application:
    """A renewal draft; only inside the renewal window (the last 6 months)."""
    return _start(actor, recordation_id, Kind.RENEWAL)


def start_amendment(actor: User, recordation_id: int) -> Application:
    """An amendment draft: licensees, traders, goods, ports, infringers and contacts."""
    return _start(actor, recordation_id, Kind.AMENDMENT)


def _start(actor: User, recordation_id: int, kind: Kind) -> Application:
    with removed_on_error() as written, unit_of_work():
        recordation = get_recordation(actor, recordation_id, for_update=True)
        check_may_file(recordation, kind, actor)
        if kind == Kind.RENEWAL:
            check_window(recordation.valid_until, today())
        _check_none_open(recordation)
        return copies.new_draft_from(
            actor, recordation.facts_application, written, kind=kind, recordation=recordation
        )


def check_may_file(recordation: Recordation, kind: Kind, actor: User) -> None:
    """The holder's users may, as the table says; an agency may while the holder mandates it
    (the one that filed before, or another), and then files as the agency."""
    if not (actor.role == Role.HOLDER and actor.is_agent):
        transition_for(recordation, ACTIONS[kind], actor)
        return
    if not represents(actor, recordation.holder_org_id):
        raise PermissionDenied(
            _("Your agency holds no mandate from this holder, so it cannot file.")
        )
    _check_state(recordation, kind)


def _check_state(recordation: Recordation, kind: Kind) -> None:
    """The state half of the owner's rule, for a mandated agency: asked as the system, which
    is never a filing party, the table answers TransitionError for a wrong state and
    PermissionDenied (the party, settled above) for a right one."""
    try:
        transition_for(recordation, ACTIONS[kind], None)
    except PermissionDenied:
        return


def may_file(recordation: Recordation, kind: Kind, user: User) -> bool:
    try:
        check_may_file(recordation, kind, user)
    except (PermissionDenied, TransitionError):
        return False
    return True


def check_window(valid_until: date, day: date) -> None:
    problem = change_rules.window_problem(valid_until, day)
    if problem:
        raise ValidationError.on("recordation", problem)


def open_change(recordation: Recordation) -> Application | None:
    """The renewal or amendment of this recordation not yet decided or withdrawn, if any."""
    stmt = (
        select(Application)
        .where(
            Application.recordation_id == recordation.id,
            Application.kind != Kind.NEW,
            Application.status.not_in(FINAL_STATES),
        )
        .order_by(Application.id)
        .limit(1)
    )
    return db.session.execute(stmt).scalar_one_or_none()


def _open_in(applications: list[Application]) -> Application | None:
    """open_change, among the recordation's applications already loaded."""
    found = [a for a in applications if a.kind != Kind.NEW and a.status not in FINAL_STATES]
    return min(found, key=lambda a: a.id, default=None)


def _check_none_open(recordation: Recordation) -> None:
    """One change at a time: two open ones would each copy the same facts, and approving
    the second would silently undo the first."""
    current = open_change(recordation)
    if current is not None:
        raise ConflictError(
            _(
                "%(kind)s %(reference)s of this recordation is still open (%(state)s): "
                "continue it, or withdraw it first.",
                kind=current.kind.label,
                reference=current.reference,
                state=current.status.label.lower(),
            )
        )


@dataclass(frozen=True)
class Panel:
    """What the recordation page's apply buttons need to know."""

    can_renew: bool
    can_amend: bool
    window_open: bool  # when not, the page's Renewal panel says when
    open_change: Application | None


def panel(
    recordation: Recordation, user: User, day: date, applications: list | None = None
) -> Panel:
    """`applications`: every application of the recordation, when the page loaded them
    already (the open change is then found among them, not asked again)."""
    return Panel(
        can_renew=may_file(recordation, Kind.RENEWAL, user),
        can_amend=may_file(recordation, Kind.AMENDMENT, user),
        window_open=in_renewal_window(recordation.valid_until, day),
        open_change=open_change(recordation) if applications is None else _open_in(applications),
    )
