"""The public register: anyone may search recordations and verify one by its number.

It reads only the `recordations` table's own public columns (never an application's content),
so nothing confidential can leak through it: infringers, traders, prices, documents and
contacts are not in that table. Every status is found (active, expired, lapsed, cancelled,
revoked), as GACC's and CBP's published searches do.

Search: the query, folded like the stored keys (models.recordations.search_key), is a prefix
of the recordation number, the right's number, its title (the mark) or the holder's name in
either script. Each column is one range on its own index (key, id); the matches' ids are
combined with UNION and paged by recordation number (keyset), so a page costs the same on the
first page and the thousandth, and no query reads the whole table. An empty query finds
nothing.
"""

from __future__ import annotations

from sqlalchemy import select, union

from ipr_apps.db import db
from ipr_apps.models import Recordation
from ipr_apps.models.recordations import SEARCH_KEYS, search_key
from ipr_apps.pagination import Page, keyset_page

MAX_QUERY_LENGTH = 100
PAGE_SIZE = 25
_BEYOND = "\U0010ffff"  # the highest code point: key < prefix + _BEYOND ⇔ key starts with prefix
PUBLIC_FIELDS = (
    "number", "status", "ipr_type", "right_number", "right_title", "holder_name",
    "holder_country", "valid_from", "valid_until",
)  # fmt: skip


def normalised_query(text: str | None) -> str | None:
    """The folded query, or None when there is nothing to search for."""
    return search_key((text or "")[:MAX_QUERY_LENGTH])


def search(text: str | None, cursor: str | None = None, size: int = PAGE_SIZE) -> Page:
    """One page of the recordations whose number, right number, title or holder name (either
    script) starts with `text`, case-insensitively, ordered by recordation number."""
    prefix = normalised_query(text)
    if prefix is None:
        return Page([], None)
    stmt = select(Recordation).where(Recordation.id.in_(_matches(prefix).scalar_subquery()))
    return keyset_page(stmt, [Recordation.number], cursor, size)


def _matches(prefix: str):
    """The ids whose keys start with `prefix`: one index range per key, combined by UNION."""
    return union(
        *(
            select(Recordation.id).where(column >= prefix, column < prefix + _BEYOND)
            for column in (getattr(Recordation, key) for key in SEARCH_KEYS)
        )
    )


def find(number: str) -> Recordation | None:
    """The recordation with this number as printed on its certificate, or else the one whose
    number differs only in case, width or spacing ("t2019-000123"); None when unknown."""
    number = (number or "").strip()
    if not number or len(number) > MAX_QUERY_LENGTH:
        return None
    exact = db.session.execute(
        select(Recordation).where(Recordation.number == number)
    ).scalar_one_or_none()
    if exact is not None:
        return exact
    similar = (
        db.session.execute(
            select(Recordation).where(Recordation.number_key == search_key(number)).limit(2)
        )
        .scalars()
        .all()
    )
    return similar[0] if len(similar) == 1 else None


def public_dict(recordation: Recordation) -> dict:
    """Exactly the public fields of the API contract."""
    return {name: getattr(recordation, name) for name in PUBLIC_FIELDS}
