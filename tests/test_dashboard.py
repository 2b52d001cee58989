"""The statistics dashboard: headline, SQL breakdowns against Python, pages, downloads, charts."""

from __future__ import annotations

import io
import json
import math
import random
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from flask import get_template_attribute
from openpyxl import load_workbook

from ipr_apps.db import db
from ipr_apps.models import (
    Application,
    Decision,
    IprType,
    Organisation,
    OrgKind,
    Outcome,
    Role,
    Status,
    today,
)
from ipr_apps.services import dashboard, exports, queue, stats
from ipr_apps.services.periods import By, Period
from ipr_apps.stats.charts import SVG_CSP

SVG_NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
_seq = iter(range(1, 10**6))


@pytest.fixture
def org(app) -> Organisation:
    org = Organisation(kind=OrgKind.HOLDER, name_local="Dashboard holder", country="CN")
    db.session.add(org)
    db.session.flush()
    return org


def add_decided(org, decided: date, outcome=Outcome.APPROVED, working_days=None, country="CN",
                ipr_type=IprType.TRADEMARK) -> None:  # fmt: skip
    """An imported application with its decision, straight into the tables."""
    submitted = datetime.combine(decided - timedelta(days=40), datetime.min.time())
    application = Application(
        reference=f"D-{next(_seq):06d}", ipr_type=ipr_type, status=Status(outcome.value),
        holder_org_id=org.id, holder_country=country, imported=True,
        first_submitted_at=submitted, due_on=decided,
        decided_at=datetime.combine(decided, datetime.min.time()),
    )  # fmt: skip
    db.session.add(application)
    db.session.flush()
    db.session.add(Decision(application_id=application.id, outcome=outcome, decided_on=decided,
                            imported=True, working_days=working_days))  # fmt: skip


# -- Headline -------------------------------------------------------------------------------

H1_2019 = Period(By.HALF, 2019, 1)


@pytest.mark.parametrize(
    ("period", "approved", "previous", "sentence"),
    [
        (H1_2019, 5501, 4877, "In the first half of 2019, customs approved 5,501 applications "
         "for IPR customs protection, up 12.8% year on year."),
        (Period(By.QUARTER, 2020, 3), 97, 100, "In the third quarter of 2020, customs approved "
         "97 applications for IPR customs protection, down 3.0% year on year."),
        (Period(By.MONTH, 2019, 3), 40, 40, "In March 2019, customs approved 40 applications for "
         "IPR customs protection, unchanged year on year."),
        (Period(By.YEAR, 2024, 1), 21614, 0, "In 2024, customs approved 21,614 applications for "
         "IPR customs protection (no approvals in the same period a year earlier)."),
        (H1_2019, 1, 0, "In the first half of 2019, customs approved 1 application for IPR "
         "customs protection (no approvals in the same period a year earlier)."),
        (H1_2019, 100001, 100000, "In the first half of 2019, customs approved 100,001 "
         "applications for IPR customs protection, up less than 0.1% year on year."),
        (H1_2019, 0, 12000, "In the first half of 2019, customs approved 0 applications for IPR "
         "customs protection, down 100.0% year on year."),
    ],
)  # fmt: skip
def test_headline_wording(app, period, approved, previous, sentence):
    row = {"approved": approved, "approved_prev_year": previous}
    assert worded(dashboard.headline(period, row), period.by) == sentence


def worded(headline, by: By) -> str:
    """The page's sentence for a headline (templates/stats/_headline.html)."""
    return str(get_template_attribute("stats/_headline.html", "approvals")(headline, by))


def test_no_complete_period_says_so(app, make_user):
    admin = make_user(Role.ADMIN)
    data = dashboard.overview(By.YEAR, date(2031, 1, 1), date(2031, 12, 31), None, admin,
                              date(2031, 6, 1))  # fmt: skip
    assert data.headline is None
    assert worded(None, By.YEAR) == (
        "No year in the selected range has ended yet, so there is no headline."
    )


# -- Processing time ------------------------------------------------------------------------


def _nearest_rank(values: list[int], pct: int) -> int | None:
    ordered = sorted(values)
    return ordered[math.ceil(pct * len(ordered) / 100) - 1] if ordered else None


