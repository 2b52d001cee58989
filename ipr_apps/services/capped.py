"""Badge counts that stop at a cap ("999+"): a page view never counts a whole table.

Why capped counts rather than maintained counters or a cache: a badge only has to say "a
few" or "many"; counting at most CAP rows of an index range costs the same at ten thousand
and at a million rows (a fraction of a millisecond), needs no extra table that every writer
(services, imports, the generator, raw SQL repairs) would have to keep in step, and is never
stale, which a cache would be right after a reviewer claims or decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from flask_babel import gettext as _
from sqlalchemy import Select, func, literal_column, select

from ipr_apps.db import db

CAP = 1000  # counts stop here; shown as "999+"
K = TypeVar("K")


class Capped(int):
    """A count that may have stopped at the cap; prints as "999+" then (translated)."""

    capped: bool = False

    def __str__(self) -> str:
        if self.capped:
            return _("%(number)s+", number=int(self) - 1)
        return int.__str__(self)

    def __html__(self) -> str:
        return str(self)


def number(value: int, cap: int | None = None) -> Capped:
    """A count read with `column(…, cap)` as the badge shows it."""
    cap = cap or CAP
    found = Capped(value)
    found.capped = value >= cap
    return found


def counts(rows: Mapping[K, Select], cap: int | None = None) -> dict[K, Capped]:
    """Count each select's rows up to the cap, all in one statement (one scalar subquery
    each: `SELECT count(*) FROM (SELECT … LIMIT cap)`, an index range of at most cap rows)."""
    cap = cap or CAP
    if not rows:
        return {}
    columns = [column(stmt, cap) for stmt in rows.values()]
    values = db.session.execute(select(*columns)).one()
    return {key: number(value, cap) for key, value in zip(rows, values, strict=True)}


def column(stmt: Select, cap: int | None = None):
    """The capped count of the select's rows as a scalar subquery, to read in a statement
    with other values (`number()` makes the badge's figure of it)."""
    cap = cap or CAP
    # Only a constant is selected, so the range is read from the index alone.
    ones = stmt.with_only_columns(literal_column("1"), maintain_column_froms=True).limit(cap)
    return select(func.count()).select_from(ones.order_by(None).subquery()).scalar_subquery()
