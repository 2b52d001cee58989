"""Everything derived from the facts after a bulk write: planner statistics, derived tables."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session


def rebuild_derived(session: Session) -> None:
    """After a bulk writer (the generator, imports) changed many rows: refresh the planner's
    statistics (SQLite never gathers them by itself, and without them it picks the wrong
    index at a million rows), then rebuild the tables derived from the facts. Commits."""
    session.commit()  # the bulk rows first, on their own: ANALYZE then reads them all
    session.execute(text("ANALYZE"))
    session.commit()