def test_processing_time_matches_python(org):
    rng = random.Random(7)  # noqa: S311 (reproducible test data)
    cases = []
    for _ in range(157):
        decided = date(2019, 1, 1) + timedelta(days=rng.randrange(730))
        days = None if rng.random() < 0.15 else rng.randrange(0, 70)
        outcome = rng.choice([Outcome.APPROVED, Outcome.REJECTED])
        cases.append((decided, days))
        add_decided(org, decided, outcome, working_days=days)
    add_decided(org, date(2019, 7, 1), working_days=30)  # on the boundaries, exactly 30
    add_decided(org, date(2019, 12, 31), working_days=31)
    cases += [(date(2019, 7, 1), 30), (date(2019, 12, 31), 31)]
    db.session.commit()
    start, end = date(2019, 7, 1), date(2019, 12, 31)
    inside = [d for when, d in cases if start <= when <= end]
    measured = [d for d in inside if d is not None]
    result = dashboard.processing_time(start, end)
    assert result.decisions == len(inside) and result.measured == len(measured)
    assert result.median == _nearest_rank(measured, 50)
    assert result.p90 == _nearest_rank(measured, 90)
    within = sum(1 for d in measured if d <= 30)
    assert result.within == within
    assert result.within_share == dashboard.share(within, len(measured))


def test_processing_time_small_and_empty(org):
    for days in (4, 1, 3, 2):
        add_decided(org, date(2020, 5, 5), working_days=days)
    add_decided(org, date(2020, 5, 5), working_days=None)
    db.session.commit()
    result = dashboard.processing_time(date(2020, 5, 1), date(2020, 5, 31))
    assert (result.decisions, result.measured, result.median, result.p90) == (5, 4, 2, 4)
    assert result.within_share == Decimal("100.0")
    empty = dashboard.processing_time(date(2030, 1, 1), date(2030, 12, 31))
    assert (empty.decisions, empty.median, empty.p90, empty.within_share) == (0, None, None, None)


# -- Holder countries -----------------------------------------------------------------------


def test_country_breakdown(org):
    counts = {"CN": 5, "DE": 3, "US": 3, "FR": 1, "JP": 2}
    for country, n in counts.items():
        for _ in range(n):
            add_decided(org, date(2019, 3, 1), country=country)
    add_decided(org, date(2019, 3, 1), country=None)
    add_decided(org, date(2019, 3, 1), Outcome.REJECTED, country="FR")  # not an approval
    add_decided(org, date(2018, 12, 31), country="FR")  # outside the range
    db.session.commit()
    result = dashboard.country_breakdown(date(2019, 1, 1), date(2019, 6, 30), "CN", top=3)
    assert (result.domestic, result.foreign, result.unknown) == (5, 9, 1)
    assert result.total == 15 and result.domestic_share == Decimal("33.3")
    assert [(code, n) for code, _, n in result.top] == [("CN", 5), ("DE", 3), ("US", 3)]
    assert result.top[1][1] == "Germany"
    foreign = dashboard.country_breakdown(date(2019, 1, 1), date(2019, 6, 30), "DE", top=10)
    assert (foreign.domestic, foreign.foreign) == (3, 11) and len(foreign.top) == 5


def test_type_totals_sum_the_grouped_rows(org):
    add_decided(org, date(2019, 2, 1), ipr_type=IprType.COPYRIGHT)
    add_decided(org, date(2019, 8, 1), ipr_type=IprType.COPYRIGHT)
    add_decided(org, date(2019, 8, 1), Outcome.REJECTED, ipr_type=IprType.PATENT_DESIGN)
    db.session.commit()
    totals = dashboard.type_totals(stats.rows("half", date(2019, 1, 1), date(2019, 12, 31),
                                              "ipr_type"))  # fmt: skip
    by_type = {t.ipr_type: (t.approved, t.rejected) for t in totals}
    assert [t.ipr_type for t in totals] == list(IprType)
    assert by_type[IprType.COPYRIGHT] == (2, 0) and by_type[IprType.PATENT_DESIGN] == (0, 1)
    assert by_type[IprType.TRADEMARK] == (0, 0)


