"""The statistics summary (models/summary.py): kept in step with every write, rebuilt on demand.

Every ORM flush that touches a counted fact (an application's first submission, right type,
holder country or kind; a decision; a recordation's dates, status or facts; a detention case)
adjusts the summary in the same transaction: the touched rows' contribution is read before
the flush and again after it, and the difference is added with an upsert. A session event does
this, not each service, so no write path (submit, decide, revise, expire, open a case, the demo
data) can forget it. Bulk writers that bypass the ORM (the recordation and case imports, the
data generator) call add_imported() or rebuild() in their own transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import delete, event, inspect, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ipr_apps.models import Application, Decision, DetentionCase, Recordation
from ipr_apps.services import stats_facts
from ipr_apps.services.stats_facts import TABLES

IN_CHUNK = 500  # ids per IN (...) list
PENDING = "ipr_stats_summary"
# The attributes a figure depends on, per fact; changes to others need no summary update.
WATCHED = {
    Application: ("first_submitted_at", "ipr_type", "holder_country", "kind"),
    Decision: ("application_id", "decided_on", "outcome", "working_days"),
    Recordation: ("valid_from", "valid_until", "ended_on", "status", "ipr_type", "holder_country"),
    DetentionCase: ("opened_on", "ipr_type", "channel", "mode", "direction", "port_code",
                    "items", "value_cny"),
}  # fmt: skip
# which facts' SELECT (stats_facts) a fact's ids feed (processing counts decisions only: its
# keys are the decision's month and working days, nothing of the application)
FEEDS = {
    Application: (stats_facts.applications,),
    Decision: (stats_facts.applications, stats_facts.processing),
    Recordation: (stats_facts.recordations,),
    DetentionCase: (stats_facts.cases,),
}
Delta = Counter  # (model, key...) + (count column,) -> change


def rebuild(executor, only: Iterable = ()) -> None:
    """Recompute the summary tables (or the `only` ones, by model) from the facts: one
    INSERT ... SELECT each. `executor` is a Session or Connection inside the caller's
    transaction."""
    for model, keys, counts, facts in TABLES:
        if only and model not in only:
            continue
        executor.execute(delete(model))
        executor.execute(model.__table__.insert().from_select([*keys, *counts], facts()))


def add_imported(executor, model, facts_query) -> None:
    """Add the facts of `facts_query` (a stats_facts SELECT filtered to the new rows) to the
    summary table `model`, for bulk inserts that do not go through the ORM."""
    _, keys, counts, _ = next(t for t in TABLES if t[0] is model)
    stmt = _insert_for(executor)(model.__table__).from_select(
        [*keys, *counts],
        facts_query.where(true()),  # SQLite's upsert needs a WHERE
    )
    executor.execute(_adding(stmt, keys, counts))


def _insert_for(executor):
    dialect = executor.dialect if hasattr(executor, "dialect") else executor.get_bind().dialect
    return pg_insert if dialect.name == "postgresql" else sqlite_insert


def _adding(stmt, keys, counts):
    return stmt.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: stmt.table.c[name] + stmt.excluded[name] for name in counts},
    )


# -- Kept in step with the ORM's writes ------------------------------------------------------


def _fact_ids(obj, before: bool) -> list[int]:
    """The ids the summary's facts SELECTs filter by, for one touched object."""
    if isinstance(obj, Decision):
        ids = [obj.application_id]
        app = inspect(obj).attrs.application.loaded_value
        if isinstance(app, Application) and (not before or inspect(app).persistent):
            ids.append(app.id)
        history = inspect(obj).attrs.application_id.history
        return [i for i in (*ids, *history.deleted) if i is not None]
    if isinstance(obj, Application) and _not_submitted(obj, before):
        return []
    return [obj.id] if obj.id is not None else []


