"""A busy database: API reads do not write, a lock not obtained is a 503 (never a 500), and an
import writes its rows in short staging transactions and makes them visible in one swap."""

from __future__ import annotations

import io
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import psycopg.errors
import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.exc import OperationalError

from ipr_apps.db import db, is_busy_error, unit_of_work
from ipr_apps.errors import DatabaseBusy
from ipr_apps.models import (
    ApiToken,
    Application,
    ImportStagingHolder,
    ImportStagingRow,
    Role,
    utcnow,
)
from ipr_apps.models.base import clock_at
from ipr_apps.services import filing, import_write, imports, maintenance, tokens
from ipr_apps.services.import_rows import parse_row, read_rows
from tests.api_helpers import API, assert_error, bearer
from tests.conftest import base_config, make_app
from tests.import_files import counts, csv_text, openers, rejected, row, write_csv
from tests.tables import sqlite_write_lock

NOTHING = [0, 0, 0, 0, 0, 0]


def _busy_sqlite() -> OperationalError:
    return OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))


def _busy_postgres() -> OperationalError:
    return OperationalError("UPDATE", {}, psycopg.errors.LockNotAvailable("lock timeout"))


@contextmanager
def _write_lock_held() -> Iterator[None]:
    """Another connection holds the lock a write needs: SQLite's only write lock, or (on
    PostgreSQL) the row lock of every API token."""
    if db.engine.dialect.name == "sqlite":
        with sqlite_write_lock(db.engine.url.database):
            yield
        return
    with db.engine.connect() as other:
        other.execute(select(ApiToken.id).with_for_update()).all()
        yield
        other.rollback()


@contextmanager
def _statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(" ".join(statement.split()).lower())

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _stamp(token_id: int):
    db.session.expire_all()
    return db.session.get(ApiToken, token_id).last_used_at


# --------------------------------------------------------------------------- API tokens


def test_last_used_at_is_written_at_most_once_per_interval(app, make_user):
    token, raw = tokens.create_token(make_user(Role.HOLDER))
    interval = timedelta(seconds=app.config["TOKEN_TOUCH_INTERVAL"])
    start = utcnow().replace(microsecond=0)
    with _statements() as seen:
        with clock_at(start):
            assert tokens.user_for_token(raw) is not None
        db.session.expire_all()  # each request reads the token afresh
        with clock_at(start + interval - timedelta(seconds=1)):
            assert tokens.user_for_token(raw) is not None
    writes = [s for s in seen if s.startswith("update api_tokens")]
    assert len(writes) == 1 and _stamp(token.id) == start
    with clock_at(start + interval + timedelta(seconds=1)):
        tokens.user_for_token(raw)
    assert _stamp(token.id) == start + interval + timedelta(seconds=1)


def test_a_locked_database_does_not_slow_or_fail_a_token_check(make_user):
    user = make_user(Role.HOLDER)
    token, raw = tokens.create_token(user)
    with _write_lock_held():
        began = time.monotonic()
        assert tokens.user_for_token(raw).id == user.id
        assert time.monotonic() - began < 1.0
    assert _stamp(token.id) is None  # given up, not waited for
    tokens.user_for_token(raw)
    assert _stamp(token.id) is not None


# --------------------------------------------------------------------------- busy → 503


@pytest.mark.parametrize(
    "message", ["database is locked", "database table is locked", "database schema is locked"]
)
def test_sqlite_lock_errors_are_busy(message):
    error = OperationalError("UPDATE", {}, sqlite3.OperationalError(message))
    assert is_busy_error(error) == (message != "database schema is locked")


@pytest.mark.parametrize(
    ("error", "busy"),
    [
        (psycopg.errors.LockNotAvailable("lock timeout"), True),
        (psycopg.errors.SerializationFailure("could not serialize"), True),
        (psycopg.errors.DeadlockDetected("deadlock"), True),
        (psycopg.errors.UndefinedTable("no such table"), False),
        (sqlite3.OperationalError("no such table: x"), False),
    ],
)
def test_postgresql_lock_errors_are_busy(error, busy):
    assert is_busy_error(OperationalError("UPDATE", {}, error)) is busy


def test_a_unit_of_work_turns_a_lock_error_into_database_busy(app):
    with pytest.raises(DatabaseBusy) as caught, unit_of_work():
        raise _busy_postgres()
    assert isinstance(caught.value.__cause__, OperationalError)


@pytest.fixture(params=["in_unit_of_work", "raw"])
def locked_create_draft(request, monkeypatch):
    """filing.create_draft finds the database locked: inside its unit of work (DatabaseBusy)
    or as a raw driver error from outside one (the error handler recognises it)."""

    def locked(*_args, **_kwargs):
        if request.param == "raw":
            raise _busy_sqlite()
        with unit_of_work():
            raise _busy_postgres()

    monkeypatch.setattr(filing, "create_draft", locked)


