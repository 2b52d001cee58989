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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # ipr_apps, tests
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import dbs, extras, report
from harness.catalogue import DEEP, probes
from harness.client import Client
from harness.measure import deep_queue, latencies, throughput
from harness.server import FLASK_ADMIN_SITE, Server

PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/"
TARGETS = {"page": "≤ 1.2, ≤ 10 SQL", "api": "≤ 1.2, ≤ 10 SQL", "detail": "≤ 1.2",
           "stats": "≤ 1.2, ≤ 10 SQL, < 500 ms"}  # fmt: skip
SMOKE = {"sizes": "300,3000", "reps": 3, "seconds": 1.5, "import_rows": 2000, "submit_s": 3}


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
        type=int,
        default=None,
        help="rows of the import benchmark (None: the largest size)",
    )
    parser.add_argument("--submit-seconds", type=float, default=10, help="each API submissions run")
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
        args.import_rows, args.submit_seconds = SMOKE["import_rows"], SMOKE["submit_s"]
    args.sizes = sorted(int(s) for s in args.sizes.split(","))
    args.databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    args.import_rows = args.import_rows or args.sizes[-1]
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


def measure_size(db: dbs.Database, args, largest: bool) -> dict:
    info = setup(db)
    with Server(db) as app, Server(db, "flask_admin_app:app", name="flask-admin") as admin:
        clients = sign_in(app, admin, info)
        deep_path, reached = deep_queue(clients["reviewer"])
        log(f"  queue page {reached:,} reached by following next links")
        found = probes(info, deep_path)
        began = time.perf_counter()
        timings = latencies(clients, found, args.reps)
        log(f"  {len(found)} URLs × {args.reps} rounds in {time.perf_counter() - began:.0f}s")
        rates = None
        if largest:
            rates = throughput(clients["reviewer"], clients["anon"], args.clients, args.seconds)
    return {"info": info, "timings": timings, "probes": found, "reached": reached, "rates": rates}


def run_extras(kind: str, db: dbs.Database, args) -> list[tuple[str, object]]:
    """The helpers' benchmarks: statistics on the largest database, imports on an empty one,
    submissions on a copy of the largest (the built database stays as built)."""
    if args.no_extras:
        return []
    found = extras.rows("stats_sql", extras.call("stats_sql", db))
    if extras.available("imports"):
        scratch = dbs.database(kind, f"{args.prefix}scratch_imports", args.pg_url)
        dbs.create_empty(scratch)
        dbs.migrate(scratch, log)
        found += extras.rows("imports", extras.call("imports", scratch, args.import_rows))
        dbs.drop(scratch)
    else:
        found += extras.rows("imports", "not available")
    if extras.available("submissions"):
        copy = dbs.database(kind, f"{db.name}_writes", args.pg_url)
        dbs.copy(db, copy)
        found += extras.rows(
            "submissions", extras.call("submissions", copy, args.submit_seconds, args.clients)
        )
        dbs.drop(copy)
    else:
        found += extras.rows("submissions", "not available")
    return found


def measure_kind(kind: str, args) -> dict:
    by_size, db = {}, None
    for size in args.sizes:
        db = dbs.database(kind, f"{args.prefix}{dbs.label(size)}", args.pg_url)
        dbs.ensure(db, size, args.seed, args.generate, args.rebuild, log)
        log(f"{kind} {db.name}: measuring")
        by_size[size] = measure_size(db, args, size == args.sizes[-1])
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
        for figure, theirs in (("page 1", "Flask-Admin ModelView page 1"),
                               ("page 1,000", "Flask-Admin ModelView page 1,000")):  # fmt: skip
            mine = ours["/review/ page 1" if figure == "page 1" else DEEP]
            cell = report.versus_cell(mine, ours.get(theirs), 10)
            rows.setdefault(f"Flask-Admin ÷ queue, {figure}", ("≥ 10", {}))[1][kind] = cell
        if top["rates"]:
            cell = report.rate_cell(*top["rates"])
            rows.setdefault("queue req/s ÷ static req/s", ("≥ 0.3", {}))[1][kind] = cell
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
