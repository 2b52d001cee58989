"""A hit's reasons in the reader's language.

The engine words each reason in English with its rule's template (`rules.Rule.reason`), and
that sentence is what a hit keeps (`ScreeningHit.reasons`, parallel to `rules`): the record of
what matched, the same for every reader. Pages, downloads and the API show it in the reader's
language: `localise` reads the values back out of the English sentence (the template tells
where they are) and words them again. A sentence it cannot read is shown as stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ipr_apps.screening import rules

# The legitimate trader's role ({role}: "the recorded legitimate {role}"), with its adjective.
ROLES = {
    "importer": _l("legitimate importer"),
    "exporter": _l("legitimate exporter"),
    "manufacturer": _l("legitimate manufacturer"),
    "licensee": _l("legitimate licensee"),
}


def _mark(v: dict[str, str]) -> str | None:
    if v["field"] == "description":
        return _("The description contains the recorded mark “%(mark)s”.", mark=v["mark"])
    if v["field"] == "brand":
        return _("The brand contains the recorded mark “%(mark)s”.", mark=v["mark"])
    return None


def _hs_code(v: dict[str, str]) -> str:
    return _(
        "The HS code %(code)s falls under the code %(recorded)s recorded for the genuine goods.",
        code=v["code"], recorded=v["recorded"],
    )  # fmt: skip


def _infringer(v: dict[str, str]) -> str | None:
    names = {"name": v["name"], "infringer": v["infringer"]}
    if v["party"] == "consignor":
        return _(
            "The consignor “%(name)s” matches the recorded infringer “%(infringer)s”.", **names
        )
    if v["party"] == "consignee":
        return _(
            "The consignee “%(name)s” matches the recorded infringer “%(infringer)s”.", **names
        )
    return None


def _unlisted_trader(_v: dict[str, str]) -> str:
    return _("Neither party is among the recorded legitimate traders and licensees.")


def _infringer_port(v: dict[str, str]) -> str:
    return _(
        "The port “%(port)s” is one the recorded infringer “%(infringer)s” uses.",
        port=v["port"], infringer=v["infringer"],
    )  # fmt: skip


def _legitimate_trader(v: dict[str, str]) -> str | None:
    role = ROLES.get(v["role"])
    if role is None:
        return None
    names = {"name": v["name"], "role": str(role), "trader": v["trader"]}
    if v["party"] == "consignor":
        return _("The consignor “%(name)s” is the recorded %(role)s “%(trader)s”.", **names)
    if v["party"] == "consignee":
        return _("The consignee “%(name)s” is the recorded %(role)s “%(trader)s”.", **names)
    return None


def _pattern(template: str) -> re.Pattern[str]:
    """The English template as a regular expression with a named group per value."""
    pieces = re.split(r"\{(\w+)\}", template)
    return re.compile(
        "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(pieces)),
        re.DOTALL,
    )


_WORDERS: dict[str, tuple[re.Pattern[str], Callable[[dict[str, str]], str | None]]] = {
    rules.MARK.name: (_pattern(rules.MARK.reason), _mark),
    rules.HS_CODE.name: (_pattern(rules.HS_CODE.reason), _hs_code),
    rules.INFRINGER.name: (_pattern(rules.INFRINGER.reason), _infringer),
    rules.UNLISTED_TRADER.name: (_pattern(rules.UNLISTED_TRADER.reason), _unlisted_trader),
    rules.INFRINGER_PORT.name: (_pattern(rules.INFRINGER_PORT.reason), _infringer_port),
    rules.LEGITIMATE_TRADER.name: (_pattern(rules.LEGITIMATE_TRADER.reason), _legitimate_trader),
}


def localise(rule: str, reason: str) -> str:
    """The stored English `reason` of `rule`, in the reader's language."""
    pattern, word = _WORDERS.get(rule, (None, None))
    match = pattern.fullmatch(reason) if pattern else None
    if match is None:
        return reason
    return word(match.groupdict()) or reason


def localised(rule_names: Iterable[str], reasons: Iterable[str]) -> list[str]:
    """A hit's reasons (parallel to its rules) in the reader's language."""
    return [localise(rule, reason) for rule, reason in zip(rule_names, reasons, strict=False)]
