"""The benchmark databases: built once per (database, size, seed, schema, generator), reused."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "bench" / ".data"
VENV_BIN = Path(sys.executable).parent
GENERATE = "{flask} --app app ipr generate --applications {n} --seed {seed}"


def label(n: int) -> str:
    """1000000 → 1m, 10000 → 10k, 300 → 300 (database names and table headers)."""
    for unit, suffix in ((1_000_000, "m"), (1000, "k")):
        if n >= unit and n % unit == 0:
            return f"{n // unit}{suffix}"
    return str(n)


@dataclass(frozen=True)
class Database:
    kind: str  # "sqlite" or "postgresql"
    name: str  # bench_10k …
    url: str  # SQLAlchemy URL
    instance: Path  # IPR_INSTANCE_PATH of its servers and commands

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of every command and server run against this database."""
        env = dict(os.environ, DATABASE_URL=self.url, IPR_INSTANCE_PATH=str(self.instance))
        # The bench sends hundreds of requests a second from one address: no throttling.
        env.update(IPR_RATELIMIT_ENABLED="false", IPR_DEFAULT_LOCALE="en", **extra)
        return env


def database(kind: str, name: str, pg_base: str) -> Database:
    instance = DATA / f"instance_{kind}_{name}"
    if kind == "sqlite":
        return Database(kind, name, f"sqlite:///{DATA / (name + '.sqlite3')}", instance)
    return Database(kind, name, pg_base.rstrip("/") + "/" + name, instance)


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _pg_admin(url: str, *statements: str) -> None:
    """Run statements on the server's `postgres` database (CREATE/DROP DATABASE)."""
    import psycopg

    base = _libpq(url).rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(base, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def drop(db: Database) -> None:
    if db.kind == "sqlite":
        path = Path(db.url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        _pg_admin(db.url, f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)')
    shutil.rmtree(db.instance, ignore_errors=True)


def create_empty(db: Database) -> None:
    drop(db)
    DATA.mkdir(parents=True, exist_ok=True)
    db.instance.mkdir(parents=True, exist_ok=True)
    if db.kind == "postgresql":
        _pg_admin(db.url, f'CREATE DATABASE "{db.name}"')


def copy(source: Database, target: Database) -> None:
    """A copy of a built database (writers measure on it; the built one stays as built)."""
    create_empty(target)
    if source.kind == "sqlite":
        import sqlite3

        src = sqlite3.connect(source.url.removeprefix("sqlite:///"))
        dst = sqlite3.connect(target.url.removeprefix("sqlite:///"))
        src.backup(dst)
        src.close()
        dst.close()
    else:
        _pg_admin(target.url, f'DROP DATABASE "{target.name}"',
                  f'CREATE DATABASE "{target.name}" TEMPLATE "{source.name}"')  # fmt: skip


def run(db: Database, command: list[str] | str, log) -> str:
    """Run a command from the project root against the database; its output, or raise."""
    argv = shlex.split(command) if isinstance(command, str) else command
    began = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, env=db.env(), capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    log(f"  {' '.join(argv)[:110]} ({time.perf_counter() - began:.1f}s)")
    return done.stdout


def migrate(db: Database, log) -> None:
    run(db, [str(VENV_BIN / "flask"), "--app", "app", "db", "upgrade"], log)


def schema_head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(ROOT / "ipr_apps" / "migrations"))
    return ",".join(sorted(ScriptDirectory.from_config(config).get_heads()))


def _generator_digest() -> str:
    """The generator's source: a changed generator makes new data."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "ipr_apps").rglob("generat*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def ensure(db: Database, size: int, seed: int, command: str, rebuild: bool, log) -> bool:
    """Build the database unless one of the same recipe exists; True when it was built."""
    recipe = {"size": size, "seed": seed, "schema": schema_head(),
              "generator": _generator_digest(), "command": command}  # fmt: skip
    meta = DATA / f"{db.kind}_{db.name}.json"
    if not rebuild and meta.exists() and json.loads(meta.read_text()) == recipe:
        log(f"{db.kind} {db.name}: reusing (same size, seed, schema and generator)")
        return False
    log(f"{db.kind} {db.name}: building {size:,} applications")
    meta.unlink(missing_ok=True)
    create_empty(db)
    migrate(db, log)
    flask = str(VENV_BIN / "flask")
    run(db, command.format(flask=flask, python=sys.executable, n=size, seed=seed), log)
    meta.write_text(json.dumps(recipe, indent=1))
    return True
