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

from ipr_apps.services.stats import COLUMNS, RECORDATION_COLUMNS

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


def _pct_number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _cells(row: dict, pct) -> list:
    """The row in COLUMNS order: texts escaped, the percentage through `pct`, counts as is."""
    cells = [escape_text(row["period"]), escape_text(row["group"])]
    cells += [row[c] for c in COLUMNS[2:6]]
    return [*cells, pct(row["approved_yoy_pct"]), *(row[c] for c in RECORDATION_COLUMNS)]


def _csv_cells(row: dict) -> list:
    return _cells(row, _pct_text)


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
    """The row with its keys in COLUMNS order (added columns last) and numbers as numbers."""
    return {
        **{c: row[c] for c in COLUMNS},
        "approved_yoy_pct": _pct_number(row["approved_yoy_pct"]),
    }


def json_text(rows: Iterable[dict]) -> str:
    return json.dumps([json_value(r) for r in rows], ensure_ascii=False, indent=1) + "\n"


def write_xlsx(rows: Iterable[dict], target: BinaryIO | str) -> None:
    """One sheet, the same header and rows; numbers stored as numbers (write-only mode)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("statistics")
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(_cells(row, _pct_number))
    workbook.save(target)


def xlsx_bytes(rows: Iterable[dict]) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(rows, buffer)
    return buffer.getvalue()


def log_detail(fmt: str, by, start: date, end: date, group_by) -> dict[str, str]:
    """What an export contained, for its security-log entry."""
    detail = {"format": fmt, "by": str(by), "from": start.isoformat(), "to": end.isoformat()}
    return {**detail, "group_by": str(group_by)} if group_by else detail
