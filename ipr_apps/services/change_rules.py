"""What a renewal or an amendment may change in the recorded facts, and what submitting one
needs beyond completeness. Every path that writes content (web form, API, CLI) goes through
`check_payload`; `submit_problems` runs inside filing.submit."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from ipr_apps.errors import ValidationError
from ipr_apps.i18n import format_day
from ipr_apps.models import Application, Kind, RecordationStatus
from ipr_apps.services import fact_diff
from ipr_apps.services.content import DATE_FIELDS, HOLDER_FIELDS, RIGHT_FIELDS, clean
from ipr_apps.services.recordations import in_renewal_window, renewal_opens, renewed_until

# Who the holder is stays as recorded: a different holder is a new recordation.
HOLDER_IDENTITY = ("name_local", "name_en", "country", "registration_number",
                   "legal_representative")  # fmt: skip
HOLDER_CONTACT = tuple(f for f in HOLDER_FIELDS if f not in HOLDER_IDENTITY)


def locked_fields(application: Application) -> dict[str, tuple[str, ...]]:
    """Per form group, the fields this application may not change (empty for a new one).

    Both kinds keep the holder's identity and the right itself; a renewal may bring the
    right's dates up to date (a renewed trademark's new expiry date)."""
    if application.kind == Kind.NEW:
        return {}
    right = RIGHT_FIELDS[application.ipr_type]
    if application.kind == Kind.RENEWAL:
        right = tuple(f for f in right if f not in DATE_FIELDS)
    return {"holder": HOLDER_IDENTITY, "right": right}


def recorded_value(application: Application, group: str, field: str):
    """The value the recorded facts hold for a locked field."""
    facts = application.recordation.facts_application
    if group == "holder":
        return getattr(facts, f"holder_{field}")
    return getattr(facts.right, field) if facts.right else None


def check_payload(application: Application, payload: dict) -> None:
    """Refuse a payload that changes a locked field (a field left out changes nothing)."""
    changed: dict[str, list[str]] = {}
    for group, fields in locked_fields(application).items():
        values = payload.get(group) or {}
        for field in fields:
            if field in values and _differs(field, values[field], application, group):
                changed[f"{group}-{field}"] = [_locked_message(application, group)]
    if changed:
        raise ValidationError(_locked_message(application, None), changed)


def _differs(field: str, value, application: Application, group: str) -> bool:
    if field == "nice_classes" and isinstance(value, list | tuple):
        value = ",".join(str(v) for v in value)
    try:
        new = clean(field, value)
    except ValueError:
        return True
    old = recorded_value(application, group, field)
    return fact_diff.normalise(field, new) != fact_diff.normalise(field, old)


def _locked_message(application: Application, group: str | None) -> str:
    if group == "holder":
        return _("The holder's identity is recorded and cannot be changed by this application.")
    if group == "right":
        if application.kind == Kind.RENEWAL:
            return _("A renewal may update the right's dates only; the right stays as recorded.")
        return _("An amendment cannot change the recorded right.")
    return _(
        "This application tries to change facts that stay as recorded: the holder's identity "
        "and the right. File a new application for a different holder or right."
    )


def submit_problems(application: Application, day: date) -> dict[str, list[str]]:
    """Why a renewal or amendment cannot be submitted now (empty when it can)."""
    if application.kind == Kind.NEW:
        return {}
    recordation = application.recordation
    if recordation.status != RecordationStatus.ACTIVE:
        state = recordation.status.label.lower()
        return {
            "recordation": [
                _("The recordation is %(state)s: it can no longer be changed.", state=state)
            ]
        }
    if application.kind == Kind.RENEWAL:
        return _renewal_problems(application, day)
    if fact_diff.compare(application).empty:
        return {
            "changes": [_("Nothing to change: the amendment is the same as the recorded facts.")]
        }
    return {}


def _renewal_problems(application: Application, day: date) -> dict[str, list[str]]:
    recordation = application.recordation
    until = recordation.valid_until
    # The window matters when the renewal is filed; answering an information request later
    # is no new filing.
    closed = window_problem(until, day)
    if application.first_submitted_at is None and closed:
        return {"recordation": [closed]}
    expiry = application.right.expiry_date if application.right else None
    if expiry is not None and renewed_until(until, expiry) <= until:
        return {
            "right-expiry_date": [
                _(
                    "The right expires on %(expiry)s, so a renewal would not extend the "
                    "recordation beyond %(until)s. Enter the right's new expiry date if it has "
                    "been renewed.",
                    expiry=format_day(expiry),
                    until=format_day(until),
                )
            ]
        }
    return {}


def window_problem(valid_until: date, day: date) -> str | None:
    """Why a renewal cannot be filed on `day` (None inside the window)."""
    if in_renewal_window(valid_until, day):
        return None
    opens = renewal_opens(valid_until)
    if day < opens:
        return _(
            "A renewal can be filed from %(day)s, 6 months before the recordation ends.",
            day=format_day(opens),
        )
    return _(
        "The renewal window closed on %(day)s, when the recordation ended.",
        day=format_day(valid_until),
    )


def renewal_outcome(application: Application) -> tuple[date, date] | None:
    """(valid until now, valid until if this renewal is approved now); None for other kinds."""
    if application.kind != Kind.RENEWAL:
        return None
    until = application.recordation.valid_until
    expiry = application.right.expiry_date if application.right else None
    return until, renewed_until(until, expiry)


def check_mark_image(application: Application) -> None:
    """The mark is the right: a renewal or amendment keeps the recorded mark image."""
    if application.kind != Kind.NEW:
        raise ValidationError.on(
            "file", _("The mark image is part of the recorded right and cannot be replaced here.")
        )
