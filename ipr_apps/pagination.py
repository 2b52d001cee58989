"""Keyset pagination: pages cost the same however deep, on indexed sort columns."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, tuple_

from ipr_apps.db import db


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
    return value


def encode_cursor(values: list[Any]) -> str:
    data = json.dumps([_encode_value(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, columns: list) -> list[Any] | None:
    """The sort values in a cursor, or None for a missing or malformed one (first page)."""
    if not cursor:
        return None
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(columns) or None in raw:
            return None
        return [_decode_value(col, value) for col, value in zip(columns, raw, strict=True)]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None


def keyset_page(
    stmt: Select, columns: list, cursor: str | None, size: int, descending: bool = False
) -> Page:
    """One page of `stmt` ordered by `columns` (ending in a unique one), after `cursor`."""
    after = decode_cursor(cursor, columns)
    if after is not None:
        key = tuple_(*columns)
        stmt = stmt.where(key < tuple_(*after) if descending else key > tuple_(*after))
    order = [c.desc() if descending else c.asc() for c in columns]
    rows = list(db.session.execute(stmt.order_by(*order).limit(size + 1)).scalars())
    items = rows[:size]
    next_cursor = None
    if len(rows) > size:
        last = items[-1]
        next_cursor = encode_cursor([getattr(last, c.key) for c in columns])
    return Page(items, next_cursor)
