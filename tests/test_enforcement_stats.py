"""Enforcement statistics: detention cases per period, checked against independent counts.

Cases are inserted in bulk (one executemany), so the seed-sized data set (12,390 cases) stays
fast; every figure is recomputed in Python from the same cases and compared cell by cell.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from decimal import Decimal
from itertools import count

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, insert, select

from ipr_apps.db import db
from ipr_apps.models import Channel, DetentionCase, Role, SecurityAction, SecurityEvent
from ipr_apps.services import enforcement, exports
from ipr_apps.services.enforcement import COLUMNS, CaseGroupBy
from ipr_apps.services.periods import By, Period, overlapping

NUMBERS = count(1)
SEED_SENTENCE = (
    "In the first half of 2019, customs detained 6,241 batches of suspected infringing goods, "
    "23.81 million items worth ¥78.73 million. Year on year: batches up 1.5%, items up 100.7%."
)


def case_row(opened_on: date, items: int = 1, value: str = "1.00", **fields) -> dict:
    """A detention case as an insert dict; `fields` override the defaults."""
    return {
        "case_number": f"T-{next(NUMBERS):07d}", "opened_on": opened_on, "port_code": "5301",
        "channel": "freight", "direction": "import", "mode": "ex_officio",
        "ipr_type": "trademark", "status": "closed", "items": items, "value_cny": Decimal(value),
        "imported": True, **fields,
    }  # fmt: skip


def exports_logged() -> list[SecurityEvent]:
    wanted = SecurityEvent.action == SecurityAction.EXPORT_DOWNLOADED
    return list(db.session.scalars(select(SecurityEvent).where(wanted).order_by(SecurityEvent.id)))


def insert_cases(rows: list[dict]) -> None:
    if rows:
        db.session.execute(insert(DetentionCase), rows)
    db.session.commit()


# Hand-placed cases across period edges, leap days and every grouping column.
EDGE_CASES = [
    case_row(date(2018, 1, 1), 10, "100.00"),
    case_row(date(2018, 6, 30), 5, "0.10", channel="post", port_code="5201"),
    case_row(date(2018, 7, 1), 7, "12.34", mode="on_application", ipr_type="patent"),
    case_row(date(2018, 12, 31), 0, "0.00", direction="export", channel="express"),
    case_row(date(2019, 1, 1), 3, "0.20", ipr_type="copyright", port_code="5201"),
    case_row(date(2019, 2, 28), 4, "0.30", channel="cross_border_ecommerce"),
    case_row(date(2019, 3, 1), 1, "99999.99", channel="passenger", direction="export"),
    case_row(date(2019, 3, 31), 2, "0.01", mode="on_application", port_code="4200"),
    case_row(date(2019, 4, 1), 6, "5.55", channel="other", ipr_type="patent"),
    case_row(date(2019, 6, 30), 8, "0.10", port_code="5201"),
    case_row(date(2019, 7, 1), 9, "0.20", direction="export"),
    case_row(date(2019, 12, 31), 11, "3.33", ipr_type="copyright"),
    case_row(date(2020, 1, 1), 12, "4.44", channel="post"),
    case_row(date(2020, 2, 29), 13, "5.00", port_code="4200"),  # leap day: 2020-02
    case_row(date(2020, 3, 1), 14, "6.00", mode="on_application"),
    case_row(date(2017, 12, 31), 99, "9.99"),  # before every range below, even a year back
]


@pytest.fixture
def edges(app) -> list[dict]:
    insert_cases([dict(row) for row in EDGE_CASES])
    return EDGE_CASES


def group_of(row: dict, group_by: str | None) -> str:
    if group_by is None:
        return ""
    return row["port_code" if group_by == "port" else group_by]


def brute_force(cases, by: By, start: date, end: date, group_by: str | None) -> list[dict]:
    """The expected rows from the cases in Python, without SQL."""
    periods = overlapping(by, start, end)
    back, last = periods[0].previous_year.start, periods[-1].end_exclusive
    if group_by is None:
        groups = [""]
    else:
        seen = {group_of(c, group_by) for c in cases if back <= c["opened_on"] < last}
        groups = sorted(seen | set(CaseGroupBy(group_by).values))

    def figures(period: Period, group: str) -> tuple:
        inside = [c for c in cases if period.start <= c["opened_on"] < period.end_exclusive]
        mine = [c for c in inside if group_of(c, group_by) == group]
        value = sum((c["value_cny"] for c in mine), Decimal("0.00"))
        return len(mine), sum(c["items"] for c in mine), value

    def pct(now, before):
        return enforcement.yoy_pct(now, before) if before else None

    result = []
    for period in periods:
        for group in groups:
            now, before = figures(period, group), figures(period.previous_year, group)
            row = {"period": period.label, "group": group}
            for name, a, b in zip(("batches", "items", "value_cny"), now, before, strict=True):
                row |= {name: a, f"{name}_prev_year": b, f"{name}_yoy_pct": pct(a, b)}
            result.append(row)
    return result


# -- The rows -------------------------------------------------------------------------------


@pytest.mark.parametrize("by", list(By))
@pytest.mark.parametrize("group_by", [None, *CaseGroupBy])
def test_rows_match_brute_force(edges, by, group_by):
    start, end = date(2019, 2, 10), date(2020, 3, 5)
    got = enforcement.rows(by, start, end, group_by)
    assert got == brute_force(edges, by, start, end, group_by)
    assert all(list(row) == list(COLUMNS) for row in got)


def test_edges_fall_in_the_right_periods(edges):
    halves = {
        r["period"]: r for r in enforcement.rows("half", date(2019, 1, 1), date(2019, 12, 31))
    }
    assert (halves["2019-H1"]["batches"], halves["2019-H1"]["batches_prev_year"]) == (6, 2)
    assert (halves["2019-H2"]["batches"], halves["2019-H2"]["batches_prev_year"]) == (2, 2)
    assert halves["2019-H1"]["items"] == 3 + 4 + 1 + 2 + 6 + 8
    assert halves["2019-H1"]["value_cny"] == Decimal(
        "100006.15"
    )  # 0.20 + 0.30 + 99999.99 + 0.01 + 5.55 + 0.10
    assert halves["2019-H1"]["value_cny_prev_year"] == Decimal("100.10")
    quarters = {
        r["period"]: r for r in enforcement.rows("quarter", date(2019, 3, 31), date(2019, 4, 1))
    }
    assert list(quarters) == ["2019-Q1", "2019-Q2"]
    assert (quarters["2019-Q1"]["batches"], quarters["2019-Q2"]["batches"]) == (4, 2)
    months = {
        r["period"]: r for r in enforcement.rows("month", date(2020, 2, 1), date(2020, 3, 31))
    }
    assert months["2020-02"]["batches"] == 1 and months["2020-02"]["items"] == 13
    assert months["2020-02"]["batches_prev_year"] == 1  # 2019-02-28 is February's a year back
    years = enforcement.rows("year", date(2019, 6, 1), date(2019, 6, 1))
    assert [(r["period"], r["batches"], r["batches_prev_year"]) for r in years] == [("2019", 8, 4)]
    assert years[0]["batches_yoy_pct"] == Decimal("100.0")


def test_grouped_rows_add_up_to_the_ungrouped_ones(edges):
    plain = enforcement.rows("quarter", date(2018, 1, 1), date(2020, 12, 31))
    for group_by in CaseGroupBy:
        grouped = enforcement.rows("quarter", date(2018, 1, 1), date(2020, 12, 31), group_by)
        for row in plain:
            mine = [r for r in grouped if r["period"] == row["period"]]
            for column in ("batches", "items", "value_cny", "batches_prev_year",
                           "items_prev_year", "value_cny_prev_year"):  # fmt: skip
                assert sum(r[column] for r in mine) == row[column], (group_by, column)


def test_every_period_and_enumerated_group_is_listed_with_zeros(app):
    rows = enforcement.rows("month", date(2031, 1, 15), date(2031, 4, 2))
    assert [r["period"] for r in rows] == ["2031-01", "2031-02", "2031-03", "2031-04"]
    assert all(r["batches"] == r["items"] == r["batches_prev_year"] == 0 for r in rows)
    assert all(r["value_cny"] == Decimal("0.00") for r in rows)
    assert all(r[p] is None for r in rows for p in enforcement.PERCENTAGES)
    by_channel = enforcement.rows("half", date(2031, 1, 1), date(2031, 12, 31), "channel")
    assert [(r["period"], r["group"]) for r in by_channel] == [
        (h, c) for h in ("2031-H1", "2031-H2") for c in sorted(c.value for c in Channel)
    ]
    assert enforcement.rows("half", date(2031, 1, 1), date(2031, 12, 31), "port") == []


@pytest.mark.parametrize(
    ("now", "before", "pct"),
    [(17, 16, "6.3"), (15, 16, "-6.3"), (33, 32, "3.1"), (31, 32, "-3.1"), (6241, 6149, "1.5"),
     (3, 0, None), (0, 4, "-100.0"), (5, 5, "0.0")],
)  # fmt: skip
def test_yoy_cells_round_half_away_from_zero(app, now, before, pct):
    """6.25 → 6.3 and −6.25 → −6.3 (banker's rounding would give 6.2 and −6.2)."""
    rows = [case_row(date(2019, 1, 1), 1, "1.00") for _ in range(now)]
    rows += [case_row(date(2018, 1, 1), 1, "1.00") for _ in range(before)]
    insert_cases(rows)
    (row,) = enforcement.rows("year", date(2019, 1, 1), date(2019, 12, 31))
    expected = None if pct is None else Decimal(pct)
    assert row["batches_yoy_pct"] == row["items_yoy_pct"] == row["value_cny_yoy_pct"] == expected
    assert (row["batches"], row["batches_prev_year"]) == (now, before)


def test_values_sum_exactly_in_fen(app):
    """A large value, then a thousand 0.10 and a thousand 0.20: summed as binary floating
    point (SQLite keeps NUMERIC so) they come to 9000000000299.818, not …300.99."""
    insert_cases(
        [case_row(date(2019, 5, 5), 0, "9000000000000.99")]  # read first (by opened_on)
        + [case_row(date(2019, 5, 6), 0, v) for v in ("0.10", "0.20") for _ in range(1000)]
    )  # fmt: skip
    (row,) = enforcement.rows("month", date(2019, 5, 1), date(2019, 5, 31))
    assert row["value_cny"] == Decimal("9000000000300.99")
    assert row["batches"] == 2001 and row["items"] == 0


def test_one_query_for_the_range_and_the_year_before(edges):
    statements = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        enforcement.rows("month", date(2010, 1, 1), date(2020, 12, 31), "port")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len(statements) == 1 and "GROUP BY" in statements[0]


def test_impossible_ranges_are_refused(app):
    from ipr_apps.errors import ValidationError

    with pytest.raises(ValidationError):
        enforcement.rows("year", date(2019, 5, 1), date(2019, 1, 1))
    with pytest.raises(ValidationError):
        enforcement.rows("year", date(1, 1, 1), date(2019, 1, 1))


# -- The command ----------------------------------------------------------------------------

CLI = ["ipr", "export-enforcement-stats"]
H1_2019 = ["--by", "half", "--from", "2019-01-01", "--to", "2019-12-31"]


def test_cli_csv_is_the_contract(runner, edges):
    result = runner.invoke(args=[*CLI, *H1_2019])
    assert result.exit_code == 0, result.output
    lines = list(csv.reader(io.StringIO(result.output)))
    assert lines == [
        list(COLUMNS),
        ["2019-H1", "", "6", "24", "100006.15", "2", "15", "100.10", "200.0", "60.0", "99806.2"],
        ["2019-H2", "", "2", "20", "3.53", "2", "7", "12.34", "0.0", "185.7", "-71.4"],
    ]


def test_cli_csv_writes_two_decimals_and_empty_yoy(runner, app):
    insert_cases([case_row(date(2019, 3, 1), 5, "7")])
    result = runner.invoke(
        args=[*CLI, "--by", "year", "--from", "2019-01-01", "--to", "2019-01-01"]
    )
    assert result.output.splitlines()[1] == "2019,,1,5,7.00,0,0,0.00,,,"


def test_cli_json_numbers_and_nulls(runner, edges):
    result = runner.invoke(args=[*CLI, *H1_2019, "--format", "json", "--group-by", "port"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    expected = brute_force(edges, By.HALF, date(2019, 1, 1), date(2019, 12, 31), "port")
    assert [list(item) for item in data] == [list(COLUMNS)] * len(expected)
    assert data == json.loads(exports.json_text(expected, exports.ENFORCEMENT))
    first = next(d for d in data if d["period"] == "2019-H1" and d["group"] == "5201")
    assert first == {
        "period": "2019-H1", "group": "5201", "batches": 2, "items": 11, "value_cny": 0.3,
        "batches_prev_year": 1, "items_prev_year": 5, "value_cny_prev_year": 0.1,
        "batches_yoy_pct": 100.0, "items_yoy_pct": 120.0, "value_cny_yoy_pct": 200.0,
    }  # fmt: skip
    empty = next(d for d in data if d["period"] == "2019-H2" and d["group"] == "4200")
    assert empty["batches"] == 0 and empty["batches_yoy_pct"] is None


@pytest.mark.parametrize("group_by", list(CaseGroupBy))
def test_cli_every_group_by(runner, edges, group_by):
    result = runner.invoke(args=[*CLI, *H1_2019, "--group-by", group_by.value])
    assert result.exit_code == 0, result.output
    expected = brute_force(edges, By.HALF, date(2019, 1, 1), date(2019, 12, 31), group_by)
    assert result.output == "".join(
        exports.csv_lines(expected, layout=exports.ENFORCEMENT)
    ).replace("\r\n", "\n")


def test_cli_xlsx_needs_output_and_keeps_numbers(runner, edges, tmp_path):
    refused = runner.invoke(args=[*CLI, *H1_2019, "--format", "xlsx"])
    assert refused.exit_code == 2 and "--output" in refused.output
    target = tmp_path / "enforcement.xlsx"
    done = runner.invoke(args=[*CLI, *H1_2019, "--format", "xlsx", "--output", str(target)])
    assert done.exit_code == 0, done.output
    values = list(load_workbook(target).active.iter_rows(values_only=True))
    assert values[0] == COLUMNS
    # an empty text cell (no grouping) is an empty cell
    assert values[1] == ("2019-H1", None, 6, 24, 100006.15, 2, 15, 100.1, 200.0, 60.0, 99806.2)


def test_cli_output_file_and_refusals(runner, edges, tmp_path):
    target = tmp_path / "enforcement.csv"
    done = runner.invoke(args=[*CLI, *H1_2019, "--output", str(target)])
    assert done.exit_code == 0 and done.stdout == ""
    assert target.read_bytes().decode("utf-8") == "".join(
        exports.csv_lines(enforcement.rows("half", date(2019, 1, 1), date(2019, 12, 31)),
                          layout=exports.ENFORCEMENT)
    )  # fmt: skip
    assert runner.invoke(args=[*CLI, *H1_2019, "--group-by", "country"]).exit_code == 2
    assert runner.invoke(args=[*CLI, *H1_2019, "--by", "week"]).exit_code == 2
    backwards = runner.invoke(
        args=[*CLI, "--by", "year", "--from", "2019-05-01", "--to", "2019-01-01"]
    )
    assert backwards.exit_code == 1 and "Traceback" not in backwards.output
    assert [e.detail["figures"] for e in exports_logged()] == ["enforcement"]


def test_port_codes_are_escaped_as_formulas(runner, app):
    insert_cases(
        [case_row(date(2019, 1, 2), port_code="=1+2"), case_row(date(2019, 1, 3), port_code="@A1")]
    )
    result = runner.invoke(args=[*CLI, *H1_2019, "--group-by", "port"])
    groups = [line[1] for line in csv.reader(io.StringIO(result.output))][1:]
    assert groups == ["'=1+2", "'@A1", "'=1+2", "'@A1"]


# -- The statistics page --------------------------------------------------------------------


def spread(first: date, days: int, batches: int, items: int, fen: int, **fields) -> list[dict]:
    """`batches` cases over `days` days from `first`, whose items and values (in fen) add up
    to `items` and `fen` exactly."""
    rows = []
    for n in range(batches):
        share_items = items // batches + (1 if n < items % batches else 0)
        share_fen = fen // batches + (1 if n < fen % batches else 0)
        rows.append(case_row(first + timedelta(days=n % days), share_items,
                             str(Decimal(share_fen) / 100), **fields))  # fmt: skip
    return rows


@pytest.fixture
def seed_halves(app):
    """The seed's first halves: 6,149 → 6,241 batches (+1.5%), 11,863,000 → 23,810,000 items
    (+100.7%), worth 78.73 million yuan in 2019; 181 days in each half."""
    rows = spread(date(2018, 1, 1), 181, 6149, 11_863_000, 5_123_456_789)
    rows += spread(date(2019, 1, 1), 181, 6241, 23_810_000, 7_873_000_000)
    insert_cases(rows)


PAGE = {"by": "half", "from": "2018-01-01", "to": "2019-06-30"}


def headline(html: str) -> str:
    start = html.index('data-testid="enforcement-headline">') + len(
        'data-testid="enforcement-headline">'
    )
    return html[start : html.index("</p>", start)]


def test_seed_sentence(client, login, make_user, seed_halves):
    login(make_user(Role.REVIEWER))
    response = client.get("/stats/", query_string=PAGE)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert headline(html) == SEED_SENTENCE
    (h1,) = enforcement.rows("half", date(2019, 1, 1), date(2019, 6, 30))
    assert (h1["batches"], h1["batches_prev_year"], h1["items"]) == (6241, 6149, 23_810_000)
    assert h1["value_cny"] == Decimal("78730000.00")
    assert (h1["batches_yoy_pct"], h1["items_yoy_pct"]) == (Decimal("1.5"), Decimal("100.7"))
    assert 'data-testid="enforcement-table"' in html and "enforcement-download" not in html


NO_H1 = "Customs detained no suspected infringing goods in the first half of 2019"
IN_H1 = "In the first half of 2019, customs detained"
VARIANTS = [
    ([], f"{NO_H1}, nor in the same period a year earlier."),
    ([(2018, 1, 5, "1.00")], f"{NO_H1}, against 1 batch in the same period a year earlier."),
    ([(2019, 1, 1, "0.50")],
     f"{IN_H1} 1 batch of suspected infringing goods, 1 item worth ¥0.50. No goods were "
     "detained in the same period a year earlier."),
    ([(2019, 2, 1234, "12345.67"), (2019, 3, 0, "0"), (2018, 4, 1234, "1.00"),
      (2018, 5, 1, "1.00"), (2018, 6, 1, "1.00")],
     f"{IN_H1} 2 batches of suspected infringing goods, 1,234 items worth ¥12,345.67. Year on "
     "year: batches down 33.3%, items down 0.2%."),
    ([(2019, 2, 7, "1"), (2018, 2, 7, "1")],
     f"{IN_H1} 1 batch of suspected infringing goods, 7 items worth ¥1.00. Year on year: "
     "batches unchanged, items unchanged."),
    ([(2019, 2, 1_000_000, "1000000"), (2018, 2, 999_999, "1")],
     f"{IN_H1} 1 batch of suspected infringing goods, 1.00 million items worth ¥1.00 million. "
     "Year on year: batches unchanged, items up less than 0.1%."),
]  # fmt: skip


@pytest.mark.parametrize(("cases", "sentence"), VARIANTS)
def test_headline_variants(client, login, make_user, cases, sentence):
    insert_cases(
        [case_row(date(year, month, 1), items, value) for year, month, items, value in cases]
    )
    login(make_user(Role.ADMIN))
    html = client.get("/stats/", query_string=PAGE).get_data(as_text=True)
    assert headline(html) == sentence


def test_no_complete_period(client, login, make_user):
    login(make_user(Role.ADMIN))
    html = client.get(
        "/stats/", query_string={"by": "year", "from": "2999-01-01", "to": "2999-01-01"}
    ).get_data(as_text=True)
    assert headline(html) == (
        "No year in the selected range has ended yet, so there are no enforcement figures for a "
        "complete period."
    )


@pytest.mark.parametrize("group_by", [None, *CaseGroupBy])
def test_downloads_equal_the_cli_rows(client, login, make_user, edges, group_by):
    login(make_user(Role.ADMIN))
    args = {"by": "quarter", "from": "2019-01-01", "to": "2019-12-31", "figures": "enforcement"}
    if group_by:
        args["enforcement_group_by"] = group_by.value
    page = client.get("/stats/", query_string=args).get_data(as_text=True)
    assert 'data-testid="enforcement-download-csv"' in page
    assert ('data-testid="enforcement-grouped-table"' in page) == (group_by is not None)
    rows = enforcement.rows("quarter", date(2019, 1, 1), date(2019, 12, 31), group_by)
    assert rows == brute_force(edges, By.QUARTER, date(2019, 1, 1), date(2019, 12, 31), group_by)
    layout = exports.ENFORCEMENT
    response = client.get("/stats/export.csv", query_string=args)
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "".join(exports.csv_lines(rows, True, layout))
    suffix = f"-{group_by.value}" if group_by else ""
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=ipr-enforcement-quarter-2019-01-01-2019-12-31{suffix}.csv"
    )
    as_json = client.get("/stats/export.json", query_string=args).get_json()
    assert as_json == json.loads(exports.json_text(rows, layout))
    sheet = client.get("/stats/export.xlsx", query_string=args).get_data()
    values = list(load_workbook(io.BytesIO(sheet)).active.iter_rows(values_only=True))
    assert values[0] == COLUMNS and len(values) == len(rows) + 1
    logged = exports_logged()
    assert [e.detail.get("figures") for e in logged] == ["enforcement"] * 3
    assert all(e.detail.get("group_by") == (group_by.value if group_by else None) for e in logged)


def test_page_links_and_refusals(client, login, make_user, edges):
    login(make_user(Role.ADMIN))
    html = client.get("/stats/", query_string={**PAGE, "enforcement_group_by": "port"}).get_data(
        as_text=True
    )
    assert (
        "/stats/export.csv?figures=enforcement&amp;by=half&amp;from=2018-01-01&amp;to=2019-06-30"
        "&amp;enforcement_group_by=port" in html
    )
    bad = client.get("/stats/", query_string={**PAGE, "enforcement_group_by": "colour"})
    assert bad.status_code == 200 and "invalid-feedback" in bad.get_data(as_text=True)
    refused = {**PAGE, "figures": "enforcement", "enforcement_group_by": "colour"}
    assert client.get("/stats/export.csv", query_string=refused).status_code == 400
    assert (
        client.get("/stats/export.csv", query_string={**PAGE, "figures": "other"}).status_code
        == 404
    )
    approvals = client.get(
        "/stats/export.csv", query_string={**PAGE, "enforcement_group_by": "port"}
    )
    assert approvals.get_data(as_text=True).startswith("\ufeffperiod,group,received,")


def test_reviewers_cannot_download(client, login, make_user, edges):
    login(make_user(Role.REVIEWER))
    args = {**PAGE, "figures": "enforcement"}
    assert client.get("/stats/export.csv", query_string=args).status_code == 403
