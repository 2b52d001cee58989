"""The audit tables are append-only in the database itself: triggers refuse UPDATE, DELETE
(and TRUNCATE on PostgreSQL) whoever the client is; INSERT still works."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from ipr_apps.db import db
from ipr_apps.models import (
    CaseEvent,
    Channel,
    Decision,
    DetentionCase,
    Direction,
    Outcome,
    Role,
    SecurityAction,
    SecurityEvent,
    Status,
    StatusEvent,
)
from ipr_apps.services import cases, review, security_log
from ipr_apps.services.cases import CaseFacts
from tests.factories import recordation_row

AUDIT_TABLES = ("status_events", "decisions", "security_events", "case_events")
# the text column each update test tries to rewrite
REWRITTEN = {"status_events": "note", "decisions": "message", "security_events": "email",
             "case_events": "note"}  # fmt: skip


@pytest.fixture
def rows(make_user, make_application):
    """One row in each audit table, committed."""
    holder, reviewer = make_user(Role.HOLDER), make_user(Role.REVIEWER)
    application = make_application(holder, Status.UNDER_REVIEW, claimed_by=reviewer)
    review.reject(reviewer, application.id, ["other"], "Not a right we protect.")
    security_log.record_now(SecurityAction.SIGNOUT, reviewer)
    _open_case(make_user, make_application, holder)
    db.session.commit()


def _open_case(make_user, make_application, holder) -> DetentionCase:
    """An ex officio case on a recordation in force: its opening writes a case event."""
    recordation = recordation_row(make_application(holder, Status.APPROVED))
    db.session.commit()
    facts = CaseFacts(channel=Channel.EXPRESS, direction=Direction.IMPORT, goods="Shoes",
                      items=10, value_cny=Decimal("100.00"))  # fmt: skip
    return cases.open_ex_officio(make_user(Role.OFFICER), recordation.id, facts)


def _count(table: str) -> int:
    return db.session.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()  # noqa: S608


def _refused(sql: str) -> str:
    """Run raw SQL in its own transaction; returns the database's error message."""
    db.session.rollback()  # the test's reads hold locks a TRUNCATE would wait for
    with pytest.raises(DBAPIError) as caught, db.engine.begin() as conn:
        conn.execute(text(sql))
    return str(caught.value.orig)


@pytest.mark.parametrize("table", AUDIT_TABLES)
def test_update_of_an_audit_row_is_refused(rows, table):
    column = REWRITTEN[table]
    before = db.session.execute(text(f"SELECT {column} FROM {table}")).all()  # noqa: S608
    message = _refused(f"UPDATE {table} SET {column} = 'rewritten history'")  # noqa: S608
    assert f"{table} is append-only" in message
    db.session.rollback()
    assert db.session.execute(text(f"SELECT {column} FROM {table}")).all() == before  # noqa: S608


@pytest.mark.parametrize("table", AUDIT_TABLES)
def test_delete_of_an_audit_row_is_refused(rows, table):
    count = _count(table)
    assert count >= 1
    assert f"{table} is append-only" in _refused(f"DELETE FROM {table}")  # noqa: S608
    db.session.rollback()
    assert _count(table) == count


@pytest.mark.parametrize("table", AUDIT_TABLES)
def test_truncate_of_an_audit_table_is_refused_on_postgresql(rows, table):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (its DELETE without WHERE is refused above)")
    count = _count(table)
    assert f"{table} is append-only" in _refused(f"TRUNCATE {table} CASCADE")
    db.session.rollback()
    assert _count(table) == count


def test_insert_into_every_audit_table_still_works(make_user, make_application):
    holder, admin = make_user(Role.HOLDER), make_user(Role.ADMIN)
    application = make_application(holder, Status.DRAFT)
    case_id = _open_case(make_user, make_application, holder).id
    db.session.commit()
    counts = {table: _count(table) for table in AUDIT_TABLES}
    with db.engine.begin() as conn:
        conn.execute(
            StatusEvent.__table__.insert().values(
                application_id=application.id, action="note", to_status="draft", actor_id=holder.id
            )
        )
        conn.execute(
            Decision.__table__.insert().values(
                application_id=application.id, outcome=Outcome.APPROVED.value, imported=True,
                decided_on=date(2020, 1, 2),
            )
        )  # fmt: skip
        conn.execute(SecurityEvent.__table__.insert().values(action="signout", actor_id=admin.id))
        conn.execute(
            CaseEvent.__table__.insert().values(
                case_id=case_id, action="note", to_status="detained", actor_id=admin.id
            )
        )
    assert {t: _count(t) for t in AUDIT_TABLES} == {t: counts[t] + 1 for t in AUDIT_TABLES}


def _triggers() -> tuple[set[str], set[str]]:
    """(the triggers found as "table:name", the ones the migration creates)."""
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            sql = (
                "SELECT tgrelid::regclass::text || ':' || tgname FROM pg_trigger"
                " WHERE NOT tgisinternal"
            )
            kinds = ("append_only", "no_truncate")
        else:
            sql = "SELECT tbl_name || ':' || name FROM sqlite_master WHERE type = 'trigger'"
            kinds = ("no_update", "no_delete")
        found = set(conn.execute(text(sql)).scalars())
    return found, {f"{t}:{t}_{kind}" for t in AUDIT_TABLES for kind in kinds}


def test_the_triggers_exist_after_flask_db_upgrade(app):
    """The session's schema was built by `flask db upgrade` (conftest.app); a later SQLite batch
    migration that rebuilds an audit table would silently drop its triggers: this catches it."""
    found, expected = _triggers()
    assert expected <= found
    assert set(AUDIT_TABLES) <= set(inspect(db.engine).get_table_names())


def test_cleaning_up_between_tests_keeps_the_triggers(rows):
    """tests/tables.py empties the tables past the triggers; they must be back afterwards."""
    from tests.tables import empty_tables

    empty_tables(db.engine)
    assert all(_count(t) == 0 for t in AUDIT_TABLES)
    found, expected = _triggers()
    assert expected <= found
