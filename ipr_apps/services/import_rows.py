"""Reading and checking one row of a historical-recordation CSV file (no database access)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TextIO

from flask_babel import gettext as _

from ipr_apps.errors import ValidationError
from ipr_apps.i18n import format_number, ngettext
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
            message = _(
                "The file is empty: expected the header %(header)s", header=",".join(expected)
            )
            raise ValidationError(message)
        found = [cell.strip().lstrip("\ufeff").strip() for cell in header]
        if tuple(found) != expected:
            reason = _(
                "expected the header %(expected)s, found %(found)s",
                expected=",".join(expected), found=",".join(header),
            )  # fmt: skip
            message = _("Unexpected header; nothing was imported.")
            raise ValidationError(message, {"rows": [describe(1, "", reason)]})
        start = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                yield start, cells
            start = reader.line_num + 1
    except UnicodeDecodeError as exc:
        raise ValidationError(_("The file is not UTF-8 text; nothing was imported.")) from exc
    except csv.Error as exc:
        raise invalid([describe(reader.line_num, "", str(exc))], 1) from exc


def parse_row(line: int, cells: list[str]) -> tuple[ImportRow | None, list[Problem]]:
    """The typed row, or None and every problem found in it."""
    if len(cells) != len(HEADER):
        return None, [("", columns_problem(len(HEADER), len(cells)))]
    raw = dict(zip(HEADER, (cell.strip() for cell in cells), strict=True))
    problems = [p for p in (_length(raw, column) for column in MAX_LENGTH) if p]
    ipr_type = _ipr_type(raw, problems)
    problems += _holder(raw)
    submitted_on = _day(raw, "submitted_on", problems)
    decided_on = _day(raw, "decided_on", problems)
    if submitted_on and decided_on and decided_on < submitted_on:
        problems.append(("decided_on", before(decided_on, "submitted_on", submitted_on)))
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
        return column, _("longer than %(max)s characters", max=MAX_LENGTH[column])
    if not raw[column] and column in ("reference", "right_title", "holder_name"):
        return column, _("required")
    return None


def _ipr_type(raw: dict[str, str], problems: list[Problem]) -> IprType | None:
    text = raw["ipr_type"]
    if text not in _TYPE_VALUES:
        problems.append(("ipr_type", not_one_of(text, _TYPES)))
        return None
    ipr_type = IprType(text)
    if ipr_type != IprType.COPYRIGHT and not raw["right_number"]:
        problems.append(("right_number", _("required for %(type)s", type=ipr_type.value)))
    return ipr_type


def _holder(raw: dict[str, str]) -> list[Problem]:
    country = raw["holder_country"]
    if len(country) == 2 and is_country(country):
        return []
    reason = _("%(value)s is not an ISO 3166 country code", value=cell_text(country))
    return [("holder_country", reason)]


def _day(raw: dict[str, str], column: str, problems: list[Problem]) -> date | None:
    day = parse_day(raw[column])
    if not raw[column]:
        problems.append((column, _("required (YYYY-MM-DD)")))
    elif day is None:
        problems.append((column, not_a_date(raw[column])))
    return day


def _outcome(raw: dict[str, str], problems: list[Problem]) -> Outcome | None:
    text = raw["decision"]
    if text not in _OUTCOMES:
        reason = _("%(value)s is not approved or rejected", value=cell_text(text))
        problems.append(("decision", reason))
        return None
    return Outcome(text)


def _recordation(
    raw: dict[str, str], outcome: Outcome | None, decided_on: date | None, problems: list[Problem]
) -> date | None:
    """valid_until for an approval; both recordation columns must be empty for a rejection."""
    columns = ("recordation_number", "valid_until")
    if outcome == Outcome.REJECTED:
        filled = [c for c in columns if raw[c]]
        if filled:  # worded only when needed: a translation costs more than the whole check
            problems += [(c, _("must be empty when the decision is rejected")) for c in filled]
        return None
    if outcome is None:
        return None
    if not raw["recordation_number"]:
        problems.append(("recordation_number", _("required when the decision is approved")))
    if not raw["valid_until"]:
        reason = _("required when the decision is approved (YYYY-MM-DD)")
        problems.append(("valid_until", reason))
        return None
    valid_until = _day(raw, "valid_until", problems)
    if valid_until and decided_on and valid_until < decided_on:
        problems.append(("valid_until", before(valid_until, "decided_on", decided_on)))
    return valid_until


# Reasons shared with the detention-case import (services/case_rows.py). The column names and
# the values a cell may hold are the file's contract: they stay as written in every language.


def cell_text(value: str) -> str:
    """The cell as the reason quotes it ("an empty cell" when it is empty)."""
    return value or _("an empty cell")


def not_one_of(value: str, allowed: str) -> str:
    return _("%(value)s is not one of %(allowed)s", value=cell_text(value), allowed=allowed)


def not_a_date(value: str) -> str:
    return _("%(value)s is not a date (YYYY-MM-DD)", value=value)


def before(day: date, other_column: str, other_day: date) -> str:
    """`2019-01-02 is before submitted_on 2019-02-01` (dates as written in the file)."""
    return _(
        "%(day)s is before %(column)s %(other)s", day=day, column=other_column, other=other_day
    )


def columns_problem(expected: int, found: int) -> str:
    return _("expected %(expected)s columns, found %(found)s", expected=expected, found=found)


def describe(line: int, column: str, reason: str) -> str:
    """`line 7, column decided_on: reason` (no column for a problem with the whole line)."""
    if column:
        return _("line %(line)s, column %(column)s: %(reason)s", line=line, column=column,
                 reason=reason)  # fmt: skip
    return _("line %(line)s: %(reason)s", line=line, reason=reason)


def invalid(problems: list[str], bad_rows: int, more: int = 0) -> ValidationError:
    """All problems found (the first ones when there are very many); nothing was imported."""
    message = ngettext(
        "%(count)s invalid row; nothing was imported.",
        "%(count)s invalid rows; nothing was imported.",
        bad_rows, count=format_number(bad_rows),
    )  # fmt: skip
    if more:
        more_text = ngettext(
            "... and %(count)s more problem", "... and %(count)s more problems",
            more, count=format_number(more),
        )  # fmt: skip
        problems = [*problems, more_text]
    return ValidationError(message, {"rows": problems})