def _not_submitted(application: Application, before: bool) -> bool:
    """Known never submitted before this flush (`before`) or after it: such an application
    (a draft) counts in no figure, so a holder's drafts read no facts. An attribute not
    loaded on a stored application is not known: counted."""
    state = inspect(application)
    history = state.attrs.first_submitted_at.history
    value = (
        (history.deleted or history.unchanged) if before else (history.added or history.unchanged)
    )
    if not value and state.pending:
        value = [application.first_submitted_at]  # never set on a new object: NULL
    return bool(value) and value[0] is None


def _touched(session: Session, before: bool) -> dict:
    """{facts SELECT: ids} of the watched facts this flush writes (new ones only once they
    have ids); a decision's ids are its application's."""
    found: dict = {}
    dirty = [o for o in session.dirty if _changed(o)]
    for obj in (*session.new, *dirty, *session.deleted):
        model = _watched(obj)
        if model is None:
            continue
        ids = _fact_ids(obj, before)
        for facts in FEEDS[model]:
            found.setdefault(facts, set()).update(ids)
    return found


def _watched(obj):
    return next((model for model in WATCHED if isinstance(obj, model)), None)


def _changed(obj) -> bool:
    model = _watched(obj)
    if model is None:
        return False
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in WATCHED[model])


def _contribution(connection, touched: dict) -> Delta:
    total: Delta = Counter()
    for facts, ids in touched.items():
        ordered = sorted(ids)
        summary, keys, counts, _ = next(t for t in TABLES if t[3] is facts)
        for start in range(0, len(ordered), IN_CHUNK):
            for row in connection.execute(facts(ordered[start : start + IN_CHUNK])):
                for name, value in zip(counts, row[len(keys) :], strict=True):
                    total[(summary, *row[: len(keys)], name)] += int(value)
    return total


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context, _instances) -> None:
    touched = _touched(session, before=True)
    if touched:
        session.info[PENDING] = (touched, _contribution(session.connection(), touched))


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    touched, old = session.info.pop(PENDING, ({}, Counter()))
    for facts, ids in _touched(session, before=False).items():
        touched.setdefault(facts, set()).update(ids)
    if not touched:
        return
    connection = session.connection()
    new = _contribution(connection, touched)
    new.subtract(old)
    _apply(connection, {key: n for key, n in new.items() if n})


def _apply(connection, delta: dict) -> None:
    """Upsert the changes, table by table in a fixed order and rows in key order (two
    transactions updating the same rows then wait for each other instead of deadlocking)."""
    for model, keys, counts, _ in TABLES:
        rows: dict[tuple, dict] = {}
        for (summary, *rest), n in delta.items():
            if summary is model:
                key, name = tuple(rest[:-1]), rest[-1]
                rows.setdefault(key, dict.fromkeys(counts, 0))[name] = n
        if rows:
            values = [dict(zip(keys, key, strict=True)) | rows[key] for key in sorted(rows)]
            stmt = _insert_for(connection)(model.__table__).values(values)
            connection.execute(_adding(stmt, keys, counts))


# -- Bulk statements through the session (insert(Model), rows), which skip the flush ---------


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state) -> object | None:
    """An INSERT / UPDATE / DELETE statement on a watched fact runs, then the summary tables
    it feeds are rebuilt in the same transaction (rare: bulk loads; updates that touch no
    watched column, such as a claim, are left alone)."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    model = _watched_entity(state)
    if model is None or (state.is_update and not _sets_watched(state, model)):
        return None
    result = state.invoke_statement()
    feeds = set(FEEDS[model])
    rebuild(state.session.connection(), only={t[0] for t in TABLES if t[3] in feeds})
    return result


def _watched_entity(state):
    entity = state.bind_mapper.class_ if state.bind_mapper is not None else None
    return next((m for m in WATCHED if entity is not None and issubclass(entity, m)), None)


def _sets_watched(state, model) -> bool:
    names = set(WATCHED[model])
    values = getattr(state.statement, "_values", None) or {}
    keys = {getattr(k, "key", k) for k in values}
    params = state.parameters
    for row in params if isinstance(params, list) else [params or {}]:
        keys.update(row)
    return bool(keys & names)
