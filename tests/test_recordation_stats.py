"""Recordation statistics (issue 12): in force at period end, renewals approved, expiries.

Hand-built recordations across period boundaries; every figure is checked by hand for 2030
and against a brute-force count of the definitions for every kind of period.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, timedelta
from itertools import count

import pytest
from openpyxl import load_workbook

from ipr_apps.db import db
from ipr_apps.models import (
    Application,
    Decision,
    IprType,
    Kind,
    Organisation,
    OrgKind,
    Outcome,
    Recordation,
    Role,
    Status,
)  # fmt: skip
from ipr_apps.models import (
    RecordationStatus as RS,
)
from ipr_apps.services import dashboard, exports, stats
from ipr_apps.services.periods import By, overlapping
from tests.api_helpers import bearer, token_for

# The columns before issue 12, in their order: consumers parse them by position.
OLD_COLUMNS = (
    "period", "group", "received", "approved", "rejected", "approved_prev_year",
    "approved_yoy_pct",
)  # fmt: skip
NEW_COLUMNS = ("in_force_at_end", "renewals_approved", "expiries")
D = date
_n = count(1)


def _application(org, kind=Kind.NEW, recordation=None, ipr_type=IprType.TRADEMARK, country="CN",
                 decided: date | None = None, outcome=Outcome.APPROVED) -> Application:  # fmt: skip
    """An imported decided application; a Decision row only when `decided` is given."""
    n = next(_n)
    day = decided or D(2020, 1, 1)
    application = Application(
        reference=f"RS-{n:06d}", ipr_type=ipr_type, status=Status(outcome.value), kind=kind,
        recordation_id=recordation.id if recordation else None, holder_org_id=org.id,
        holder_country=country, imported=True,
        first_submitted_at=datetime.combine(day - timedelta(days=20), datetime.min.time()),
        due_on=day, decided_at=datetime.combine(day, datetime.min.time()),
    )  # fmt: skip
    db.session.add(application)
    db.session.flush()
    if decided:
        db.session.add(Decision(application_id=application.id, outcome=outcome,
                                decided_on=decided, imported=True))  # fmt: skip
    return application


def _recordation(org, name, valid_from, valid_until, status=RS.ACTIVE, ended_on=None,
                 ipr_type=IprType.TRADEMARK, country="CN",
                 imported=False) -> Recordation:  # fmt: skip
    application = _application(org, ipr_type=ipr_type, country=country)
    n = next(_n)
    recordation = Recordation(
        number=f"OLD-{name}" if imported else f"{ipr_type.prefix}{valid_from.year}-{n:06d}",
        application_id=application.id, facts_application_id=application.id,
        prefix=ipr_type.prefix, year=None if imported else valid_from.year,
        sequence=None if imported else n, valid_from=valid_from, valid_until=valid_until,
        status=status, ended_on=ended_on, imported=imported, ipr_type=ipr_type,
        holder_org_id=org.id, holder_name=f"Holder {name}", holder_country=country,
    )  # fmt: skip
    db.session.add(recordation)
    db.session.flush()
    return recordation


@pytest.fixture
def recs(app):
    """The recordations of the module docstring, by letter (see the comments)."""
    org = Organisation(kind=OrgKind.HOLDER, name_local="Recordation stats", country="CN")
    db.session.add(org)
    db.session.flush()
    de = {"ipr_type": IprType.PATENT_INVENTION, "country": "DE"}
    r = {
        # valid until the last day of Q1, expired the day after: in force at the end of Q1
        "A": _recordation(org, "A", D(2020, 4, 1), D(2030, 3, 31), RS.EXPIRED, D(2030, 4, 1)),
        # cancelled on the last day of Q2: no longer in force at its end; not an expiry
        "C": _recordation(org, "C", D(2024, 7, 1), D(2034, 6, 30), RS.CANCELLED, D(2030, 6, 30)),
        # cancelled on the first day after Q2: still in force at the end of Q2
        "C2": _recordation(org, "C2", D(2024, 7, 1), D(2034, 6, 30), RS.CANCELLED, D(2030, 7, 1)),
        # revoked mid-May
        "D": _recordation(org, "D", D(2022, 1, 1), D(2032, 1, 1), RS.REVOKED, D(2030, 5, 15)),
        # imported, expired long ago (its expiry is in 2025)
        "E": _recordation(
            org, "E", D(2015, 1, 2), D(2025, 1, 1), RS.EXPIRED, D(2025, 1, 2), imported=True
        ),
        # imported and renewed on 2030-12-31 (validity already extended): in force throughout
        "E2": _recordation(org, "E2", D(2021, 7, 1), D(2041, 6, 30), imported=True),
        # renewed on 2030-01-10 from 2030-01-31 to 2040-01-31: no gap, in force throughout
        "F": _recordation(org, "F", D(2020, 2, 1), D(2040, 1, 31)),
        # lapsed: the right expired on 2030-08-14 (last day in force), a patent held in DE
        "G": _recordation(org, "G", D(2028, 1, 1), D(2038, 1, 1), RS.LAPSED, D(2030, 8, 15), **de),
        # lapsed with 2030-09-30, the last day of Q3, as its last day in force
        "H": _recordation(org, "H", D(2027, 1, 1), D(2037, 1, 1), RS.LAPSED, D(2030, 10, 1)),
        # starts in May
        "I": _recordation(org, "I", D(2030, 5, 20), D(2040, 5, 19)),
        # still active although its validity ended on 2030-11-15 (the nightly job has not run)
        "K": _recordation(org, "K", D(2020, 11, 16), D(2030, 11, 15)),
        # starts after the range
        "L": _recordation(org, "L", D(2031, 2, 1), D(2041, 1, 31)),
        # cancelled on its first day: never in force
        "M": _recordation(org, "M", D(2030, 3, 10), D(2040, 3, 9), RS.CANCELLED, D(2030, 3, 10)),
        # valid until a leap day, expired the day after
        "J": _recordation(org, "J", D(2018, 3, 1), D(2028, 2, 29), RS.EXPIRED, D(2028, 3, 1)),
    }
    # Decisions on changes: two approved renewals, one rejected renewal, one approved amendment.
    _application(org, Kind.RENEWAL, r["F"], decided=D(2030, 1, 10))
    _application(org, Kind.RENEWAL, r["E2"], decided=D(2030, 12, 31))
    _application(org, Kind.RENEWAL, r["K"], decided=D(2030, 2, 3), outcome=Outcome.REJECTED)
    _application(org, Kind.AMENDMENT, r["F"], decided=D(2030, 2, 14))
    # A renewal approved in 2028, of a patent held in DE (grouped figures)
    _application(org, Kind.RENEWAL, r["G"], ipr_type=IprType.PATENT_INVENTION, country="DE",
                 decided=D(2028, 2, 29))  # fmt: skip
    db.session.commit()
    return r


def _figures(by, start, end, group_by=None) -> dict:
    rows = stats.rows(by, start, end, group_by)
    return {(row["period"], row["group"]): tuple(row[c] for c in NEW_COLUMNS) for row in rows}


def _column(by, start, end, name) -> dict[str, int]:
    return {row["period"]: row[name] for row in stats.rows(by, start, end)}


def test_quarters_of_2030_by_hand(recs):
    assert _figures("quarter", D(2030, 1, 1), D(2030, 12, 31)) == {
        # in force: A C C2 D E2 F G H K | C2 E2 F G H I K | E2 F H I K | E2 F I
        ("2030-Q1", ""): (9, 1, 1),
        ("2030-Q2", ""): (7, 0, 0),
        ("2030-Q3", ""): (5, 0, 2),
        ("2030-Q4", ""): (3, 1, 0),
    }


def test_halves_and_year_by_hand(recs):
    assert _figures("half", D(2030, 1, 1), D(2030, 12, 31)) == {
        ("2030-H1", ""): (7, 1, 1),
        ("2030-H2", ""): (3, 1, 2),
    }
    assert _figures("year", D(2028, 1, 1), D(2031, 12, 31)) == {
        ("2028", ""): (9, 1, 1),  # J expired on its leap day; G's renewal
        ("2029", ""): (9, 0, 0),
        ("2030", ""): (3, 2, 3),
        ("2031", ""): (4, 0, 0),  # L starts
    }


def test_months_by_hand(recs):
    in_force = _column("month", D(2030, 1, 1), D(2030, 12, 31), "in_force_at_end")
    assert list(in_force.values()) == [9, 9, 9, 8, 8, 7, 6, 5, 5, 4, 3, 3]
    expiries = _column("month", D(2030, 1, 1), D(2030, 12, 31), "expiries")
    assert {k: v for k, v in expiries.items() if v} == {"2030-03": 1, "2030-08": 1, "2030-09": 1}
    renewals = _column("month", D(2030, 1, 1), D(2030, 12, 31), "renewals_approved")
    assert {k: v for k, v in renewals.items() if v} == {"2030-01": 1, "2030-12": 1}


def test_leap_day_edges(recs):
    """J's last day is 2028-02-29: in force at the end of February, an expiry of February."""
    figures = _figures("month", D(2028, 2, 1), D(2028, 3, 31))
    assert figures[("2028-02", "")] == (10, 1, 1)
    assert figures[("2028-03", "")] == (9, 0, 0)


