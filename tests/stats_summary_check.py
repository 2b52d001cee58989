"""The statistics summary compared with a fresh count of the facts (tests and bench)."""

from __future__ import annotations

from sqlalchemy import select

from ipr_apps.services.stats_facts import TABLES


def drift(session) -> dict[str, dict]:
    """{table: {key: (summary, facts)}} for every row where the two differ (zeros ignored)."""
    found: dict[str, dict] = {}
    for model, keys, counts, facts in TABLES:
        table = model.__table__
        columns = [table.c[name] for name in (*keys, *counts)]
        stored = _non_zero(session.execute(select(*columns)), keys)
        counted = _non_zero(session.execute(facts()), keys)
        differ = {
            key: (stored.get(key), counted.get(key))
            for key in stored.keys() | counted.keys()
            if stored.get(key) != counted.get(key)
        }
        if differ:
            found[table.name] = differ
    return found


def _non_zero(result, keys) -> dict[tuple, tuple]:
    rows = {}
    for row in result:
        values = tuple(int(v) for v in row[len(keys) :])
        if any(values):
            rows[tuple(row[: len(keys)])] = values
    return rows
