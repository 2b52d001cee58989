"""An import's first pass runs at flat memory: the values a file must not repeat are compared
on disk (services/import_repeats.py), not remembered in Python (issue 16, target 5)."""

from __future__ import annotations

import csv
import tracemalloc
from pathlib import Path

from ipr_apps.errors import ValidationError
from ipr_apps.services import import_check, import_repeats
from ipr_apps.services.import_repeats import Repeats
from ipr_apps.services.import_rows import HEADER
from tests.import_files import row


def _file(path: Path, rows: int, repeat_at: int | None = None) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(rows):
            number = repeat_at if n == rows - 1 and repeat_at is not None else n
            values = row(f"MEM-{number:08d}", recordation_number=f"T-MEM-{number:09d}")
            writer.writerow([values[c] for c in HEADER])
    return path


def _peak_of_pass_one(path: Path, rows: int) -> int:
    with _file(path, rows).open(encoding="utf-8", newline="") as stream:
        tracemalloc.start()
        try:
            result = import_check.check_file(stream)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert result.rows == rows
    return peak


def test_pass_one_memory_does_not_grow_with_the_file(app, tmp_path, monkeypatch):
    # Both files fill every bounded buffer: the values waiting for their batch, and the
    # driver's cache of the last 128 statements (each chunk's IN list is its own text).
    monkeypatch.setattr(import_repeats, "BATCH", 1_000)
    monkeypatch.setattr(import_check, "QUERY_CHUNK", 100)
    _peak_of_pass_one(tmp_path / "warm.csv", 500)  # lazily loaded locale data, compiled SQL
    small = _peak_of_pass_one(tmp_path / "small.csv", 8_000)
    large = _peak_of_pass_one(tmp_path / "large.csv", 24_000)
    # remembering each value in a dict costs ~190 bytes a row: 3 MB more for the large file
    assert large - small < 500_000, (small, large)


def test_a_repeat_on_the_last_line_is_found(app, tmp_path):
    path = _file(tmp_path / "repeat.csv", 3_000, repeat_at=5)
    try:
        with path.open(encoding="utf-8", newline="") as stream:
            import_check.check_file(stream)
    except ValidationError as error:
        rows = error.fields["rows"]
    else:
        raise AssertionError("the repeated reference was not found")
    assert rows == [
        "line 3001, column reference: MEM-00000005 is already on line 7",
        "line 3001, column recordation_number: T-MEM-000000005 is already on line 7",
    ]


def test_repeats_are_listed_in_line_and_column_order():
    with Repeats(("a", "b")) as repeats:
        for line, (a, b) in enumerate([("x", "1"), ("y", "1"), ("x", "2"), ("x", "1")], start=2):
            repeats.add(line, {"a": a, "b": b}, bad=line == 4)
        found = [(r.line, r.column, r.value, r.first, r.bad) for r in repeats.found()]
    assert found == [
        (3, "b", "1", 2, False),
        (4, "a", "x", 2, True),
        (5, "a", "x", 2, False),
        (5, "b", "1", 2, False),
    ]


def test_the_first_problems_of_the_file_are_listed_even_when_found_last(app, monkeypatch):
    monkeypatch.setattr(import_check, "MAX_REPORTED", 2)
    problems = import_check.Problems(HEADER)
    for line in (10, 11, 12):
        problems.add_row(line, [("ipr_type", "bad")])
    problems.add_row(3, [("reference", "late")])
    problems.add_row(10, [("reference", "also late")], counted=True)
    try:
        problems.raise_if_any()
    except ValidationError as error:
        listed = error.fields["rows"]
        message = error.message
    assert listed[:2] == ["line 3, column reference: late", "line 10, column reference: also late"]
    assert "4 invalid rows" in message and "3 more problems" in listed[-1]
