"""Importing historical detention cases from a CSV file (`flask ipr import-cases`).

The contract of the recordation import (services/imports.py): all or nothing, every problem
listed as `line N, column C: reason`, rows whose case number is stored already skipped (so a
file imported twice adds nothing), and one INSERT ... SELECT that makes the rows visible at
once. A case creates no holders or applications, so one pass is enough: each valid row goes
into a TEMPORARY staging table as soon as it is checked, and an invalid file only drops it.
The temporary table belongs to the import's own connection: filling it takes no lock on the
shared tables (SQLite keeps it in a separate temp database; PostgreSQL does not log it), and
a crashed import leaves nothing behind to purge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from flask_babel import gettext as _
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    case,
    exists,
    false,
    insert,
    literal,
    null,
    select,
    true,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError

from ipr_apps.db import db, is_busy_error
from ipr_apps.errors import ConflictError, DatabaseBusy
from ipr_apps.models import CaseStatus, DetentionCase, MonthlyCases, Recordation, utcnow
from ipr_apps.services import stats_summary
from ipr_apps.services.case_rows import HEADER, CaseRow, parse_row
from ipr_apps.services.import_check import Problems, Progress, add_repeats
from ipr_apps.services.import_repeats import Repeats
from ipr_apps.services.import_rows import read_rows
from ipr_apps.services.imports import ImportResult, StreamOpener, when_free

BATCH_ROWS = 5000  # rows per INSERT into the temporary table (and per progress report)
_CASE_NUMBER = HEADER.index("case_number")

STAGING = Table(
    "import_cases_staging",
    MetaData(),
    Column("line", Integer, primary_key=True),
    Column("case_number", String(40), nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("port_code", String(20), nullable=False),
    *(Column(name, String(30), nullable=False) for name in ("channel", "direction", "mode")),
    Column("ipr_type", String(30), nullable=False),
    Column("recordation_number", String(40)),
    Column("goods", Text, nullable=False),
    Column("hs_code", String(20)),
    Column("items", Integer, nullable=False),
    Column("value_cny", Numeric(16, 2), nullable=False),
    Column("outcome", String(30)),
    prefixes=["TEMPORARY"],
)
CASES, RECORDATIONS = DetentionCase.__table__, Recordation.__table__
S, C, R = STAGING.c, CASES.c, RECORDATIONS.c


def import_cases(
    open_stream: StreamOpener,
    progress: Progress | None = None,
    before_commit: Callable[[Connection], None] | None = None,
) -> ImportResult:
    """Check and stage the file, then import it; `skipped` counts the cases already stored.

    `before_commit(connection)` runs in the transaction that inserts the cases, just before it
    commits (a job records there that its rows are saved; raising aborts the import).

    Raises ValidationError (with `fields["rows"]` = "line N, column C: reason" lines) when any
    row is invalid, ConflictError when the database changed under the import.
    """
    with _staging() as connection:
        with open_stream() as stream:
            staged = _stage_file(connection, stream, progress)
        imported = when_free(lambda: _swap(connection, before_commit)) if staged else 0
    return ImportResult(imported=imported, skipped=staged - imported)


@contextmanager
def _staging() -> Iterator[Connection]:
    """A connection of the import's own with an empty temporary staging table."""
    with db.engine.connect() as connection:
        STAGING.create(connection)
        connection.commit()
        try:
            yield connection
        finally:
            _drop(connection)


def _drop(connection: Connection) -> None:
    try:
        connection.rollback()
        STAGING.drop(connection)
        connection.commit()
    except DBAPIError:
        connection.invalidate()  # closed, not pooled: its temporary table goes with it


