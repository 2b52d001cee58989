"""A live gunicorn server on its own database, shared by the browser and concurrency tests.

`live_server(database_url, instance)` builds the schema with `flask db upgrade` (and seeds the
demo data when asked), serves the real app (real config: CSRF and rate limiting on) with
gunicorn as a subprocess and yields a `LiveServer`; it stops the server on exit.

`temporary_database(suffix, tmp_dir)` yields a database nobody else uses: a SQLite file in
`tmp_dir`, or, when IPR_TEST_DATABASE_URL is set, a fresh sibling PostgreSQL database
``<dbname>_<suffix>`` on the same server, dropped again at the end.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import OperationalError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

SERVER_START_TIMEOUT = 120.0  # seconds: four workers booting on a loaded 2-core machine
SERVER_STOP_TIMEOUT = 10.0
CLI_TIMEOUT = 120.0
DATABASE_LOCK_TIMEOUT = 600.0  # another run's browser session can hold the same database
# seed-demo's password for the demo accounts on live servers (IPR_DEMO_PASSWORD); without it
# seed-demo would make a random one in the server's instance folder.
DEMO_PASSWORD = "Lantern-Harbour-83"


def postgres_url_from_env() -> str | None:
    return os.environ.get("IPR_TEST_DATABASE_URL") or None


# --------------------------------------------------------------------------- databases


def sqlalchemy_pg_url(raw: str) -> URL:
    """The URL with the psycopg 3 driver, whatever postgres:// spelling it came in."""
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            raw = "postgresql+psycopg://" + raw[len(prefix) :]
    return make_url(raw)


def _admin_engine(url: URL) -> Engine:
    """An autocommit engine on the server's maintenance database (or the given one)."""
    for database in ("postgres", url.database):
        engine = create_engine(url.set(database=database), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect():
                return engine
        except OperationalError:
            engine.dispose()
    raise RuntimeError(f"Cannot connect to the PostgreSQL server at {url.host}:{url.port}")


def recreate_pg_database(url: URL, drop_only: bool = False) -> None:
    """DROP (forcing out any connection) and, unless `drop_only`, CREATE the database."""
    engine = _admin_engine(url)
    name = engine.dialect.identifier_preparer.quote(url.database)
    try:
        with engine.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            if not drop_only:
                conn.execute(text(f"CREATE DATABASE {name}"))
    finally:
        engine.dispose()


def sibling_database_name(base: str, suffix: str) -> str:
    """`<base>_<suffix>`, plus the xdist worker id so parallel workers never share one."""
    name = f"{base}_{suffix}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return f"{name}_{worker}" if worker else name


@contextmanager
def exclusive_use(server: URL, name: str, timeout: float = DATABASE_LOCK_TIMEOUT) -> Iterator[None]:
    """Hold an advisory lock on `server` named after database `name` while the body runs.

    Two test runs on one machine (several developers, one PostgreSQL) would otherwise drop
    and recreate each other's `<db>_<suffix>` halfway through; the second run waits instead.
    The lock lives on its own connection, so a killed run releases it with the connection.
    """
    engine = _admin_engine(server)
    key = f"ipr-tests:{name}"
    try:
        with engine.connect() as conn:
            deadline = time.monotonic() + timeout
            lock = text("SELECT pg_try_advisory_lock(hashtext(:key))")
            while not conn.execute(lock, {"key": key}).scalar_one():
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"database {name} stayed in use by another test run for {timeout:.0f} s",
                        pytrace=False,
                    )
                time.sleep(0.5)
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(hashtext(:key))"), {"key": key})
    finally:
        engine.dispose()


@contextmanager
def postgres_database(raw_url: str, suffix: str) -> Iterator[str]:
    """A fresh sibling database `<db>_<suffix>` next to `raw_url`'s; dropped at the end."""
    base = sqlalchemy_pg_url(raw_url)
    url = base.set(database=sibling_database_name(base.database, suffix))
    with exclusive_use(base, url.database):
        recreate_pg_database(url)
        try:
            yield url.render_as_string(hide_password=False)
        finally:
            recreate_pg_database(url, drop_only=True)


