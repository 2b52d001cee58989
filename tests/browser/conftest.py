"""Browser-test harness: a live gunicorn server on its own database, Chromium via Playwright.

The server runs the real app (real config, CSRF and rate limiting on) as a subprocess, on a
temporary instance folder and either a temporary SQLite file or, when IPR_TEST_DATABASE_URL is
set, a separate PostgreSQL database ``<dbname>_browser`` on the same server, so browser tests
never touch the unit tests' database.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parent.parent
SCREENSHOT_DIR = PROJECT_ROOT / "test-artifacts" / "screenshots"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHROMIUM_MISSING = (
    f"Chromium not found at {CHROMIUM}; install it with "
    "`apt-get install chromium fonts-wqy-zenhei` to run browser tests (CI requires them)"
)

SERVER_START_TIMEOUT = 30.0  # seconds
SERVER_STOP_TIMEOUT = 10.0
CLI_TIMEOUT = 120.0


def _browser_required() -> bool:
    return os.environ.get("IPR_REQUIRE_BROWSER") == "1"


# --------------------------------------------------------------------------- collection


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test in this folder `browser`; skip them early when Chromium is missing.

    The early skip keeps the live server from starting for nothing; when IPR_REQUIRE_BROWSER=1
    the tests are left to run so the `browser` fixture fails them with a clear message.
    """
    skip = None
    if not CHROMIUM.exists() and not _browser_required():
        skip = pytest.mark.skip(reason=CHROMIUM_MISSING)
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)
            if skip is not None:
                item.add_marker(skip)


# --------------------------------------------------------------------------- database


def _sqlalchemy_pg_url(raw: str) -> URL:
    """The URL with the psycopg 3 driver, whatever postgres:// spelling it came in."""
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            raw = "postgresql+psycopg://" + raw[len(prefix) :]
    return make_url(raw)


def _admin_engine(url: URL):
    """An autocommit engine on the server's maintenance database (or the given one)."""
    for database in ("postgres", url.database):
        engine = create_engine(url.set(database=database), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect():
                return engine
        except OperationalError:
            engine.dispose()
    raise RuntimeError(f"Cannot connect to the PostgreSQL server at {url.host}:{url.port}")


def _recreate_pg_database(url: URL, drop_only: bool = False) -> None:
    engine = _admin_engine(url)
    name = engine.dialect.identifier_preparer.quote(url.database)
    try:
        with engine.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            if not drop_only:
                conn.execute(text(f"CREATE DATABASE {name}"))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def browser_database_url(tmp_path_factory) -> Iterator[str]:
    """SQLite file by default; with IPR_TEST_DATABASE_URL a fresh sibling `<db>_browser`."""
    raw = os.environ.get("IPR_TEST_DATABASE_URL")
    if not raw:
        path = tmp_path_factory.mktemp("browser-db") / "browser.sqlite3"
        yield f"sqlite:///{path}"
        return
    base = _sqlalchemy_pg_url(raw)
    name = f"{base.database}_browser"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:  # one database per xdist worker, each with its own server
        name = f"{name}_{worker}"
    url = base.set(database=name)
    _recreate_pg_database(url)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        _recreate_pg_database(url, drop_only=True)


# --------------------------------------------------------------------------- live server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_cli(args: list[str], env: dict[str, str]) -> None:
    command = [sys.executable, "-m", "flask", "--app", "app", *args]
    result = subprocess.run(
        command,
        cwd=PROJECT_ROOT,
        env=env,
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


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, browser_database_url) -> Iterator[str]:
    """Build the schema, seed the demo accounts and serve the app with gunicorn; yield its URL."""
    instance = tmp_path_factory.mktemp("browser-instance")
    env = {
        **os.environ,
        "IPR_INSTANCE_PATH": str(instance),
        "DATABASE_URL": browser_database_url,
        "IPR_SECRET_KEY": f"browser-tests-{secrets.token_hex(16)}",
        # Real configuration otherwise; only the login limit is raised for repeated sign-ins.
        "IPR_LOGIN_RATE_LIMIT": "1000 per minute",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("FLASK_APP", None)
    _run_cli(["db", "upgrade"], env)
    _run_cli(["ipr", "seed-demo"], env)

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = instance / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "app:app", "-b", f"127.0.0.1:{port}", "-w", "2"]
    # gunicorn ≥ 25 otherwise opens a control socket shared by every server of this user
    # (~/.gunicorn/gunicorn.ctl): parallel runs would fight over it; it lies outside the tmp dir.
    command.append("--no-control-socket")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not _answers_http(f"{base_url}/auth/login"):
            if process.poll() is not None:
                pytest.fail(
                    f"gunicorn exited with code {process.returncode} before serving:\n"
                    f"{log_path.read_text(errors='replace')}",
                    pytrace=False,
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"gunicorn did not answer on {base_url} within {SERVER_START_TIMEOUT:.0f} s:\n"
                    f"{log_path.read_text(errors='replace')}",
                    pytrace=False,
                )
            time.sleep(0.1)
        yield base_url
    finally:
        _stop(process)


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (Debian's, never a downloaded one) for the whole session."""
    if not CHROMIUM.exists():
        if _browser_required():
            pytest.fail(f"IPR_REQUIRE_BROWSER=1 but {CHROMIUM_MISSING}", pytrace=False)
        pytest.skip(CHROMIUM_MISSING)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser):
    """A fresh context (no cookies, no storage) and page for every test."""
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


def save_screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as test-artifacts/screenshots/<name>.png (git-ignored)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name.removesuffix('.png')}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def screenshot() -> Callable[..., Path]:
    """`screenshot(page, "login-holder")` → test-artifacts/screenshots/login-holder.png."""
    return save_screenshot
