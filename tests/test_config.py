"""Configuration precedence: defaults → instance/config.py → environment → test_config."""

from __future__ import annotations

import pytest

from ipr_apps import create_app
from ipr_apps.config import normalise_database_url


@pytest.fixture
def instance(tmp_path, monkeypatch):
    path = tmp_path / "instance"
    path.mkdir()
    monkeypatch.setenv("IPR_INSTANCE_PATH", str(path))
    for name in ("DATABASE_URL", "IPR_SECRET_KEY", "IPR_PAGE_SIZE", "IPR_UPLOAD_FOLDER"):
        monkeypatch.delenv(name, raising=False)
    return path


def test_defaults_use_sqlite_in_instance_and_local_bootstrap(instance):
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'ipr_apps.sqlite3'}"
    assert app.config["UPLOAD_FOLDER"] == str(instance / "uploads")
    assert app.config["BOOTSTRAP_SERVE_LOCAL"] is True
    assert app.config["PAGE_SIZE"] == 25
    assert app.config["DEBUG"] is False


def test_instance_file_overrides_defaults_and_environment_overrides_file(instance, monkeypatch):
    (instance / "config.py").write_text("PAGE_SIZE = 40\nUPLOAD_FOLDER = '/srv/from-file'\n")
    app = create_app()
    assert app.config["PAGE_SIZE"] == 40
    assert app.config["UPLOAD_FOLDER"] == "/srv/from-file"

    monkeypatch.setenv("IPR_PAGE_SIZE", "7")
    monkeypatch.setenv("IPR_UPLOAD_FOLDER", "/srv/from-env")
    app = create_app()
    assert app.config["PAGE_SIZE"] == 7
    assert app.config["UPLOAD_FOLDER"] == "/srv/from-env"

    app = create_app({"PAGE_SIZE": 3})
    assert app.config["PAGE_SIZE"] == 3


def test_database_url_selects_the_database(instance, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://user@db.example:5432/ipr")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://user@db.example:5432/ipr"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_normalise_database_url(given, expected):
    assert normalise_database_url(given) == expected


def test_secret_key_is_generated_once_and_kept_in_instance(instance):
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    assert len(first) == 64
    assert first == second
    assert (instance / "secret_key").read_text().strip() == first
    assert (instance / "secret_key").stat().st_mode & 0o077 == 0


def test_configured_secret_wins_and_nothing_is_written(instance, monkeypatch):
    monkeypatch.setenv("IPR_SECRET_KEY", "from-environment")
    assert create_app().config["SECRET_KEY"] == "from-environment"
    assert not (instance / "secret_key").exists()


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(app):
    from sqlalchemy import text

    from ipr_apps.db import db

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas; the PostgreSQL run checks the same suite on PostgreSQL")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
