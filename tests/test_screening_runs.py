"""Screening runs: lines screened with the index in use, kept as a run and its hits; the index
rebuilt when a recordation changes; lines read from pasted text and files."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from ipr_apps.db import db
from ipr_apps.errors import NotFound, PermissionDenied, ValidationError
from ipr_apps.models import Goods, Role, RunSource, ScreeningHit, Status
from ipr_apps.screening import current
from ipr_apps.screening.engine import DeclarationLine
from ipr_apps.screening.lines import parse_file, parse_text
from ipr_apps.services import lifecycle, screening
from tests.factories import recordation_row

HEADER = "declaration_number,line_number,description,hs_code,consignee,declared_value\n"


def _recorded(make_application, holder, title):
    application = make_application(holder, Status.APPROVED)
    application.right.title = title
    db.session.add(Goods(application_id=application.id, position=0, name="Lamp", hs_code="9405"))
    row = recordation_row(application)
    db.session.commit()
    return row


def _line(**fields) -> DeclarationLine:
    return DeclarationLine(declaration_number="531620261000001", line_number=1, **fields)


def test_a_run_keeps_its_hits_with_the_line_and_counts_them(make_user, make_application):
    officer, holder = make_user(Role.OFFICER), make_user()
    row = _recorded(make_application, holder, "BRIGHTSTAR")
    lines = [
        _line(
            description="Brightstar lamps",
            hs_code="9405.21",
            consignee="X Ltd",
            declared_value=Decimal("1200.50"),
        ),
        _line(description="Plain cups"),
    ]
    run, results = screening.screen_lines(
        officer, lines, source=RunSource.UPLOAD, input_name="a.csv"
    )
    assert [len(r.hits) for r in results] == [1, 0]
    assert (run.line_count, run.hit_lines, run.hits, run.threshold) == (2, 1, 1, 50)
    assert run.finished_at is not None and run.index_version == current.version(db.session)
    (hit,) = db.session.scalars(select(ScreeningHit)).all()
    assert (hit.run_id, hit.position, hit.recordation_id, hit.recordation_number) == (
        run.id,
        1,
        row.id,
        row.number,
    )
    assert (hit.score, hit.rules) == (75, ["mark", "hs_code"])
    assert hit.reasons[0] == "The description contains the recorded mark “BRIGHTSTAR”."
    assert (hit.description, hit.declared_value, hit.consignee) == (
        "Brightstar lamps",
        Decimal("1200.50"),
        "X Ltd",
    )


@pytest.mark.parametrize("role", [Role.HOLDER, Role.REVIEWER, Role.ADMIN])
def test_only_officers_screen(make_user, role):
    with pytest.raises(PermissionDenied):
        screening.screen_lines(make_user(role), [_line(description="x")])


def test_threshold_out_of_range_is_refused(make_user):
    with pytest.raises(ValidationError):
        screening.screen_lines(make_user(Role.OFFICER), [_line()], threshold=501)


def test_another_officers_run_and_hit_are_not_found(make_user, make_application):
    mine, other = make_user(Role.OFFICER), make_user(Role.OFFICER)
    _recorded(make_application, make_user(), "BRIGHTSTAR")
    run, _ = screening.screen_lines(mine, [_line(description="BRIGHTSTAR")])
    hit_id = db.session.scalar(select(ScreeningHit.id))
    assert screening.get_run(mine, run.id) is run
    with pytest.raises(NotFound):
        screening.get_run(other, run.id)
    with pytest.raises(NotFound):
        screening.get_hit(other, hit_id)


def test_the_index_is_rebuilt_when_a_recordation_is_cancelled(make_user, make_application):
    holder = make_user()
    row = _recorded(make_application, holder, "BRIGHTSTAR")
    before = current.current()
    assert len(before.index) == 1 and current.current() is before  # no change: the same index
    lifecycle.cancel(holder, row.id, "no longer sold")
    after = current.current()
    assert after.version != before.version and len(after.index) == 0


def test_hits_page_orders_by_score_and_filters(make_user, make_application):
    officer = make_user(Role.OFFICER)
    _recorded(make_application, make_user(), "BRIGHTSTAR")
    lines = [_line(description="BRIGHTSTAR"), _line(description="BRIGHTSTAR", hs_code="940510")]
    run, _ = screening.screen_lines(officer, lines)
    assert [h.score for h in screening.hits_page(run, None, None, 10).items] == [75, 50]
    assert [h.position for h in screening.hits_page(run, 60, None, 10).items] == [2]


def test_pasted_tab_separated_lines_are_read():
    parsed = parse_text("declaration_number\tline_number\tbrand\tdirection\nD1\t2\t光明\tImport\n")
    assert parsed.errors == []
    assert parsed.lines == [DeclarationLine("D1", 2, brand="光明", direction="import")]


def test_bad_lines_are_reported_by_line_and_column():
    parsed = parse_text(HEADER + "D1,x,a,,,\n,1,b,,,\nD3,1,c,,,-5\n")
    assert parsed.errors == [
        "line 2, column line_number: Write a whole number from 1.",
        "line 3, column declaration_number: This column is required.",
        "line 4, column declared_value: Write a number from 0 (no sign, no exponent).",
    ]


def test_a_missing_header_names_the_columns():
    parsed = parse_text("D1,1,lamps\n")
    assert parsed.lines == [] and "missing: declaration_number, line_number" in parsed.errors[0]


def test_too_many_lines_for_the_page():
    parsed = parse_text(HEADER + "D1,1,a,,,\nD1,2,b,,,\n", limit=1)
    assert parsed.lines == [] and parsed.errors == [
        "More than 1 lines: screen them as a batch file."
    ]


def test_an_xlsx_file_and_a_gb18030_csv_are_read():
    book = Workbook()
    book.active.append(["declaration_number", "line_number", "hs_code", "quantity"])
    book.active.append(["D1", 1, 9405.0, 12])
    buffer = io.BytesIO()
    book.save(buffer)
    parsed = parse_file(buffer.getvalue(), "lines.XLSX")
    assert parsed.lines == [DeclarationLine("D1", 1, hs_code="9405", quantity=Decimal("12"))]
    data = "declaration_number,line_number,brand\nD1,1,光明\n".encode("gb18030")
    assert parse_file(data, "lines.csv").lines == [DeclarationLine("D1", 1, brand="光明")]


def test_hits_count_in_the_database(make_user, make_application):
    officer = make_user(Role.OFFICER)
    _recorded(make_application, make_user(), "BRIGHTSTAR")
    screening.screen_lines(officer, [_line(description="BRIGHTSTAR")] * 3)
    assert db.session.scalar(select(func.count()).select_from(ScreeningHit)) == 3


def test_a_row_with_more_cells_than_the_header_is_refused():
    """An unquoted 30.000,00 makes one cell too many: refused, not read shifted."""
    parsed = parse_text(HEADER + "D1,1,lamps,9405,X Ltd,30.000,00\nD1,2,cups,,,\n")
    assert parsed.errors == [
        "line 2: 7 cells, but the first row names 6 columns (text with a comma must be in quotes)."
    ]


def test_short_rows_and_trailing_empty_cells_are_read():
    parsed = parse_text(HEADER + "D1,1,lamps\nD1,2,cups,,,,,\n")
    assert parsed.errors == [] and [line.description for line in parsed.lines] == ["lamps", "cups"]


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        ("declaration_number,line_number,declared_valu", "not columns: declared_valu"),
        ("declaration_number,line_number,brand,Brand", "named twice: brand"),
    ],
)
def test_a_header_with_a_name_that_is_not_a_column_is_refused(header, problem):
    parsed = parse_text(header + "\nD1,1,5\n")
    assert parsed.lines == [] and problem in parsed.errors[0]


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (
            "D1,1,abc,",
            "line 2, column hs_code: Write the HS code in digits (4 to 10), e.g. 8539.52.00.",
        ),
        (
            "D1,1,94,",
            "line 2, column hs_code: Write the HS code in digits (4 to 10), e.g. 8539.52.00.",
        ),
        (
            "D1,1,,China",
            "line 2, column country_of_origin: Write the two-letter country code, e.g. CN.",
        ),
    ],
)
def test_hs_codes_and_countries_are_checked(cells, message):
    parsed = parse_text("declaration_number,line_number,hs_code,country_of_origin\n" + cells + "\n")
    assert parsed.errors == [message]


@pytest.mark.parametrize("code", ["9405", "8539.52.00", "8539 52 00 00", "8539520000"])
def test_hs_codes_as_declared_are_read(code):
    parsed = parse_text(f"declaration_number,line_number,hs_code\nD1,1,{code}\n")
    assert parsed.errors == [] and parsed.lines[0].hs_code == code
