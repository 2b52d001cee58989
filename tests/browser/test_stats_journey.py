"""The statistics journey in a real browser, as a new administrator would try it.

The live server is seeded like a fresh `make run`: its demo history holds every month since
January 2018 (4,877 approvals in the first half of 2018, 5,501 in the first half of 2019). An
operator adds the previous system's older export (2016 and 2017) with `flask ipr
import-recordations`; the administrator signs in, opens the dashboard, chooses half years from
2016-01-01 to 2019-06-30, reads the headline (the demo's first half of 2019) and the periods the
import added (2016–2017, and the year-earlier figure of 2018), and downloads the same figures as
CSV, XLSX and JSON, which are opened and compared with what the file and the demo history hold
and with `flask ipr export-stats`. A reviewer sees the same dashboard, read-only.

The imported decisions all lie before 2018 and use their own references, right numbers and
recordation numbers, so the other browser tests on the shared live server (everything they
file or decide is dated today) are unaffected.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from ipr_apps.services import demo_history
from tests.browser.test_review_journey import sign_in
from tests.live import LiveServer, run_cli

ADMIN, REVIEWER = "admin@example.com", "reviewer@example.com"
HEADER = (
    "reference,ipr_type,right_number,right_title,holder_name,holder_country,"
    "submitted_on,decided_on,decision,recordation_number,valid_until"
)
COLUMNS = [
    "period", "group", "received", "approved", "rejected", "approved_prev_year",
    "approved_yoy_pct",
]  # fmt: skip
# Issue 12 added these after the columns above (which keep their names and order); this
# journey checks the application figures, tests/test_recordation_stats.py the added ones.
ADDED = ["in_force_at_end", "renewals_approved", "expiries"]
START, END = "2016-01-01", "2019-06-30"
QUERY = f"by=half&from={START}&to={END}"
PERIODS = ["2016-H1", "2016-H2", "2017-H1", "2017-H2", "2018-H1", "2018-H2", "2019-H1"]
HEADLINE = (
    "In the first half of 2019, customs approved 5,501 applications for IPR customs "
    "protection, up 12.8% year on year."
)
FILENAME = f"ipr-stats-half-{START}-{END}"
# True once every image is loaded and decoded (a screenshot taken earlier shows empty frames).
DRAWN = (
    "images => Promise.all(images.map(i => i.decode()))"
    ".then(() => images.every(i => i.naturalWidth > 0))"
)

# (year, half) → (approvals, rejections) decided in it: the previous system's older export.
# Its 2017-H1 approvals become the year-earlier figure of the demo's 2018-H1.
DECISIONS = {
    (2016, 1): (183, 12),
    (2016, 2): (207, 15),
    (2017, 1): (236, 17),
    (2017, 2): (41, 4),
}
IPR_TYPES = ["trademark", "copyright", "patent_invention", "patent_utility_model", "patent_design"]
COUNTRIES = ["CN", "CN", "CN", "US", "DE", "JP", "FR", "KR", "GB", "IT", "CH", "SE"]
HOLDERS = [f"Historical Holder {n:02d} Co., Ltd." for n in range(40)]


@dataclass(frozen=True)
class Decided:
    submitted_on: date
    decided_on: date
    approved: bool


def half_of(day: date) -> str:
    return f"{day.year}-H{1 if day.month <= 6 else 2}"


def random_day(rng: random.Random, year: int, half: int) -> date:
    first = date(year, 1 if half == 1 else 7, 1)
    last = date(year, 6, 30) if half == 1 else date(year, 12, 31)
    return first + timedelta(days=rng.randint(0, (last - first).days))


def historical_file(path: Path, seed: int = 20190630) -> list[Decided]:
    """Write the previous system's export to `path` (seeded, shuffled); return its decisions."""
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    decided = []
    for (year, half), (approvals, rejections) in DECISIONS.items():
        for approved in [True] * approvals + [False] * rejections:
            decided_on = random_day(rng, year, half)
            submitted_on = decided_on - timedelta(days=rng.randint(5, 150))
            decided.append(Decided(submitted_on, decided_on, approved))
    rng.shuffle(decided)
    sequence = Counter()
    with path.open("w", encoding="utf-8", newline="") as file:
        file.write(HEADER + "\r\n")
        writer = csv.writer(file, lineterminator="\r\n")
        for n, row in enumerate(decided, start=1):
            ipr_type = rng.choice(IPR_TYPES)
            right_number = "" if ipr_type == "copyright" else f"HIST-{ipr_type[:2].upper()}-{n:06d}"
            number = valid_until = ""
            if row.approved:
                year = row.decided_on.year
                sequence[year] += 1
                number = f"OLD-{year}-{sequence[year]:07d}"
                valid_until = (row.decided_on + timedelta(days=rng.randint(365, 3650))).isoformat()
            writer.writerow([
                f"HIST-{n:06d}", ipr_type, right_number, f"Historical right no. {n}",
                rng.choice(HOLDERS), rng.choice(COUNTRIES), row.submitted_on.isoformat(),
                row.decided_on.isoformat(), "approved" if row.approved else "rejected",
                number, valid_until,
            ])  # fmt: skip
    return decided


