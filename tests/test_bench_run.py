"""bench/run.py's pieces that need no server: the statement counter, the next links it
follows, the table's verdicts (the whole run is CI's `bench/run.py --smoke`)."""

from __future__ import annotations

import sys
from pathlib import Path

from werkzeug.test import Client as WsgiClient

from ipr_apps.db import db
from ipr_apps.models import Role, Status
from tests.sql_count import statements

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from harness import counted, extras, report
from harness.catalogue import Probe
from harness.client import next_link
from harness.measure import Timing


def test_the_counter_answers_the_statements_a_request_sent(app):
    wsgi = WsgiClient(counted.wrap(app))
    wsgi.get("/register/?q=warm")  # the first request also loads what later ones reuse
    with statements(db.engine) as sent:
        response = wsgi.get("/register/?q=bright")
    assert response.status_code == 200
    assert int(response.headers["X-Bench-SQL"]) == len(sent) > 0


def test_the_queue_next_link_is_followed(client, login, make_user, make_application):
    holder = make_user(Role.HOLDER)
    for _ in range(app_page_size(client) + 2):
        make_application(holder, Status.SUBMITTED)
    login(make_user(Role.REVIEWER))
    first = client.get("/review/")
    following = next_link(first.data)
    assert following.startswith("/review/?") and "cursor=" in following
    assert client.get(following).status_code == 200
    assert next_link(b"<p>no pagination</p>") is None


def app_page_size(client) -> int:
    return client.application.config["PAGE_SIZE"]


def _timings(*pairs) -> dict:
    return {
        size: {"p": Timing(ms, sql, 200)} for size, (ms, sql) in zip((10, 20), pairs, strict=True)
    }


def test_a_page_meets_its_target_on_ratio_and_statements():
    page = Probe("p", "reviewer", "/x")
    assert report.page_cell(_timings((10, 5), (11.9, 5)), [10, 20], page).met is True
    assert report.page_cell(_timings((10, 5), (12.5, 5)), [10, 20], page).met is False
    assert report.page_cell(_timings((10, 5), (10, 11)), [10, 20], page).met is False
    detail = Probe("p", "reviewer", "/x", "detail")  # no statement limit for a detail page
    assert report.page_cell(_timings((10, 15), (10, 15)), [10, 20], detail).met is True
    stats = Probe("p", "reviewer", "/x", "stats")
    assert report.page_cell(_timings((400, 5), (600, 5)), [10, 20], stats).met is False


def test_baselines_and_other_benchmarks_in_the_table():
    ours, theirs = Timing(5.0, 3, 200), Timing(60.0, 2, 200)
    assert report.versus_cell(ours, theirs, 10).met is True
    assert report.rate_cell(30, 100, 0).met is True and report.rate_cell(30, 100, 2).met is False
    rows = extras.rows("stats_sql", {"received": [12.0, 10.0]})
    target, cell = report.extra_cell(*rows[0], "sqlite")
    assert (target, cell.met) == ("≤ 1.2", True)
    assert extras.rows("imports", "not available") == [("imports", "not available")]
    table = report.markdown([("p", "≤ 1.2", {"sqlite": cell})], ["sqlite"], [10_000, 1_000_000])
    assert "SQLite (10k → 1m)" in table and "| p | ≤ 1.2 | 12 ÷ 10 ms | 1.20 | yes |" in table


def test_other_benchmarks_results_become_rows():
    result = {"database": "postgresql", "ratio": 1.1, "submit_p50_ms": 80.0, "errors": [],
              "pair": ["a", "b"], "submissions_per_s": 55.0}  # fmt: skip
    found = dict(extras.rows("x", result))
    assert found == {"x: ratio": 1.1, "x: submit_p50_ms": 80.0, "x: submissions_per_s": 55.0}
    assert report.extra_cell("x: submissions_per_s", 55.0, "sqlite")[1].met is None
    assert report.extra_cell("x: submissions_per_s", 45.0, "postgresql")[1].met is False
    failed = extras.rows("x", {"errors": ["HTTP 500 on submit"]})
    assert failed == [("x: errors", "error: ['HTTP 500 on submit']")]


def test_a_revalidated_page_must_answer_304():
    reload = Probe("p", "reviewer", "/x", revalidate=True)
    revalidated = {size: {"p": Timing(1.0, 2, 304)} for size in (10, 20)}
    assert report.page_cell(revalidated, [10, 20], reload).met is True
    rendered = {size: {"p": Timing(1.0, 2, 200)} for size in (10, 20)}
    cell = report.page_cell(rendered, [10, 20], reload)
    assert cell.met is False and cell.value == "HTTP 200"


def test_import_memory_is_flat_within_its_margin():
    _, flat = report.extra_cell(
        "imports: memory, RSS growth 1,000,000 ÷ 100,000 rows", (30.0, 25.0), "sqlite"
    )
    _, grows = report.extra_cell(
        "imports: memory, RSS growth 1,000,000 ÷ 100,000 rows", (190.0, 20.0), "sqlite"
    )
    assert flat.met is True and grows.met is False


class _FakeClient:
    """Answers like the app: 200 with an ETag, 304 when asked with it; records the order."""

    def __init__(self, size: int, log: list):
        self.size, self.log = size, log

    def get(self, path: str, etag: str | None = None):
        from harness.client import Reply

        self.log.append((self.size, path, etag))
        status = 304 if etag == '"v1"' else 200
        return Reply(status, b"", 1.0 + self.size, 3, None, '"v1"')


def test_sizes_are_interleaved_and_revalidation_expects_304():
    from harness.measure import interleaved

    log: list = []
    probes = [Probe("a", "u", "/a"), Probe("b", "u", "/b", revalidate=True)]
    runs = {size: ({"u": _FakeClient(size, log)}, probes) for size in (10, 20)}
    timings = interleaved(runs, reps=2)
    measured = log[6:]  # after the warm-up (a, b and b's revalidation, per size)
    assert [(size, path) for size, path, _ in measured[:4]] == [
        (10, "/a"),
        (20, "/a"),
        (10, "/b"),
        (20, "/b"),
    ]
    assert [(size, path) for size, path, _ in measured[4:]] == [
        (20, "/b"),
        (10, "/b"),
        (20, "/a"),
        (10, "/a"),
    ]
    assert all(etag == '"v1"' for _, path, etag in measured if path == "/b")
    assert timings[10]["b"].status == 304 and timings[10]["a"].status == 200
    assert timings[20]["a"].ms == 21.0


def test_a_short_queue_is_measured_at_its_last_full_page():
    """Page 1,000, or the last page with a next link (a full page) when the queue is shorter:
    its last page may hold two rows, not the page to compare with a full one."""
    from types import SimpleNamespace

    from harness.measure import deep_queue

    pages = {"/review/": "/review/?cursor=2", "/review/?cursor=2": "/review/?cursor=3",
             "/review/?cursor=3": None}  # fmt: skip

    class Pages:
        def get(self, path):
            following = pages[path]
            body = f'<a rel="next" href="{following}">' if following else ""
            return SimpleNamespace(status=200, body=body.encode())

    assert deep_queue(Pages(), 1000) == ("/review/?cursor=2", 2)
    assert deep_queue(Pages(), 2) == ("/review/?cursor=2", 2)
    pages["/review/"] = None  # one page only: that page
    assert deep_queue(Pages(), 1000) == ("/review/", 1)
