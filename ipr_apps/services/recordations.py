"""Recordations: numbering, validity and the date rules; what an approval does to one.

GACC's rules: valid 10 years from approval, never beyond the right's own term; renewal may
be requested in the last 6 months, each renewal adding 10 years counted from the day after
the old end, again capped by the right's term.

Periods are counted as China's Civil Code counts them (arts. 201-202): the day of the event
is not counted, and a period of years ends on the corresponding day of the last year, or on
the last day of that month when it has no such day (29 February → 28 February). So an
approval on D is valid until D's tenth anniversary, and a renewal, counted from the day after
the old end E, runs until E's tenth anniversary: each term is exactly 10 years.
"""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from flask_babel import gettext as _
from sqlalchemy import or_, select

from ipr_apps.db import db, next_counter_value
from ipr_apps.errors import ValidationError
from ipr_apps.i18n import format_day
from ipr_apps.models import Application, IpRight, Kind, Recordation, Status, User
from ipr_apps.recordation_workflow import RecordationAction
from ipr_apps.recordation_workflow import apply as apply_event

VALID_YEARS = 10
RENEWAL_WINDOW_MONTHS = 6
ONE_DAY = timedelta(days=1)


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later (29 February → 28 February in a common year)."""
    return day + relativedelta(years=years)


def renewal_opens(valid_until: date) -> date:
    """The first day a renewal may be filed: 6 calendar months before the end."""
    return valid_until - relativedelta(months=RENEWAL_WINDOW_MONTHS)


def in_renewal_window(valid_until: date, day: date) -> bool:
    return renewal_opens(valid_until) <= day <= valid_until


def renewed_until(valid_until: date, right_expiry: date | None) -> date:
    """A renewal's new end: 10 years counted from the day after the old end, i.e. the old
    end's tenth anniversary (see the module docstring); never beyond the right's expiry nor
    before the old end."""
    until = add_years(valid_until, VALID_YEARS)
    if right_expiry is not None:
        until = min(until, right_expiry)
    return max(until, valid_until)


def validity(decided_on: date, right_expiry: date | None) -> tuple[date, date]:
    """Valid from the decision date for 10 years, never beyond the right's own expiry."""
    until = add_years(decided_on, VALID_YEARS)
    if right_expiry is not None:
        until = min(until, right_expiry)
    return decided_on, max(until, decided_on)


def counter_scope(prefix: str, year: int) -> str:
    return f"recordation-{prefix}{year}"


def format_number(prefix: str, year: int, sequence: int) -> str:
    return f"{prefix}{year}-{sequence:06d}"


def on_approval(application: Application, decided_on: date, actor: User) -> Recordation:
    """What approving `application` does to its recordation, by the application's kind."""
    if application.kind == Kind.RENEWAL:
        return renew(application, actor)
    if application.kind == Kind.AMENDMENT:
        return amend(application, actor)
    return create_for(application, decided_on, actor)


def create_for(application: Application, decided_on: date, actor: User | None) -> Recordation:
    """The recordation of an approved application, inside the approval's transaction.

    The per-prefix-and-year counter row is locked by its UPDATE until commit, so concurrent
    approvals get consecutive numbers and a rolled-back approval leaves no gap.
    """
    prefix = application.ipr_type.prefix
    year = decided_on.year
    sequence = next_counter_value(db.session, counter_scope(prefix, year))
    valid_from, valid_until = validity(decided_on, application.right.expiry_date)
    recordation = Recordation(
        number=format_number(prefix, year, sequence), application=application, prefix=prefix,
        year=year, sequence=sequence, valid_from=valid_from, valid_until=valid_until,
        ipr_type=application.ipr_type, holder_org_id=application.holder_org_id,
    )  # fmt: skip
    copy_facts(recordation, application)
    db.session.add(recordation)
    application.recordation = recordation
    apply_event(recordation, RecordationAction.CREATE, actor, application=application)
    return recordation


def copy_facts(recordation: Recordation, application: Application) -> None:
    """The recorded facts are now `application`'s; copy what the lists and register show."""
    right = application.right
    recordation.facts_application = application
    recordation.agency_id = application.agency_id
    names = [n for n in (application.holder_name_local, application.holder_name_en) if n]
    recordation.holder_name = names[0] if names else application.holder_org.display_name
    recordation.holder_name_other = names[1] if len(names) > 1 else None
    recordation.holder_country = application.holder_country
    recordation.right_number = right.registration_number if right else None
    recordation.right_title = right.title if right else None
    recordation.right_expiry = right.expiry_date if right else None


def renew(application: Application, actor: User) -> Recordation:
    """Approval of a renewal: 10 more years from the day after the old end (capped); the
    renewal's content becomes the recorded facts; the number stays."""
    recordation = application.recordation
    old_until = recordation.valid_until
    new_until = renewed_until(old_until, application.right.expiry_date)
    if new_until <= old_until:
        raise ValidationError(
            _(
                "The right expires on %(expiry)s: a renewal would not extend the recordation "
                "beyond %(until)s. Reject it, or ask for the right's new term.",
                expiry=format_day(application.right.expiry_date),
                until=format_day(old_until),
            )
        )
    recordation.valid_until = new_until
    copy_facts(recordation, application)
    note = f"valid until {new_until} (was {old_until})"
    apply_event(recordation, RecordationAction.RENEW, actor, note, application=application)
    return recordation


def amend(application: Application, actor: User) -> Recordation:
    """Approval of an amendment: its content becomes the recorded facts; the earlier
    application stays as it was, readable in the history."""
    recordation = application.recordation
    previous = recordation.facts_application
    copy_facts(recordation, application)
    note = f"facts of {application.reference} replace those of {previous.reference}"
    apply_event(recordation, RecordationAction.AMEND, actor, note, application=application)
    return recordation


def conflicts(application: Application) -> list[tuple[Application, Recordation | None]]:
    """Other applications (and their recordations) for the same right, for the review page."""
    number = application.right.registration_number if application.right else None
    if not number:
        return []
    stmt = (
        select(Application, Recordation)
        .join(IpRight, IpRight.application_id == Application.id)
        .outerjoin(Recordation, Recordation.application_id == Application.id)
        .where(
            Application.ipr_type == application.ipr_type,
            IpRight.registration_number == number,
            Application.id != application.id,
            or_(Application.status != Status.DRAFT, Recordation.id.is_not(None)),
        )
        .order_by(Application.id)
    )
    if application.recordation_id is not None:
        # The applications of its own recordation (a renewal's or amendment's original and
        # earlier changes; an approved original's later ones) are not the right elsewhere.
        stmt = stmt.where(
            or_(
                Application.recordation_id.is_(None),
                Application.recordation_id != application.recordation_id,
            )
        )
    return [(row[0], row[1]) for row in db.session.execute(stmt)]
