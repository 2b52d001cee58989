"""Admin view of the security log: search and page through it (routes on the admin blueprint)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import date
from decimal import Decimal
from typing import Any

from flask import current_app, render_template, request
from flask_babel import lazy_gettext as _l

from ipr_apps import i18n
from ipr_apps.admin.views import bp
from ipr_apps.forms import enum_arg
from ipr_apps.i18n import ngettext
from ipr_apps.models import Role, SecurityAction
from ipr_apps.pagination import Page
from ipr_apps.security import role_required
from ipr_apps.services import calendar, security_log
from ipr_apps.services.sessions import device_label

TEXT_MAX = 254

# The log's wording for the details it records, in one place (whole phrases with one
# placeholder each). Keys not listed here show as "key: value".
DETAIL_TEXTS = {
    "reason": _l("Reason: %(value)s"),
    "changed": _l("Changed: %(value)s"),
    "via": _l("Through: %(value)s"),
    "role": _l("Role: %(value)s"),
    "name": _l("Name: %(value)s"),
    "file": _l("File: %(value)s"),
    "format": _l("Format: %(value)s"),
    "by": _l("Grouped by: %(value)s"),
    "group_by": _l("Broken down by: %(value)s"),
    "from": _l("From: %(value)s"),
    "to": _l("To: %(value)s"),
    "limit": _l("Limit reached: %(value)s"),
    "district": _l("Customs district: %(value)s"),
    "figures": _l("Figures: %(value)s"),
}
DETAIL_VALUES = {
    "logout": _l("signed out"),
    "ended_by_user": _l("ended by the user"),
    "password_changed": _l("password changed"),
    "password_reset": _l("password reset"),
    "reset": _l("password reset"),
    "deactivated": _l("account deactivated"),
    "email_confirmed": _l("e-mail address confirmed"),
    "api": _l("the API"),
    "profile": _l("the profile page"),
    "account": _l("attempts on this account"),
    "address": _l("attempts from this address"),
    "password": _l("password"),
}
IMPORTED = _l("Imported from a file")
WORKING = _l("A working day")
# Recorded field names in the words of the forms that set them (the guarantee's, the
# district's, the account's); a name not listed here shows as recorded.
FIELD_LABELS = {
    "amount_cny": _l("Amount (CNY)"),
    "until": _l("Valid until"),
    "name_local": _l("Name (Chinese)"),
    "name_en": _l("Name (English)"),
    "role": _l("Role"),
}
LABELLED = _l("%(label)s: %(value)s")
CHANGED = _l("%(label)s: %(old)s → %(new)s")


@bp.get("/security-log")
@role_required(Role.ADMIN)
def security_log_list():
    """Admin and security actions, newest first, filtered by the query string."""
    args = request.args
    search = security_log.Search(
        action=enum_arg(SecurityAction, args.get("action")),
        actor=_text("actor"),
        target=_text("target"),
        start=calendar.parse_day(args.get("from", "")),
        end=calendar.parse_day(args.get("to", "")),
        text=_text("q"),
    )
    bad_dates = [n for n in ("from", "to") if args.get(n) and not calendar.parse_day(args[n])]
    # A reversed range is a typing slip: say so rather than swap it or answer "no entries".
    reversed_range = bool(search.start and search.end and search.start > search.end)
    size = current_app.config["PAGE_SIZE"]
    page = Page([], None) if reversed_range else security_log.page(search, args.get("cursor"), size)
    return render_template(
        "admin/security_log.html",
        page=page,
        search=search,
        bad_dates=bad_dates,
        reversed_range=reversed_range,
        actions=list(SecurityAction),
        users=security_log.accounts_of(page.items),
        describe=describe,
        device_label=device_label,
    )


def describe(detail: dict[str, Any] | None) -> list[str]:
    """An event's details as short readable phrases: a recorded change ("before" and/or
    "after" snapshots) as "field: old → new" for each field that differs, anything else
    in its own words (unknown keys as "key: value")."""
    detail = detail or {}
    phrases = []
    for key, value in detail.items():
        if key in ("before", "after") and isinstance(value, dict):
            if key == "before" or not isinstance(detail.get("before"), dict):  # once
                phrases += _changes(detail.get("before") or {}, detail.get("after") or {})
        else:
            phrases.append(_phrase(key, value))
    return phrases


def _changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """`Amount (CNY): 500000.00 → 800000.00`, "—" for a value that is not there."""
    names = [*before, *(name for name in after if name not in before)]
    return [
        str(CHANGED) % {"label": _label(name), "old": _value(before.get(name), name),
                        "new": _value(after.get(name), name)}
        for name in names
        if before.get(name) != after.get(name)
    ]  # fmt: skip


def _phrase(key: str, value: Any) -> str:
    if key == "sessions" and isinstance(value, list):
        return ngettext("%(num)s session", "%(num)s sessions", len(value))
    if key == "import" and value is True:
        return str(IMPORTED)
    if key == "working" and value is True:
        return str(WORKING)
    if key in DETAIL_TEXTS and isinstance(value, str):
        return str(DETAIL_TEXTS[key]) % {"value": _value(value)}
    return str(LABELLED) % {"label": _label(key), "value": _value(value)}


def _label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


def _value(value: Any, field: str | None = None) -> str:
    """A recorded value in the reader's words where we have them (a role: 审核人员), a
    guarantee's amount and date in the reader's formats (¥800,000.00 / 800,000.00元,
    31 Jan 2030 / 2030年1月31日); a value that does not parse shows as recorded."""
    if value is None:
        return "—"
    if field in FIELD_FORMATS and isinstance(value, str):
        parse, shown = FIELD_FORMATS[field]
        with suppress(ValueError, ArithmeticError):
            return shown(parse(value))
    if value in ROLE_CODES:
        return Role(value).label  # the one name a role has everywhere (models.users)
    return str(DETAIL_VALUES.get(value, value)) if isinstance(value, str) else str(value)


ROLE_CODES = {role.value for role in Role}
FIELD_FORMATS: dict[str, tuple[Callable[[str], Any], Callable[[Any], str]]] = {
    "amount_cny": (Decimal, lambda amount: i18n.format_money(amount, "exact")),
    "until": (date.fromisoformat, i18n.format_day),
}


def _text(name: str) -> str | None:
    return request.args.get(name, "").replace("\x00", "").strip()[:TEXT_MAX] or None
