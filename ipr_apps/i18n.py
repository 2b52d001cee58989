"""Languages: which one a request is answered in, and locale-aware dates, numbers and money.

Simplified Chinese (`zh_Hans`) and English (`en`). The reader's language is, in order: the
signed-in user's saved preference, the `locale` cookie the navbar switch sets, the browser's
`Accept-Language`, the instance default (`DEFAULT_LOCALE`, `IPR_DEFAULT_LOCALE`). The API
answers in `Accept-Language`, else the default. Export column names, JSON keys and error
codes are contracts and are never translated.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel.numbers import format_decimal
from babel.support import NullTranslations
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import force_locale, get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup, escape

LOCALES = ("zh_Hans", "en")
COOKIE = "locale"
COOKIE_MAX_AGE = 365 * 24 * 3600
# What each language calls itself, for the switch (never translated).
NAMES = {"zh_Hans": "中文", "en": "English"}
# BCP 47 tags for <html lang> and Content-Language.
HTML_LANG = {"zh_Hans": "zh-Hans", "en": "en"}
_DATE = {"zh_Hans": "y年M月d日", "en": "d MMM y"}
_DATETIME = {"zh_Hans": "y年M月d日 HH:mm", "en": "d MMM y, HH:mm"}
_MONTH = {"zh_Hans": "y年M月", "en": "MMMM y"}
_YEAR = {"zh_Hans": "y年", "en": "y"}


def init_app(app: Flask) -> None:
    from ipr_apps.extensions import babel

    app.config["DEFAULT_LOCALE"] = known(app.config["DEFAULT_LOCALE"]) or "zh_Hans"
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["DEFAULT_LOCALE"]
    babel.init_app(app, locale_selector=select_locale)
    # The templates' gettext through the cached catalogue (flask_babel's own callables look it
    # up afresh for each of a page's few hundred strings); newstyle: escaping and %(name)s.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _current()[2].ugettext(s),
        ngettext=lambda s, p, n: _current()[2].ungettext(s, p, n),
        pgettext=lambda c, s: _current()[2].upgettext(c, s),
        npgettext=lambda c, s, p, n: _current()[2].unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals["ngettext"] = _counted_ngettext  # the count as 1,926, not 1926
    app.jinja_env.policies["ext.i18n.trimmed"] = True  # {% trans %} blocks as one line
    app.jinja_env.filters.update(
        date=format_day, datetime=format_moment, number=format_number, money=format_money,
        pct=format_pct, two_names=two_names, ref=reference, refs=references_in,
        quantity=format_quantity,
        month=format_month, lang_of=lang_of,
    )  # fmt: skip
    app.jinja_env.globals["locale_code"] = locale_code  # also in macros imported without context
    app.context_processor(_template_globals)


def _template_globals() -> dict:
    return {"locale_code": locale_code, "LOCALE_NAMES": NAMES, "HTML_LANG": HTML_LANG,
            "html_lang": lambda: HTML_LANG[locale_code()]}  # fmt: skip


def known(code: str | None) -> str | None:
    """The supported locale a code stands for (zh, zh-CN, zh_Hans, zh-TW → zh_Hans), or None."""
    code = (code or "").strip().replace("-", "_").lower()
    if not re.fullmatch(r"[a-z]{2,3}(_[a-z0-9]{1,8})*", code):
        return None
    if code == "zh" or code.startswith("zh_"):
        return "zh_Hans"
    if code == "en" or code.startswith("en_"):
        return "en"
    return None


def from_accept_language() -> str | None:
    for tag, _quality in request.accept_languages:  # best first
        locale = known(tag)
        if locale:
            return locale
    return None


def select_locale() -> str:
    default = current_app.config["DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    from ipr_apps.api.errors import is_api_request

    if is_api_request() and request.blueprint != "api_docs":  # the reference is a page
        return from_accept_language() or default
    saved = getattr(current_user, "locale", None) if current_user else None
    return known(saved) or known(request.cookies.get(COOKIE)) or from_accept_language() or default


def locale_code() -> str:
    """The current request's language as one of LOCALES."""
    return _current()[1]