@contextmanager
def sqlite_database(tmp_dir: Path, name: str) -> Iterator[str]:
    """A SQLite file URL in `tmp_dir` (the file is created by the migrations)."""
    yield f"sqlite:///{Path(tmp_dir) / f'{name}.sqlite3'}"


@contextmanager
def temporary_database(suffix: str, tmp_dir: Path, postgres: bool | None = None) -> Iterator[str]:
    """SQLite in `tmp_dir` by default; PostgreSQL `<db>_<suffix>` with IPR_TEST_DATABASE_URL.

    `postgres=True/False` forces the choice (True needs IPR_TEST_DATABASE_URL).
    """
    raw = postgres_url_from_env()
    if postgres is None:
        postgres = raw is not None
    if postgres:
        if raw is None:
            raise RuntimeError("PostgreSQL requested but IPR_TEST_DATABASE_URL is not set")
        with postgres_database(raw, suffix) as url:
            yield url
    else:
        with sqlite_database(tmp_dir, suffix) as url:
            yield url


# --------------------------------------------------------------------------- the server


@dataclass(frozen=True)
class LiveServer:
    url: str
    instance: Path
    database_url: str
    log_path: Path
    env: Mapping[str, str]

    @property
    def outbox(self) -> Path:
        """Where the server writes emails as .eml files (IPR_OUTBOX_FOLDER if set)."""
        return Path(self.env.get("IPR_OUTBOX_FOLDER") or self.instance / "outbox")

    @property
    def uploads(self) -> Path:
        """Where the server keeps uploaded files (IPR_UPLOAD_FOLDER if set)."""
        return Path(self.env.get("IPR_UPLOAD_FOLDER") or self.instance / "uploads")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def tracebacks(self) -> list[str]:
        """The tracebacks in the server's log, but one known race of a library's own thread:
        limits 5.8's in-memory storage (memory://, the rate limits' storage of the test
        servers) expires keys on a timer thread that reads `expirations[key]` after a request
        has dropped the key, and prints a KeyError from that thread; no request is affected."""
        blocks = re.split(r"(?=Traceback \(most recent call last\):)", self.log())[1:]
        return [b for b in blocks if not LIMITS_TIMER_RACE.search(b.split("\n\n")[0])]


LIMITS_TIMER_RACE = re.compile(
    r"limits/storage/memory\.py\", line \d+, in __expire_events\n.*\n(?:.*\n)*?KeyError: "
)


