"""The one table: figure | target | per database value, ratio, met; as text and as markdown."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime

from harness.dbs import ROOT, label

PAGE_RATIO, MAX_SQL, STATS_MS = 1.2, 10, 500


@dataclass
class Cell:
    value: str
    ratio: float | None = None
    met: bool | None = None  # None: no target


def _sql(n: int | None) -> str:
    return "" if n is None else f" · {n} SQL"


def page_cell(timings: dict, sizes: list[int], probe) -> Cell:
    """A page or API list: latency at each size, ratio largest ÷ smallest, statements."""
    found = [timings[size].get(probe.figure) for size in sizes]
    if any(t is None or t.ms is None for t in found):
        return Cell("not measured", met=False)
    expected = 304 if probe.revalidate else 200
    bad = [t.status for t in found if t.status != expected]
    if bad:
        return Cell(f"HTTP {bad[0]}", met=False)
    ms = " → ".join(f"{t.ms:.0f}" if t.ms >= 10 else f"{t.ms:.1f}" for t in found)
    ratio = found[-1].ms / found[0].ms if len(found) > 1 else None
    sql = max((t.statements or 0) for t in found) if found[-1].statements is not None else None
    met = (ratio is None or ratio <= PAGE_RATIO) and (
        probe.kind == "detail" or sql is None or sql <= MAX_SQL
    )
    if probe.kind == "stats":
        met = met and found[-1].ms < STATS_MS
    return Cell(f"{ms} ms{_sql(sql)}", ratio, met)


def versus_cell(ours, theirs, target: float) -> Cell:
    """theirs ÷ ours (a baseline slower than ours by `target` or more is met)."""
    if not ours or not theirs or ours.ms is None or theirs.ms is None or theirs.status != 200:
        return Cell("not measured", met=False)
    if ours.status not in (200, 304):
        return Cell("not measured", met=False)
    ratio = theirs.ms / ours.ms
    return Cell(f"{theirs.ms:.0f} ÷ {ours.ms:.0f} ms", ratio, ratio >= target)


def rate_cell(queue: float, static: float, failed: int = 0) -> Cell:
    ratio = queue / static if static else 0.0
    note = f" ({failed} failed)" if failed else ""
    return Cell(f"{queue:.1f} ÷ {static:.0f} req/s{note}", ratio, ratio >= 0.3 and not failed)


FLAT_MIB = 16  # RSS growth this much above the smaller import's is still flat (allocator noise)


def extra_cell(figure: str, value, kind: str) -> tuple[str, Cell]:
    """Another helper's figure with the issue's target for it, where one is known."""
    if isinstance(value, tuple) and "memory" in figure:  # (MiB at the largest, at the smallest)
        large, small = value
        flat = large <= 1.5 * small or large - small <= FLAT_MIB
        ratio = large / small if small > 0 else None
        return f"flat (≤ 1.5× or ≤ {FLAT_MIB} MiB more)", Cell(
            f"{large:.0f} ÷ {small:.0f} MiB", ratio, flat
        )
    if isinstance(value, tuple):  # stats_sql: (app ms, best SQL ms)
        ratio = value[0] / value[1] if value[1] else None
        return "≤ 1.2", Cell(f"{value[0]:.0f} ÷ {value[1]:.0f} ms", ratio,
                             ratio is not None and ratio <= 1.2)  # fmt: skip
    if not isinstance(value, int | float):
        return "", Cell(str(value), met=None if value == "not available" else False)
    key = figure.lower()
    if "ratio" in key:
        return "≤ 1.3", Cell(f"{value:.2f}", value, value <= 1.3)
    if "submit_p50" in key:
        return "< 100 ms", Cell(f"{value:.0f}", None, value < 100)
    if "submissions_per_s" in key:
        target = kind == "postgresql"
        return "≥ 50 (PG)", Cell(f"{value:.1f}", None, value >= 50 if target else None)
    return "", Cell(f"{value:.4g}")


def _mark(met: bool | None) -> str:
    return "–" if met is None else ("yes" if met else "NO")


def _ratio(ratio: float | None) -> str:
    return "" if ratio is None else f"{ratio:.2f}"


def markdown(rows: list[tuple[str, str, dict]], kinds: list[str], sizes: list[int]) -> str:
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    sized = " → ".join(label(s) for s in sizes)
    head = ["figure", "target"]
    for kind in kinds:
        head += [f"{names[kind]} ({sized})", "ratio", "met"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for figure, target, cells in rows:
        line = [figure, target]
        for kind in kinds:
            cell = cells.get(kind, Cell(""))
            line += [cell.value, _ratio(cell.ratio), _mark(cell.met)]
        lines.append("| " + " | ".join(line) + " |")
    return "\n".join(lines)


def _pg_version(url: str | None) -> str:
    if not url:
        return "not used"
    import psycopg

    libpq = url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(libpq) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def machine(pg_url: str | None) -> str:
    model = "unknown"
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as info:
            model = next((ln.split(":", 1)[1].strip() for ln in info if "model name" in ln), model)
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()  # fmt: skip
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit}; {os.cpu_count()} CPUs "
            f"({model}); load average {load}; Python {platform.python_version()}; "
            f"SQLite {sqlite3.sqlite_version}; PostgreSQL {_pg_version(pg_url)}")  # fmt: skip
