"""Statistics exports: CSV (streamed), XLSX (constant memory) and JSON, from stats.rows()."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook

from ipr_apps.i18n import in_language
from ipr_apps.services import enforcement
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


TEXTS = ("period", "group")


@dataclass(frozen=True)
class Layout:
    """An export's columns in order: `texts` are text (formula-escaped in CSV and XLSX; the
    statistics' `period` and `group`), `pcts` are percentages (one decimal, empty or null when
    None), `money` amounts (two decimals in CSV), every other column a count. `sheet` names
    the XLSX sheet."""

    columns: tuple[str, ...]
    pcts: frozenset[str]
    money: frozenset[str] = frozenset()
    texts: frozenset[str] = frozenset(TEXTS)
    sheet: str = "statistics"


APPROVALS = Layout(COLUMNS, frozenset({"approved_yoy_pct"}))
# What each column holds, for the optional second header row of an XLSX (`--labels zh`); the
# first row, the column names, is the contract and never changes.
COLUMN_LABELS = {
    "period": _l("Period"),
    "group": _l("Group"),
    "received": _l("Received"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "approved_prev_year": _l("Approved a year earlier"),
    "approved_yoy_pct": _l("Year on year (%)"),
    "in_force_at_end": _l("Recordations in force at the end"),
    "renewals_approved": _l("Renewals approved"),
    "expiries": _l("Expiries"),
    "batches": _l("Batches"),
    "items": _l("Items"),
    "value_cny": _l("Value (CNY)"),
    "batches_prev_year": _l("Batches a year earlier"),
    "items_prev_year": _l("Items a year earlier"),
    "value_cny_prev_year": _l("Value a year earlier (CNY)"),
    "batches_yoy_pct": _l("Batches year on year (%)"),
    "items_yoy_pct": _l("Items year on year (%)"),
    "value_cny_yoy_pct": _l("Value year on year (%)"),
}
# --labels: the language of that row
LABEL_LANGUAGES = {"zh": "zh_Hans", "en": "en"}
ENFORCEMENT = Layout(
    enforcement.COLUMNS, frozenset(enforcement.PERCENTAGES), frozenset(enforcement.MONEY)
)


def _pct_text(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _pct_number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _money_text(value: Decimal) -> str:
    return f"{value:.2f}"


def _cells(row: dict, layout: Layout, pct, money, text=escape_text) -> list:
    """The row in the layout's order: texts through `text`, percentages through `pct`,
    amounts through `money`, counts as they are."""
    return [
        text(row[c]) if c in layout.texts
        else pct(row[c]) if c in layout.pcts
        else money(row[c]) if c in layout.money
        else row[c]
        for c in layout.columns
    ]  # fmt: skip


def csv_lines(rows: Iterable[dict], bom: bool = False, layout: Layout = APPROVALS) -> Iterator[str]:
    """The CSV, one line at a time (header first), for streaming responses and the CLI."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(layout.columns)
    yield ("\ufeff" if bom else "") + _drain(buffer)
    for row in rows:
        writer.writerow(_cells(row, layout, _pct_text, _money_text))
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def json_value(row: dict, layout: Layout = APPROVALS) -> dict:
    """The row with its keys in the layout's order and numbers as numbers (texts as is)."""
    cells = _cells(row, layout, _pct_number, float, text=str)
    return dict(zip(layout.columns, cells, strict=True))


def json_text(rows: Iterable[dict], layout: Layout = APPROVALS) -> str:
    return json.dumps([json_value(r, layout) for r in rows], ensure_ascii=False, indent=1) + "\n"


def column_labels(layout: Layout, language: str) -> list[str]:
    """The layout's column labels in `language` (a key of LABEL_LANGUAGES)."""
    with in_language(LABEL_LANGUAGES[language]):
        return [str(COLUMN_LABELS[c]) for c in layout.columns]


def write_xlsx(
    rows: Iterable[dict], target: BinaryIO | str, layout: Layout = APPROVALS,
    labels: str | None = None,
) -> None:  # fmt: skip
    """One sheet, the same header and rows; numbers stored as numbers (write-only mode).
    `labels` ("zh", "en") adds a second header row naming the columns in that language."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(layout.sheet)
    sheet.append(list(layout.columns))
    if labels:
        sheet.append(column_labels(layout, labels))
    for row in rows:
        sheet.append(_cells(row, layout, _pct_number, float))
    workbook.save(target)


def xlsx_bytes(rows: Iterable[dict], layout: Layout = APPROVALS) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(rows, buffer, layout)
    return buffer.getvalue()


def log_detail(
    fmt: str, by, start: date, end: date, group_by, figures: str | None = None
) -> dict[str, str]:
    """What an export contained, for its security-log entry (`figures`: which statistics,
    when not the approval statistics)."""
    detail = {"format": fmt, "by": str(by), "from": start.isoformat(), "to": end.isoformat()}
    detail = {**detail, "figures": figures} if figures else detail
    return {**detail, "group_by": str(group_by)} if group_by else detail
