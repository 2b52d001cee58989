"""The screening index in use: built from the active recordations, rebuilt when they change.

Every change of a recordation goes through `recordation_workflow.apply` (approval, renewal,
amendment, cancellation, revocation, expiry, lapse) or the history import's swap; each calls
`changed()` in its own transaction, which gives the counter row `screening_index` a new random
value. Screening reads that value (one primary-key lookup) and rebuilds this process's index
when it differs from the one the index was built at. The UPDATE's row lock orders concurrent
changes, and the facts are read after the value, so an index is never older than its label. A
random value (not +1) also tells apart a database restored from a backup, or emptied and filled
again, whose counter would otherwise come back to a value already seen. A database with no
value yet (0: no recordation changed since the counter exists, or restored from a backup taken
then) is told apart by its newest recordation and recordation event ids instead (two more
primary-key lookups), so an index built for another such database is not reused.
"""

from __future__ import annotations

import threading
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipr_apps.db import db, renew_version, version_of
from ipr_apps.models.recordations import Recordation, RecordationEvent
from ipr_apps.screening.index import ScreeningIndex, facts_of_active

SCOPE = "screening_index"


class InUse(NamedTuple):
    version: int  # the counter's value the index was built at (0: no change recorded yet)
    index: ScreeningIndex


_lock = threading.Lock()
# By database URL: this process's index for each database, with the stamp it was built at.
_built: dict[str, tuple[tuple[int, ...], InUse]] = {}


def changed(session: Session) -> None:
    """Inside the transaction that changes a recordation: the index must be rebuilt."""
    renew_version(session, SCOPE)


def version(session: Session) -> int:
    """The counter's committed value as this transaction sees it (0 before any change)."""
    return version_of(session, SCOPE)


def current(session: Session | None = None) -> InUse:
    """The index of the recordations as they are now: this process's, rebuilt if stale."""
    session = session or db.session
    key = session.get_bind().url.render_as_string(hide_password=True)
    seen = version(session)
    stamp = (seen,) if seen else (seen, *_newest_ids(session))
    with _lock:
        built = _built.get(key)
        if built is None or built[0] != stamp:
            built = _built[key] = (stamp, InUse(seen, ScreeningIndex(facts_of_active(session))))
        return built[1]


def _newest_ids(session: Session) -> tuple[int, ...]:
    """The newest recordation and recordation event ids (every change appends an event)."""
    newest = select(func.max(Recordation.id)), select(func.max(RecordationEvent.id))
    return tuple(session.execute(stmt).scalar_one() or 0 for stmt in newest)
