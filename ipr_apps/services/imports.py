"""Importing historical recordations (decisions of the previous system) from a CSV file.

Pass 1 reads the whole file and reports every problem; pass 2 re-reads it and writes the rows
into a staging table in batches, each its own short transaction (other writers get the lock
in between, and nothing is visible yet); then one transaction copies them into the real
tables. An invalid file or a failure imports nothing. Rows whose reference is already in the
database are skipped, so importing a file twice changes nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import NamedTuple, TextIO, TypeVar

from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, IntegrityError

from ipr_apps.db import db, is_busy_error, unit_of_work
from ipr_apps.errors import ConflictError, DatabaseBusy, ValidationError
from ipr_apps.services.import_check import CheckResult, Progress, check_file
from ipr_apps.services.import_rows import ImportRow, parse_row, read_rows
from ipr_apps.services.import_swap import swap
from ipr_apps.services.import_write import Stager, remove_run

log = logging.getLogger(__name__)

BATCH_ROWS = 2000  # rows per staging transaction
BUSY_ATTEMPTS = 3  # a batch or the swap that found the database busy is tried this often
StreamOpener = Callable[[], AbstractContextManager[TextIO]]
T = TypeVar("T")


class ImportResult(NamedTuple):
    imported: int
    skipped: int  # rows whose reference was already in the database


def import_recordations(
    open_stream: StreamOpener, progress: Progress | None = None
) -> ImportResult:
    """Check the file, then import it; `open_stream()` opens it afresh for each pass.

    Raises ValidationError (with `fields["rows"]` = "line N, column C: reason" lines) when any
    row is invalid, ConflictError when the database changed under the import.
    """
    try:
        with open_stream() as stream:
            checked = check_file(stream, progress)
    finally:
        db.session.rollback()  # pass 1 only read; the swap starts a fresh transaction
    first, last = checked.first_day, checked.last_day
    if first is None or last is None or checked.present == checked.rows:
        return ImportResult(imported=0, skipped=checked.present)
    stager = Stager(first, last)
    try:
        with open_stream() as stream:
            _stage_all(stager, stream, progress)
        imported, skipped = when_free(lambda: _swap(stager.run_id))
    finally:
        _forget(stager.run_id)
    return ImportResult(imported=imported, skipped=skipped)


def _swap(run_id: str) -> tuple[int, int]:
    try:
        with unit_of_work() as session:
            return swap(session, run_id)
    except IntegrityError as exc:
        raise ConflictError(
            _(
                "A reference or recordation number was added to the database during the "
                "import; nothing was imported. Run the import again."
            )
        ) from exc


def when_free(step: Callable[[], T]) -> T:
    """Run `step`; when the database stayed busy (each try waits the busy timeout), again."""
    for attempt in range(1, BUSY_ATTEMPTS + 1):
        try:
            return step()
        except DatabaseBusy:
            if attempt == BUSY_ATTEMPTS:
                raise
            log.info("Import: database busy, trying again (attempt %d)", attempt + 1)
            time.sleep(attempt)
    raise AssertionError("unreachable")


def _forget(run_id: str) -> None:
    """The run's staging rows go (short transactions); if that fails, the nightly purge."""
    try:
        remove_run(run_id)
    except DBAPIError:
        log.warning("Import run %s: staging rows left for the nightly purge", run_id)


def _stage_all(stager: Stager, stream: TextIO, progress: Progress | None) -> None:
    batch: list[ImportRow] = []
    line = 0
    for line, cells in read_rows(stream):
        batch.append(_reparse(line, cells))
        if len(batch) >= BATCH_ROWS:
            _stage(stager, batch)
            batch = []
            if progress:
                progress("import", line)
    if batch:
        _stage(stager, batch)
    if progress:
        progress("import", line)


def _stage(stager: Stager, batch: list[ImportRow]) -> None:
    def write() -> None:
        try:
            stager.write(batch)
        except DBAPIError as exc:
            if is_busy_error(exc):
                raise DatabaseBusy() from exc
            raise

    when_free(write)


def _reparse(line: int, cells: list[str]) -> ImportRow:
    row, _problems = parse_row(line, cells)
    if row is None:
        raise ValidationError(
            _(
                "The file changed during the import (line %(line)s); nothing was imported.",
                line=line,
            )
        )
    return row


__all__ = ["CheckResult", "ImportResult", "Progress", "StreamOpener", "import_recordations"]
