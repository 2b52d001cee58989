"""A screening run's hits as a file to download (CSV or XLSX): one row per hit, highest score
first (in the order of the lines within a score), written by the statistics exports' writers,
so text cells a spreadsheet would run as a formula are escaped the same way. The column names
are a contract and stay as they are; the reasons are in the reader's language."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from decimal import Decimal
from typing import BinaryIO

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.models import ScreeningHit, ScreeningRun
from ipr_apps.screening.reasons import localised
from ipr_apps.services import exports

# The file's columns (a contract: never translated): the line as declared, then the hit.
LINE_COLUMNS = (
    "declaration_number", "line_number", "port", "direction", "hs_code", "description",
    "brand", "consignor", "consignee", "country_of_origin", "quantity", "declared_value",
)  # fmt: skip
COLUMNS = (*LINE_COLUMNS, "recordation_number", "score", "rules", "reasons")
NUMBERS = frozenset({"line_number", "score"})
LAYOUT = exports.Layout(COLUMNS, pcts=frozenset(), texts=frozenset(COLUMNS) - NUMBERS, sheet="hits")
# In a workbook the declared amounts are numbers (they can be summed), empty when not declared.
AMOUNTS = frozenset({"quantity", "declared_value"})
XLSX_LAYOUT = dataclasses.replace(LAYOUT, texts=LAYOUT.texts - AMOUNTS)
RULES_JOINER, REASONS_JOINER = ";", " | "
READ_CHUNK = 1000  # hits fetched at a time: a batch's file is written in constant memory


def file_name(run: ScreeningRun, fmt: str) -> str:
    return f"screening-{run.id}-hits.{fmt}"


def rows(run_id: int) -> Iterator[dict]:
    """The run's hits as the file's rows, highest score first."""
    fields = [getattr(ScreeningHit, name) for name in (*LINE_COLUMNS, "recordation_number")]
    stmt = (
        select(*fields, ScreeningHit.score, ScreeningHit.rules, ScreeningHit.reasons)
        .where(ScreeningHit.run_id == run_id)
        .order_by(ScreeningHit.score.desc(), ScreeningHit.id)
        .execution_options(yield_per=READ_CHUNK)
    )
    for hit in db.session.execute(stmt).mappings():
        yield _row(hit)


def _row(hit) -> dict:
    row = {name: _text(hit[name]) for name in LINE_COLUMNS if name not in NUMBERS}
    return {
        **row, "line_number": hit["line_number"], "recordation_number": hit["recordation_number"],
        "quantity": _amount(hit["quantity"]), "declared_value": _money(hit["declared_value"]),
        "score": hit["score"], "rules": RULES_JOINER.join(hit["rules"]),
        "reasons": REASONS_JOINER.join(localised(hit["rules"], hit["reasons"])),
    }  # fmt: skip


def _text(value: str | None) -> str:
    return value or ""


def _amount(value: Decimal | None) -> str:
    """12 rather than 12.000 (the column keeps three decimals)."""
    return "" if value is None else f"{value.normalize():f}"


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def csv_lines(run_id: int) -> Iterator[str]:
    """The CSV (with a BOM, as the statistics downloads), one line at a time."""
    return exports.csv_lines(rows(run_id), bom=True, layout=LAYOUT)


def write_csv(run_id: int, target: BinaryIO) -> None:
    for line in csv_lines(run_id):
        target.write(line.encode())


def write_xlsx(run_id: int, target: BinaryIO) -> None:
    """The same rows in one sheet; control characters (which a workbook cannot hold) dropped."""
    exports.write_xlsx(map(_for_workbook, rows(run_id)), target, XLSX_LAYOUT)


def _for_workbook(row: dict) -> dict:
    row = _without_control_characters(row)
    return {**row, **{name: float(row[name]) if row[name] else None for name in AMOUNTS}}


def _without_control_characters(row: dict) -> dict:
    return {
        key: ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value
        for key, value in row.items()
    }


WRITERS = {"csv": write_csv, "xlsx": write_xlsx}
