"""Planner statistics: ANALYZE after bulk loads and migrations, PRAGMA optimize nightly."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from ipr_apps.services.derived import refresh_statistics

# Why: without statistics SQLite guesses every index equally selective and picks, e.g.,
# ix_applications_ipr_type (a third of the table) for the review page's and submit's look-ups
# (80-460 ms at a million rows) over the unique or (status, due_on, id) index. PostgreSQL's
# autovacuum analyzes eventually, but not right after a bulk load of a million rows.


def analyze(session: Session) -> None:
    """Full statistics of every table, committed: after a bulk load (the generator, imports)."""
    session.commit()
    refresh_statistics(session)


def optimize(session: Session) -> None:
    """Refresh statistics where they are stale (cheap, bounded): the nightly job. SQLite's
    PRAGMA optimize analyzes only tables that changed much since their last ANALYZE (and,
    with analysis_limit, reads a bounded sample of each index); PostgreSQL's autovacuum
    already does this, so there it is an ANALYZE only when asked for explicitly."""
    if session.get_bind().dialect.name != "sqlite":
        return
    session.commit()
    session.execute(text("PRAGMA analysis_limit=1000"))
    session.execute(text("PRAGMA optimize"))
    session.commit()
