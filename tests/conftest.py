"""Fixtures: the app on SQLite (or PostgreSQL with IPR_TEST_DATABASE_URL), clean tables per test,
factories for users and applications, a fast login and a CLI runner."""

from __future__ import annotations

import contextvars
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from ipr_apps import create_app
from ipr_apps.db import db
from ipr_apps.models import Role, User
from tests import factories
from tests.tables import empty_tables

PG_URL = os.environ.get("IPR_TEST_DATABASE_URL")


def pytest_configure(config) -> None:
    """The compiled Chinese catalogue as `make translations` would build it, when missing or
    older than messages.po (a plain `pytest` after editing the catalogue tests the edit)."""
    from tests.catalogue import compile_if_stale

    compile_if_stale()


PASSWORD = factories.PASSWORD


def base_config(tmp_dir, database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DEFAULT_LOCALE": "en",  # the wording tests read; tests/test_i18n*.py switch to zh_Hans
        # Deadlines over weekends and the test's own holidays, whatever today is (a test run
        # in Spring Festival must not fail); tests/test_calendar_cn.py switches to "CN".
        "WORKDAY_CALENDAR": "none",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "BASE_URL": "http://localhost",  # absolute links in e-mails, as in production
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "UPLOAD_FOLDER": str(tmp_dir / "uploads"),
        "OUTBOX_FOLDER": str(tmp_dir / "outbox"),
        # Tasks run at once in the caller (Huey's immediate mode, in-memory queue); the tests
        # of the queue itself use a real storage and worker.
        "JOBS_IMMEDIATE": True,
        "JOBS_DATABASE": str(tmp_dir / "jobs.sqlite3"),
    }


def reset_postgres(url: str) -> None:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("instance")
    os.environ["IPR_INSTANCE_PATH"] = str(path)
    return path


def worker_pg_url(url: str) -> str:
    """The run's PostgreSQL database, or under pytest-xdist the worker's own sibling
    `<db>_gw0`, `<db>_gw1` … (created fresh), so workers never empty each other's tables."""
    from tests.live import recreate_pg_database, sibling_database_name, sqlalchemy_pg_url

    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return url
    base = sqlalchemy_pg_url(url)
    own = base.set(database=sibling_database_name(base.database, "w"))
    recreate_pg_database(own)
    return own.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(instance_dir) -> str:
    if PG_URL:
        url = worker_pg_url(PG_URL)
        reset_postgres(url)
        return url
    return f"sqlite:///{instance_dir / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def config(instance_dir, database_url) -> dict:
    return base_config(instance_dir, database_url)


class IsolatedClient(FlaskClient):
    """Runs each request in its own app context, as a real server would.

    Tests hold an app context open (to call services and query); without isolation the
    request would reuse it, sharing `g` (the logged-in user) and the database session.
    Before the request the test's work is committed; afterwards its objects are expired
    so assertions read what the request wrote.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            db.session.commit()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.expire_all()
        return response


def make_app(config: dict) -> Flask:
    application = create_app(config)
    application.test_client_class = IsolatedClient
    return application


@contextmanager
def app_on(database_url: str, tmp_dir) -> Iterator[Flask]:
    """An app in this process on a live server's database, its context pushed: to create
    accounts and count rows beside the server. Its connections are closed afterwards."""
    application = make_app(base_config(tmp_dir, database_url))
    with application.app_context():
        try:
            yield application
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def app(config) -> Iterator[Flask]:
    """One app for the session, its schema built by the real migrations."""
    from flask_migrate import upgrade

    application = make_app(config)
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _app_context(request) -> Iterator[None]:
    """Every test that uses the app runs inside its context and leaves empty tables behind.

    No test starts inside an app context left pushed by another (a session fixture that yields
    inside one would make later tests, e.g. the CLI's, run against the wrong database).
    """
    assert not has_app_context(), "an app context leaked from an earlier test or fixture"
    if "app" not in request.fixturenames:
        yield
        return
    application = request.getfixturevalue("app")
    with application.app_context():
        yield
        db.session.rollback()
        _empty_tables()
        db.session.remove()
        _forget_rate_limits()


def _forget_rate_limits() -> None:
    """Flask-Limiter is one object for every app of the run: a test that hits a limit (on a
    strict app) must not leave its counts to the next test, which may sign in from the same
    address."""
    from ipr_apps.extensions import limiter

    if limiter.enabled and getattr(limiter, "_storage", None) is not None:
        limiter.reset()


def _empty_tables() -> None:
    empty_tables(db.engine)


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app) -> Callable[..., User]:
    return factories.make_user


@pytest.fixture
def make_application(app):
    return factories.make_application


@pytest.fixture
def login(client) -> Callable[[User], FlaskClient]:
    """Sign a user in without going through the form (the form has its own tests): a real
    server-side session, its raw id in the cookie as the sign-in page puts it there."""
    from ipr_apps.auth.signin import SESSION_KEY
    from ipr_apps.services import sessions

    def _login(user: User, to: FlaskClient | None = None) -> FlaskClient:
        target = to or client
        _, raw = sessions.start(user, "127.0.0.1", "pytest")
        with target.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
            session[SESSION_KEY] = raw
        return target

    return _login


@pytest.fixture
def users_by_role(make_user) -> dict[str, User | None]:
    """One account per role (and None for anonymous), for role × route matrices."""
    return {
        "anonymous": None,
        "holder": make_user(Role.HOLDER),
        "reviewer": make_user(Role.REVIEWER),
        "admin": make_user(Role.ADMIN),
        "officer": make_user(Role.OFFICER),
    }
