"""Walking a large set of recordations in batches, in the order of an index, for the nightly
jobs: each batch costs the same however many come before it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import ColumnElement, or_, select

from ipr_apps.db import db
from ipr_apps.models import Recordation

R = Recordation


def recordation_ids(condition: ColumnElement[bool], key: Any, size: int) -> Iterator[list[int]]:
    """The ids of the recordations matching `condition`, `size` at a time, by keyset on
    (`key`, id) — `key` being the column the condition's index ranges over after status
    (valid_until, right_expiry), so no batch sorts or skips the rows before it. The read
    transaction ends before each batch is yielded: the caller's batch is its own unit of
    work, and rows it changed so that they no longer match are not seen again."""
    after: tuple[Any, int] | None = None
    while True:
        stmt = select(key, R.id).where(condition)
        if after is not None:
            value, last_id = after
            stmt = stmt.where(key >= value, or_(key > value, R.id > last_id))
        rows = db.session.execute(stmt.order_by(key, R.id).limit(size)).all()
        db.session.rollback()
        if not rows:
            return
        yield [row[1] for row in rows]
        after = (rows[-1][0], rows[-1][1])
