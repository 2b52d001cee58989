"""The holiday calendar: service rules, the admin page and `flask ipr import-holidays`."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.errors import NotFound, PermissionDenied, ValidationError
from ipr_apps.models import Holiday, Role, today
from ipr_apps.services import calendar
from tests.conftest import make_app

NEW_YEAR = date(2026, 1, 1)
LABOUR_DAY = date(2026, 5, 1)


def _calendar() -> dict[date, str]:
    db.session.expire_all()
    return dict(db.session.execute(select(Holiday.day, Holiday.name)).all())


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


# --- service -----------------------------------------------------------------------------------


def test_admin_adds_and_removes_a_holiday(admin):
    holiday = calendar.add_holiday(admin, NEW_YEAR, "  New Year's Day ")
    assert holiday.name == "New Year's Day"
    assert _calendar() == {NEW_YEAR: "New Year's Day"}
    calendar.remove_holiday(admin, NEW_YEAR)
    assert _calendar() == {}


def test_the_operator_at_the_command_line_may_change_the_calendar(app):
    calendar.add_holiday(None, NEW_YEAR, "New Year's Day")
    assert calendar.import_holidays(None, [("2026-05-01", "Labour Day")]) == (1, 0)
    calendar.remove_holiday(None, NEW_YEAR)
    assert _calendar() == {LABOUR_DAY: "Labour Day"}


@pytest.mark.parametrize("role", [Role.HOLDER, Role.REVIEWER, Role.OFFICER])
def test_only_admins_change_the_calendar(make_user, admin, role):
    calendar.add_holiday(admin, LABOUR_DAY, "Labour Day")
    user = make_user(role)
    with pytest.raises(PermissionDenied):
        calendar.add_holiday(user, NEW_YEAR, "New Year's Day")
    with pytest.raises(PermissionDenied):
        calendar.remove_holiday(user, LABOUR_DAY)
    with pytest.raises(PermissionDenied):
        calendar.import_holidays(user, [("2026-01-01", "New Year's Day")])
    assert _calendar() == {LABOUR_DAY: "Labour Day"}


def test_a_date_is_in_the_calendar_once(admin):
    calendar.add_holiday(admin, NEW_YEAR, "New Year's Day")
    with pytest.raises(ValidationError) as caught:
        calendar.add_holiday(admin, NEW_YEAR, "Another name")
    assert list(caught.value.fields) == ["day"]
    assert _calendar() == {NEW_YEAR: "New Year's Day"}


@pytest.mark.parametrize(
    ("day", "name", "field"),
    [(NEW_YEAR, "", "name"), (NEW_YEAR, "   ", "name"), (NEW_YEAR, "x" * 201, "name"),
     (None, "New Year's Day", "day")],
)  # fmt: skip
def test_a_holiday_needs_a_date_and_a_short_name(admin, day, name, field):
    with pytest.raises(ValidationError) as caught:
        calendar.add_holiday(admin, day, name)
    assert list(caught.value.fields) == [field]
    assert _calendar() == {}


def test_a_name_of_200_characters_is_fine(admin):
    calendar.add_holiday(admin, NEW_YEAR, "x" * 200)
    assert len(_calendar()[NEW_YEAR]) == 200


def test_removing_a_date_that_is_not_a_holiday_is_not_found(admin):
    with pytest.raises(NotFound):
        calendar.remove_holiday(admin, NEW_YEAR)


def test_holidays_in_year_are_sorted_and_include_both_ends(admin):
    for day in (date(2026, 12, 31), LABOUR_DAY, NEW_YEAR, date(2025, 12, 31), date(2027, 1, 1)):
        calendar.add_holiday(admin, day, f"Holiday {day}")
    assert [h.day for h in calendar.holidays_in_year(2026)] == [
        NEW_YEAR,
        LABOUR_DAY,
        date(2026, 12, 31),
    ]
    assert calendar.holidays_in_year(2030) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-01-01", NEW_YEAR), (" 2026-05-01 ", LABOUR_DAY), ("2026-02-30", None),
     ("20260101", None), ("2026-1-1", None), ("2026-W01-1", None), ("", None),
     ("01/01/2026", None)],
)  # fmt: skip
def test_parse_day_accepts_only_iso_dates(text, expected):
    assert calendar.parse_day(text) == expected


# --- import (service) --------------------------------------------------------------------------


def test_import_adds_new_dates_and_renames_existing_ones(admin):
    calendar.add_holiday(admin, NEW_YEAR, "Old name")
    stream = io.StringIO(
        '\ufeffdate,name\n2026-01-01,New Year\'s Day\n\n2026-05-01,"Labour Day, first"\n'
        "2026-05-02,Labour Day (Saturday)\n"
    )
    result = calendar.import_holidays(admin, stream)
    assert (result.added, result.updated, result.total) == (2, 1, 3)
    assert _calendar() == {
        NEW_YEAR: "New Year's Day",
        LABOUR_DAY: "Labour Day, first",
        date(2026, 5, 2): "Labour Day (Saturday)",  # weekends may be listed
    }


def test_import_is_all_or_nothing_and_lists_every_bad_line(admin):
    calendar.add_holiday(admin, NEW_YEAR, "Kept")
    stream = io.StringIO(
        "Date , Name\n"  # header: case and spaces do not matter
        "2026-01-01,Renamed\n"
        "2026-02-30,Not a day\n"
        "2026-05-01\n"
        "2026-05-01,Labour Day\n"
        "2026-05-04,\n"
        "2026-05-01,Labour Day again\n"
        f"2026-10-01,{'x' * 201}\n"
        "1 May 2026,Labour Day\n"
    )
    with pytest.raises(ValidationError) as caught:
        calendar.import_holidays(admin, stream)
    assert [row.split(":")[0] for row in caught.value.fields["rows"]] == [
        "line 3", "line 4", "line 6", "line 7", "line 8", "line 9",
    ]  # fmt: skip
    assert caught.value.fields["rows"][0] == "line 3: 2026-02-30 is not a date (use YYYY-MM-DD)"
    assert "line 5" in caught.value.fields["rows"][3]  # the duplicate names its first line
    assert _calendar() == {NEW_YEAR: "Kept"}


@pytest.mark.parametrize(
    "text",
    ["", "day,title\n2026-01-01,New Year's Day\n", "2026-01-01,New Year's Day\n"],
)
def test_import_needs_the_header(admin, text):
    with pytest.raises(ValidationError):
        calendar.import_holidays(admin, io.StringIO(text))
    assert _calendar() == {}


def test_import_of_pairs_numbers_rows_from_one(admin):
    with pytest.raises(ValidationError) as caught:
        calendar.import_holidays(admin, [("2026-01-01", "New Year's Day"), ("2026-13-01", "No")])
    assert caught.value.fields["rows"] == ["line 2: 2026-13-01 is not a date (use YYYY-MM-DD)"]
    assert _calendar() == {}


# --- the admin page ----------------------------------------------------------------------------


def _invalid_fields(html: str) -> set[str]:
    """The ids of the inputs marked invalid (errors shown beside them)."""
    tags = re.findall(r"<(?:input|select|textarea)\b[^>]*>", html)
    return {re.search(r'\bid="([^"]+)"', tag).group(1) for tag in tags if "is-invalid" in tag}


def test_page_shows_the_current_year_by_default(client, login, admin):
    this_year = today().year
    calendar.add_holiday(admin, date(this_year, 10, 1), "National Day")
    calendar.add_holiday(admin, date(this_year + 1, 10, 1), "Next National Day")
    html = login(admin).get("/admin/holidays").get_data(True)
    assert f'data-testid="year">{this_year}<' in html
    assert "National Day" in html and "Next National Day" not in html
    assert f"/admin/holidays?year={this_year - 1}" in html
    assert f"/admin/holidays?year={this_year + 1}" in html
    assert f'action="/admin/holidays/{this_year}-10-01/delete"' in html
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert "style=" not in html


def test_year_navigation_and_empty_state(client, login, admin):
    calendar.add_holiday(admin, LABOUR_DAY, "Harvest Day")
    login(admin)
    html = client.get("/admin/holidays?year=2026").get_data(True)
    assert "Harvest Day" in html and "Friday" in html and 'data-testid="empty-state"' not in html
    html = client.get("/admin/holidays?year=2027").get_data(True)
    assert "Harvest Day" not in html and 'data-testid="empty-state"' in html
    assert "/admin/holidays?year=2026" in html and "/admin/holidays?year=2028" in html
    assert client.get("/admin/holidays?year=soon").status_code == 200  # falls back to this year
    assert client.get("/admin/holidays?year=9999").status_code == 404


def test_admin_adds_a_holiday_with_the_form(client, login, admin):
    response = login(admin).post(
        "/admin/holidays?year=2025", data={"day": "2026-05-01", "name": "Harvest Day"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/holidays?year=2026")
    assert _calendar() == {LABOUR_DAY: "Harvest Day"}


@pytest.mark.parametrize(
    ("data", "field"),
    [({"day": "2026-05-01", "name": "Again"}, "day"), ({"day": "2026-02-30", "name": "X"}, "day"),
     ({"day": "2026-06-01", "name": ""}, "name")],
)  # fmt: skip
def test_form_errors_are_shown_beside_the_fields(client, login, admin, data, field):
    calendar.add_holiday(admin, LABOUR_DAY, "Harvest Day")
    response = login(admin).post("/admin/holidays", data=data)
    assert response.status_code == 200
    html = response.get_data(True)
    assert _invalid_fields(html) == {field}
    assert _calendar() == {LABOUR_DAY: "Harvest Day"}


def test_admin_removes_a_holiday(client, login, admin):
    calendar.add_holiday(admin, LABOUR_DAY, "Harvest Day")
    response = login(admin).post("/admin/holidays/2026-05-01/delete")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/holidays?year=2026")
    assert _calendar() == {}
    again = client.post("/admin/holidays/2026-05-01/delete")  # e.g. a double click
    assert again.status_code == 302


@pytest.mark.parametrize("day", ["2026-02-30", "tomorrow", "20260501"])
def test_removing_an_invalid_date_is_not_found(client, login, admin, day):
    calendar.add_holiday(admin, LABOUR_DAY, "Harvest Day")
    assert login(admin).post(f"/admin/holidays/{day}/delete").status_code == 404
    assert _calendar() == {LABOUR_DAY: "Harvest Day"}


def test_remove_is_a_post_with_a_csrf_token(config, login, admin):
    strict = make_app({**config, "WTF_CSRF_ENABLED": True})
    try:
        calendar.add_holiday(admin, LABOUR_DAY, "Harvest Day")
        client = login(admin, to=strict.test_client())
        assert client.get("/admin/holidays/2026-05-01/delete").status_code == 405
        assert client.post("/admin/holidays/2026-05-01/delete").status_code == 400
        assert _calendar() == {LABOUR_DAY: "Harvest Day"}
        html = client.get("/admin/holidays?year=2026").get_data(True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        response = client.post("/admin/holidays/2026-05-01/delete", data={"csrf_token": token})
        assert response.status_code == 302 and _calendar() == {}
    finally:
        with strict.app_context():
            db.engine.dispose()


# --- the command line --------------------------------------------------------------------------


def _csv(tmp_path, text: str, encoding: str = "utf-8-sig"):
    path = tmp_path / "holidays.csv"
    path.write_bytes(text.encode(encoding))
    return str(path)


GOOD = "date,name\n2026-01-01,New Year's Day\n2026-05-01,Labour Day\n2026-10-01,National Day\n"


def test_cli_imports_a_file_and_is_idempotent(runner, tmp_path):
    path = _csv(tmp_path, GOOD)
    result = runner.invoke(args=["ipr", "import-holidays", path])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Imported 3 holidays (3 new, 0 updated)."
    first = _calendar()
    assert len(first) == 3 and first[LABOUR_DAY] == "Labour Day"
    again = runner.invoke(args=["ipr", "import-holidays", path])
    assert again.exit_code == 0
    assert again.output.strip() == "Imported 3 holidays (0 new, 3 updated)."
    assert _calendar() == first


def test_cli_failure_lists_bad_lines_and_imports_nothing(runner, tmp_path, admin):
    calendar.add_holiday(admin, NEW_YEAR, "Kept")
    path = _csv(tmp_path, GOOD.replace("Labour Day", "") + "2026-02-30,Nope\n", "utf-8")
    result = runner.invoke(args=["ipr", "import-holidays", path])
    assert result.exit_code == 1
    assert "line 3: the name is missing" in result.output
    assert "line 5: 2026-02-30 is not a date" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert _calendar() == {NEW_YEAR: "Kept"}


def test_cli_refuses_a_file_that_is_not_utf8(runner, tmp_path):
    path = _csv(tmp_path, "date,name\n2026-10-01,Nationalfeiertag ä\n", "latin-1")
    result = runner.invoke(args=["ipr", "import-holidays", path])
    assert result.exit_code == 1
    assert "UTF-8" in result.output and "Traceback" not in result.output
    assert _calendar() == {}
