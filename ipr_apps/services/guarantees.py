"""A holder's yearly general guarantee lodged with customs (amount in CNY, valid until a day):
admins record or clear it, each change written to the security log. Ex officio detentions
until that day need no bond of their own (Organisation.guarantee_covers)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import or_, select

from ipr_apps.db import db, unit_of_work
from ipr_apps.errors import NotFound, PermissionDenied, ValidationError
from ipr_apps.models import Organisation, OrgKind, Role, SecurityAction, User, today
from ipr_apps.pagination import Page, keyset_page
from ipr_apps.services import security_log

MAX_AMOUNT = Decimal("99999999999999.99")  # Numeric(16, 2)
# Digits, optionally grouped by commas in threes, then at most two decimals.
_AMOUNT = re.compile(r"(\d+|\d{1,3}(,\d{3})+)(\.\d{1,2})?")


def _require_admin(actor: User | None) -> None:
    """actor=None is the operator at the command line (or seed-demo)."""
    if actor is not None and actor.role != Role.ADMIN:
        raise PermissionDenied(_("Only administrators record general guarantees."))


def parse_amount(text: str | Decimal | None) -> Decimal:
    """A positive amount in yuan with at most two decimals, or a ValidationError."""
    raw = str(text if text is not None else "").strip()
    if not raw:
        raise ValidationError.on("amount", _("Enter the guaranteed amount in CNY."))
    if not _AMOUNT.fullmatch(raw) or not raw.isascii():
        raise ValidationError.on(
            "amount", _("Enter an amount in yuan with at most two decimals, e.g. 500000.00.")
        )
    try:
        amount = Decimal(raw.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover (the pattern admits only numbers)
        raise ValidationError.on("amount", _("Enter an amount in yuan.")) from exc
    if amount <= 0:
        raise ValidationError.on("amount", _("The amount must be more than 0."))
    if amount > MAX_AMOUNT:
        raise ValidationError.on("amount", _("The amount is too large."))
    return amount


def get_holder(organisation_id: int) -> Organisation:
    """A rights holder's organisation (agencies lodge no guarantee of their own)."""
    org = db.session.get(Organisation, organisation_id)
    if org is None or org.kind != OrgKind.HOLDER:
        raise NotFound(_("No such holder organisation."))
    return org


def holders_page(q: str | None, cursor: str | None, size: int) -> Page:
    """Holder organisations by local name, optionally those whose local or English name
    starts with `q`."""
    o = Organisation
    stmt = select(o).where(o.kind == OrgKind.HOLDER)
    if q:
        local, english = (c.startswith(q, autoescape=True) for c in (o.name_local, o.name_en))
        stmt = stmt.where(or_(local, english))
    return keyset_page(stmt, [o.name_local, o.id], cursor, size)


def set_guarantee(
    actor: User | None, organisation_id: int, amount: str | Decimal | None, until: date | None
) -> Organisation:
    _require_admin(actor)
    value = parse_amount(amount)
    if until is None:
        raise ValidationError.on("until", _("Enter the last day the guarantee is valid."))
    if until < today():
        raise ValidationError.on("until", _("That day has passed: enter a day from today on."))
    with unit_of_work():
        org = get_holder(organisation_id)
        before = _snapshot(org)
        org.general_guarantee_cny, org.general_guarantee_until = value, until
        detail = {"before": before, "after": _snapshot(org)}
        security_log.record(SecurityAction.GUARANTEE_SET, actor, org, detail)
        return org


def clear_guarantee(actor: User | None, organisation_id: int) -> Organisation:
    _require_admin(actor)
    with unit_of_work():
        org = get_holder(organisation_id)
        if org.general_guarantee_cny is None:
            message = _("%(holder)s has no general guarantee on file.", holder=org.reader_name)
            raise ValidationError(message)
        detail = {"before": _snapshot(org)}
        org.general_guarantee_cny = org.general_guarantee_until = None
        security_log.record(SecurityAction.GUARANTEE_CLEARED, actor, org, detail)
        return org


def _snapshot(org: Organisation) -> dict[str, str | None]:
    amount, until = org.general_guarantee_cny, org.general_guarantee_until
    return {
        "amount_cny": f"{Decimal(amount):.2f}" if amount is not None else None,
        "until": until.isoformat() if until else None,
    }
