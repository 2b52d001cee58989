"""The CPU seconds a benchmark's gunicorn server spends (its processes and, on PostgreSQL, the
database's client backends), read from /proc: work that other load on a shared machine does
not dilute, unlike wall-clock rates."""

from __future__ import annotations

import os
from pathlib import Path


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) of process `pid` so far; 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _server_pids(port: int) -> list[int]:
    """The gunicorn master serving `port` and its workers (forked: the same command line)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if "gunicorn" in command and f"127.0.0.1:{port}" in command:
                pids.append(int(entry.name))
    return pids


def server_cpu(base: str, database_url: str):
    """A probe returning the CPU seconds spent so far by the server: the gunicorn processes
    and, on PostgreSQL, the database's client backends (the work, whatever else the machine
    runs: wall-clock rates on a shared machine depend on its load)."""
    from sqlalchemy import create_engine, text

    pids = _server_pids(int(base.rsplit(":", 1)[1]))
    engine = None if database_url.startswith("sqlite") else create_engine(database_url)

    def probe() -> float:
        backends: list[int] = []
        if engine is not None:
            with engine.connect() as connection:
                backends = list(connection.execute(text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
                )).scalars())  # fmt: skip
        return sum(_proc_cpu(pid) for pid in [*pids, *backends])

    return probe