def test_the_dashboards_margins_give_the_figures_of_each_grouping(make_user, org):
    """The dashboard reads the summary's two margins (by month and type, by month and
    country), not their product: every table equals the one read for its own grouping."""
    rng = random.Random(16)  # noqa: S311 (test data)
    for _ in range(60):
        decided = date(2018, 1, 1) + timedelta(days=rng.randrange(730))
        add_decided(org, decided, rng.choice([Outcome.APPROVED, Outcome.REJECTED]),
                    country=rng.choice(["CN", "DE", "US", None]),
                    ipr_type=rng.choice(list(IprType)))  # fmt: skip
    db.session.commit()
    admin, start, end = make_user(Role.ADMIN), date(2019, 1, 1), date(2019, 12, 31)
    for group_by in (None, "ipr_type", "country"):
        data = dashboard.overview(By.QUARTER, start, end, group_by, admin, date(2020, 3, 1))
        assert data.rows == stats.rows(By.QUARTER, start, end)
        assert data.grouped == (stats.rows(By.QUARTER, start, end, group_by) if group_by else None)
    by_country = stats.rows(By.YEAR, start, end, "country")
    assert data.countries.total == sum(row["approved"] for row in by_country) > 0


# -- Backlog --------------------------------------------------------------------------------


def test_backlog_and_overdue(make_user, make_application):
    holder, reviewer = make_user(Role.HOLDER), make_user(Role.REVIEWER)
    other = make_user(Role.REVIEWER)
    day = date(2030, 6, 10)
    plan = [
        ("submitted", None, -1), ("submitted", None, -30), ("submitted", None, 0),
        ("submitted", None, 5), ("under_review", reviewer, -2), ("under_review", reviewer, 3),
        ("under_review", other, -1), ("info_requested", None, -10),
    ]  # fmt: skip
    for status, claimant, offset in plan:
        application = make_application(holder, status, claimed_by=claimant)
        application.due_on = day + timedelta(days=offset)
    db.session.commit()
    result = dashboard.backlog(reviewer, day)
    assert result.counts == queue.counts(reviewer)
    assert result.counts[queue.Tab.UNCLAIMED] == 4
    assert result.overdue == {queue.Tab.UNCLAIMED: 2, queue.Tab.MINE: 1, queue.Tab.IN_REVIEW: 2}
    assert result.total_overdue == 4


# -- Pages ----------------------------------------------------------------------------------

ARGS = {"by": "half", "from": "2018-01-01", "to": "2019-12-31"}


@pytest.fixture
def decided_2019(org):
    for when, country, kind in [
        (date(2019, 8, 1), "CN", IprType.TRADEMARK),
        (date(2019, 9, 1), "DE", IprType.COPYRIGHT),
        (date(2019, 12, 31), "US", IprType.TRADEMARK),
        (date(2018, 10, 1), "CN", IprType.PATENT_DESIGN),
        (date(2018, 11, 1), "FR", IprType.TRADEMARK),
    ]:
        add_decided(org, when, country=country, ipr_type=kind, working_days=12)
    add_decided(org, date(2019, 3, 1), Outcome.REJECTED, working_days=40)
    db.session.commit()


