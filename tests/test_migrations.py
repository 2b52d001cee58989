"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from ipr_apps.db import db


# SQLite's reflection cannot read an index on an expression (lower(case_number)): it skips
# them with this warning, and compares the rest; PostgreSQL reads and compares them too.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_migrated_schema_matches_the_models(app):
    # the session's database was built by `flask db upgrade` (see conftest.app)
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_migrations_are_at_head_and_every_table_exists(app):
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    with db.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        tables = set(inspect(conn).get_table_names())
    assert current == script.get_current_head()
    assert set(db.metadata.tables) <= tables


def test_check_constraints_exist_in_the_database(app):
    inspector = inspect(db.engine)
    names = {c["name"] for c in inspector.get_check_constraints("applications")}
    assert {"ck_applications_claimed_iff_review", "ck_applications_decided_iff"} <= names
    unique = {tuple(u["column_names"]) for u in inspector.get_unique_constraints("recordations")}
    assert ("number",) in unique


def test_every_migration_downgrades_and_upgrades_again(config, tmp_path):
    """A fresh database goes base → head → base → head without errors."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect as inspect_db

    from tests.conftest import make_app

    fresh = make_app({**config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}"})
    with fresh.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect_db(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert set(db.metadata.tables) <= set(inspect_db(db.engine).get_table_names())
        db.engine.dispose()