def test_approved_counts_every_kind_and_renewals_approved_only_renewals(recs):
    row = stats.rows("year", D(2030, 1, 1), D(2030, 12, 31))[0]
    assert (row["received"], row["approved"], row["rejected"]) == (3, 3, 1)  # as before
    assert row["renewals_approved"] == 2  # not the amendment, not the rejected renewal


def _expected(records, renewal_days, by, start, end) -> dict[str, tuple[int, int, int]]:
    """The definitions of the brief, literally, in Python."""
    result = {}
    for period in overlapping(by, start, end):
        last = period.end_exclusive - timedelta(days=1)
        in_force = sum(
            1 for r in records
            if r.valid_from <= last <= r.valid_until and (r.ended_on is None or r.ended_on > last)
        )  # fmt: skip
        renewals = sum(1 for day in renewal_days if period.start <= day <= last)
        expiries = sum(
            1 for r in records if r.status in (RS.EXPIRED, RS.LAPSED)
            and period.start <= r.ended_on - timedelta(days=1) <= last
        )  # fmt: skip
        result[period.label] = (in_force, renewals, expiries)
    return result


@pytest.mark.parametrize("by", list(By))
@pytest.mark.parametrize(
    ("start", "end"),
    [(D(2025, 1, 1), D(2032, 12, 31)), (D(2030, 3, 31), D(2030, 4, 1)),
     (D(2028, 2, 29), D(2028, 2, 29))],
)  # fmt: skip
def test_every_period_kind_matches_the_definitions(recs, by, start, end):
    renewal_days = [D(2030, 1, 10), D(2030, 12, 31), D(2028, 2, 29)]
    figures = {label: f for (label, _), f in _figures(by, start, end).items()}
    assert figures == _expected(list(recs.values()), renewal_days, by, start, end)