def test_admin_page_with_downloads(client, login, make_user, decided_2019):
    login(make_user(Role.ADMIN))
    response = client.get("/stats/", query_string={**ARGS, "group_by": "country"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(
        r'data-testid="headline">In the second half of 2019, customs approved 3 '
        r"applications for IPR customs protection, up 50.0% year on year\.<",
        html,
    )
    for testid in ("download-csv", "download-xlsx", "download-json", "definitions",
                   "grouped-table", "chart-approvals", "chart-types", "backlog-table"):  # fmt: skip
        assert f'data-testid="{testid}"' in html
    assert "<script>" not in html and " style=" not in html
    assert (
        "/stats/export.csv?by=half&amp;from=2018-01-01&amp;to=2019-12-31&amp;group_by=country"
        in html
    )


def test_reviewer_reads_without_downloads(client, login, make_user, decided_2019):
    login(make_user(Role.REVIEWER))
    response = client.get("/stats/", query_string=ARGS)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-testid="headline"' in html and "download-csv" not in html
    assert "/stats/export" not in html
    assert client.get("/stats/export.csv", query_string=ARGS).status_code == 403
    assert client.get("/stats/chart/approvals.svg", query_string=ARGS).status_code == 200


@pytest.mark.parametrize("group_by", [None, "ipr_type", "country"])
def test_downloads_equal_the_cli_output(client, login, make_user, decided_2019, group_by):
    login(make_user(Role.ADMIN))
    args = {**ARGS, "group_by": group_by} if group_by else ARGS
    rows = stats.rows("half", date(2018, 1, 1), date(2019, 12, 31), group_by)
    csv_response = client.get("/stats/export.csv", query_string=args)
    assert csv_response.status_code == 200
    assert csv_response.content_type == "text/csv; charset=utf-8"
    assert csv_response.get_data(as_text=True) == "".join(exports.csv_lines(rows, bom=True))
    suffix = f"-{group_by}" if group_by else ""
    assert csv_response.headers["Content-Disposition"] == (
        f"attachment; filename=ipr-stats-half-2018-01-01-2019-12-31{suffix}.csv"
    )
    json_response = client.get("/stats/export.json", query_string=args)
    assert json.loads(json_response.get_data()) == json.loads(exports.json_text(rows))
    xlsx_response = client.get("/stats/export.xlsx", query_string=args)
    assert xlsx_response.content_type == exports.MEDIA_TYPES["xlsx"]
    assert _sheet(xlsx_response.get_data()) == _sheet(exports.xlsx_bytes(rows))
    assert len(_sheet(xlsx_response.get_data())) == len(rows) + 1


def _sheet(data: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


@pytest.mark.parametrize("name", ["approvals", "types"])
def test_charts_are_static_svg(client, login, make_user, decided_2019, name):
    login(make_user(Role.ADMIN))
    for args in (ARGS, {"by": "month", "from": "2000-01-01", "to": "2019-12-31"}, {}):
        response = client.get(f"/stats/chart/{name}.svg", query_string=args)
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        assert response.headers["Content-Security-Policy"] == SVG_CSP
        svg = response.get_data(as_text=True)
        assert svg.startswith("<svg") and "<script" not in svg.lower()
        assert set(re.findall(r"https?://[^\s\"'<>)]+", svg)) <= SVG_NAMESPACES
    assert client.get("/stats/chart/other.svg").status_code == 404


@pytest.mark.parametrize(
    "args",
    [
        {"by": "week"}, {"by": ""}, {"from": "not-a-date"}, {"to": "2019-13-45"},
        {"from": "2019-06-01", "to": "2019-01-01"}, {"from": "0001-01-01", "to": "0001-12-31"},
        {"by": "month", "from": "1900-01-01", "to": "2999-12-31"}, {"group_by": "colour"},
        {"from": "2999-12-01", "by": "year"}, {"from": "9999-12-31", "to": "9999-12-31"},
    ],
)  # fmt: skip
def test_invalid_arguments_fall_back_without_error(client, login, make_user, args):
    login(make_user(Role.ADMIN))
    page = client.get("/stats/", query_string=args)
    assert page.status_code == 200
    assert "invalid-feedback" in page.get_data(as_text=True)
    assert client.get("/stats/export.csv", query_string=args).status_code == 400
    assert client.get("/stats/chart/approvals.svg", query_string=args).status_code == 200


def test_defaults_cover_two_years_back(client, login, make_user):
    login(make_user(Role.ADMIN))
    html = client.get("/stats/").get_data(as_text=True)
    assert f'value="{date(today().year - 2, 1, 1).isoformat()}"' in html
    assert f"{today().year - 2}-H1" in html and "invalid-feedback" not in html


def test_nav_shows_statistics_to_staff_only(client, login, make_user):
    for role, shown in ((Role.ADMIN, True), (Role.REVIEWER, True), (Role.HOLDER, False)):
        login(make_user(role))
        assert ('href="/stats/"' in client.get("/auth/profile").get_data(as_text=True)) == shown
