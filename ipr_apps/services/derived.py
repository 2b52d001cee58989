"""Everything derived from the facts after a bulk write: derived tables, planner statistics."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from ipr_apps.services import page_version, stats_summary


def rebuild_derived(session: Session) -> None:
    """After a bulk writer (the generator, imports) changed many rows: rebuild the tables
    derived from the facts, then refresh the planner's statistics. Commits."""
    stats_summary.rebuild(session)
    page_version.changed(session)
    session.commit()
    refresh_statistics(session)


def refresh_statistics(session: Session) -> None:
    """SQLite never gathers statistics by itself: without them it picks the wrong index at a
    million rows (issue 16). PostgreSQL's autovacuum would, later: VACUUM now also clears the
    dead rows a bulk load's updates leave and fills the visibility map index-only scans need
    (it cannot run inside a transaction, so on a connection of its own in autocommit)."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM (ANALYZE)")
        return
    session.execute(text("ANALYZE"))
    session.commit()