def _stage_file(connection: Connection, stream: TextIO, progress: Progress | None) -> int:
    """Every valid row into the staging table (until a bad one is met); every problem raised
    at the end. Returns how many rows were staged."""
    problems = Problems(HEADER)
    batch: list[dict[str, Any]] = []
    staged = line = 0
    with Repeats(("case_number",)) as repeats:
        for line, cells in read_rows(stream, HEADER):
            row, found = parse_row(line, cells)
            if len(cells) == len(HEADER):
                repeats.add(line, {"case_number": cells[_CASE_NUMBER].strip()}, bad=bool(found))
            problems.add_row(line, found)
            if problems or row is None:
                continue  # nothing of an invalid file is imported: only its problems matter
            batch.append(_staged(row))
            if len(batch) >= BATCH_ROWS:
                staged += _write(connection, batch, progress, line)
                batch = []
        add_repeats(problems, repeats)
    problems.raise_if_any()
    return staged + _write(connection, batch, progress, line)


def _write(
    connection: Connection, batch: list[dict[str, Any]], progress: Progress | None, line: int
) -> int:
    if batch:
        connection.execute(insert(STAGING), batch)
        connection.commit()
    if progress:
        progress("import", line)
    return len(batch)


def _staged(row: CaseRow) -> dict[str, Any]:
    return {
        "line": row.line, "case_number": row.case_number, "opened_on": row.opened_on,
        "port_code": row.port_code, "channel": row.channel.value,
        "direction": row.direction.value, "mode": row.mode.value,
        "ipr_type": row.ipr_type.value, "recordation_number": row.recordation_number,
        "goods": row.goods, "hs_code": row.hs_code, "items": row.items,
        "value_cny": row.value_cny, "outcome": row.outcome.value if row.outcome else None,
    }  # fmt: skip


def _swap(connection: Connection, before_commit: Callable[[Connection], None] | None) -> int:
    """One transaction: the staged cases not stored yet into `detention_cases`. Returns how
    many were inserted."""
    try:
        # SQLAlchemy keeps an INSERT's row count only when asked (psycopg's is gone after).
        options = {"preserve_rowcount": True}
        imported = connection.execute(_insert_new_cases(), execution_options=options).rowcount
        if imported:  # the INSERT bypasses the ORM flush that keeps the summary otherwise
            stats_summary.rebuild(connection, only={MonthlyCases})
        if before_commit:
            before_commit(connection)
        connection.commit()
    except IntegrityError as exc:
        connection.rollback()
        raise ConflictError(
            _(
                "A case number was added to the database during the import; nothing was "
                "imported. Run the import again."
            )
        ) from exc
    except DBAPIError as exc:
        connection.rollback()
        if is_busy_error(exc):
            raise DatabaseBusy() from exc
        raise
    return imported


def _insert_new_cases():
    """INSERT ... SELECT, linking each case to the recordation its number names, if stored
    here (and to that recordation's holder); an unknown number is kept as text only."""
    now = literal(utcnow(), DateTime)
    closed = S.outcome.is_not(None)
    columns = {
        "case_number": S.case_number, "opened_on": S.opened_on, "port_code": S.port_code,
        "channel": S.channel, "direction": S.direction, "mode": S.mode, "ipr_type": S.ipr_type,
        "status": case((closed, literal(CaseStatus.CLOSED.value)),
                       else_=literal(CaseStatus.DETAINED.value)),
        "recordation_id": R.id, "recordation_number": S.recordation_number,
        "holder_org_id": R.holder_org_id, "goods": S.goods, "hs_code": S.hs_code,
        "items": S["items"], "value_cny": S.value_cny, "outcome": S.outcome,
        # The file has no date for the outcome: the day the case was opened stands for it.
        "outcome_on": case((closed, S.opened_on), else_=null()),
        "on_general_guarantee": false(), "imported": true(),
        "created_at": now, "updated_at": now,
    }  # fmt: skip
    stored = exists().where(C.case_number == S.case_number)
    source = STAGING.outerjoin(RECORDATIONS, R.number == S.recordation_number)
    query = select(*columns.values()).select_from(source).where(~stored).order_by(S.line)
    return insert(CASES).from_select(list(columns), query)
