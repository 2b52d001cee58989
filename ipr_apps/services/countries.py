"""ISO 3166-1 alpha-2 country codes and their names in the reader's language (CLDR, by Babel).

Codes are what is stored and validated; names are only shown. English names are sorted
alphabetically; Chinese ones by radical and stroke count (the order of CJK code points, as
in a 部首 dictionary: CLDR data in Babel has no pinyin collation), with 中国 first.
"""

from __future__ import annotations

from functools import cache

from babel import Locale
from flask_babel import gettext as _

# CLDR territories that are not countries (regions, groupings, private-use placeholders).
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"}
# Names as the General Administration of Customs writes them, where CLDR differs.
_OVERRIDES = {"zh_Hans": {"TW": "中国台湾"}, "en": {}}


def _locale() -> str:
    from ipr_apps.i18n import locale_code

    try:
        return locale_code()
    except RuntimeError:  # outside an application (a script importing the module)
        return "en"


@cache
def _codes() -> frozenset[str]:
    names = Locale("en").territories
    return frozenset(c for c in names if len(c) == 2 and c.isalpha() and c not in _NOT_COUNTRIES)


@cache
def _names(locale: str) -> dict[str, str]:
    territories = Locale.parse(locale).territories
    names = {code: territories.get(code, code) for code in _codes()} | _OVERRIDES[locale]
    if locale == "zh_Hans":
        order = sorted(names, key=lambda c: (c != "CN", names[c]))
    else:
        order = sorted(names, key=lambda c: names[c])
    return {code: names[code] for code in order}


def countries(locale: str | None = None) -> dict[str, str]:
    """Code → name in `locale` (default: the reader's), in the locale's display order."""
    return _names(locale or _locale())


def is_country(code: str | None) -> bool:
    return bool(code) and code.upper() in _codes()


def country_name(code: str | None) -> str:
    if not code:
        return ""
    return countries().get(code.upper(), code)


def country_with_code(code: str | None) -> str:
    """The name and the code: China (CN), 中国（CN）; empty without a code."""
    if not code:
        return ""
    return _("%(country)s (%(code)s)", country=country_name(code), code=code.upper())


def country_choices(blank: str | None = None) -> list[tuple[str, str]]:
    """(code, label) pairs in the reader's language, the blank choice first."""
    blank = _("Choose a country") if blank is None else blank
    pattern = "{}（{}）" if _locale() == "zh_Hans" else "{} ({})"  # full width in Chinese
    return [
        ("", blank),
        *((code, pattern.format(name, code)) for code, name in countries().items()),
    ]
