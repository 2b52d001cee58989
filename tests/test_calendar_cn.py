"""China's official working-day calendar: deadlines, days left and processing time count the
State Council's holidays and make-up working days; admin rows override it either way.

The expected dates are worked out by hand from the State Council's notice for 2019 (国办发明电
〔2018〕15号), not from the `holidays` package: New Year 1 Jan; Spring Festival off 4–10 Feb,
worked Sat 2 and Sun 3 Feb; Qingming 5 Apr; Labour Day off 1–4 May, worked Sun 28 Apr and Sat
5 May; Dragon Boat 7 Jun; Mid-Autumn 13 Sep; National Day off 1–7 Oct, worked Sun 29 Sep and
Sat 12 Oct.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from ipr_apps import official_calendar
from ipr_apps.db import db
from ipr_apps.models import Decision, Holiday, Role
from ipr_apps.models.base import clock_at
from ipr_apps.services import calendar, filing, review
from ipr_apps.services.import_write import WorkingDays
from ipr_apps.workdays import add_working_days, calendar_between, days_left, due_date
from ipr_apps.workflow import DECISION_WORKING_DAYS
from tests.factories import add_required_documents, complete_payload
from tests.holder_case_helpers import open_case

SUBMITTED = date(2019, 1, 28)  # a Monday, a week before the Spring Festival
# 30 working days after 28 Jan 2019, counted on the notice: 29, 30, 31 Jan, 1 Feb (4), Sat 2
# and Sun 3 Feb (6), 4–10 Feb off, 11–15 Feb (11), 18–22 (16), 25 Feb–1 Mar (21), 4–8 Mar (26),
# 11, 12, 13, 14 Mar (30).
OFFICIAL_DUE = date(2019, 3, 14)
# Weekends only: 29 Jan–1 Feb (4), 4–8 Feb (9), 11–15 (14), 18–22 (19), 25 Feb–1 Mar (24),
# 4–8 Mar (29), 11 Mar (30).
WEEKENDS_ONLY_DUE = date(2019, 3, 11)
DAYS_OFF_2019 = [date(2019, 1, 1), *(date(2019, 2, d) for d in range(4, 11)), date(2019, 4, 5),
                 *(date(2019, 5, d) for d in range(1, 5)), date(2019, 6, 7), date(2019, 9, 13),
                 *(date(2019, 10, d) for d in range(1, 8))]  # fmt: skip
WORKED_2019 = [date(2019, 2, 2), date(2019, 2, 3), date(2019, 4, 28), date(2019, 5, 5),
               date(2019, 9, 29), date(2019, 10, 12)]  # fmt: skip
LABEL = f"CN holidays {official_calendar.version()}"
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


@pytest.fixture
def official(app, monkeypatch):
    monkeypatch.setitem(app.config, "WORKDAY_CALENDAR", "CN")


@pytest.fixture
def holder(make_user):
    return make_user(Role.HOLDER)


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


def _add(day: date, working: bool, name: str = "Local") -> None:
    db.session.add(Holiday(day=day, name=name, working=working))
    db.session.commit()


def _submit_on(holder, day: date):
    application = filing.create_draft(holder, "trademark", complete_payload("trademark", "T-19"))
    add_required_documents(application)
    with clock_at(datetime.combine(day, time(10))):
        return filing.submit(holder, application.id).application


# --- the official 2019 calendar ------------------------------------------------------------


def test_every_day_of_the_2019_notice(official):
    cal = calendar_between(date(2019, 1, 1), date(2019, 12, 31))
    assert [d for d in DAYS_OFF_2019 if cal.works(d)] == []
    assert [d for d in WORKED_2019 if not cal.works(d)] == []
    assert cal.works(date(2019, 2, 1)) and cal.works(date(2019, 2, 11))  # either side of it
    first = date(2019, 1, 1)
    working = sum(cal.works(first + timedelta(days=n)) for n in range(365))
    assert working == 250  # the year's working days: 261 weekdays - 17 days off + 6 worked


def test_submission_on_28_january_2019_is_due_on_14_march(official, holder):
    application = _submit_on(holder, SUBMITTED)
    assert application.due_on == OFFICIAL_DUE
    assert application.due_calendar == LABEL
    assert due_date(SUBMITTED, DECISION_WORKING_DAYS) == OFFICIAL_DUE


def test_without_the_official_calendar_only_weekends_count(app, holder):
    assert app.config["WORKDAY_CALENDAR"] == "none"  # the tests' setting
    application = _submit_on(holder, SUBMITTED)
    assert (application.due_on, application.due_calendar) == (WEEKENDS_ONLY_DUE, "local")


def test_make_up_days_are_working_days(official):
    cal = calendar_between(date(2019, 1, 1), date(2019, 12, 31))
    assert add_working_days(date(2019, 2, 1), 1, cal) == date(2019, 2, 2)  # a Saturday
    assert add_working_days(date(2019, 2, 1), 3, cal) == date(2019, 2, 11)
    assert add_working_days(date(2019, 4, 26), 1, cal) == date(2019, 4, 28)  # a Sunday
    assert add_working_days(date(2019, 4, 28), 1, cal) == date(2019, 4, 29)
    assert add_working_days(date(2019, 4, 30), 1, cal) == date(2019, 5, 5)


def test_days_left_across_the_spring_festival(official):
    # (31 Jan, 12 Feb]: 1, 2, 3, 11, 12 Feb; weekends only it would be 8.
    assert days_left(date(2019, 1, 31), date(2019, 2, 12)) == 5
    assert days_left(date(2019, 2, 2), date(2019, 2, 11)) == 2
    assert days_left(date(2019, 2, 5), date(2019, 2, 1)) == -2  # Sat 2, Sun 3: two days late


def test_days_left_without_the_official_calendar(app):
    assert days_left(date(2019, 1, 31), date(2019, 2, 12)) == 8


# --- admin rows win over the official calendar -------------------------------------------


def test_a_local_closure_on_a_make_up_day_moves_the_due_date(official, holder):
    _add(date(2019, 2, 2), working=False)
    assert _submit_on(holder, SUBMITTED).due_on == date(2019, 3, 15)


def test_an_official_holiday_worked_locally_counts(official):
    _add(date(2019, 2, 5), working=True)
    assert due_date(SUBMITTED, DECISION_WORKING_DAYS) == date(2019, 3, 13)
    assert calendar_between(date(2019, 2, 5), date(2019, 2, 5)).works(date(2019, 2, 5))


def test_a_weekend_day_made_working_counts(official):
    _add(date(2019, 3, 9), working=True)  # a Saturday: 26 by Friday 8 March, 27 on the 9th
    assert due_date(SUBMITTED, DECISION_WORKING_DAYS) == date(2019, 3, 13)


def test_a_local_closure_on_an_ordinary_day_still_counts(official):
    _add(date(2019, 3, 1), working=False)
    assert due_date(SUBMITTED, DECISION_WORKING_DAYS) == date(2019, 3, 15)


# --- other deadlines and the statistics --------------------------------------------------


def test_detention_case_deadline_skips_the_spring_festival(official, make_user, holder):
    officer = make_user(Role.OFFICER, district="5301")
    case = open_case(holder, officer, date(2019, 2, 1))  # Friday: Sat 2, Sun 3, Mon 11 Feb
    assert (case.confirm_by, case.confirm_calendar) == (date(2019, 2, 11), LABEL)


def test_processing_time_counts_working_days_of_the_official_calendar(official, holder, make_user):
    reviewer = make_user(Role.REVIEWER)
    application = _submit_on(holder, SUBMITTED)
    with clock_at(datetime(2019, 2, 12, 10)):
        review.claim(reviewer, application.id)
        review.approve(reviewer, application.id)
    decision = db.session.scalars(
        select(Decision).where(Decision.application_id == application.id)
    ).one()
    # (28 Jan, 12 Feb]: 29, 30, 31 Jan, 1, 2, 3, 11, 12 Feb; weekends only it would be 11.
    assert decision.working_days == 8


def test_imported_processing_times_use_the_official_calendar(official):
    table = WorkingDays(date(2019, 1, 1), date(2019, 3, 31))
    assert table.between(SUBMITTED, OFFICIAL_DUE) == DECISION_WORKING_DAYS


def test_the_official_years_are_built_once(official):
    official_calendar.official_year.cache_clear()
    for _ in range(3):
        calendar_between(date(2019, 1, 1), date(2020, 12, 31))
    info = official_calendar.official_year.cache_info()
    assert (info.misses, info.currsize) == (2, 2)


# --- the admin service and import --------------------------------------------------------


def test_a_working_row_on_an_ordinary_weekday_is_refused(official, admin):
    with pytest.raises(calendar.ValidationError) as caught:
        calendar.add_holiday(admin, date(2019, 3, 6), "Pointless", working=True)
    assert "day" in caught.value.fields
    calendar.add_holiday(admin, date(2019, 2, 5), "Worked anyway", working=True)  # official
    calendar.add_holiday(admin, date(2019, 3, 9), "Saturday worked", working=True)  # weekend


def test_override_turns_an_official_day_the_other_way(official, admin):
    assert calendar.override_official(admin, date(2019, 2, 5), "Worked").working is True
    assert calendar.override_official(admin, date(2019, 2, 2), "Closed").working is False
    with pytest.raises(calendar.ValidationError):
        calendar.override_official(admin, date(2019, 3, 6), "Ordinary day")


def test_import_reads_the_optional_working_column(official, admin):
    stream = io.StringIO("date,name,working\n2019-03-09,Saturday worked,1\n2019-08-12,Typhoon,\n")
    assert calendar.import_holidays(admin, stream) == (2, 0)
    rows = dict(db.session.execute(select(Holiday.day, Holiday.working)).all())
    assert rows == {date(2019, 3, 9): True, date(2019, 8, 12): False}
    again = io.StringIO("date,name\n2019-03-09,Saturday worked\n")  # an old file: a closure
    assert calendar.import_holidays(admin, again) == (0, 1)
    db.session.expire_all()
    assert db.session.get(Holiday, date(2019, 3, 9)).working is False
    with pytest.raises(calendar.ValidationError) as caught:
        calendar.import_holidays(admin, io.StringIO("date,name,working\n2019-03-10,X,maybe\n"))
    assert caught.value.fields["rows"] == ["line 2: maybe is not a working value (use 0 or 1)"]


# --- pages -------------------------------------------------------------------------------


def test_holidays_page_shows_the_year_with_each_days_source(official, client, login, admin):
    _add(date(2019, 8, 12), working=False, name="Typhoon")
    _add(date(2019, 2, 5), working=True, name="Worked anyway")
    html = login(admin).get("/admin/holidays?year=2019").get_data(True)
    assert html.count('class="table table-sm table-bordered calendar-month mb-0"') == 12
    assert html.count("<caption>") == 12 and 'scope="col"><abbr title="Monday">Mon<' in html
    assert (
        '<td class="day-weekend day-worked" data-day="2019-02-02" data-source="official-w' in html
    )
    assert 'data-day="2019-02-02" data-source="official-working"' in html
    assert 'data-day="2019-02-04" data-source="official-holiday"' in html
    assert 'data-day="2019-02-05" data-source="override"' in html
    assert 'data-day="2019-08-12" data-source="closure"' in html
    assert "Chinese New Year (Spring Festival)" in html and "Typhoon" in html
    assert f"holidays package {official_calendar.version()}" in html
    assert 'action="/admin/holidays/2019-02-04/override"' in html
    assert 'action="/admin/holidays/2019-02-05/delete"' in html
    assert 'data-testid="not-published"' not in html
    assert "style=" not in html


def test_holidays_page_in_chinese(official, client, login, admin):
    html = login(admin).get("/admin/holidays?year=2019", headers=ZH).get_data(True)
    assert "春节" in html and "法定节假日" in html and "调休上班" in html
    assert "法定节假日：春节" in html and "法定节假日: " not in html  # Chinese punctuation
    assert "2019年2月4日" in html and "星期一" in html
    assert "Spring Festival" not in html and "Official public holiday" not in html


def test_a_year_without_the_notice_says_so(official, client, login, admin):
    html = login(admin).get("/admin/holidays?year=2099").get_data(True)
    assert 'data-testid="not-published"' in html


def test_override_button_adds_an_admin_row(official, client, login, admin):
    response = login(admin).post("/admin/holidays/2019-02-04/override")
    assert response.status_code == 302
    row = db.session.get(Holiday, date(2019, 2, 4))
    assert (row.working, row.name) == (True, "Override: Day off (substituted from 2 Feb 2019)")
    again = client.post("/admin/holidays/2019-02-04/override", follow_redirects=True)
    assert "already in the calendar" in again.get_data(True)


def test_admin_marks_a_weekend_day_working_with_the_form(official, client, login, admin):
    data = {"day": "2019-03-09", "name": "Saturday worked", "working": "working"}
    response = login(admin).post("/admin/holidays?year=2019", data=data)
    assert response.status_code == 302
    assert db.session.get(Holiday, date(2019, 3, 9)).working is True
    refused = client.post("/admin/holidays", data={**data, "day": "2019-03-06"}, headers=ZH)
    assert "已经是工作日" in refused.get_data(True)


def test_application_page_says_which_calendar_computed_the_due_date(
    official, client, login, holder
):
    application = _submit_on(holder, SUBMITTED)
    login(holder)
    html = client.get(f"/applications/{application.id}").get_data(True)
    assert f"China&#39;s official calendar (holidays {official_calendar.version()})" in html
    zh = client.get(f"/applications/{application.id}", headers=ZH).get_data(True)
    assert "中国官方工作日历" in zh
    application.due_calendar = None  # set before the official calendar was adopted
    db.session.commit()
    html = client.get(f"/applications/{application.id}").get_data(True)
    assert "before the official calendar was adopted" in html


def test_cli_imports_the_working_column(runner, tmp_path):
    path = tmp_path / "days.csv"
    path.write_text("date,name,working\n2019-03-09,Saturday worked,1\n2019-08-12,Typhoon,0\n")
    result = runner.invoke(args=["ipr", "import-holidays", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Imported 2 holidays (2 new, 0 updated)."
    rows = dict(db.session.execute(select(Holiday.day, Holiday.working)).all())
    assert rows == {date(2019, 3, 9): True, date(2019, 8, 12): False}


def test_official_names_write_their_dates_as_the_page_does(app, official):
    """The package names a day off in lieu "Day off (substituted from 02/02/2019)" (US order)
    and "休息日（由 2019-02-02 调休）"; the holidays page writes dates one way per language."""
    from ipr_apps import official_calendar

    with app.test_request_context():
        zh = official_calendar.names(2019, "zh_Hans")[date(2019, 2, 4)]
        en = official_calendar.names(2019, "en")[date(2019, 2, 4)]
    assert zh == "休息日（由2019年2月2日调休）"
    assert en == "Day off (substituted from 2 Feb 2019)"