@pytest.mark.parametrize("group_by", ["ipr_type", "country"])
def test_grouped_rows_add_up_and_list_groups_with_recordations_only(recs, group_by):
    start, end = D(2029, 1, 1), D(2030, 12, 31)
    grouped = stats.rows("half", start, end, group_by)
    totals = {row["period"]: row for row in stats.rows("half", start, end)}
    for column in NEW_COLUMNS:
        for label, total in totals.items():
            assert sum(r[column] for r in grouped if r["period"] == label) == total[column]
    group = "patent_invention" if group_by == "ipr_type" else "DE"
    # G (patent, DE) is in force at the end of 2029-H1 although nothing was filed or decided
    mine = {r["period"]: r for r in grouped if r["group"] == group}
    assert mine["2029-H1"]["in_force_at_end"] == 1 and mine["2029-H1"]["received"] == 0
    assert (mine["2030-H2"]["in_force_at_end"], mine["2030-H2"]["expiries"]) == (0, 1)


def test_empty_database_gives_zeros(app):
    rows = stats.rows("quarter", D(2030, 1, 1), D(2030, 12, 31))
    assert [tuple(r[c] for c in NEW_COLUMNS) for r in rows] == [(0, 0, 0)] * 4
    assert stats.rows("quarter", D(2030, 1, 1), D(2030, 12, 31), "country") == []


def test_without_recordations_the_application_figures_are_the_same(recs):
    full = stats.rows("half", D(2030, 1, 1), D(2030, 12, 31), "ipr_type")
    light = stats.rows("half", D(2030, 1, 1), D(2030, 12, 31), "ipr_type", recordations=False)
    assert all(set(row) == set(OLD_COLUMNS) for row in light)
    assert dashboard.type_totals(full) == dashboard.type_totals(light)


# -- The contract: old columns first and unchanged, new ones after -----------------------------


def test_columns_keep_the_old_header_as_a_prefix():
    assert stats.COLUMNS[: len(OLD_COLUMNS)] == OLD_COLUMNS
    assert stats.COLUMNS[len(OLD_COLUMNS) :] == NEW_COLUMNS
    assert "".join(exports.csv_lines([])).startswith(",".join(OLD_COLUMNS) + ",")


