"""Demo data: the decision history behind the statistics and applications spread over weeks."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from flask import get_template_attribute
from sqlalchemy import func, select

from ipr_apps.db import db
from ipr_apps.models import (
    Application,
    Decision,
    InformationRequest,
    Role,
    Status,
    StatusEvent,
    User,
    today,
    utcnow,
)
from ipr_apps.models.base import clock_at
from ipr_apps.services import dashboard, demo, demo_applications, demo_history, stats
from ipr_apps.services.import_rows import HEADER, parse_row
from ipr_apps.services.periods import By, Period, latest_complete
from ipr_apps.stats.forms import default_start
from ipr_apps.workdays import due_date, working_days_between
from ipr_apps.workflow import DECISION_WORKING_DAYS

H1_2019 = (
    "In the first half of 2019, customs approved 5,501 applications for IPR customs "
    "protection, up 12.8% year on year."
)


def _months(year: int, first: int, last: int) -> list[date]:
    return [date(year, m, 1) for m in range(first, last + 1)]


# --------------------------------------------------------------------------- the history


def test_history_half_years_match_the_published_figures():
    approvals = {
        half: sum(demo_history.month_size(m)[0] for m in months)
        for half, months in {"2018-H1": _months(2018, 1, 6), "2019-H1": _months(2019, 1, 6)}.items()
    }
    assert approvals == {"2018-H1": 4_877, "2019-H1": 5_501}


def test_history_covers_2018_up_to_the_last_month_ended():
    months = list(demo_history.months(date(2026, 12, 2)))
    assert months[0] == date(2018, 1, 1) and months[-1] == date(2026, 11, 1)
    assert len(months) == 9 * 12 - 1
    assert list(demo_history.months(date(2018, 1, 31))) == []
    assert list(demo_history.months(date(2018, 2, 1))) == [date(2018, 1, 1)]


def test_the_default_headline_period_has_approvals_and_a_year_earlier():
    day = today()
    period = latest_complete(By.HALF, default_start(day), day, day)
    assert period is not None
    for half in (period, period.previous_year):
        months = _months(half.year, half.first_month, half.first_month + 5)
        assert sum(demo_history.month_size(m)[0] for m in months) > 500, half.label


@pytest.mark.parametrize("month", [date(2018, 2, 1), date(2019, 6, 1), date(2024, 10, 1)])
def test_month_rows_are_valid_fixed_and_realistic(month):
    rows = demo_history.month_rows(month)
    assert rows == demo_history.month_rows(month)  # the same every time
    approvals, rejections = demo_history.month_size(month)
    assert len(rows) == approvals + rejections and 0 < rejections < approvals / 5
    parsed = [parse_row(n, row) for n, row in enumerate(rows, start=2)]
    assert all(problems == [] for _row, problems in parsed)
    typed = [row for row, _problems in parsed]
    assert len({r.reference for r in typed}) == len(typed)
    assert all(r.reference.startswith(f"DEMO-{month:%Y-%m}-") for r in typed)
    assert all(r.decided_on.replace(day=1) == month and r.decided_on.weekday() < 5 for r in typed)
    days = [working_days_between(r.submitted_on, r.decided_on) for r in typed]
    within = sum(d <= DECISION_WORKING_DAYS for d in days) / len(days)
    assert 0.85 < within < 0.99 and min(days) >= 3
    assert len({r.ipr_type for r in typed}) >= 3
    countries = Counter(r.holder_country for r in typed)
    assert 0.4 < countries["CN"] / len(typed) < 0.8 and len(countries) >= 4
    approved = [r for r in typed if r.recordation_number]
    assert len(approved) == approvals
    assert all(r.decided_on < r.valid_until <= r.decided_on.replace(year=r.decided_on.year + 10)
               for r in approved)  # fmt: skip


def test_history_goes_through_the_import_and_gives_the_published_headline(client, login, make_user):
    result = demo_history.seed(until=date(2019, 7, 1))

    months = _months(2018, 1, 12) + _months(2019, 1, 6)
    assert result.imported == sum(sum(demo_history.month_size(m)) for m in months)
    rows = stats.totals_by_period(By.HALF, date(2018, 1, 1), date(2019, 6, 30))
    assert rows["2018-H1"]["approved"] == 4_877
    h1 = rows["2019-H1"]
    assert (h1["approved"], h1["approved_prev_year"], str(h1["approved_yoy_pct"])) == (
        5_501, 4_877, "12.8"
    )  # fmt: skip
    approvals = get_template_attribute("stats/_headline.html", "approvals")
    assert str(approvals(dashboard.headline(Period(By.HALF, 2019, 1), h1), By.HALF)) == H1_2019

    login(make_user(Role.ADMIN))
    page = client.get("/stats/?by=half&from=2018-01-01&to=2019-06-30").get_data(as_text=True)
    assert H1_2019 in page


def test_history_seed_is_idempotent_and_adds_only_new_months(app):
    first = demo_history.seed(until=date(2018, 3, 1))
    january, february = (sum(demo_history.month_size(date(2018, m, 1))) for m in (1, 2))
    assert first.imported == january + february

    counts = _table_counts()
    again = demo_history.seed(until=date(2018, 3, 31))
    assert (again.imported, _table_counts()) == (0, counts)

    later = demo_history.seed(until=date(2018, 4, 1))
    assert later.imported == sum(demo_history.month_size(date(2018, 3, 1)))


def _table_counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(Application)),
        db.session.scalar(select(func.count()).select_from(Decision)),
    )


def test_csv_text_is_what_the_import_command_reads():
    text = demo_history.csv_text([date(2018, 1, 1)])
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert tuple(header) == HEADER and rows == demo_history.month_rows(date(2018, 1, 1))


# --------------------------------------------------------------------------- applications


@pytest.fixture
def seeded(app):
    demo.seed()
    assert demo.seed_applications() == len(demo_applications.PLAN)


def _apps() -> list[Application]:
    stmt = select(Application).where(Application.imported.is_(False)).order_by(Application.id)
    return list(db.session.scalars(stmt))


def test_demo_applications_keep_every_state_and_the_duplicate(seeded):
    states = Counter(a.status.value for a in _apps())
    assert states == Counter(state for *_row, state, _ago in demo_applications.PLAN)
    flagged = [a for a in _apps() if a.duplicate_flag]
    assert [a.right_title for a in flagged] == ["光明 BRIGHT"]


def test_demo_applications_are_spread_over_weeks_with_consistent_clocks(seeded):
    now, day = utcnow(), today()
    submitted = [a for a in _apps() if a.first_submitted_at is not None]
    first = min(a.first_submitted_at for a in submitted)
    assert (day - first.date()).days >= 42  # at least six weeks back
    for application in submitted:
        assert application.first_submitted_at == application.submitted_at < now
        assert application.clock_started_on == application.submitted_at.date()
        if application.status in (Status.SUBMITTED, Status.UNDER_REVIEW):
            started = application.clock_started_on
            assert application.due_on == due_date(started, DECISION_WORKING_DAYS)
            assert application.clock_days_used == 0
    events = db.session.scalars(select(StatusEvent).order_by(StatusEvent.id)).all()
    assert [e.created_at for e in events] == sorted(e.created_at for e in events)
    assert all(e.created_at < now for e in events)


def test_paused_and_decided_clocks_count_the_working_days_that_passed(seeded):
    (waiting,) = [a for a in _apps() if a.status == Status.INFO_REQUESTED]
    (request,) = db.session.scalars(select(InformationRequest)).all()
    asked_on = request.created_at.date()
    assert waiting.clock_days_used == working_days_between(waiting.clock_started_on, asked_on)
    assert waiting.clock_days_used > 0 and request.reply_by > today()
    decided = [a for a in _apps() if a.status in (Status.APPROVED, Status.REJECTED)]
    for application in decided:
        decision = application.decision
        assert (
            decision.decided_on < today() and decision.decided_on == application.decided_at.date()
        )
        ran = working_days_between(application.clock_started_on, decision.decided_on)
        assert decision.working_days == ran > 0
        if application.recordation is not None:
            assert application.recordation.valid_from == decision.decided_on


def test_review_queue_shows_overdue_and_due_soon_rows(seeded, client, login):
    reviewer = db.session.scalars(select(User).where(User.email == demo_applications.REVIEWER))
    login(reviewer.one())
    unclaimed = client.get("/review/?tab=unclaimed").get_data(as_text=True)
    assert 'data-testid="overdue"' in unclaimed and 'data-testid="due-soon"' in unclaimed
    claimed = client.get("/review/?tab=in_review").get_data(as_text=True)
    assert 'data-testid="overdue"' in claimed


def test_schedule_is_in_the_past_and_in_order(app):
    day = date(2026, 12, 2)
    steps = demo_applications.schedule(day)
    assert steps == sorted(steps) and steps[-1][0] < datetime(2026, 12, 2)
    assert len(steps) == sum(len(demo_applications.STEPS[row[5]]) for row in demo_applications.PLAN)
    per_row = [[s for s in steps if s[1] == i] for i in range(len(demo_applications.PLAN))]
    assert all([s[2] for s in row] == list(demo_applications.STEPS[demo_applications.PLAN[i][5]])
               for i, row in enumerate(per_row))  # fmt: skip


def test_clock_at_sets_the_time_for_the_block_only():
    moment = datetime(2019, 3, 4, 9, 30)
    with clock_at(moment):
        assert utcnow() == moment and today() == date(2019, 3, 4)
    assert utcnow() > moment


def test_demo_recordations_live_through_every_state(app):
    """seed-demo's recordations: each state of the recordation machine, a renewal window open
    for the holder, an amended and renewed one (filed by the agent), changes in the queue."""
    from ipr_apps.models import Kind, Recordation, RecordationStatus
    from ipr_apps.services import recordations
    from ipr_apps.services.demo_recordations import seed as seed_recordations

    demo.seed()
    assert demo.seed_applications() == len(demo_applications.PLAN)
    day = today()
    assert seed_recordations(day) == 6
    assert seed_recordations(day) == 0  # idempotent
    own = select(Recordation).where(Recordation.imported.is_(False))
    found = {r.right_title: r for r in db.session.scalars(own)}
    assert {title: r.status.value for title, r in found.items()} == {
        "LUMINA": "active", "Aurora catalogue 2025": "active", "BRIGHTSTAR": "active",
        "BRIGHTLIGHT PRO": "active", "GLOWLINE": "expired", "AURORA CLASSIC": "lapsed",
        "AURORA STRIDE": "cancelled", "LUMIGLOW": "revoked",
    }  # fmt: skip
    star = found["BRIGHTSTAR"]
    assert recordations.in_renewal_window(star.valid_until, day)
    assert 140 <= (star.valid_until - day).days <= 160  # about five months left
    pro = found["BRIGHTLIGHT PRO"]
    kinds = sorted(a.kind for a in db.session.scalars(
        select(Application).where(Application.recordation_id == pro.id)))  # fmt: skip
    # the original, an amendment and a renewal approved, and an amendment still a draft
    assert kinds == sorted([Kind.NEW, Kind.AMENDMENT, Kind.RENEWAL, Kind.AMENDMENT])
    agent = demo_applications.user_by_email("agent@example.com")
    assert pro.agency_id == agent.organisation_id  # the agent filed the renewal
    assert pro.valid_until > day + timedelta(days=365 * 10)
    glow = found["GLOWLINE"]
    assert glow.ended_on == glow.valid_until + timedelta(days=1) < day
    lumina = found["LUMINA"]
    pending = db.session.scalars(
        select(Application.status).where(Application.recordation_id == lumina.id,
                                         Application.kind == Kind.AMENDMENT)).all()  # fmt: skip
    assert pending == [Status.SUBMITTED]
    assert all(r.status == RecordationStatus.ACTIVE or r.ended_on for r in found.values())
