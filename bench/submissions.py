"""Benchmark: API submissions per second through gunicorn (issue 16, target 6).

Prepares a database (migrated; optionally filled with N imported historical applications so
the look-ups run against a large table; one holder account with its own API token per
client), serves the real app with gunicorn (4 sync workers), then runs K concurrent clients
for T seconds, each repeating what an API user does to file: create a complete draft, upload
a PDF and a PNG, submit. Prints submissions/s and the p50/p90 latency of each call.
Baseline, same run: `/static/favicon.svg` req/s on the same server (what gunicorn and the
clients themselves can carry).

    .venv/bin/python bench/submissions.py [--seconds 30] [--clients 8] [--fill 100000]
        [--database-url URL] [--analyze]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import requests
from server_cpu import server_cpu

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

API = "/api/v1/applications"
PASSWORD = "Lantern-Harbour-83-quiet"  # noqa: S105 (bench accounts on a scratch database)
STEPS = ("create", "upload", "submit")


def payload(client: int, n: int) -> dict:
    """A trademark draft that passes full validation (documents aside), its own number."""
    expiry = (date.today() + timedelta(days=2000)).isoformat()
    return {
        "ipr_type": "trademark",
        "right": {
            "registration_number": f"TM-B{client:02d}-{n:07d}", "title": "BRIGHTLIGHT",
            "nice_classes": "9, 11", "goods_services": "Lamps; LED bulbs",
            "registration_date": "2020-01-01", "expiry_date": expiry,
        },
        "goods": [{"name": "LED bulb", "hs_code": "853952", "place_of_manufacture": "Shenzhen",
                   "main_features": "Logo on base", "price_min": "10", "price_max": "20",
                   "currency": "CNY"}],
        "licensees": [{"name": "Bright EU GmbH", "country": "DE", "exclusive": True}],
        "infringers": [{"name": "Fake Lights Co", "country": "CN", "role": "manufacturer"}],
    }  # fmt: skip


def prepare(database_url: str, clients: int, fill: int, analyze: bool, tmp: Path) -> list[str]:
    """Migrate, fill, and create one holder with a token per client; returns the tokens."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from ipr_apps import create_app
    from ipr_apps.db import db
    from ipr_apps.models import OrgKind
    from ipr_apps.services import tokens, users
    from ipr_apps.services.users import OrganisationDetails

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        if fill:
            filled = fill_history(tmp, fill)
            print(f"filled {filled:,} imported applications", flush=True)
        if analyze:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        raw = []
        for client in range(clients):
            stamp = f"{time.time_ns()}-{client}"
            details = OrganisationDetails(
                kind=OrgKind.HOLDER, name_local=f"Bench holder {stamp}",
                name_en=f"Bench holder {stamp} Ltd.", country="CN",
                registration_number=f"REG-{stamp}", address="1 Bench Road",
                legal_representative="Legal Rep", contact_person="Contact Person",
                email=f"bench-{stamp}@example.com", phone="+86 000",
            )  # fmt: skip
            user = users.register_holder(
                f"bench-{stamp}@example.com", PASSWORD, f"Bench {client}", details
            )
            raw.append(tokens.create_token(user, "bench", by_operator=True)[1])
        db.session.remove()
        db.engine.dispose()
    return raw


def fill_history(tmp: Path, rows: int) -> int:
    """`rows` decided applications imported with the real service (rights, decisions,
    recordations, events): the tables submit's look-ups read."""
    from imports import generate

    from ipr_apps.services.imports import import_recordations

    source = tmp / "fill.csv"
    generate(source, rows, prefix="F")
    result = import_recordations(lambda: source.open(encoding="utf-8-sig", newline=""))
    source.unlink()
    return result.imported


@contextmanager
def served(database_url: str, instance: Path, workers: int) -> Iterator[str]:
    """The app under gunicorn (`workers` sync workers) on `database_url`; yields its URL."""
    from tests.live import live_server

    env = {"IPR_WORKDAY_CALENDAR": "CN", "IPR_SECRET_KEY": "bench-submissions"}
    with live_server(database_url, instance, workers=workers, env=env, with_worker=False) as live:
        yield live.url


