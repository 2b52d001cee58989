"""How pages write dates in English (ipr_apps.i18n: "d MMM y"), for assertions on page text."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date


def en_day(value: date) -> str:
    """30 Jun 2019."""
    return format_date(value, "d MMM y", locale="en")