def demo_decided() -> list[Decided]:
    """The demo history's decisions of 2018 and 2019, as seed-demo imported them."""
    return [
        Decided(date.fromisoformat(row[6]), date.fromisoformat(row[7]), row[8] == "approved")
        for month in demo_history.months(date(2020, 1, 1))
        for row in demo_history.month_rows(month)
    ]


def own_decided(database_url: str) -> list[Decided]:
    """Decisions made in the app itself (not imported) on the live server's database: seed-demo
    approves recordations about ten years ago to show their life (issue 12), and other journeys
    may have decided some too."""
    from sqlalchemy import create_engine, select

    from ipr_apps.models import Application, Decision, Outcome

    stmt = (
        select(Application.first_submitted_at, Decision.decided_on, Decision.outcome)
        .join(Decision, Decision.application_id == Application.id)
        .where(Application.imported.is_(False))
    )
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(stmt).all()
    finally:
        engine.dispose()
    return [Decided(sent.date(), day, outcome == Outcome.APPROVED) for sent, day, outcome in rows]


def expected_rows(decided: list[Decided]) -> list[tuple]:
    """The export rows for PERIODS, counted from the decisions (group empty: ungrouped)."""
    received = Counter(half_of(d.submitted_on) for d in decided)
    outcomes = Counter((half_of(d.decided_on), d.approved) for d in decided)
    rows = []
    for label in PERIODS:
        year, half = label.split("-")
        approved = outcomes[label, True]
        previous = outcomes[f"{int(year) - 1}-{half}", True]
        pct = None
        if previous:  # one decimal, halves away from zero (as the definitions say)
            change = Decimal(approved - previous) * 100 / previous
            pct = float(change.quantize(Decimal("0.1"), ROUND_HALF_UP))
        rows.append((label, "", received[label], approved, outcomes[label, False], previous, pct))
    return rows


# --------------------------------------------------------------------------- the files


def csv_rows(path: Path) -> list[tuple]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "the CSV download starts with a UTF-8 BOM"
    reader = csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    header, *rows = [row[: len(COLUMNS)] for row in reader]
    assert header == COLUMNS
    by_period = {row[0]: row for row in rows}
    assert by_period["2019-H1"][3] == "5501" and by_period["2019-H1"][5:] == ["4877", "12.8"]
    return [
        (period, group, *map(int, counts), float(pct) if pct else None)
        for period, group, *counts, pct in rows
    ]


def xlsx_rows(path: Path) -> list[tuple]:
    workbook = load_workbook(path, read_only=True)
    try:
        (sheet,) = workbook.worksheets
        # max_col: a row's empty last cell (no year-on-year figure) is not stored in the file.
        header, *rows = list(sheet.iter_rows(max_col=len(COLUMNS), values_only=True))
        (full_header,) = sheet.iter_rows(max_row=1, values_only=True)
    finally:
        workbook.close()
    assert list(header) == COLUMNS and list(full_header) == COLUMNS + ADDED
    by_period = {row[0]: row for row in rows}
    assert by_period["2019-H1"][3] == 5501 and by_period["2019-H1"][5:] == (4877, 12.8)
    assert isinstance(by_period["2019-H1"][6], float)  # a number, not the text "12.8"
    # An empty text cell comes back from Excel files as None: the "no group" of CSV and JSON.
    return [(period, group or "", *rest) for period, group, *rest in rows]


def json_rows(text: str) -> list[tuple]:
    rows = json.loads(text)
    assert all(list(row) == COLUMNS + ADDED for row in rows)
    by_period = {row["period"]: row for row in rows}
    assert by_period["2019-H1"]["approved_yoy_pct"] == 12.8
    return [tuple(row[column] for column in COLUMNS) for row in rows]