def _current() -> tuple[Locale | None, str, NullTranslations]:
    """The locale in force, its code and its catalogue, worked out once per locale: a page
    asks a few hundred times. Keyed by the locale object, so `force_locale` (an e-mail in
    its recipient's language) and a language switch are seen at once."""
    locale = get_locale()
    cached = g.get("_i18n_current")
    if cached is None or cached[0] is not locale:
        code = known(str(locale or "")) or current_app.config["DEFAULT_LOCALE"]
        cached = g._i18n_current = (locale, code, get_translations())
    return cached


@pass_context
def _counted_ngettext(context, singular: str, plural: str, num: int, /, **variables) -> str:
    """Jinja's newstyle ngettext (a {% trans count=… %} block), with the count formatted for
    the locale like every other number on the page: "1,926 working days overdue". Only the
    count (`count`, or `num` when the block names none): a year beside it stays 2019. A
    message written with `%(num)d` gets it formatted too."""
    variables.setdefault("num", num)
    text = _with_counts(_current()[2].ungettext(singular, plural, num), variables)
    if context.eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704  (the catalogue's message, as Jinja's own ngettext)
    return text % variables


def ngettext(singular: str, plural: str, num: int, /, **variables) -> str:
    """flask_babel's ngettext for messages worded in Python (flashes, errors), with the count
    formatted like the templates': "1,204 notifications marked as read."."""
    variables.setdefault("num", num)
    return _with_counts(_current()[2].ungettext(singular, plural, num), variables) % variables


def _with_counts(text: str, variables: dict) -> str:
    """The message, and `variables` with its counts (`count`, `num`) formatted for the locale;
    a `%(num)d` in the message takes the formatted string."""
    for name in COUNTED:
        if type(variables.get(name)) is int:
            variables[name] = format_number(variables[name])
            text = text.replace(f"%({name})d", f"%({name})s")  # ngettext('%(num)d days', …)
    return text


COUNTED = ("count", "num")


def of_user(user) -> str:
    """The language a user's e-mails and notifications are worded in: the saved choice, else
    the instance default (there is no browser to ask when a message is written)."""
    return known(getattr(user, "locale", None)) or current_app.config["DEFAULT_LOCALE"]


def in_language(locale: str | None):
    """A context in which gettext and the formatters use `locale` (e-mails to a recipient)."""
    return force_locale(known(locale) or current_app.config["DEFAULT_LOCALE"])


# -- formatting ------------------------------------------------------------------------------


def format_day(value: date | datetime | None) -> str:
    """2019年6月30日 / 30 Jun 2019 (empty for None or a missing value)."""
    if not isinstance(value, date):
        return "" if not value else str(value)
    from babel.dates import format_date

    return format_date(value, _DATE[locale_code()], locale=_babel_locale())


def format_moment(value: datetime | None) -> str:
    """2019年6月30日 14:05 / 30 Jun 2019, 14:05, in UTC as the footer says."""
    if not isinstance(value, datetime):
        return "" if not value else str(value)
    from babel.dates import format_datetime

    return format_datetime(value, _DATETIME[locale_code()], tzinfo=None, locale=_babel_locale())


def format_number(value, decimals: int | None = None) -> str:
    """5,501 in both languages; `decimals` fixes the digits after the point."""
    if value is None:
        return ""
    if decimals is not None:
        value = Decimal(value).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(value, format=pattern, locale=_babel_locale())
    return format_decimal(value, locale=_babel_locale())


