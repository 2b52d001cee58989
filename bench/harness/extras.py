"""The other helpers' measurements (bench/stats_sql.py, imports.py, submissions.py), each run
in its own process when its module exists; "not available" otherwise."""

from __future__ import annotations

import json
import subprocess
import sys

from harness.dbs import ROOT, Database

MARK = "BENCH-RESULT "
RUNNER = """
import json, sys
sys.path.insert(0, {bench!r}); sys.path.insert(0, {root!r})
import {module} as m
result = m.measure({args})
print({mark!r} + json.dumps(result, default=str))
"""


def available(module: str) -> bool:
    return (ROOT / "bench" / f"{module}.py").exists()


def call(module: str, db: Database, *args) -> dict | str:
    """`module.measure(db.url, *args)` in a subprocess: its dict, or the error as text."""
    if not available(module):
        return "not available"
    code = RUNNER.format(bench=str(ROOT / "bench"), root=str(ROOT), module=module, mark=MARK,
                         args=", ".join(repr(a) for a in (db.url, *args)))  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=db.env(),
                          capture_output=True, text=True)  # fmt: skip
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARK)]
    if done.returncode or not lines:
        return f"error: {(done.stderr or done.stdout).strip().splitlines()[-1:]}"
    return json.loads(lines[-1].removeprefix(MARK))


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def rows(module: str, result: dict | str) -> list[tuple[str, object]]:
    """(figure, value) pairs: stats_sql's {statistic: (app_ms, sql_ms)}, the others' numbers;
    a non-empty `errors` list is shown as text (a failure)."""
    if isinstance(result, str):
        return [(module, result)]
    found = []
    for key, value in result.items():
        if isinstance(value, list | tuple) and len(value) == 2 and all(map(_number, value)):
            found.append((f"{module}: {key}", tuple(value)))
        elif _number(value):
            found.append((f"{module}: {key}", value))
        elif key == "errors" and value:
            found.append((f"{module}: errors", f"error: {str(value)[:200]}"))
    return found