class Client(threading.Thread):
    """Files applications until `stop` is set; records each call's latency per step."""

    def __init__(self, number: int, base: str, token: str, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.number, self.base, self.stop = number, base, stop
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.latency: dict[str, list[float]] = {step: [] for step in STEPS}
        self.done: list[float] = []  # when each submission completed
        self.errors: list[str] = []

    def run(self) -> None:
        from tests import files

        pdf, png = files.pdf(), files.png()
        n = 0
        while not self.stop.is_set():
            n += 1
            try:
                self._file(n, pdf, png)
            except (requests.RequestException, AssertionError) as error:
                self.errors.append(str(error)[:300])

    def _call(self, step: str, path: str, expected: int, **kwargs) -> dict:
        began = time.perf_counter()
        answer = self.http.post(self.base + path, timeout=60, **kwargs)
        self.latency[step].append(time.perf_counter() - began)
        assert answer.status_code == expected, f"{step}: {answer.status_code} {answer.text[:200]}"
        return answer.json()

    def _file(self, n: int, pdf: bytes, png: bytes) -> None:
        created = self._call("create", API, 201, json=payload(self.number, n))
        documents = f"{API}/{created['id']}/documents"
        for doc_type, name, content, kind in (
            ("ipr_certificate", "certificate.pdf", pdf, "application/pdf"),
            ("identity_proof", "identity.png", png, "image/png"),
        ):
            files = {"file": (name, content, kind)}
            self._call("upload", documents, 201, data={"doc_type": doc_type}, files=files)
        submitted = self._call("submit", f"{API}/{created['id']}/submit", 200, json={})
        assert submitted["status"] == "submitted", submitted["status"]
        self.done.append(time.perf_counter())


def static_rate(base: str, seconds: float, clients: int) -> float:
    """Requests/s for a static file on the same server with the same number of clients."""
    stop, counts = threading.Event(), [0] * clients

    def hammer(index: int) -> None:
        http = requests.Session()
        while not stop.is_set():
            http.get(f"{base}/static/favicon.svg", timeout=30).raise_for_status()
            counts[index] += 1

    threads = [threading.Thread(target=hammer, args=(i,), daemon=True) for i in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - began)


def percentile(samples: list[float], fraction: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def drive(base: str, tokens: list[str], seconds: float, probe=None, warmup: float = 3.0) -> dict:
    """Run one client per token for `warmup` + `seconds`; count what completed in the window
    (and the server's CPU seconds in it, when given a `probe`)."""
    stop = threading.Event()
    clients = [Client(i, base, token, stop) for i, token in enumerate(tokens)]
    for client in clients:
        client.start()
    time.sleep(warmup)
    cpu_start = probe() if probe else 0.0
    window_start = time.perf_counter()
    marks = {id(c): {s: len(c.latency[s]) for s in STEPS} for c in clients}
    time.sleep(seconds)
    window_end = time.perf_counter()
    cpu_end = probe() if probe else 0.0
    stop.set()
    for client in clients:
        client.join()
    done = sum(1 for c in clients for t in c.done if window_start <= t < window_end)
    result: dict = {"submissions_per_s": done / (window_end - window_start), "submissions": done}
    result["server_cpu_ms_per_submission"] = (cpu_end - cpu_start) * 1000 / max(done, 1)
    for step in STEPS:
        samples = [x for c in clients for x in c.latency[step][marks[id(c)][step] :]]
        result[f"{step}_p50_ms"] = statistics.median(samples) * 1000 if samples else float("nan")
        result[f"{step}_p90_ms"] = percentile(samples, 0.9) * 1000
    result["errors"] = [e for c in clients for e in c.errors][:5]
    return result


def measure(
    database_url: str,
    seconds: float = 30.0,
    clients: int = 8,
    *,
    fill: int = 0,
    workers: int = 4,
    analyze: bool = False,
) -> dict:
    """Prepare `database_url` (an empty database or a SQLite file path), serve it, drive it."""
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("IPR_INSTANCE_PATH", tmp)
        tokens = prepare(database_url, clients, fill, analyze, Path(tmp))
        with served(database_url, Path(tmp) / "instance", workers) as base:
            result = drive(base, tokens, seconds, server_cpu(base, database_url))
            result["static_req_per_s"] = static_rate(base, min(seconds, 10.0), clients)
    dialect = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    return {"database": dialect, "workers": workers, "clients": clients, "fill": fill, **result}


def report(result: dict) -> None:
    print(f"{result['database']}: {result['workers']} gunicorn workers, {result['clients']} "
          f"clients, {result['fill']:,} applications filled beforehand")  # fmt: skip
    print(f"submissions/s: {result['submissions_per_s']:.1f} ({result['submissions']} in the "
          f"window; target >= 50 on PostgreSQL)")  # fmt: skip
    for step in STEPS:
        print(f"{step:>7}: p50 {result[f'{step}_p50_ms']:.0f} ms, "
              f"p90 {result[f'{step}_p90_ms']:.0f} ms")  # fmt: skip
    print(f"static file req/s on the same server: {result['static_req_per_s']:.0f} (baseline)")
    cpu = result["server_cpu_ms_per_submission"]
    print(f"server CPU per submission (gunicorn + database backends): {cpu:.0f} ms "
          f"(2 cores: at most {2000 / cpu:.0f} submissions/s if nothing else ran)")  # fmt: skip
    if result["errors"]:
        print("errors (first 5):", *result["errors"], sep="\n  ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--fill", type=int, default=0, help="imported applications beforehand")
    parser.add_argument("--analyze", action="store_true", help="run ANALYZE after the fill")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/submissions.sqlite3"
        report(measure(url, args.seconds, args.clients, fill=args.fill, workers=args.workers,
                       analyze=args.analyze))  # fmt: skip


if __name__ == "__main__":
    main()
