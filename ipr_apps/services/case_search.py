"""Finding the recordation a suspect consignment infringes, for a port officer: by the start of
the recordation's number, the right's number, its title (the mark) or the holder's name in
either script (the public register's search, services/register.py, with conditions added), and
by the start of an HS code of the recorded genuine goods ("8513" finds 851310). In force only
unless asked."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.models import Recordation, RecordationStatus, ScreeningHit
from ipr_apps.models.children import Goods
from ipr_apps.models.recordations import search_key
from ipr_apps.pagination import Page, keyset_page
from ipr_apps.screening.normalise import hs_digits
from ipr_apps.services import register

MAX_QUERY_LENGTH = register.MAX_QUERY_LENGTH


@dataclass(frozen=True)
class Search:
    text: str | None = None  # folded by search_key
    hs_code: str | None = None  # digits only
    include_ended: bool = False

    @classmethod
    def parse(cls, text: str | None, hs_code: str | None, include_ended: bool) -> Search:
        digits = "".join((hs_code or "").replace(".", "").split())[:10]
        return cls(
            text=search_key((text or "")[:MAX_QUERY_LENGTH]),
            hs_code=digits or None,
            include_ended=include_ended,
        )

    @property
    def empty(self) -> bool:
        return self.text is None and self.hs_code is None

    @property
    def hs_code_valid(self) -> bool:
        return self.hs_code is None or (self.hs_code.isdigit() and len(self.hs_code) >= 2)


def find(search: Search, cursor: str | None, size: int) -> Page:
    """One page of the recordations matching every part of `search` (nothing for none): with
    text, in the order of the text that matched, as the register lists them (each search
    key's index read from the prefix on); by HS code alone, newest recordation first."""
    if search.empty or not search.hs_code_valid:
        return Page([], None)
    where = []
    if search.hs_code is not None:
        where.append(Recordation.facts_application_id.in_(_goods_with(search.hs_code)))
    if not search.include_ended:
        where.append(Recordation.status == RecordationStatus.ACTIVE)
    if search.text is not None:
        return register.search(search.text, cursor, size, where=tuple(where))
    stmt = select(Recordation).where(*where)
    return keyset_page(stmt, [Recordation.id], cursor, size, descending=True)


def _goods_with(prefix: str):
    """The applications with a genuine good whose HS code starts with `prefix` (digits): a
    range on the indexed column (every digit string starting with the prefix sorts between it
    and its successor, in any collation), checked again with LIKE."""
    stmt = select(Goods.application_id).where(Goods.hs_code.startswith(prefix, autoescape=True))
    upper = _successor(prefix)
    stmt = stmt.where(Goods.hs_code >= prefix)
    return stmt.where(Goods.hs_code < upper) if upper else stmt


def _successor(digits: str) -> str | None:
    """The smallest digit string after every string that starts with `digits` ("8519" → "852");
    None for "99…" (nothing comes after)."""
    stripped = digits.rstrip("9")
    if not stripped:
        return None
    return stripped[:-1] + str(int(stripped[-1]) + 1)


def genuine_goods(application_ids: list[int]) -> dict[int, list[Goods]]:
    """The recorded genuine goods of each application (the recordations' facts), in form order."""
    found: dict[int, list[Goods]] = {app_id: [] for app_id in application_ids}
    if not application_ids:
        return found
    stmt = (
        select(Goods)
        .where(Goods.application_id.in_(application_ids))
        .order_by(Goods.application_id, Goods.position, Goods.id)
    )
    for goods in db.session.execute(stmt).scalars():
        found[goods.application_id].append(goods)
    return found


def prefill(recordation: Recordation) -> dict:
    """What the case form starts with: the genuine goods' name and first HS code."""
    goods = genuine_goods([recordation.facts_application_id])[recordation.facts_application_id]
    names = [g.name for g in goods if g.name]
    codes = [code for code in (case_hs_code(g.hs_code) for g in goods) if code]
    return {"goods": "; ".join(names) or None, "hs_code": codes[0] if codes else None}


def case_hs_code(code: str | None) -> str | None:
    """`code`'s digits when a case can take them (6 to 10 digits), else None: a recorded
    heading of 4 digits (9405) would only make the officer's form refuse its own value."""
    digits = hs_digits(code)
    return digits if 6 <= len(digits) <= 10 else None


def prefill_from_hit(recordation: Recordation, hit: ScreeningHit) -> dict:
    """What the case form starts with when a screening hit led to it: the declared line's
    values, the recorded genuine goods' where the line is silent."""
    data = prefill(recordation)
    declared = {
        "goods": _declared_goods(hit.description, hit.brand),
        "hs_code": case_hs_code(hit.hs_code),
        "consignor": hit.consignor, "consignee": hit.consignee,
        "country_of_origin": hit.country_of_origin, "direction": hit.direction,
        "items": _whole(hit.quantity), "value_cny": hit.declared_value,
    }  # fmt: skip
    data.update({name: value for name, value in declared.items() if value is not None})
    return data


def _declared_goods(description: str | None, brand: str | None) -> str | None:
    if description and brand and brand.casefold() not in description.casefold():
        # In the officer's language: it prefills a form the officer corrects and submits.
        return _("%(description)s (brand %(brand)s)", description=description, brand=brand)
    return description or brand


def _whole(quantity: Decimal | None) -> int | None:
    """The number of items when the declared quantity is a whole number (not 2.5 kg)."""
    if quantity is None or quantity != quantity.to_integral_value():
        return None
    return int(quantity)
