"""Statistics exports: CSV (streamed), XLSX (constant memory) and JSON, from stats.rows()."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import BinaryIO

from openpyxl import Workbook

from ipr_apps.services.stats import COLUMNS

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx", "json")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def escape_text(value: str) -> str:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def _pct_text(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _csv_cells(row: dict) -> list:
    cells = [escape_text(row["period"]), escape_text(row["group"])]
    cells += [row[c] for c in COLUMNS[2:-1]]
    return [*cells, _pct_text(row["approved_yoy_pct"])]


def csv_lines(rows: Iterable[dict], bom: bool = False) -> Iterator[str]:
    """The CSV, one line at a time (header first), for streaming responses and the CLI."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    yield ("\ufeff" if bom else "") + _drain(buffer)
    for row in rows:
        writer.writerow(_csv_cells(row))
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def json_value(row: dict) -> dict:
    pct = row["approved_yoy_pct"]
    return {**row, "approved_yoy_pct": None if pct is None else float(pct)}


def json_text(rows: Iterable[dict]) -> str:
    return json.dumps([json_value(r) for r in rows], ensure_ascii=False, indent=1) + "\n"


def write_xlsx(rows: Iterable[dict], target: BinaryIO | str) -> None:
    """One sheet, the same header and rows; numbers stored as numbers (write-only mode)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("statistics")
    sheet.append(list(COLUMNS))
    for row in rows:
        pct = row["approved_yoy_pct"]
        cells = [escape_text(row["period"]), escape_text(row["group"])]
        cells += [row[c] for c in COLUMNS[2:-1]]
        sheet.append([*cells, None if pct is None else float(pct)])
    workbook.save(target)


def xlsx_bytes(rows: Iterable[dict]) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(rows, buffer)
    return buffer.getvalue()


def log_detail(fmt: str, by, start: date, end: date, group_by) -> dict[str, str]:
    """What an export contained, for its security-log entry."""
    detail = {"format": fmt, "by": str(by), "from": start.isoformat(), "to": end.isoformat()}
    return {**detail, "group_by": str(group_by)} if group_by else detail