def test_a_form_post_that_finds_the_database_locked_is_503(
    app, client, login, make_user, locked_create_draft
):
    login(make_user(Role.HOLDER))
    response = client.post("/applications/new", data={"ipr_type": "trademark"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(app.config["BUSY_RETRY_AFTER"])
    assert response.content_type.startswith("text/html")
    assert b"nothing was saved" in response.data and b"Traceback" not in response.data
    assert db.session.scalar(select(func.count()).select_from(Application)) == 0


def test_an_api_write_that_finds_the_database_locked_is_503_busy(
    app, client, make_user, locked_create_draft
):
    _token, raw = tokens.create_token(make_user(Role.HOLDER))
    response = client.post(f"{API}/applications", json={"ipr_type": "trademark"},
                           headers=bearer(raw))  # fmt: skip
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(app.config["BUSY_RETRY_AFTER"])
    assert assert_error(response.get_json())["code"] == "busy"


def test_other_database_errors_stay_500(client, make_user, monkeypatch):
    def broken(*_args, **_kwargs):
        raise OperationalError("SELECT", {}, sqlite3.OperationalError("disk I/O error"))

    monkeypatch.setattr(filing, "create_draft", broken)
    _token, raw = tokens.create_token(make_user(Role.HOLDER))
    response = client.post(f"{API}/applications", json={"ipr_type": "trademark"},
                           headers=bearer(raw))  # fmt: skip
    assert response.status_code == 500 and "Retry-After" not in response.headers


def test_the_sqlite_busy_timeout_is_a_setting(tmp_path):
    app = make_app(base_config(tmp_path, f"sqlite:///{tmp_path / 'b.sqlite3'}")
                   | {"SQLITE_BUSY_TIMEOUT": 2})  # fmt: skip
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == 2000
        db.engine.dispose()
    assert make_app(base_config(tmp_path, "sqlite://")).config["SQLITE_BUSY_TIMEOUT"] == 5


# --------------------------------------------------------------------------- imports


def _staged() -> int:
    return db.session.scalar(
        select(func.count()).select_from(ImportStagingRow)
    ) + db.session.scalar(select(func.count()).select_from(ImportStagingHolder))


def test_the_write_pass_commits_each_batch_and_leaves_the_lock_free(app, monkeypatch):
    """Between two batches another writer gets the lock at once, and nothing is visible yet."""
    monkeypatch.setattr(imports, "BATCH_ROWS", 2)
    text_ = csv_text(*(row(f"OLD-{n}", recordation_number=f"T2019-{n:06d}") for n in range(1, 6)))
    checks: list[tuple[int, int]] = []

    def progress(phase: str, _line: int) -> None:
        if phase == "import":
            checks.append(_other_connection_sees())

    result = imports.import_recordations(openers(text_, text_), progress)
    assert result == imports.ImportResult(imported=5, skipped=0)
    staged = [staged for staged, _applications in checks]
    assert staged[:3] == [2, 4, 5] and all(apps == 0 for _staged, apps in checks)
    assert counts()[0] == 5 and _staged() == 0


def _other_connection_sees() -> tuple[int, int]:
    """(staging rows, applications) as another connection sees them; on SQLite after taking
    the write lock without waiting (which fails if the import holds it)."""
    count = "SELECT (SELECT count(*) FROM import_staging), (SELECT count(*) FROM applications)"
    if db.engine.dialect.name == "sqlite":
        other = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            return other.execute(count).fetchone()
        finally:
            other.rollback()
            other.close()
    engine = create_engine(db.engine.url)
    try:
        with engine.connect() as connection:
            return tuple(connection.execute(text(count)).one())
    finally:
        engine.dispose()


def test_a_failed_swap_imports_nothing_and_leaves_no_staging_rows(app, monkeypatch):
    text_ = csv_text(rejected("OLD-0"), row("OLD-1"))

    def fails(session, run_id):
        session.execute(text("SELECT 1"))
        raise _busy_sqlite()

    monkeypatch.setattr(imports, "swap", fails)
    monkeypatch.setattr(imports.time, "sleep", lambda _s: None)
    with pytest.raises(DatabaseBusy):
        imports.import_recordations(openers(text_, text_, text_))
    assert counts() == NOTHING and _staged() == 0


def test_a_killed_import_leaves_staging_rows_only_until_the_nightly_purge(app):
    """A worker killed during the write pass: its batches are staged, nothing is visible; the
    nightly clean-up removes them once they are a day old."""
    rows = [parse_row(line, cells)[0] for line, cells in _cells(3)]
    first = min(r.submitted_on for r in rows)
    stager = import_write.Stager(first, max(r.decided_on for r in rows))
    stager.write(rows)
    assert counts() == NOTHING and _staged() == 3
    assert maintenance.purge_stale_import_runs(utcnow() + timedelta(hours=23)) == 0
    assert maintenance.purge_stale_import_runs(utcnow() + timedelta(hours=25)) == 1
    assert _staged() == 0


def _cells(count: int):
    rows = [row(f"OLD-{n}", recordation_number=f"T2019-{n:06d}") for n in range(1, count + 1)]
    return list(read_rows(io.StringIO(csv_text(*rows))))


def test_the_swap_only_inserts_into_the_audit_tables(app):
    """The audit tables refuse UPDATE and DELETE (database triggers): the import only inserts."""
    text_ = csv_text(rejected("OLD-0"), row("OLD-1"), row("OLD-2", recordation_number="X-2"))
    with _statements() as seen:
        assert imports.import_recordations(openers(text_, text_)).imported == 3
    touched = [s for s in seen if s.startswith(("update", "delete"))]
    assert touched and not any(
        table in s.split(" where ")[0] for s in touched for table in ("status_events", "decisions")
    )
    assert db.session.scalar(select(func.count()).select_from(Application)) == 3


def test_the_import_command_says_when_the_database_stayed_busy(app, runner, tmp_path, monkeypatch):
    def busy(*_args) -> None:
        raise _busy_sqlite()

    monkeypatch.setattr(imports, "swap", busy)
    monkeypatch.setattr(imports.time, "sleep", lambda _seconds: None)
    path = write_csv(tmp_path / "f.csv", [row("OLD-1"), rejected("OLD-2")])
    result = runner.invoke(args=["ipr", "import-recordations", str(path)])
    assert result.exit_code == 1 and DatabaseBusy.message in result.output
    assert "Traceback" not in result.output and counts() == NOTHING and _staged() == 0
