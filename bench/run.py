"""Issue 16 in one command: every list page and API list at two sizes, against baselines.

Builds (or reuses) databases of each size on SQLite and PostgreSQL with `flask ipr generate`,
serves each with gunicorn (2 sync workers), signs in a user of each role and measures, in
interleaved rounds (medians): every list page of every role and the API lists at each size
(ratio largest ÷ smallest, SQL statements per request), the queue against a Flask-Admin
ModelView of the same table, the queue's requests/s against a static file's, /stats/, and the
other helpers' benchmarks (bench/stats_sql.py, imports.py, submissions.py) when present.
Prints one table (also written as markdown with --markdown) and the plans of the hot queries.

    .venv/bin/python bench/run.py                          # 10k and 1M, SQLite and PostgreSQL
    .venv/bin/python bench/run.py --smoke                  # CI: tiny sizes, a few minutes
    .venv/bin/python bench/run.py --sizes 10000,50000 --databases sqlite --markdown bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # ipr_apps, tests
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import dbs, extras, report
from harness.catalogue import DEEP, FIRST, REVALIDATED, probes
from harness.client import Client
from harness.measure import deep_queue, interleaved, throughput
from harness.server import FLASK_ADMIN_SITE, Server

PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/"
TARGETS = {"page": "≤ 1.2, ≤ 10 SQL", "api": "≤ 1.2, ≤ 10 SQL", "detail": "≤ 1.2",
           "stats": "≤ 1.2, ≤ 10 SQL, < 500 ms"}  # fmt: skip
SMOKE = {"sizes": "300,3000", "reps": 3, "seconds": 1.5, "import_rows": "500,2000", "submit_s": 3}


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--sizes", default="10000,1000000", help="applications, comma-separated")
    parser.add_argument(
        "--databases", default="sqlite,postgresql", help="sqlite and/or postgresql, comma-separated"
    )
    parser.add_argument("--pg-url", default=PG_BASE, help="server URL (no database)")
    parser.add_argument("--prefix", default="bench_", help="database names: <prefix><size>")
    parser.add_argument("--seed", type=int, default=1, help="the generator's seed")
    parser.add_argument("--rebuild", action="store_true", help="rebuild even a matching database")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes and short runs (CI)")
    parser.add_argument("--reps", type=int, default=15, help="interleaved rounds (median)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients for req/s")
    parser.add_argument("--seconds", type=float, default=5, help="each req/s run")
    parser.add_argument(
        "--import-rows",
        default=None,
        help="rows of the import benchmark, comma-separated: its memory is compared between "
        "the smallest and the largest (None: a tenth of the largest size, and the largest)",
    )
    parser.add_argument("--submit-seconds", type=float, default=10, help="each API submissions run")
    parser.add_argument("--submit-clients", type=int, default=8,
                        help="concurrent API clients (the server: 4 workers)")  # fmt: skip
    parser.add_argument("--no-extras", action="store_true", help="skip the helpers' benchmarks")
    parser.add_argument("--explain", default=str(dbs.ROOT / "bench" / "EXPLAIN.md"),
                        help="where the plans go ('' for none)")  # fmt: skip
    parser.add_argument("--markdown", default=None, help="also write the table there")
    parser.add_argument("--strict", action="store_true", help="exit 1 on a missed target too")
    parser.add_argument(
        "--generate",
        default=dbs.GENERATE,
        help="the command that fills a database ({flask} {python} {n} {seed})",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes, args.reps, args.seconds = SMOKE["sizes"], SMOKE["reps"], SMOKE["seconds"]
        if args.explain == parser.get_default("explain"):  # keep the full run's plans
            args.explain = str(dbs.DATA / "EXPLAIN-smoke.md")
        args.import_rows, args.submit_seconds = SMOKE["import_rows"], SMOKE["submit_s"]
    args.sizes = sorted(int(s) for s in args.sizes.split(","))
    args.databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    top = args.sizes[-1]
    rows = args.import_rows or f"{max(top // 10, 1)},{top}"
    args.import_rows = sorted({int(n) for n in str(rows).split(",")})
    return args


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def install_flask_admin() -> None:
    """Flask-Admin for the baseline, outside the project's virtualenv (bench-only)."""
    if (FLASK_ADMIN_SITE / "flask_admin").exists():
        return
    log("installing bench/requirements.txt into bench/.data/site")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(FLASK_ADMIN_SITE), "-r", str(dbs.ROOT / "bench" / "requirements.txt")],
                   check=True)  # fmt: skip