def download(page: Page, test_id: str, folder: Path) -> Path:
    with page.expect_download() as info:
        page.get_by_test_id(test_id).click()
    file = info.value
    assert file.failure() is None
    path = folder / file.suggested_filename
    file.save_as(path)
    return path


# --------------------------------------------------------------------------- the journey


def test_import_history_read_headline_and_download_figures(
    live: LiveServer, page: Page, browser: Browser, tmp_path: Path, screenshot
) -> None:
    base = live.url

    # 1. The operator imports the previous system's older export with the CLI.
    source = tmp_path / "recordations-2016-2017.csv"
    imported = historical_file(source)
    own = own_decided(live.database_url)
    expected = expected_rows(imported + demo_decided() + own)
    by_period = {row[0]: row for row in expected}
    assert (by_period["2018-H1"][3], by_period["2019-H1"][3]) == (4_877, 5_501)
    own_2017_h1 = sum(d.approved and half_of(d.decided_on) == "2017-H1" for d in own)
    assert by_period["2018-H1"][5] == DECISIONS[2017, 1][0] + own_2017_h1  # a year earlier
    result = run_cli(["ipr", "import-recordations", str(source)], live.env)
    assert result.stdout.strip().splitlines()[-1] == (
        f"Imported {len(imported):,} recordations; skipped 0 already present."
    )

    # 2. The administrator signs in, opens Statistics and chooses half years 2016-01 to 2019-06.
    sign_in(page, base, ADMIN, "/admin/")
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Statistics", exact=True
    ).click()
    expect(page).to_have_url(f"{base}/stats/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Approval statistics")
    form = page.get_by_test_id("stats-form")
    form.get_by_label("Period", exact=True).select_option(label="Half year")
    form.get_by_label("From", exact=True).fill(START)
    form.get_by_label("To", exact=True).fill(END)
    form.get_by_role("button", name="Show", exact=True).click()
    expect(page).to_have_url(f"{base}/stats/?{QUERY}&group_by=&enforcement_group_by=")

    # 3. The headline (the demo history's) and the table with the periods the import added.
    expect(page.get_by_test_id("headline")).to_have_text(HEADLINE)
    table_rows = page.get_by_test_id("periods-table").locator("tbody tr")
    expect(table_rows.locator("th")).to_have_text(PERIODS)
    for index, row in enumerate(expected):
        _label, _group, received, approved, rejected, previous, pct = row
        change = "—" if pct is None else f"{pct:+,.1f}%"
        cells = [f"{received:,}", f"{approved:,}", f"{rejected:,}", f"{previous:,}", change]
        expect(table_rows.nth(index).locator("td:not([data-column])")).to_have_text(cells)
    charts = page.locator("img[data-testid^=chart-]")
    expect(charts).to_have_count(2)
    assert page.evaluate(DRAWN, charts.element_handles()), "both charts load as images"
    screenshot(page, "stats-dashboard")

    # 4. The three downloads hold the same rows, as the CLI exports them.
    files = {fmt: download(page, f"download-{fmt}", tmp_path) for fmt in ("csv", "xlsx", "json")}
    assert {fmt: path.name for fmt, path in files.items()} == {
        fmt: f"{FILENAME}.{fmt}" for fmt in files
    }
    from_csv = csv_rows(files["csv"])
    from_xlsx = xlsx_rows(files["xlsx"])
    from_json = json_rows(files["json"].read_text(encoding="utf-8"))
    assert from_csv == expected
    assert from_xlsx == expected
    assert from_json == expected
    cli = run_cli(
        ["ipr", "export-stats", "--by", "half", "--from", START, "--to", END, "--format", "json"],
        live.env,
    )
    assert json_rows(cli.stdout) == expected
    assert json.loads(cli.stdout) == json.loads(files["json"].read_text(encoding="utf-8"))

    # 5. A reviewer reads the same dashboard but cannot download.
    context = browser.new_context()
    try:
        reviewer = context.new_page()
        sign_in(reviewer, base, REVIEWER, "/review/")
        reviewer.goto(f"{base}/stats/?{QUERY}")
        expect(reviewer.get_by_test_id("headline")).to_have_text(HEADLINE)
        expect(reviewer.get_by_test_id("read-only")).to_be_visible()
        expect(reviewer.get_by_test_id("downloads")).to_have_count(0)
        for fmt in ("csv", "xlsx", "json"):
            expect(reviewer.get_by_test_id(f"download-{fmt}")).to_have_count(0)
            response = reviewer.request.get(f"{base}/stats/export.{fmt}?{QUERY}")
            assert response.status == 403, (fmt, response.status)
    finally:
        context.close()