def server_env(
    database_url: str, instance: Path, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment of the CLI and the server: the real configuration on our database."""
    env = {
        **os.environ,
        "IPR_INSTANCE_PATH": str(instance),
        "DATABASE_URL": database_url,
        "PYTHONUNBUFFERED": "1",
        "IPR_DEMO_PASSWORD": DEMO_PASSWORD,
        "IPR_DEFAULT_LOCALE": "en",  # a browser set to Chinese (Accept-Language) still gets zh_Hans
        "IPR_WORKDAY_CALENDAR": "none",  # deadlines as the tests' own app computes them
        **(extra or {}),
    }
    env.pop("FLASK_APP", None)
    return env


def run_cli(args: list[str], env: Mapping[str, str]) -> subprocess.CompletedProcess:
    """`flask --app app <args>` in the project root; fails the test with its output."""
    command = [sys.executable, "-m", "flask", "--app", "app", *args]
    result = subprocess.run(
        command,
        cwd=PROJECT_ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"`{' '.join(command[2:])}` failed with exit code {result.returncode}\n"
            f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}",
            pytrace=False,
        )
    return result


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers_http(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except urllib.error.HTTPError as error:  # any HTTP status means it is serving
        error.close()
        return True
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=SERVER_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_until_serving(process: subprocess.Popen, url: str, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while not _answers_http(url):
        if process.poll() is not None:
            pytest.fail(
                f"gunicorn exited with code {process.returncode} before serving:\n"
                f"{log_path.read_text(errors='replace')}",
                pytrace=False,
            )
        if time.monotonic() > deadline:
            pytest.fail(
                f"gunicorn did not answer on {url} within {SERVER_START_TIMEOUT:.0f} s:\n"
                f"{log_path.read_text(errors='replace')}",
                pytrace=False,
            )
        time.sleep(0.1)


@contextmanager
def job_test_server(
    name: str, tmp_dir: Path, env: Mapping[str, str] | None = None, postgres: bool | None = None
) -> Iterator[LiveServer]:
    """The live job tests' server: a temporary database of its own (`temporary_database`),
    a secret key of its own, and no job worker (each test starts, and may kill, its own)."""
    env = {"IPR_SECRET_KEY": f"{name}-{secrets.token_hex(16)}", **(env or {})}
    with (
        temporary_database(name, tmp_dir, postgres=postgres) as url,
        live_server(url, Path(tmp_dir) / "instance", env=env, with_worker=False) as live,
    ):
        yield live


@contextmanager
def live_server(
    database_url: str,
    instance: Path,
    *,
    workers: int = 2,
    seed_demo: bool = False,
    env: Mapping[str, str] | None = None,
    with_worker: bool = True,
    gunicorn_args: tuple[str, ...] = (),
    app_target: str = "app:app",
) -> Iterator[LiveServer]:
    """Migrate (and seed) `database_url`, serve the app with gunicorn, yield, stop it.

    `instance` becomes the app's instance folder (secret key, uploads, outbox, gunicorn.log);
    `env` adds or overrides environment variables (e.g. IPR_SECRET_KEY, IPR_LOGIN_RATE_LIMIT).
    `with_worker=False`: no job worker is started (the test starts, and may kill, its own).
    `gunicorn_args` are added to gunicorn's command line (e.g. `-c deploy/gunicorn.conf.py`);
    `app_target` is the WSGI app gunicorn serves.
    """
    instance = Path(instance)
    instance.mkdir(parents=True, exist_ok=True)
    full_env = server_env(database_url, instance, env)
    run_cli(["db", "upgrade"], full_env)
    if seed_demo:
        run_cli(["ipr", "seed-demo"], full_env)

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    full_env = {"IPR_BASE_URL": base_url, **full_env}  # e-mailed links point at this server
    log_path = instance / "gunicorn.log"
    command = [
        sys.executable, "-m", "gunicorn", app_target, "-b", f"127.0.0.1:{port}",
        "-w", str(workers),
        # gunicorn ≥ 25 otherwise opens a control socket shared by every server of this user
        # (~/.gunicorn/gunicorn.ctl): parallel runs would fight over it; it lies outside tmp.
        "--no-control-socket",
        *gunicorn_args,
    ]  # fmt: skip
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=full_env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
    worker = start_worker(full_env, instance / "worker.log") if with_worker else None
    try:
        _wait_until_serving(process, f"{base_url}/auth/login", log_path)
        yield LiveServer(base_url, instance, database_url, log_path, full_env)
    finally:
        _stop(process)
        if worker is not None:
            _stop(worker)


def start_worker(env: Mapping[str, str], log_path: Path) -> subprocess.Popen:
    """The job queue's worker (`flask ipr worker`) on the server's database and queue, as
    `make run` starts it beside the web server (e-mail is delivered by it)."""
    command = [sys.executable, "-m", "flask", "--app", "app", "ipr", "worker", "--max-delay", "0.5"]
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=dict(env), stdin=subprocess.DEVNULL,
            stdout=log, stderr=log,
        )  # fmt: skip


def redis_call(url: str, command: str):
    """One Redis command on a connection closed afterwards (an unclosed one would surface later
    as a ResourceWarning, which fails whichever test happens to run then)."""
    import redis

    with redis.Redis.from_url(url, socket_timeout=1) as client:
        return getattr(client, command)()