def setup(db: dbs.Database) -> dict:
    script = dbs.ROOT / "bench" / "harness" / "setup.py"
    return json.loads(dbs.run(db, [sys.executable, str(script)], log).strip().splitlines()[-1])


def sign_in(app: Server, admin: Server, info: dict) -> dict[str, Client]:
    clients = {"anon": Client(app.port), "flask-admin": Client(admin.port)}
    for role, email in info["emails"].items():
        clients[role] = Client(app.port)
        clients[role].login(email, info["password"])
    for role, token in info["tokens"].items():
        clients[f"api-{role}"] = Client(app.port, token)
    return clients


def open_size(stack: ExitStack, db: dbs.Database, label: str) -> dict:
    """Serve one size (the app and Flask-Admin), sign its users in, find its deep queue page."""
    info = setup(db)
    app = stack.enter_context(Server(db))
    admin = stack.enter_context(Server(db, "flask_admin_app:app", name="flask-admin"))
    clients = sign_in(app, admin, info)
    deep_path, reached = deep_queue(clients["reviewer"])
    log(f"  {label}: queue page {reached:,} reached by following next links")
    return {"info": info, "clients": clients, "probes": probes(info, deep_path), "reached": reached}


def measure_sizes(built: dict[int, dbs.Database], args) -> dict[int, dict]:
    """Every size served at once and measured interleaved (harness.measure.interleaved); the
    requests/s at the largest."""
    with ExitStack() as stack:
        opened = {size: open_size(stack, db, db.name) for size, db in built.items()}
        began = time.perf_counter()
        runs = {size: (o["clients"], o["probes"]) for size, o in opened.items()}
        timings = interleaved(runs, args.reps)
        count = sum(len(o["probes"]) for o in opened.values())
        log(f"  {count} URLs × {args.reps} rounds in {time.perf_counter() - began:.0f}s")
        top = opened[max(opened)]["clients"]
        rates = throughput(top["reviewer"], top["anon"], args.clients, args.seconds)
    return {
        size: {"info": o["info"], "timings": timings[size], "probes": o["probes"],
               "reached": o["reached"], "rates": rates if size == max(opened) else None}
        for size, o in opened.items()
    }  # fmt: skip


def run_extras(kind: str, db: dbs.Database, args) -> list[tuple[str, object]]:
    """The helpers' benchmarks: statistics on the largest database, imports on an empty one,
    submissions on a copy of the largest (the built database stays as built)."""
    if args.no_extras:
        return []
    found = extras.rows("stats_sql", extras.call("stats_sql", db))
    if extras.available("imports"):
        found += import_rows(kind, args)
    else:
        found += extras.rows("imports", "not available")
    if extras.available("submissions"):
        copy = dbs.database(kind, f"{db.name}_writes", args.pg_url)
        dbs.copy(db, copy)
        found += extras.rows(
            "submissions",
            extras.call("submissions", copy, args.submit_seconds, args.submit_clients),
        )
        dbs.drop(copy)
    else:
        found += extras.rows("submissions", "not available")
    return found


def import_rows(kind: str, args) -> list[tuple[str, object]]:
    """The import against plain executemany at each of `--import-rows` (a fresh empty
    database each time); the memory row: RSS growth at the largest ÷ at the smallest."""
    found, growth = [], {}
    for rows in args.import_rows:
        scratch = dbs.database(kind, f"{args.prefix}scratch_imports", args.pg_url)
        dbs.create_empty(scratch)
        dbs.migrate(scratch, log)
        result = extras.call("imports", scratch, rows, False)
        dbs.drop(scratch)
        if isinstance(result, dict):
            growth[rows] = result["rss_growth_mib"]
            result = {key: result[key] for key in ("import_s", "executemany_s", "ratio",
                                                    "rss_growth_mib")}  # fmt: skip
        found += [(f"{figure} ({rows:,} rows)", value)
                  for figure, value in extras.rows("imports", result)]  # fmt: skip
    if len(growth) > 1:
        small, large = growth[min(growth)], growth[max(growth)]
        label = f"imports: memory, RSS growth {max(growth):,} ÷ {min(growth):,} rows"
        found.append((label, (large, small)))
    return found


