"""Reading and checking one row of a historical-recordation CSV file (no database access)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TextIO

from ipr_apps.errors import ValidationError
from ipr_apps.models import IprType, Outcome
from ipr_apps.services.calendar import parse_day
from ipr_apps.services.countries import is_country

HEADER = (
    "reference", "ipr_type", "right_number", "right_title", "holder_name", "holder_country",
    "submitted_on", "decided_on", "decision", "recordation_number", "valid_until",
)  # fmt: skip
MAX_LENGTH = {
    "reference": 40, "right_number": 64, "right_title": 500, "holder_name": 300,
    "recordation_number": 40,
}  # fmt: skip
# Our own numbering, `{T|C|P}{year}-{sequence:06d}`; imported numbers may use any other format.
OWN_NUMBER = re.compile(r"^([TCP])(\d{4})-(\d{6})$")
_TYPE_VALUES = frozenset(t.value for t in IprType)
_TYPES = ", ".join(t.value for t in IprType)
_OUTCOMES = frozenset(o.value for o in Outcome)

Problem = tuple[str, str]  # (column, reason)


@dataclass(frozen=True, slots=True)
class ImportRow:
    """A valid row, typed; `line` is the file's physical line where the row starts."""

    line: int
    reference: str
    ipr_type: IprType
    right_number: str | None
    right_title: str
    holder_name: str
    holder_country: str
    submitted_on: date
    decided_on: date
    outcome: Outcome
    recordation_number: str | None
    valid_until: date | None


def own_number(number: str | None) -> tuple[str, int, int] | None:
    """(prefix, year, sequence) when `number` is in our own format, else None."""
    match = OWN_NUMBER.match(number or "")
    if match is None:
        return None
    return match[1], int(match[2]), int(match[3])


def read_rows(
    stream: TextIO, expected: tuple[str, ...] = HEADER
) -> Iterator[tuple[int, list[str]]]:
    """(line where the row starts, cells) for each non-blank row after a valid header."""
    reader = csv.reader(stream)
    try:
        header = next(reader, None)
        if header is None:
            raise ValidationError("The file is empty: expected the header " + ",".join(expected))
        found = [cell.strip().lstrip("\ufeff").strip() for cell in header]
        if tuple(found) != expected:
            problem = f"line 1: expected the header {','.join(expected)}, found {','.join(header)}"
            raise ValidationError("Unexpected header; nothing was imported.", {"rows": [problem]})
        start = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                yield start, cells
            start = reader.line_num + 1
    except UnicodeDecodeError as exc:
        raise ValidationError("The file is not UTF-8 text; nothing was imported.") from exc
    except csv.Error as exc:
        raise invalid([f"line {reader.line_num}: {exc}"], 1) from exc


def parse_row(line: int, cells: list[str]) -> tuple[ImportRow | None, list[Problem]]:
    """The typed row, or None and every problem found in it."""
    if len(cells) != len(HEADER):
        return None, [("", f"expected {len(HEADER)} columns, found {len(cells)}")]
    raw = dict(zip(HEADER, (cell.strip() for cell in cells), strict=True))
    problems = [p for p in (_length(raw, column) for column in MAX_LENGTH) if p]
    ipr_type = _ipr_type(raw, problems)
    problems += _holder(raw)
    submitted_on = _day(raw, "submitted_on", problems)
    decided_on = _day(raw, "decided_on", problems)
    if submitted_on and decided_on and decided_on < submitted_on:
        problems.append(("decided_on", f"{decided_on} is before submitted_on {submitted_on}"))
    outcome = _outcome(raw, problems)
    valid_until = _recordation(raw, outcome, decided_on, problems)
    if problems or not (ipr_type and outcome and submitted_on and decided_on):
        return None, problems
    row = ImportRow(
        line=line, reference=raw["reference"], ipr_type=ipr_type,
        right_number=raw["right_number"] or None, right_title=raw["right_title"],
        holder_name=raw["holder_name"], holder_country=raw["holder_country"].upper(),
        submitted_on=submitted_on, decided_on=decided_on, outcome=outcome,
        recordation_number=raw["recordation_number"] or None, valid_until=valid_until,
    )  # fmt: skip
    return row, []


def _length(raw: dict[str, str], column: str) -> Problem | None:
    if len(raw[column]) > MAX_LENGTH[column]:
        return column, f"longer than {MAX_LENGTH[column]} characters"
    if not raw[column] and column in ("reference", "right_title", "holder_name"):
        return column, "required"
    return None


def _ipr_type(raw: dict[str, str], problems: list[Problem]) -> IprType | None:
    text = raw["ipr_type"]
    if text not in _TYPE_VALUES:
        problems.append(("ipr_type", f"{text or 'an empty cell'} is not one of {_TYPES}"))
        return None
    ipr_type = IprType(text)
    if ipr_type != IprType.COPYRIGHT and not raw["right_number"]:
        problems.append(("right_number", f"required for {ipr_type.value}"))
    return ipr_type


def _holder(raw: dict[str, str]) -> list[Problem]:
    country = raw["holder_country"]
    if len(country) == 2 and is_country(country):
        return []
    return [("holder_country", f"{country or 'an empty cell'} is not an ISO 3166 country code")]


def _day(raw: dict[str, str], column: str, problems: list[Problem]) -> date | None:
    day = parse_day(raw[column])
    if not raw[column]:
        problems.append((column, "required (YYYY-MM-DD)"))
    elif day is None:
        problems.append((column, f"{raw[column]} is not a date (YYYY-MM-DD)"))
    return day


def _outcome(raw: dict[str, str], problems: list[Problem]) -> Outcome | None:
    text = raw["decision"]
    if text not in _OUTCOMES:
        problems.append(("decision", f"{text or 'an empty cell'} is not approved or rejected"))
        return None
    return Outcome(text)


def _recordation(
    raw: dict[str, str], outcome: Outcome | None, decided_on: date | None, problems: list[Problem]
) -> date | None:
    """valid_until for an approval; both recordation columns must be empty for a rejection."""
    columns = ("recordation_number", "valid_until")
    if outcome == Outcome.REJECTED:
        problems += [(c, "must be empty when the decision is rejected") for c in columns if raw[c]]
        return None
    if outcome is None:
        return None
    if not raw["recordation_number"]:
        problems.append(("recordation_number", "required when the decision is approved"))
    if not raw["valid_until"]:
        problems.append(("valid_until", "required when the decision is approved (YYYY-MM-DD)"))
        return None
    valid_until = _day(raw, "valid_until", problems)
    if valid_until and decided_on and valid_until < decided_on:
        problems.append(("valid_until", f"{valid_until} is before decided_on {decided_on}"))
    return valid_until


def describe(line: int, column: str, reason: str) -> str:
    """`line 7, column decided_on: reason` (no column for a problem with the whole line)."""
    return f"line {line}, column {column}: {reason}" if column else f"line {line}: {reason}"


def invalid(problems: list[str], bad_rows: int, more: int = 0) -> ValidationError:
    """All problems found (the first ones when there are very many); nothing was imported."""
    plural = "s" if bad_rows != 1 else ""
    message = f"{bad_rows:,} invalid row{plural}; nothing was imported."
    rows = [*problems, f"... and {more:,} more problems"] if more else problems
    return ValidationError(message, {"rows": rows})
