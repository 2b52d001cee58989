"""Keyset pagination: pages cost the same however deep, on indexed sort columns."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, or_, select, tuple_, union

from ipr_apps.db import db
from ipr_apps.errors import ValidationError


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def _encode_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _decode_value(column, raw: Any) -> Any:
    kind = column.type.python_type
    if kind is datetime:
        return datetime.fromisoformat(raw)
    if kind is date:
        return date.fromisoformat(raw)
    value = kind(raw)
    if kind is int and not -(2**63) < value < 2**63:
        raise ValueError("cursor value out of range")
    if kind is str and "\x00" in value:  # PostgreSQL refuses NUL in text: a forged cursor
        raise ValueError("cursor value with a NUL character")
    return value


def encode_cursor(values: list[Any]) -> str:
    data = json.dumps([_encode_value(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, columns: list, nulls_last: bool = False) -> list[Any] | None:
    """The sort values in a cursor, or None for a missing or malformed one (first page).

    With nulls_last the first sort column may hold None (the page ended among the NULLs).
    """
    if not cursor:
        return None
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(columns):
            return None
        if None in (raw[1:] if nulls_last else raw):
            return None
        return [
            None if value is None else _decode_value(col, value)
            for col, value in zip(columns, raw, strict=True)
        ]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, RecursionError):
        return None


def require_cursor(cursor: str | None, decoded: Any) -> None:
    """An API client's damaged cursor is an error: read as the first page, its next page would
    be page 1 again."""
    if cursor and decoded is None:
        message = _(
            "This cursor is not one this list gave: send the `next` of the previous page, or "
            "no cursor for the first page."
        )
        raise ValidationError.on("cursor", message)


def keyset_page(
    stmt: Select,
    columns: list,
    cursor: str | None,
    size: int,
    descending: bool = False,
    nulls_last: bool = False,
    branches: Sequence[ColumnElement[bool]] = (),
    strict: bool = False,
) -> Page:
    """One page of `stmt` ordered by `columns` (ending in a unique one), after `cursor`.

    nulls_last: the first column may be NULL (e.g. "last sign-in"); those rows come last.
    branches: the rows are those of `stmt` meeting any of these conditions, each of which an
    index serves in the page's order (an agency's list: its own filings, each holder's).
    strict: a cursor this list did not give is a ValidationError (the API), not page 1 (pages).
    """
    after = decode_cursor(cursor, columns, nulls_last)
    if strict:
        require_cursor(cursor, after)
    if after is not None:
        stmt = stmt.where(_after(columns, after, descending, nulls_last))
    order = _order(columns, descending, nulls_last)
    if branches:
        stmt = _merged(stmt, branches, columns, _order_of(descending, nulls_last), size + 1)
    rows = list(db.session.execute(stmt.order_by(*order).limit(size + 1)).scalars())
    items = rows[:size]
    next_cursor = None
    if len(rows) > size:
        last = items[-1]
        next_cursor = encode_cursor([getattr(last, c.key) for c in columns])
    return Page(items, next_cursor)


def _order(columns: list, descending: bool, nulls_last: bool) -> list:
    order = [c.desc() if descending else c.asc() for c in columns]
    return [columns[0].is_(None), *order] if nulls_last else order


def _order_of(descending: bool, nulls_last: bool):
    return lambda columns: _order(columns, descending, nulls_last)


def _merged(stmt: Select, branches: Sequence, columns: list, order_of, limit: int) -> Select:
    """Each branch's own first `limit` rows (a range of its index, in the page's order), the
    first `limit` of their union, then the page's rows by key: an OR of conditions on
    different columns made the database walk the sort column's index and filter every row,
    a cost that grows with the table; this one grows with the number of branches."""
    if len(branches) == 1:
        return stmt.where(branches[0])
    parts = [stmt.where(branch).with_only_columns(*columns).order_by(*order_of(columns))
             .limit(limit).subquery().select() for branch in branches]  # fmt: skip
    merged = union(*parts).subquery()  # a row in two branches (its agency, its holder): once
    keys = [merged.c[column.key] for column in columns]
    first = select(keys[-1]).order_by(*order_of(keys)).limit(limit)
    return stmt.where(columns[-1].in_(first))


def _after(columns: list, after: list, descending: bool, nulls_last: bool):
    def beyond(cols, values):
        key, value = tuple_(*cols), tuple_(*values)
        return key < value if descending else key > value

    if not nulls_last:
        return beyond(columns, after)
    first = columns[0]
    if after[0] is None:  # among the NULLs: order by the remaining columns
        return and_(first.is_(None), beyond(columns[1:], after[1:]))
    return or_(beyond(columns, after), first.is_(None))


@dataclass(frozen=True)
class Sort:
    """A list's sort order from the URL: `sort=created` (ascending) or `sort=-created`."""

    key: str
    descending: bool

    @property
    def param(self) -> str:
        return f"-{self.key}" if self.descending else self.key

    @classmethod
    def parse(cls, raw: str | None, allowed, default: str) -> Sort:
        raw = raw or default
        if raw.lstrip("-") not in allowed:
            raw = default
        return cls(raw.lstrip("-"), raw.startswith("-"))