def measure_kind(kind: str, args) -> dict:
    built = {}
    for size in args.sizes:
        db = built[size] = dbs.database(kind, f"{args.prefix}{dbs.label(size)}", args.pg_url)
        dbs.ensure(db, size, args.seed, args.generate, args.rebuild, log)
    log(f"{kind}: measuring {', '.join(db.name for db in built.values())} interleaved")
    by_size = measure_sizes(built, args)
    plans = ""
    if args.explain:
        info = json.dumps(by_size[args.sizes[-1]]["info"])
        script = dbs.ROOT / "bench" / "harness" / "explain.py"
        plans = dbs.run(db, [sys.executable, str(script), info], log)
    log(f"{kind}: the helpers' benchmarks")
    return {"sizes": by_size, "plans": plans, "extras": run_extras(kind, db, args)}


def table_rows(results: dict, sizes: list[int]) -> list[tuple[str, str, dict]]:
    rows: dict[str, tuple[str, dict]] = {}
    for kind, result in results.items():
        top = result["sizes"][sizes[-1]]
        timings = {size: result["sizes"][size]["timings"] for size in sizes}
        for probe in top["probes"]:
            if probe.kind in TARGETS:
                target = TARGETS[probe.kind]
                cell = report.page_cell(timings, sizes, probe)
                rows.setdefault(probe.figure, (target, {}))[1][kind] = cell
        ours = top["timings"]
        pairs = (("page 1", FIRST, "Flask-Admin ModelView page 1"),
                 ("page 1,000", DEEP, "Flask-Admin ModelView page 1,000"))  # fmt: skip
        for figure, page, theirs in pairs:
            for how, mine in (("rendered", page), ("revalidated", page + REVALIDATED)):
                cell = report.versus_cell(ours.get(mine), ours.get(theirs), 10)
                row = f"Flask-Admin ÷ queue ({how}), {figure}"
                rows.setdefault(row, ("≥ 10", {}))[1][kind] = cell
        if top["rates"]:
            rates = top["rates"]
            for how, value in (("rendered", rates.queue), ("revalidated", rates.revalidated)):
                cell = report.rate_cell(value, rates.static, rates.failed)
                row = f"queue ({how}) req/s ÷ static req/s"
                rows.setdefault(row, ("≥ 0.3", {}))[1][kind] = cell
        for figure, value in result["extras"]:
            target, cell = report.extra_cell(figure, value, kind)
            rows.setdefault(figure, (target, {}))[1][kind] = cell
    return [(figure, target, cells) for figure, (target, cells) in rows.items()]


def write_plans(path: str, results: dict, machine: str) -> None:
    parts = [f"# EXPLAIN of the hot queries (bench/run.py)\n\n{machine}\n"]
    for kind, result in results.items():
        parts.append(f"## {kind}\n\n{result['plans']}")
    Path(path).write_text("\n".join(parts))


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    install_flask_admin()
    machine = report.machine(args.pg_url if "postgresql" in args.databases else None)
    results, errors = {}, []
    for kind in args.databases:
        try:
            results[kind] = measure_kind(kind, args)
        except Exception as error:
            errors.append(f"{kind}: {error}")
            log(f"ERROR {kind}: {error}")
    rows = table_rows(results, args.sizes)
    text = report.markdown(rows, list(results), args.sizes)
    note = " (smoke sizes: the targets are not meaningful here)" if args.smoke else ""
    output = f"Machine: {machine}\n\nSizes: {args.sizes}{note}\n\n{text}\n"
    print(output)
    if args.markdown:
        Path(args.markdown).write_text(output)
    if args.explain and results:
        write_plans(args.explain, results, machine)
    broken = [
        f
        for f, _, cells in rows
        for c in cells.values()
        if c.value.startswith(("HTTP", "error", "not measured"))
    ]
    missed = [f for f, _, cells in rows for c in cells.values() if c.met is False]
    for figure in broken:
        errors.append(f"failed: {figure}")
    print("\n".join([f"errors: {e}" for e in errors] + [f"missed targets: {len(missed)}"]))
    return 1 if errors or (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
