"""Consistent database snapshots for backups: SQLite's online backup API, PostgreSQL's pg_dump.

A snapshot is one file. Its rows are read back from that file (never from the live database),
so a backup copies exactly the uploads that the saved rows refer to.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import URL, Engine

from ipr_apps.errors import DomainError

PG_TIMEOUT = 6 * 3600  # seconds: a dump or restore of a large database takes a while
# The PostgreSQL client programs run with fixed arguments of ours (never a shell); S603 noted.


class BackupError(DomainError):
    """A backup, restore or check cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Snapshot:
    """How one kind of database is saved, read back and restored."""

    kind: str
    file_name: str

    def take(self, engine: Engine, target: Path) -> dict:
        raise NotImplementedError

    def rows(self, file: Path, table: str) -> Iterator[dict[str, str | None]]:
        raise NotImplementedError

    def restore(self, engine: Engine, file: Path) -> None:
        raise NotImplementedError


def for_engine(engine: Engine) -> Snapshot:
    name = engine.url.get_backend_name()
    if name == "sqlite":
        return SqliteSnapshot("sqlite", "database.sqlite3")
    if name == "postgresql":
        return PostgresSnapshot("postgresql", "database.pgdump")
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {name}.")


def table_names(engine: Engine) -> list[str]:
    return sorted(inspect(engine).get_table_names())


class SqliteSnapshot(Snapshot):
    def take(self, engine: Engine, target: Path) -> dict:
        """One backup step over the whole file: a single read transaction, so a consistent copy
        while other connections keep writing (WAL)."""
        source = _sqlite_path(engine)
        with closing(sqlite3.connect(source, timeout=60)) as src:
            with closing(sqlite3.connect(target)) as dest:
                src.backup(dest)
                dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            version = src.execute("select sqlite_version()").fetchone()[0]
        return {"sqlite_version": version}

    def rows(self, file: Path, table: str) -> Iterator[dict[str, str | None]]:
        with closing(sqlite3.connect(f"file:{file}?mode=ro", uri=True)) as conn:
            conn.row_factory = sqlite3.Row
            exists = "select 1 from sqlite_master where type = 'table' and name = ?"
            if conn.execute(exists, (table,)).fetchone() is None:
                return
            for row in conn.execute(f'select * from "{table}"'):  # noqa: S608 (a known table)
                yield {key: _text(row[key]) for key in row.keys()}  # noqa: SIM118

    def restore(self, engine: Engine, file: Path) -> None:
        engine.dispose()  # no pooled connection may hold the file while it is replaced
        source = closing(sqlite3.connect(f"file:{file}?mode=ro", uri=True))
        with source as src, closing(sqlite3.connect(_sqlite_path(engine), timeout=60)) as dest:
            src.backup(dest)


def _sqlite_path(engine: Engine) -> str:
    path = engine.url.database
    if not path or path == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return path


def _text(value) -> str | None:
    return None if value is None else str(value)


class PostgresSnapshot(Snapshot):
    def take(self, engine: Engine, target: Path) -> dict:
        """pg_dump's custom format: one repeatable-read transaction, a consistent snapshot."""
        _run(["pg_dump", "--format=custom", f"--file={target}", _libpq(engine.url)], engine.url)
        with engine.connect() as conn:
            server = conn.exec_driver_sql("show server_version").scalar_one()
        return {"server_version": server, "pg_dump_version": _version("pg_dump", engine.url)}

    def rows(self, file: Path, table: str) -> Iterator[dict[str, str | None]]:
        """The table's rows from the dump itself (pg_restore prints them as COPY text)."""
        command = ["pg_restore", "--data-only", f"--table={table}", "--file=-", str(file)]
        with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:  # noqa: S603
            yield from _copy_rows(process.stdout or [], table)
        if process.returncode != 0:
            raise BackupError(f"pg_restore could not read {file} (exit code {process.returncode}).")

    def restore(self, engine: Engine, file: Path) -> None:
        engine.dispose()
        command = [
            "pg_restore", "--exit-on-error", "--single-transaction", "--no-owner",
            "--no-privileges", f"--dbname={_libpq(engine.url)}", str(file),
        ]  # fmt: skip
        _run(command, engine.url)


COPY_HEADER = re.compile(r"^COPY (?:\S+\.)?\"?(\w+)\"? \((.*)\) FROM stdin;$")
COPY_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}


def _copy_rows(lines, table: str) -> Iterator[dict[str, str | None]]:
    columns: list[str] | None = None
    for line in lines:
        line = line.rstrip("\n")
        if columns is None:
            match = COPY_HEADER.match(line)
            if match and match.group(1) == table:
                columns = [name.strip().strip('"') for name in match.group(2).split(",")]
        elif line == "\\.":
            columns = None
        else:
            yield dict(zip(columns, (_copy_value(v) for v in line.split("\t")), strict=True))


def _copy_value(raw: str) -> str | None:
    if raw == "\\N":
        return None
    return re.sub(r"\\(.)", lambda m: COPY_ESCAPES.get(m.group(1), m.group(1)), raw)


def _libpq(url: URL) -> str:
    """A libpq connection URI without the password (that goes in PGPASSWORD)."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _env(url: URL) -> dict[str, str]:
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return env


def _version(program: str, url: URL) -> str:
    command = [program, "--version"]
    result = subprocess.run(command, capture_output=True, text=True, env=_env(url))  # noqa: S603
    return result.stdout.strip()


def _run(command: list[str], url: URL) -> None:
    try:
        result = subprocess.run(  # noqa: S603 (our own arguments, no shell)
            command, capture_output=True, text=True, env=_env(url), timeout=PG_TIMEOUT
        )
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} is not installed: install the PostgreSQL client of the server's "
            "major version (Debian: apt-get install postgresql-client)."
        ) from None
    if result.returncode != 0:
        detail = result.stderr.strip() or f"exit code {result.returncode}"
        raise BackupError(f"{command[0]} failed: {detail}")
