"""Finding the recordation a suspect consignment infringes, for a port officer: by the start of
the recordation's number, the right's number, its title (the mark) or the holder's name in
either script (folded as the public register folds them: models.recordations.search_key), and
by the start of an HS code of the recorded genuine goods ("8513" finds 851310). In force only
unless asked; newest recordation first, keyset on id."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select

from ipr_apps.db import db
from ipr_apps.models import Recordation, RecordationStatus
from ipr_apps.models.children import Goods
from ipr_apps.models.recordations import SEARCH_KEYS, search_key
from ipr_apps.pagination import Page, keyset_page

MAX_QUERY_LENGTH = 100
_BEYOND = "\U0010ffff"  # key < prefix + _BEYOND ⇔ key starts with prefix (keys sort bytewise)


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
    """One page of the recordations matching every part of `search` (nothing for none)."""
    if search.empty or not search.hs_code_valid:
        return Page([], None)
    stmt = select(Recordation)
    if search.text is not None:
        stmt = stmt.where(_text_matches(search.text))
    if search.hs_code is not None:
        stmt = stmt.where(Recordation.facts_application_id.in_(_goods_with(search.hs_code)))
    if not search.include_ended:
        stmt = stmt.where(Recordation.status == RecordationStatus.ACTIVE)
    return keyset_page(stmt, [Recordation.id], cursor, size, descending=True)


def _text_matches(prefix: str):
    columns = [getattr(Recordation, key) for key in SEARCH_KEYS]
    return or_(*(and_(c >= prefix, c < prefix + _BEYOND) for c in columns))


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
    codes = [g.hs_code for g in goods if g.hs_code]
    return {"goods": "; ".join(names) or None, "hs_code": codes[0] if codes else None}
