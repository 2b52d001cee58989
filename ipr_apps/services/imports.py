"""Importing historical recordations (decisions of the previous system) from a CSV file.

Pass 1 reads the whole file and reports every problem; pass 2 re-reads it and inserts in
batches, all in one transaction, so an invalid file or a failure imports nothing. Rows whose
reference is already in the database are skipped, so importing a file twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import NamedTuple, TextIO

from sqlalchemy.exc import IntegrityError

from ipr_apps.db import db, unit_of_work
from ipr_apps.errors import ConflictError, ValidationError
from ipr_apps.services.import_check import CheckResult, Progress, check_file
from ipr_apps.services.import_rows import ImportRow, parse_row, read_rows
from ipr_apps.services.import_write import Writer

BATCH_ROWS = 2000  # rows per batch of inserts
StreamOpener = Callable[[], AbstractContextManager[TextIO]]


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
        db.session.rollback()  # pass 1 only read; pass 2 starts a fresh transaction
    first, last = checked.first_day, checked.last_day
    if first is None or last is None or checked.present == checked.rows:
        return ImportResult(imported=0, skipped=checked.present)
    try:
        with unit_of_work() as session, open_stream() as stream:
            writer = Writer(session, first, last)
            _write_all(writer, stream, progress)
            writer.finish()
    except IntegrityError as exc:
        raise ConflictError(
            "A reference or recordation number was added to the database during the import; "
            "nothing was imported. Run the import again."
        ) from exc
    return ImportResult(imported=writer.imported, skipped=writer.skipped)


def _write_all(writer: Writer, stream: TextIO, progress: Progress | None) -> None:
    batch: list[ImportRow] = []
    line = 0
    for line, cells in read_rows(stream):
        batch.append(_reparse(line, cells))
        if len(batch) >= BATCH_ROWS:
            writer.write(batch)
            batch = []
            if progress:
                progress("import", line)
    if batch:
        writer.write(batch)
    if progress:
        progress("import", line)


def _reparse(line: int, cells: list[str]) -> ImportRow:
    row, _problems = parse_row(line, cells)
    if row is None:
        raise ValidationError(
            f"The file changed during the import (line {line}); nothing was imported."
        )
    return row


__all__ = ["CheckResult", "ImportResult", "Progress", "StreamOpener", "import_recordations"]
