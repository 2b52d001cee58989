"""Column helpers shared by the models: UTC timestamps, enums stored by value, search keys."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from enum import StrEnum

import sqlalchemy as sa

_CLOCK: ContextVar[datetime | None] = ContextVar("ipr_clock", default=None)


def utcnow() -> datetime:
    """Naive UTC, the form every DateTime column stores (SQLite keeps no zone)."""
    return _CLOCK.get() or datetime.now(UTC).replace(tzinfo=None)


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Run code as if it were `moment` (naive UTC): seed-demo replays its applications'
    histories through the real services, so every date, deadline and event agrees."""
    token = _CLOCK.set(moment)
    try:
        yield
    finally:
        _CLOCK.reset(token)


def today() -> date:
    return utcnow().date()


def value_enum(enum_cls: type[StrEnum], name: str) -> sa.Enum:
    """An enum stored as its value in a VARCHAR with a CHECK constraint on both databases."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda members: [m.value for m in members],
    )


def key_type(length: int) -> sa.String:
    """A search key's column: byte order ("C") on PostgreSQL, as SQLite's default, so that a
    prefix is one index range whatever the database's own collation."""
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def search_key(text: str | None, length: int | None = None) -> str | None:
    """How searches compare text: Unicode-normalised (full-width letters and digits become
    ASCII), case-folded in every script, runs of spaces as one; None when empty."""
    if text is None:
        return None
    key = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return (key[:length] if length else key) or None
