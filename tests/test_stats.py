"""Statistics: every column checked against counts computed independently in Python."""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from ipr_apps.db import db
from ipr_apps.models import Application, Decision, IprType, Organisation, OrgKind, Outcome, Status
from ipr_apps.services import exports, stats
from ipr_apps.services.periods import By, Period, latest_complete, overlapping, period_of

COUNTRIES = ["CN", "DE", "US", "FR"]


def _org() -> Organisation:
    org = Organisation(kind=OrgKind.HOLDER, name_local="Stats holder", country="CN")
    db.session.add(org)
    db.session.flush()
    return org


def add_case(org, n, submitted: date, decided: date | None, outcome: Outcome | None,
             ipr_type=IprType.TRADEMARK, country="CN") -> None:  # fmt: skip
    status = Status.SUBMITTED if outcome is None else Status(outcome.value)
    application = Application(
        reference=f"S-{n:06d}", ipr_type=ipr_type, status=status, holder_org_id=org.id,
        holder_country=country, imported=True,
        first_submitted_at=datetime.combine(submitted, datetime.min.time()),
        due_on=submitted + timedelta(days=42),
        decided_at=datetime.combine(decided, datetime.min.time()) if decided else None,
    )  # fmt: skip
    db.session.add(application)
    db.session.flush()
    if outcome is not None:
        db.session.add(Decision(application_id=application.id, outcome=outcome,
                                decided_on=decided, imported=True))  # fmt: skip


@pytest.fixture
def dataset(app):
    """~300 random cases over 2017–2020 plus hand-placed boundary cases; returns them."""
    rng = random.Random(20190802)  # noqa: S311 (test data, not security)
    org = _org()
    cases = []
    for n in range(300):
        submitted = date(2017, 1, 1) + timedelta(days=rng.randrange(4 * 365))
        outcome = rng.choice([Outcome.APPROVED, Outcome.APPROVED, Outcome.REJECTED, None])
        decided = submitted + timedelta(days=rng.randrange(0, 90)) if outcome else None
        case = (submitted, decided, outcome, rng.choice(list(IprType)), rng.choice(COUNTRIES))
        cases.append(case)
        add_case(org, n, *case)
    boundaries = [
        (date(2019, 6, 30), date(2019, 6, 30)), (date(2019, 7, 1), date(2019, 7, 1)),
        (date(2018, 12, 31), date(2018, 12, 31)), (date(2019, 1, 1), date(2019, 1, 1)),
        (date(2020, 2, 29), date(2020, 2, 29)), (date(2019, 2, 28), date(2019, 3, 1)),
    ]  # fmt: skip
    for i, (submitted, decided) in enumerate(boundaries, start=len(cases)):
        case = (submitted, decided, Outcome.APPROVED, IprType.COPYRIGHT, "DE")
        cases.append(case)
        add_case(org, i, *case)
    db.session.commit()
    return cases


def expected(cases, by: By, start: date, end: date, group_by: str | None) -> list[dict]:
    """The same figures by brute force over the cases, without SQL."""

    def group_of(case):
        return {"ipr_type": case[3].value, "country": case[4]}.get(group_by, "")

    def count(period: Period, group: str, which) -> int:
        return sum(1 for c in cases if group_of(c) == group and which(c, period))

    def received(c, p):
        return p.start <= c[0] < p.end_exclusive

    def decided_as(outcome):
        return lambda c, p: c[2] == outcome and p.start <= c[1] < p.end_exclusive

    result = []
    for period in overlapping(by, start, end):
        groups = {""} if group_by is None else {
            group_of(c) for c in cases
            if received(c, period) or (c[1] and decided_as(c[2])(c, period))
            or (c[2] == Outcome.APPROVED and decided_as(Outcome.APPROVED)(c, period.previous_year))
        }  # fmt: skip
        for group in sorted(groups):
            approved = count(period, group, decided_as(Outcome.APPROVED))
            prev = count(period.previous_year, group, decided_as(Outcome.APPROVED))
            result.append({
                "period": period.label, "group": group,
                "received": count(period, group, received), "approved": approved,
                "rejected": count(period, group, decided_as(Outcome.REJECTED)),
                "approved_prev_year": prev,
                "approved_yoy_pct": stats.yoy_pct(approved, prev),
                # no recordations in this data set (test_recordation_stats.py has them)
                **dict.fromkeys(stats.RECORDATION_COLUMNS, 0),
            })  # fmt: skip
    return result


@pytest.mark.parametrize("by", list(By))
@pytest.mark.parametrize("group_by", [None, "ipr_type", "country"])
def test_rows_match_brute_force(dataset, by, group_by):
    start, end = date(2018, 2, 10), date(2020, 3, 5)
    assert stats.rows(by, start, end, group_by) == expected(dataset, by, start, end, group_by)


def test_grouped_rows_sum_to_the_ungrouped_ones(dataset):
    plain = stats.rows("quarter", date(2018, 1, 1), date(2019, 12, 31))
    for group_by in ("ipr_type", "country"):
        grouped = stats.rows("quarter", date(2018, 1, 1), date(2019, 12, 31), group_by)
        for row in plain:
            mine = [r for r in grouped if r["period"] == row["period"]]
            for column in ("received", "approved", "rejected", "approved_prev_year"):
                assert sum(r[column] for r in mine) == row[column]


