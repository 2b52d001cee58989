"""ISO 3166-1 alpha-2 country codes and English names, from Babel's CLDR data."""

from __future__ import annotations

from functools import cache

from babel import Locale

# CLDR territories that are not countries (regions, groupings, private-use placeholders).
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"}


@cache
def countries() -> dict[str, str]:
    names = Locale("en").territories
    codes = sorted(
        (
            code
            for code in names
            if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
        ),
        key=lambda c: names[c],
    )
    return {code: names[code] for code in codes}


def is_country(code: str | None) -> bool:
    return bool(code) and code.upper() in countries()


def country_name(code: str | None) -> str:
    if not code:
        return ""
    return countries().get(code.upper(), code)


def country_choices(blank: str = "Choose a country") -> list[tuple[str, str]]:
    """(code, label) pairs, the blank choice first."""
    return [("", blank), *((code, f"{name} ({code})") for code, name in countries().items())]