def test_cli_csv_json_xlsx_carry_the_new_columns(recs, runner, tmp_path):
    args = ["ipr", "export-stats", "--by", "half", "--from", "2030-01-01", "--to", "2030-12-31"]
    lines = list(csv.reader(io.StringIO(runner.invoke(args=args).output)))
    assert lines[0] == [*OLD_COLUMNS, *NEW_COLUMNS]
    assert [line[-3:] for line in lines[1:]] == [["7", "1", "1"], ["3", "1", "2"]]
    data = json.loads(runner.invoke(args=[*args, "--format", "json"]).output)
    assert list(data[0]) == [*OLD_COLUMNS, *NEW_COLUMNS]
    assert [tuple(row[c] for c in NEW_COLUMNS) for row in data] == [(7, 1, 1), (3, 1, 2)]
    path = tmp_path / "s.xlsx"
    assert runner.invoke(args=[*args, "--format", "xlsx", "--output", str(path)]).exit_code == 0
    values = list(load_workbook(path).active.iter_rows(values_only=True))
    assert values[0] == (*OLD_COLUMNS, *NEW_COLUMNS)
    assert [v[-3:] for v in values[1:]] == [(7, 1, 1), (3, 1, 2)]


def test_web_export_and_api_carry_the_new_columns(recs, client, login, make_user):
    admin = make_user(role=Role.ADMIN)
    query = {"by": "year", "from": "2030-01-01", "to": "2030-12-31"}
    login(admin)
    response = client.get("/stats/export.csv", query_string=query)
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert lines[0] == [*OLD_COLUMNS, *NEW_COLUMNS] and lines[1][-3:] == ["3", "2", "3"]
    api = client.get("/api/v1/stats", query_string=query, headers=bearer(token_for(admin)))
    assert api.status_code == 200
    assert api.get_json()[0] == {
        "period": "2030", "group": "", "received": 3, "approved": 3, "rejected": 1,
        "approved_prev_year": 0, "approved_yoy_pct": None, "in_force_at_end": 3,
        "renewals_approved": 2, "expiries": 3,
    }  # fmt: skip


# -- The dashboard ------------------------------------------------------------------------------


def test_dashboard_shows_the_figures_and_the_latest_complete_period(recs, client, login, make_user):
    login(make_user(role=Role.REVIEWER))
    response = client.get("/stats/", query_string={"by": "quarter", "from": "2030-01-01",
                                                    "to": "2030-12-31"})  # fmt: skip
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-testid="recordations-latest"' in html
    shown = re.findall(
        r'<th scope="row">(2030-Q\d)</th>.*?data-column="in_force_at_end">(\d+)</td>\s*'
        r'<td[^>]*data-column="renewals_approved">(\d+)</td>\s*<td[^>]*data-column="expiries">(\d+)<',
        html, re.S,
    )  # fmt: skip
    assert shown == [("2030-Q1", "9", "1", "1"), ("2030-Q2", "7", "0", "0"),
                     ("2030-Q3", "5", "0", "2"), ("2030-Q4", "3", "1", "0")]  # fmt: skip
    overview = dashboard.overview(By.QUARTER, D(2030, 1, 1), D(2030, 12, 31), None,
                                  make_user(role=Role.REVIEWER), D(2030, 10, 5))  # fmt: skip
    assert overview.latest is not None and overview.latest.label == "2030-Q3"
    assert tuple(overview.latest_row[c] for c in NEW_COLUMNS) == (5, 0, 2)


@pytest.mark.parametrize(
    ("day", "sentences"),
    [
        (D(2030, 10, 5), ["the third quarter of 2030, 5 recordations were in force.",
                          "customs approved 0 renewals.", "2 recordations expired or lapsed"]),
        (D(2030, 4, 1), ["the first quarter of 2030, 9 recordations were in force.",
                         "customs approved 1 renewal.", "1 recordation expired or lapsed"]),
        (D(2030, 3, 31), ["No quarter in the selected range has ended yet"]),
    ],
)  # fmt: skip
def test_dashboard_sentence_for_the_latest_complete_period(
    recs, client, login, make_user, monkeypatch, day, sentences
):
    monkeypatch.setattr("ipr_apps.stats.views.today", lambda: day)
    login(make_user(role=Role.ADMIN))
    query = {"by": "quarter", "from": "2030-01-01", "to": "2030-12-31"}
    response = client.get("/stats/", query_string=query)
    assert response.status_code == 200
    found = re.search(r'data-testid="recordations-latest">(.*?)</p>', response.text, re.S)
    text = " ".join(found[1].split())
    assert all(sentence in text for sentence in sentences), text
