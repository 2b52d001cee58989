"""The public register: anyone may search recordations and verify one by its number.

It reads only the `recordations` table's own public columns (never an application's content),
so nothing confidential can leak through it: infringers, traders, prices, documents and
contacts are not in that table. Every status is found (active, expired, lapsed, cancelled,
revoked), as GACC's and CBP's published searches do.

Search: the query, folded like the stored keys (models.recordations.search_key), is a prefix
of the recordation number, the right's number, its title (the mark) or the holder's name in
either script. Results are in the order of the text that matched, then id: each key's rows
are read in its own index (key, id) from the cursor on, at most a page and one per key, and
merged — so a page costs the same whether the prefix matches ten rows or a million, on the
first page and the thousandth, on SQLite and PostgreSQL. An empty query finds nothing.
"""

from __future__ import annotations

import base64
import binascii
import json

from sqlalchemy import select, tuple_

from ipr_apps.db import db
from ipr_apps.models import Recordation
from ipr_apps.models.recordations import SEARCH_KEYS, search_key
from ipr_apps.pagination import Page, encode_cursor, require_cursor

MAX_QUERY_LENGTH = 100
PAGE_SIZE = 25
BEYOND = "\U0010ffff"  # the highest code point: key < prefix + BEYOND ⇔ key starts with prefix
PUBLIC_FIELDS = (
    "number", "status", "ipr_type", "right_number", "right_title", "holder_name",
    "holder_country", "valid_from", "valid_until",
)  # fmt: skip


def normalised_query(text: str | None) -> str | None:
    """The folded query, or None when there is nothing to search for."""
    return search_key((text or "")[:MAX_QUERY_LENGTH])


def search(
    text: str | None,
    cursor: str | None = None,
    size: int = PAGE_SIZE,
    where: tuple = (),
    strict: bool = False,
) -> Page:
    """One page of the recordations whose number, right number, title or holder name (either
    script) starts with `text`, case-insensitively, in the order of the text that matched
    (then id); a recordation that matches on several fields is listed once, at the first.
    `where`: further conditions every row must meet (the officers' search: in force, goods).
    strict: a cursor the search did not give is a ValidationError (the API), not page 1."""
    after = _decode(cursor)
    if strict:
        require_cursor(cursor, after)
    prefix = normalised_query(text)
    if prefix is None:
        return Page([], None)
    fetch = size + 1
    while True:
        candidates, bound = _candidates(prefix, after, fetch, where)
        ready = sorted(item for item in candidates if bound is None or item[:2] <= bound)
        if len(ready) > size or bound is None:
            break
        fetch *= 4  # rare: many rows matched twice; look further on every field
    items = ready[:size]
    next_cursor = _encode(items[-1][:2]) if len(ready) > size else None
    return Page([recordation for _, _, recordation in items], next_cursor)


def _candidates(prefix: str, after, fetch: int, where: tuple = ()):
    """The first `fetch` rows after `after` on each key's index, each kept only where it
    sorts first (its smallest matching key), and the position up to which the list is exact:
    the smallest last position among the keys that had more rows (None: all rows seen)."""
    candidates: dict[int, tuple] = {}
    bound = None
    for key in SEARCH_KEYS:
        column = getattr(Recordation, key)
        stmt = select(Recordation).where(column >= prefix, column < prefix + BEYOND, *where)
        if after is not None:
            stmt = stmt.where(tuple_(column, Recordation.id) > tuple_(*after))
        rows = (
            db.session.execute(stmt.order_by(column, Recordation.id).limit(fetch)).scalars().all()
        )
        for recordation in rows:
            position = _position(recordation, prefix)
            if position == (getattr(recordation, key), recordation.id):
                candidates[recordation.id] = (*position, recordation)
        if len(rows) == fetch:
            last = (getattr(rows[-1], key), rows[-1].id)
            bound = last if bound is None else min(bound, last)
    return list(candidates.values()), bound


def _position(recordation: Recordation, prefix: str) -> tuple[str, int]:
    """Where a recordation sorts: its smallest key that starts with the prefix, then its id."""
    keys = (getattr(recordation, key) for key in SEARCH_KEYS)
    return min(k for k in keys if k is not None and k.startswith(prefix)), recordation.id


def _encode(position: tuple[str, int]) -> str:
    return encode_cursor(list(position))


def _decode(cursor: str | None) -> tuple[str, int] | None:
    """A cursor's position, or None (the first page) for a missing or malformed one."""
    if not cursor:
        return None
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        return None
    valid = (
        isinstance(raw, list) and len(raw) == 2 and isinstance(raw[0], str)
        and isinstance(raw[1], int) and not isinstance(raw[1], bool) and 0 <= raw[1] < 2**63
    )  # fmt: skip
    return (raw[0], raw[1]) if valid else None


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
