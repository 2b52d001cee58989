"""Recordations: numbering and validity of what an approval creates."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select

from ipr_apps.db import db, next_counter_value
from ipr_apps.models import Application, IpRight, Recordation, Status

VALID_YEARS = 10


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February → 28 February
        return day.replace(year=day.year + years, day=28)


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


def create_for(application: Application, decided_on: date) -> Recordation:
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
    )  # fmt: skip
    db.session.add(recordation)
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
    return [(row[0], row[1]) for row in db.session.execute(stmt)]
