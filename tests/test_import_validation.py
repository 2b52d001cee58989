"""The import's validation: every rule names the file's line, the column and the reason."""

from __future__ import annotations

import io

import pytest

from ipr_apps.errors import ValidationError
from ipr_apps.models import Counter
from ipr_apps.services import imports
from ipr_apps.services.import_rows import HEADER
from tests.import_files import (
    TABLES,
    application,
    count,
    counts,
    csv_text,
    openers,
    rejected,
    row,
    run,
    write_csv,
)

LONG = "x" * 41
INVALID_ROWS = [
    ({"reference": ""}, "reference", "required"),
    ({"reference": LONG}, "reference", "longer than 40 characters"),
    ({"reference": "OLD-1"}, "reference", "OLD-1 is already on line 2"),
    ({"ipr_type": "design"}, "ipr_type", "design is not one of trademark, copyright"),
    ({"ipr_type": "patent_invention", "right_number": ""}, "right_number", "required for"),
    ({"right_number": "9" * 65}, "right_number", "longer than 64 characters"),
    ({"right_title": ""}, "right_title", "required"),
    ({"right_title": "t" * 501}, "right_title", "longer than 500 characters"),
    ({"holder_name": " "}, "holder_name", "required"),
    ({"holder_name": "h" * 301}, "holder_name", "longer than 300 characters"),
    ({"holder_country": "XX"}, "holder_country", "XX is not an ISO 3166 country code"),
    ({"holder_country": "DEU"}, "holder_country", "DEU is not an ISO 3166 country code"),
    ({"holder_country": ""}, "holder_country", "an empty cell is not an ISO 3166"),
    ({"submitted_on": "01/03/2019"}, "submitted_on", "01/03/2019 is not a date (YYYY-MM-DD)"),
    ({"submitted_on": ""}, "submitted_on", "required (YYYY-MM-DD)"),
    ({"decided_on": "2019-02-30"}, "decided_on", "2019-02-30 is not a date (YYYY-MM-DD)"),
    ({"decided_on": "2019-02-28"}, "decided_on", "2019-02-28 is before submitted_on 2019-03-01"),
    ({"decision": "granted"}, "decision", "granted is not approved or rejected"),
    ({"recordation_number": ""}, "recordation_number", "required when the decision is approved"),
    ({"recordation_number": "N" * 41}, "recordation_number", "longer than 40 characters"),
    ({"recordation_number": "T2019-000005"}, "recordation_number", "T2019-000005 is already on"),
    ({"valid_until": ""}, "valid_until", "required when the decision is approved"),
    ({"valid_until": "2029-13-01"}, "valid_until", "2029-13-01 is not a date (YYYY-MM-DD)"),
    ({"valid_until": "2019-03-28"}, "valid_until", "2019-03-28 is before decided_on 2019-03-29"),
    ({"decision": "rejected"}, "recordation_number", "must be empty when the decision is rejected"),
    ({"decision": "rejected", "recordation_number": ""}, "valid_until", "must be empty when"),
]


@pytest.mark.parametrize(("values", "column", "reason"), INVALID_ROWS)
def test_each_rule_names_line_column_and_reason(runner, tmp_path, values, column, reason):
    bad = row("OLD-2", recordation_number="T2019-000006") | values
    path = write_csv(tmp_path / "f.csv", [row("OLD-1"), bad, rejected("OLD-3")])
    result = run(runner, path)
    assert result.exit_code == 1
    assert f"line 3, column {column}: {reason}" in result.output, result.output
    assert "Traceback" not in result.output
    assert result.output.splitlines()[0] == "Error: 1 invalid row; nothing was imported."
    assert counts() == [0] * len(TABLES)