def format_money(value, scale: str = "auto") -> str:
    """Yuan: ¥78.73 million / 7,873万元 for large sums; ¥1,234.50 / 1,234.50元 otherwise.

    scale="exact" always prints the full amount with two decimals.
    """
    if value is None:
        return ""
    amount = Decimal(value)
    chinese = locale_code() == "zh_Hans"
    if scale == "auto" and abs(amount) >= (10_000 if chinese else 1_000_000):
        if chinese:
            return format_number(amount / 10_000, _decimals(amount / 10_000)) + "万元"
        return "¥" + format_number(amount / 1_000_000, 2) + " million"
    exact = format_number(amount, 2)
    return exact + "元" if chinese else "¥" + exact


def _decimals(amount: Decimal) -> int:
    # 7,873万元 and 50万元, but 1.25万元: decimals only where the ten-thousands are few and
    # the sum is not round.
    if abs(amount) >= 1000 or amount == amount.to_integral_value():
        return 0
    return 2 if (amount * 10) != (amount * 10).to_integral_value() else 1


def format_quantity(value) -> str:
    """A count of goods: 23.81 million / 2,381万 for large ones (add the unit: 件, items)."""
    if value is None:
        return ""
    amount = Decimal(value)
    if locale_code() == "zh_Hans" and abs(amount) >= 10_000:
        return format_number(amount / 10_000, _decimals(amount / 10_000)) + "万"
    if locale_code() != "zh_Hans" and abs(amount) >= 1_000_000:
        return format_number(amount / 1_000_000, 2) + " million"
    return format_number(amount)


def format_month(value: date | None) -> str:
    """A month: 2019年3月 / March 2019."""
    if value is None:
        return ""
    from babel.dates import format_date

    return format_date(value, _MONTH[locale_code()], locale=_babel_locale())


def format_year(value: date | None) -> str:
    """A year on its own: 2019年 / 2019."""
    if value is None:
        return ""
    from babel.dates import format_date

    return format_date(value, _YEAR[locale_code()], locale=_babel_locale())


def format_pct(value, decimals: int = 1) -> str:
    """12.8% (the value is already a percentage)."""
    if value is None:
        return ""
    return format_number(value, decimals) + "%"


def reference(value) -> Markup:
    """A reference (T2019-000001, IPR-2026-000001) kept on one line: in Chinese text the
    browser would break it at a hyphen or next to a CJK character."""
    return Markup('<span class="ref">%s</span>') % value


# A reference inside stored or translated text: letters, maybe digits, then -digit groups
# (IPR-2026-000017, T2019-000001, D2026-5301-000005, DEMO-2018-01-00068), even right after a
# Chinese character (no \b there: both are word characters).
REFERENCE_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])[A-Z]+[0-9]*(?:-[0-9]+)+(?![0-9])")


def references_in(text) -> Markup:
    """Text (escaped) with every reference in it kept on one line (notifications, e-mails,
    help texts): the browser would otherwise break "T2017-" / "000001" at the hyphen."""
    text = "" if text is None else str(text)
    parts, last = [], 0
    for found in REFERENCE_IN_TEXT.finditer(text):
        parts += [escape(text[last : found.start()]), reference(found.group(0))]
        last = found.end()
    return Markup("").join([*parts, escape(text[last:])])


def lang_of(text: str | None) -> str:
    """The language tag of stored free text (an event's note, a reason typed by someone):
    Chinese if it has Chinese characters, else English, for its lang="…" on the page."""
    return HTML_LANG["zh_Hans"] if re.search(r"[\u3400-\u9fff]", text or "") else "en"


def two_names(local: str | None, english: str | None) -> str:
    """A name with two scripts in the reader's language first, the other in parentheses."""
    local, english = (local or "").strip(), (english or "").strip()
    if not local or not english or local == english:
        return local or english
    if locale_code() == "zh_Hans":
        return f"{local}（{english}）"  # full-width parentheses in Chinese text
    return f"{english} ({local})"


def _babel_locale() -> str:
    return "zh_Hans_CN" if locale_code() == "zh_Hans" else "en"  # en_GB says "Sept"
