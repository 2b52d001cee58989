"""Declaration lines as officers give them: pasted text, a CSV or XLSX file, or API JSON.

Every source ends in `line_from(mapping)`, which checks one line's fields and returns a
`DeclarationLine` or raises `LineError` naming the column. Files and pasted text have a header
row naming the columns (in any order; `COLUMNS`); errors are reported as
"line N, column C: reason", as the imports report them, and nothing is screened while any line
is wrong.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ipr_apps.screening.engine import DeclarationLine

# The columns of a file of declaration lines (and the API's keys), with their longest length.
COLUMNS: dict[str, int] = {
    "declaration_number": 40,
    "line_number": 6,
    "port": 100,
    "direction": 10,
    "hs_code": 20,
    "description": 2000,
    "brand": 200,
    "consignor": 300,
    "consignee": 300,
    "country_of_origin": 2,
    "quantity": 20,
    "declared_value": 20,
}
REQUIRED = ("declaration_number", "line_number")
TOO_MANY_CELLS = _l(
    "line %(number)s: %(cells)s cells, but the first row names %(width)s columns (text with a "
    "comma must be in quotes)."
)
COUNTRY_MESSAGE = _l("Write the two-letter country code, e.g. CN.")
# An HS code as declared: 4 to 10 digits, dots and spaces between them allowed.
HS_CODE = re.compile(r"(?:\d[ .]?){3,9}\d")
DIRECTIONS = ("import", "export")
MAX_ERRORS = 50  # error lines reported; the rest are counted
LARGEST_NUMBER = Decimal("1e13")
NO_LINES = _l("There are no declaration lines under the header row.")


class LineError(ValueError):
    def __init__(self, column: str, message: str) -> None:
        message = str(message)  # a lazy constant: in the language of the moment it is raised
        super().__init__(message)
        self.column, self.message = column, message


def line_error_text(number: int, error: LineError) -> str:
    """ "line N, column C: reason" (the column's name as in the file, in every language)."""
    return _(
        "line %(number)s, column %(column)s: %(reason)s",
        number=number, column=error.column, reason=error.message,
    )  # fmt: skip


@dataclass
class Parsed:
    lines: list[DeclarationLine] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "line N, column C: reason"
    error_count: int = 0
    over_limit: bool = False  # more lines than the limit asked for: none are returned

    def add_error(self, text: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(text)

    def add_line_error(self, number: int, error: LineError) -> None:
        self.add_error(line_error_text(number, error))

    @property
    def more_errors(self) -> int:
        return self.error_count - len(self.errors)


def line_from(data: Mapping[str, Any]) -> DeclarationLine:
    """One line from its fields by column name; blank optional fields are None."""
    values = {name: _text(data.get(name), name) for name in COLUMNS}
    for name in REQUIRED:
        if values[name] is None:
            raise LineError(name, _("This column is required."))
    direction = values["direction"]
    if direction is not None:
        direction = direction.lower()
        if direction not in DIRECTIONS:
            raise LineError("direction", _("Write import or export (or leave it blank)."))
    country = values["country_of_origin"]
    if country is not None and not (country.isascii() and country.isalpha()):
        raise LineError("country_of_origin", COUNTRY_MESSAGE)
    if values["hs_code"] is not None and not HS_CODE.fullmatch(values["hs_code"]):
        raise LineError("hs_code", _("Write the HS code in digits (4 to 10), e.g. 8539.52.00."))
    return DeclarationLine(
        declaration_number=values["declaration_number"],
        line_number=_line_number(values["line_number"]),
        port=values["port"], direction=direction, hs_code=values["hs_code"],
        description=values["description"], brand=values["brand"],
        consignor=values["consignor"], consignee=values["consignee"],
        country_of_origin=country.upper() if country else None,
        quantity=_amount(values["quantity"], "quantity"),
        declared_value=_amount(values["declared_value"], "declared_value"),
    )  # fmt: skip


def _text(value: Any, column: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise LineError(column, _("Write text or a number here."))
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():  # 8518 read from a spreadsheet as 8518.0
        text = str(int(value))
    if "\x00" in text:  # a CSV cell can hold one; no database text column can
        raise LineError(column, _("Remove the NUL character (code 0) from this cell."))
    if len(text) > COLUMNS[column]:
        if column == "country_of_origin":
            raise LineError(column, COUNTRY_MESSAGE)
        raise LineError(column, _("Write at most %(most)s characters.", most=COLUMNS[column]))
    return text or None


def _line_number(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 1_000_000:
        raise LineError("line_number", _("Write a whole number from 1."))
    return int(text)


def _amount(text: str | None, column: str) -> Decimal | None:
    if text is None:
        return None
    try:
        amount = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise LineError(column, _("Write a number, e.g. 1200 or 1200.50.")) from None
    if not amount.is_finite() or amount < 0 or amount >= LARGEST_NUMBER:
        raise LineError(column, _("Write a number from 0 (no sign, no exponent)."))
    return amount


# --------------------------------------------------------------------------- rows → lines


def parse_rows(rows: Iterable[list[Any]], limit: int | None = None) -> Parsed:
    """The first row names the columns; each other row is a line (blank rows are skipped).
    More than `limit` lines is an error (nothing is returned but it)."""
    parsed = Parsed()
    for number, data in line_rows(rows, parsed):
        if limit is not None and len(parsed.lines) >= limit:
            parsed.lines.clear()
            parsed.errors, parsed.error_count, parsed.over_limit = [], 0, True
            parsed.add_error(
                _("More than %(limit)s lines: screen them as a batch file.", limit=f"{limit:,}")
            )
            return parsed
        try:
            parsed.lines.append(line_from(data))
        except LineError as error:
            parsed.add_line_error(number, error)
    if not parsed.lines and not parsed.error_count:
        parsed.add_error(str(NO_LINES))
    return parsed


def line_rows(rows: Iterable[list[Any]], parsed: Parsed) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, its cells by column name) for each non-blank row under the header, one at
    a time (a batch file is read so); a header without the required columns is an error in
    `parsed`, and then there are no rows."""
    iterator = iter(rows)
    first = next(iterator, None)
    header = _header(first, parsed)
    if header is None:
        return
    width = len(first or ())
    for number, row in enumerate(iterator, start=2):
        if any(cell not in (None, "") for cell in row[width:]):
            cells = len(row) - sum(1 for _ in itertools.takewhile(_blank, reversed(row)))
            parsed.add_error(
                str(TOO_MANY_CELLS) % {"number": number, "cells": cells, "width": width}
            )
        elif any(cell not in (None, "") for cell in row):
            yield number, {name: row[i] if i < len(row) else None for name, i in header.items()}


def _blank(cell: Any) -> bool:
    return cell in (None, "")


def _header(row: list[Any] | None, parsed: Parsed) -> dict[str, int] | None:
    """The column of each name in the first row; an error in `parsed` (and None) for a
    missing required column, a name that is not a column (a typo would lose its values) or
    a name given twice."""
    names = [str(cell or "").strip().lower().replace(" ", "_") for cell in row or []]
    positions = {name: i for i, name in reversed(list(enumerate(names))) if name in COLUMNS}
    unknown = [name for name in names if name and name not in COLUMNS]
    twice = sorted({name for name in names if name in COLUMNS and names.count(name) > 1})
    missing = [name for name in REQUIRED if name not in positions]
    problems = [
        *([_("missing: %(names)s", names=", ".join(missing))] if missing else []),
        *([_("not columns: %(names)s", names=", ".join(unknown))] if unknown else []),
        *([_("named twice: %(names)s", names=", ".join(twice))] if twice else []),
    ]
    if problems:
        parsed.add_error(
            _(
                "line 1: the first row must name the columns; %(problems)s. The columns are: "
                "%(columns)s.",
                problems="; ".join(problems), columns=", ".join(COLUMNS),
            )
        )  # fmt: skip
        return None
    return positions


# --------------------------------------------------------------------------- sources


def csv_rows(text: str) -> Iterator[list[str]]:
    """Rows of CSV text, or of tab-separated text (cells copied from a spreadsheet)."""
    return csv_stream_rows(io.StringIO(text, newline=""))


def csv_stream_rows(handle: TextIO) -> Iterator[list[str]]:
    """Rows of CSV or tab-separated text read line by line from `handle` (a file opened with
    newline=""): the first line tells which."""
    first = handle.readline()
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    return csv.reader(itertools.chain([first], handle), delimiter=delimiter)


def decode(data: bytes) -> str:
    """UTF-8 (with or without a BOM), else GB18030 (Excel's "CSV" on a Chinese Windows)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def xlsx_rows(source: BinaryIO | Path) -> Iterator[list[Any]]:
    """Rows of the first sheet of an XLSX workbook."""
    from openpyxl import load_workbook

    workbook = load_workbook(source, read_only=True, data_only=True)
    try:
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


def parse_text(text: str, limit: int | None = None) -> Parsed:
    return parse_rows(csv_rows(text), limit)


def parse_file(data: bytes, filename: str, limit: int | None = None) -> Parsed:
    """A CSV or XLSX file's lines, by its name's ending (the upload check has looked at the
    content already)."""
    if filename.lower().endswith(".xlsx"):
        return parse_rows(xlsx_rows(io.BytesIO(data)), limit)
    return parse_text(decode(data), limit)
