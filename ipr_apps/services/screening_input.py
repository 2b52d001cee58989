"""The screening page's input: lines pasted from a spreadsheet, or a CSV/XLSX file.

Up to `screening.INLINE_LINES` lines are screened while the officer waits; a file with more
goes to the job queue (`screening_batches.start_batch`). Lines with errors are reported as
"line N, column C: reason" and nothing is screened or stored.
"""

from __future__ import annotations

import csv
import io
import logging
import zipfile
from typing import BinaryIO

from flask_babel import lazy_gettext as _l

from ipr_apps.errors import ValidationError
from ipr_apps.models import RunSource, ScreeningRun, User
from ipr_apps.screening import lines
from ipr_apps.screening.lines import Parsed
from ipr_apps.services import screening, screening_batches
from ipr_apps.services.document_files import read_at_most
from ipr_apps.services.file_checks import refuse

log = logging.getLogger(__name__)

HEAD_BYTES = 64 * 1024  # where a CSV file's NUL bytes are looked for
ZIP_MAGIC = b"PK\x03\x04"  # an XLSX workbook is a zip archive
EXTENSIONS = (".csv", ".xlsx")

# Whole sentences, shown as they are (in the language of the request that raises them).
NOT_CSV_OR_XLSX = _l("Upload a CSV or XLSX file (its name ends in .csv or .xlsx).")
NOT_XLSX = _l(
    "This file is not a readable XLSX workbook. Save it again from Excel and upload that."
)
NOT_CSV = _l("This file is not a CSV text file. Save it as CSV (UTF-8) and upload that.")
EMPTY = _l("The file is empty.")
NO_LINES = _l("Paste the lines with their header row, or upload a file.")
LINES_REJECTED = _l("Some lines could not be read: nothing was screened.")


class LinesRejected(ValidationError):
    """The lines could not all be read: `errors` ("line N, column C: reason"), `more` not listed."""

    def __init__(self, parsed: Parsed) -> None:
        super().__init__(str(LINES_REJECTED))
        self.errors, self.more = parsed.errors, parsed.more_errors


def screen_pasted(actor: User, text: str, threshold: int | None) -> ScreeningRun:
    """Lines pasted with their header row (CSV, or tab-separated cells from a spreadsheet)."""
    threshold = _check_actor(actor, threshold)
    if not text.strip():
        raise ValidationError.on("lines", str(NO_LINES))
    parsed = lines.parse_text(text, limit=screening.INLINE_LINES)
    if parsed.over_limit or parsed.error_count:
        raise LinesRejected(parsed)
    run, _ = screening.screen_lines(actor, parsed.lines, threshold, RunSource.PASTE)
    return run


def screen_upload(
    actor: User, stream: BinaryIO, filename: str, threshold: int | None
) -> ScreeningRun:
    """A CSV or XLSX file: screened now, or queued as a batch when it has more lines than
    INLINE_LINES (the run is returned either way; a batch's is still running)."""
    threshold = _check_actor(actor, threshold)
    data = _read(stream, filename)
    parsed = _parse(data, filename)
    if parsed.over_limit:
        return screening_batches.start_batch(actor, io.BytesIO(data), filename, threshold)
    if parsed.error_count:
        raise LinesRejected(parsed)
    run, _ = screening.screen_lines(actor, parsed.lines, threshold, RunSource.UPLOAD, filename)
    return run


def _check_actor(actor: User, threshold: int | None) -> int:
    screening.require_screener(actor)
    return screening.check_threshold(threshold)


def _read(stream: BinaryIO, filename: str) -> bytes:
    """The whole upload once its name and first bytes say CSV or XLSX, refused as soon as it
    passes the size limit."""
    if not filename.lower().endswith(EXTENSIONS):
        raise refuse(str(NOT_CSV_OR_XLSX))
    data = read_at_most(stream, screening_batches.max_bytes())
    if not data.strip():
        raise refuse(str(EMPTY))
    is_zip = data.startswith(ZIP_MAGIC)
    if filename.lower().endswith(".xlsx") and not is_zip:
        raise refuse(str(NOT_XLSX))
    if filename.lower().endswith(".csv") and (is_zip or b"\x00" in data[:HEAD_BYTES]):
        raise refuse(str(NOT_CSV))
    return data


def _parse(data: bytes, filename: str) -> Parsed:
    """The file's lines; a file that cannot be read as its kind is refused."""
    xlsx = filename.lower().endswith(".xlsx")
    try:
        return lines.parse_file(data, filename, limit=screening.INLINE_LINES)
    except (UnicodeDecodeError, csv.Error) as error:
        raise refuse(str(NOT_CSV)) from error
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as error:
        if not xlsx:
            raise
        # openpyxl raises many kinds on a damaged workbook; the details are for the log.
        log.info("screening upload refused: %s: %s", type(error).__name__, error)
        raise refuse(str(NOT_XLSX)) from error