def test_every_problem_is_listed_with_the_files_physical_line(runner, tmp_path):
    path = write_csv(
        tmp_path / "f.csv",
        [
            row("OLD-1", right_title="two\nlines"),  # lines 2-3
            [],  # line 4, blank
            row(
                "OLD-2",
                decided_on="2019-02-30",
                holder_country="ZZ",
                right_title="t" * 501,
                ipr_type="bogus",
            ),  # line 5
            ["OLD-3", "trademark"],  # line 6
            row("OLD-1"),  # line 7
        ],
    )
    result = run(runner, path)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Error: 3 invalid rows; nothing was imported.",
        "line 5, column ipr_type: bogus is not one of trademark, copyright, patent_invention, "
        "patent_utility_model, patent_design",
        "line 5, column right_title: longer than 500 characters",
        "line 5, column holder_country: ZZ is not an ISO 3166 country code",
        "line 5, column decided_on: 2019-02-30 is not a date (YYYY-MM-DD)",
        "line 5, column recordation_number: T2019-000005 is already on line 2",
        "line 6: expected 11 columns, found 2",
        "line 7, column reference: OLD-1 is already on line 2",
        "line 7, column recordation_number: T2019-000005 is already on line 2",
    ]


def test_rows_are_trimmed_and_case_of_the_country_ignored(runner, tmp_path):
    path = write_csv(tmp_path / "f.csv", [row(" OLD-1 ", holder_country=" cn ")])
    assert run(runner, path).exit_code == 0
    assert application("OLD-1").holder_country == "CN"


@pytest.mark.parametrize(
    "header",
    [HEADER[:-1], (*HEADER[1:], HEADER[0]), [c.upper() for c in HEADER], ("date", "name")],
)
def test_header_must_be_exactly_the_contract(runner, tmp_path, header):
    path = write_csv(tmp_path / "f.csv", [], header=header)
    result = run(runner, path)
    assert result.exit_code == 1
    assert "line 1: expected the header reference,ipr_type," in result.output
    assert "Traceback" not in result.output


def test_empty_and_non_utf8_files_are_refused(runner, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert run(runner, empty).exit_code == 1
    latin = tmp_path / "latin.csv"
    latin.write_bytes((",".join(HEADER) + "\nOLD-1,trademark,1,Caf\xe9").encode("latin-1"))
    result = run(runner, latin)
    assert result.exit_code == 1 and "not UTF-8" in result.output
    assert "Traceback" not in result.output


def test_header_only_imports_nothing(runner, tmp_path):
    result = run(runner, write_csv(tmp_path / "f.csv", []))
    assert result.exit_code == 0
    assert result.output.strip() == "Imported 0 recordations; skipped 0 already present."


def test_one_bad_row_among_good_imports_nothing(runner, tmp_path):
    good = [row(f"OLD-{n}", recordation_number=f"R-{n}") for n in range(1, 40)]
    bad = row("BAD", recordation_number="R-BAD", submitted_on="2019-3-1")
    path = write_csv(tmp_path / "f.csv", [*good[:20], bad, *good[20:]])
    result = run(runner, path)
    assert result.exit_code == 1
    assert result.output.splitlines()[1:] == [
        "line 22, column submitted_on: 2019-3-1 is not a date (YYYY-MM-DD)"
    ]
    assert "Traceback" not in result.output
    assert counts() == [0] * len(TABLES) and count(Counter) == 0


def test_invalid_file_through_the_service_lists_rows(app):
    text = ",".join(HEADER) + "\n" + ",".join(row("OLD-1", decision="maybe").values()) + "\n"
    with pytest.raises(ValidationError) as caught:
        imports.import_recordations(lambda: io.StringIO(text))
    assert caught.value.fields["rows"] == [
        "line 2, column decision: maybe is not approved or rejected"
    ]


def test_file_changed_between_the_passes_imports_nothing(app):
    good, bad = csv_text(row("OLD-1")), csv_text(row("OLD-1", decided_on="2019-99-01"))
    with pytest.raises(ValidationError, match="changed during the import"):
        imports.import_recordations(openers(good, bad))
    assert counts() == [0] * len(TABLES)