def test_boundaries_fall_in_the_right_periods(dataset):
    grouped = stats.rows("half", date(2019, 1, 1), date(2019, 12, 31), "country")
    halves = {r["period"]: r for r in grouped if r["group"] == "DE"}
    exact = [c for c in dataset if c[4] == "DE" and c[2] == Outcome.APPROVED]
    h1 = sum(1 for c in exact if date(2019, 1, 1) <= c[1] <= date(2019, 6, 30))
    assert halves["2019-H1"]["approved"] == h1
    months = {r["period"]: r for r in stats.rows("month", date(2020, 2, 1), date(2020, 3, 31))}
    assert months["2020-02"]["approved"] >= 1  # 29 February 2020 counts in February


def test_empty_periods_are_listed_with_zeros(app):
    rows = stats.rows("month", date(2031, 1, 15), date(2031, 4, 2))
    assert [r["period"] for r in rows] == ["2031-01", "2031-02", "2031-03", "2031-04"]
    assert all(r["received"] == r["approved"] == r["approved_prev_year"] == 0 for r in rows)
    assert all(r["approved_yoy_pct"] is None for r in rows)
    assert stats.rows("quarter", date(2031, 1, 1), date(2031, 12, 31), "country") == []


@pytest.mark.parametrize(
    ("current", "previous", "pct"),
    [(5501, 4877, "12.8"), (97, 100, "-3.0"), (1, 8, "-87.5"), (3, 0, None), (0, 4, "-100.0"),
     (1001, 2000, "-50.0"), (1, 3, "-66.7"), (2, 3, "-33.3"), (1, 40, "-97.5")],
)  # fmt: skip
def test_yoy_rounding_half_away_from_zero(current, previous, pct):
    assert stats.yoy_pct(current, previous) == (None if pct is None else Decimal(pct))


def test_period_labels_and_overlap():
    assert [p.label for p in overlapping(By.QUARTER, date(2019, 3, 31), date(2019, 4, 1))] == [
        "2019-Q1", "2019-Q2"]  # fmt: skip
    assert period_of(By.HALF, date(2019, 6, 30)).label == "2019-H1"
    assert period_of(By.HALF, date(2019, 7, 1)).label == "2019-H2"
    assert period_of(By.YEAR, date(2019, 12, 31)).next().label == "2020"
    assert Period(By.HALF, 2019, 1).phrase == "the first half of 2019"
    assert (
        latest_complete(By.HALF, date(2018, 1, 1), date(2019, 12, 31), date(2019, 8, 2)).label
        == "2019-H1"
    )


def _rows_for_export():
    return [
        {"period": "2019-H1", "group": "=cmd|' /C calc'!A0", "received": 1, "approved": 5501,
         "rejected": 2, "approved_prev_year": 4877, "approved_yoy_pct": Decimal("12.8"),
         "in_force_at_end": 40, "renewals_approved": 3, "expiries": 1},
        {"period": "2019-H2", "group": "", "received": 0, "approved": 0, "rejected": 0,
         "approved_prev_year": 0, "approved_yoy_pct": None, "in_force_at_end": 0,
         "renewals_approved": 0, "expiries": 0},
    ]  # fmt: skip


def test_csv_contract_and_formula_escaping():
    text = "".join(exports.csv_lines(_rows_for_export()))
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == list(stats.COLUMNS)
    assert lines[1] == ["2019-H1", "'=cmd|' /C calc'!A0", "1", "5501", "2", "4877", "12.8", "40",
                        "3", "1"]  # fmt: skip
    assert lines[2] == ["2019-H2", "", "0", "0", "0", "0", "", "0", "0", "0"]
    assert "".join(exports.csv_lines([], bom=True)).startswith("\ufeffperiod,")


def test_json_and_xlsx_keep_numbers_as_numbers(tmp_path):
    data = json.loads(exports.json_text(_rows_for_export()))
    assert data[0]["approved"] == 5501 and data[0]["approved_yoy_pct"] == 12.8
    assert data[1]["approved_yoy_pct"] is None and list(data[0]) == list(stats.COLUMNS)
    path = tmp_path / "s.xlsx"
    exports.write_xlsx(_rows_for_export(), str(path))
    sheet = load_workbook(path).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == stats.COLUMNS
    assert values[1] == ("2019-H1", "'=cmd|' /C calc'!A0", 1, 5501, 2, 4877, 12.8, 40, 3, 1)
    assert values[2][6] is None


def test_cli_export_formats(runner, dataset, tmp_path):
    args = ["ipr", "export-stats", "--by", "half", "--from", "2019-01-01", "--to", "2019-12-31"]
    csv_out = runner.invoke(args=args)
    assert csv_out.exit_code == 0
    rows = stats.rows("half", date(2019, 1, 1), date(2019, 12, 31))
    assert csv_out.output == "".join(exports.csv_lines(rows)).replace("\r\n", "\n")
    json_out = runner.invoke(args=[*args, "--format", "json", "--group-by", "country"])
    grouped = stats.rows("half", date(2019, 1, 1), date(2019, 12, 31), "country")
    assert json.loads(json_out.output) == json.loads(exports.json_text(grouped))
    refused = runner.invoke(args=[*args, "--format", "xlsx"])
    assert refused.exit_code == 2 and "--output" in refused.output
    target = tmp_path / "out.xlsx"
    assert runner.invoke(args=[*args, "--format", "xlsx", "--output", str(target)]).exit_code == 0
    assert len(list(load_workbook(target).active.iter_rows())) == len(rows) + 1


RANGES = [("0001-01-01", "2019-01-01"), ("2019-01-01", "9999-12-31"), ("2019-05-01", "2019-01-01")]


@pytest.mark.parametrize(("start", "end"), RANGES)
def test_cli_refuses_impossible_ranges_cleanly(runner, start, end):
    result = runner.invoke(
        args=["ipr", "export-stats", "--by", "year", "--from", start, "--to", end]
    )
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
