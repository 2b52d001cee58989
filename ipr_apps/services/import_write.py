"""Pass 2 of a recordation import: valid rows into the staging table, one short transaction
per batch, so other writers get the database's lock between batches (nothing is visible yet)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from ipr_apps.db import db
from ipr_apps.models import ImportStagingHolder, ImportStagingRow, Recordation, utcnow
from ipr_apps.models.recordations import search_key
from ipr_apps.services.import_rows import ImportRow, own_number
from ipr_apps.workdays import calendar_between, working_days_between

HolderKey = tuple[str, str]  # (name_local, country)
STAGING, STAGING_HOLDERS = ImportStagingRow.__table__, ImportStagingHolder.__table__
CLEANUP_ROWS = 5000  # staging rows deleted per (short) transaction


def midnight(day: date) -> datetime:
    return datetime.combine(day, time())


class WorkingDays:
    """`working_days_between` for any two days in [first, last], in constant time per call.

    The holiday calendar is read once; each day's running count of working days is summed
    from one-day steps of `working_days_between`, so both agree by construction.
    """

    def __init__(self, first: date, last: date) -> None:
        holidays = calendar_between(first, last)
        self.first = first
        self.running = [0]
        for offset in range((last - first).days):
            day = first + timedelta(days=offset)
            step = working_days_between(day, day + timedelta(days=1), holidays)
            self.running.append(self.running[-1] + step)

    def between(self, start: date, end: date) -> int:
        return self.running[(end - self.first).days] - self.running[(start - self.first).days]


class Stager:
    """Writes batches of valid rows under a fresh run id, each batch its own transaction."""

    def __init__(self, first_day: date, last_day: date) -> None:
        self.run_id = secrets.token_hex(16)
        self.now = utcnow()
        self.working_days = WorkingDays(first_day, last_day)
        self.holder_keys: dict[HolderKey, int] = {}
        self.staged = 0

    def write(self, rows: Sequence[ImportRow]) -> None:
        values = [self._staged(row) for row in rows]
        with db.engine.begin() as connection:
            _insert(connection, values)
        self.staged += len(values)

    def _holder_key(self, row: ImportRow) -> int:
        key = (row.holder_name, row.holder_country)
        return self.holder_keys.setdefault(key, len(self.holder_keys) + 1)

    def _staged(self, row: ImportRow) -> dict[str, Any]:
        own = own_number(row.recordation_number)
        prefix = row.ipr_type.prefix
        ours = own is not None and own[0] == prefix
        approved = row.recordation_number is not None and row.valid_until is not None
        return {
            "run_id": self.run_id, "line": row.line, "reference": row.reference,
            "ipr_type": row.ipr_type.value, "right_number": row.right_number,
            "right_title": row.right_title, "holder_key": self._holder_key(row),
            "holder_name": row.holder_name, "holder_country": row.holder_country,
            "submitted_at": midnight(row.submitted_on), "decided_on": row.decided_on,
            "decided_at": midnight(row.decided_on), "outcome": row.outcome.value,
            "working_days": self.working_days.between(row.submitted_on, row.decided_on),
            "recordation_number": row.recordation_number,
            "recordation_prefix": prefix if approved else None,
            "recordation_year": own[1] if own and ours else None,
            "recordation_sequence": own[2] if own and ours else None,
            "own_prefix": own[0] if own else None, "own_year": own[1] if own else None,
            "own_sequence": own[2] if own else None, "valid_until": row.valid_until,
            "skipped": False, "created_at": self.now, **_search_keys(row, approved),
        }  # fmt: skip


def _insert(connection: Connection, values: list[dict[str, Any]]) -> None:
    """The batch into the staging table: PostgreSQL's COPY (its fastest path, about twice
    as fast as multi-row INSERTs here), SQLite's executemany."""
    if not values or connection.dialect.name != "postgresql":
        connection.execute(insert(STAGING), values)
        return
    columns = list(values[0])
    cursor = connection.connection.dbapi_connection.cursor()
    # The table's and columns' names come from the model, never from the file.
    with cursor, cursor.copy(f"COPY {STAGING.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in values:
            copy.write_row([row[column] for column in columns])


STAGED_KEYS = {"number_key": "recordation_number", "right_number_key": "right_number",
               "right_title_key": "right_title", "holder_name_key": "holder_name"}  # fmt: skip
KEY_LENGTHS = {key: Recordation.__table__.c[key].type.length for key in STAGED_KEYS}


def _search_keys(row: ImportRow, approved: bool) -> dict[str, str | None]:
    """The search keys of the recordation an approved row becomes, and the holder name's for
    every row's application (the ORM fills them for every other write; the swap's INSERT ...
    SELECT copies these)."""
    return {
        key: search_key(getattr(row, source), KEY_LENGTHS[key])
        if approved or key == "holder_name_key"
        else None
        for key, source in STAGED_KEYS.items()
    }


def remove_run(run_id: str) -> None:
    """Delete a run's staging rows in short transactions (after its swap, or its failure)."""
    with db.engine.begin() as connection:
        connection.execute(delete(STAGING_HOLDERS).where(STAGING_HOLDERS.c.run_id == run_id))
    lines = STAGING.select().with_only_columns(STAGING.c.line).where(STAGING.c.run_id == run_id)
    while True:
        with db.engine.begin() as connection:
            batch = lines.order_by(STAGING.c.line).limit(CLEANUP_ROWS).scalar_subquery()
            stmt = delete(STAGING).where(STAGING.c.run_id == run_id, STAGING.c.line.in_(batch))
            if connection.execute(stmt).rowcount < CLEANUP_ROWS:
                return


def purge_stale_runs(before: datetime) -> int:
    """Remove the staging rows of imports started before `before` (a crashed worker's run);
    returns how many runs were removed."""
    stmt = select(STAGING.c.run_id).where(STAGING.c.created_at < before).distinct()
    with db.engine.connect() as connection:
        runs = set(connection.execute(stmt).scalars())
        holders = select(STAGING_HOLDERS.c.run_id).where(STAGING_HOLDERS.c.created_at < before)
        runs.update(connection.execute(holders.distinct()).scalars())
    for run_id in runs:
        remove_run(run_id)
    return len(runs)
