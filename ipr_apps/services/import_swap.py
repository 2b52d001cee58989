"""The end of a recordation import: one transaction copies a run's staged rows into the real
tables with INSERT ... SELECT (it only inserts), so the import is visible whole or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Table,
    and_,
    case,
    exists,
    false,
    func,
    insert,
    literal,
    select,
    true,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ipr_apps.models import (
    Application,
    Counter,
    Decision,
    IpRight,
    MonthlyApplications,
    MonthlyProcessing,
    MonthlyRecordations,
    Organisation,
    OrgKind,
    Outcome,
    Recordation,
    RecordationEvent,
    RecordationStatus,
    Status,
    StatusEvent,
    utcnow,
)
from ipr_apps.screening.current import changed as screening_changed
from ipr_apps.services import stats_facts, stats_summary
from ipr_apps.services.import_check import among, chunks
from ipr_apps.services.import_write import STAGED_KEYS, STAGING, STAGING_HOLDERS, HolderKey
from ipr_apps.services.recordations import counter_scope

IMPORT_NOTE = "Imported from the previous system"
SWAP_CACHE_KIB = 256 * 1024  # SQLite page cache during the swap (freed again after it)


def _table(model: Any) -> Table:
    return model.__table__


APPLICATIONS, RIGHTS, DECISIONS = _table(Application), _table(IpRight), _table(Decision)
RECORDATIONS, EVENTS, ORGANISATIONS = _table(Recordation), _table(StatusEvent), _table(Organisation)
RECORDATION_EVENTS = _table(RecordationEvent)
S, A, R = STAGING.c, APPLICATIONS.c, RECORDATIONS.c


def swap(session: Session, run_id: str) -> tuple[int, int]:
    """Move run `run_id` into the real tables inside the caller's transaction; rows whose
    reference the database holds by now are skipped. Returns (imported, skipped)."""
    with _large_cache(session.connection()) as connection:
        return _swap(session, connection, run_id)


@contextmanager
def _large_cache(connection: Connection) -> Iterator[Connection]:
    """SQLite: a page cache that holds the indexes being filled (the default 2 MB makes the
    swap, which holds the only write lock, about twice as long); back to normal after."""
    if connection.dialect.name != "sqlite":
        yield connection
        return
    size = connection.exec_driver_sql("PRAGMA cache_size").scalar_one()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{SWAP_CACHE_KIB}")
    try:
        yield connection
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={int(size)}")


def _swap(session: Session, connection: Connection, run_id: str) -> tuple[int, int]:
    now = literal(utcnow(), DateTime)
    present = exists().where(A.reference == S.reference)
    mark = update(STAGING).where(S.run_id == run_id, present).values(skipped=True)
    skipped = connection.execute(mark).rowcount
    new = and_(S.run_id == run_id, S.skipped == false())
    _map_holders(connection, run_id, new)
    imported = connection.execute(select(func.count()).where(new)).scalar_one()
    connection.execute(_applications(new, now))
    joined = STAGING.join(APPLICATIONS, A.reference == S.reference)
    for table, columns, where in _children(now):
        query = select(*columns.values()).select_from(joined).where(new, *where)
        connection.execute(insert(table).from_select(list(columns), query.order_by(S.line)))
    _link_recordations(connection, new, now)
    _move_counters(session, new)
    _count_in_statistics(connection, new)
    if imported:
        screening_changed(session)  # the imported active recordations are screened
    return imported, skipped


def _count_in_statistics(connection: Connection, new: ColumnElement[bool]) -> None:
    """Add the imported applications, decisions and recordations to the statistics summary
    (the INSERTs above bypass the ORM flush that keeps it otherwise)."""
    ids = select(A.id).where(A.reference.in_(select(S.reference).where(new)))
    recordations = select(R.id).where(R.application_id.in_(ids))
    for model, facts in (
        (MonthlyApplications, stats_facts.applications(ids)),
        (MonthlyProcessing, stats_facts.processing(ids)),
        (MonthlyRecordations, stats_facts.recordations(recordations)),
    ):
        stats_summary.add_imported(connection, model, facts)


def _map_holders(connection: Connection, run_id: str, new: ColumnElement[bool]) -> None:
    """Find (the oldest) or create each holder organisation; record key → id for the run."""
    keys = connection.execute(
        select(S.holder_key, S.holder_name, S.holder_country).where(new).distinct()
    ).all()
    ids = _find_holders(connection, {(name, country) for _key, name, country in keys})
    missing = sorted({(name, country) for _key, name, country in keys} - ids.keys())
    ids.update(_create_holders(connection, missing))
    created = utcnow()
    mapping = [
        {"run_id": run_id, "holder_key": key, "org_id": ids[(name, country)], "created_at": created}
        for key, name, country in keys
    ]
    if mapping:
        connection.execute(insert(STAGING_HOLDERS), mapping)


def _find_holders(connection: Connection, wanted: set[HolderKey]) -> dict[HolderKey, int]:
    found: dict[HolderKey, int] = {}
    o = ORGANISATIONS.c
    for chunk in chunks(sorted({name for name, _country in wanted})):
        stmt = (
            select(o.id, o.name_local, o.country)
            .where(o.kind == OrgKind.HOLDER, among(o.name_local, chunk))
            .order_by(o.id.desc())  # the oldest wins below
        )
        for org_id, name, country in connection.execute(stmt):
            if (name, country) in wanted:
                found[(name, country)] = org_id
    return found


def _create_holders(connection: Connection, keys: list[HolderKey]) -> dict[HolderKey, int]:
    if not keys:
        return {}
    now = utcnow()
    values = [
        {"kind": OrgKind.HOLDER, "name_local": name, "country": country,
         "created_at": now, "updated_at": now}
        for name, country in keys
    ]  # fmt: skip
    o = ORGANISATIONS.c
    stmt = insert(ORGANISATIONS).returning(o.id, o.name_local, o.country)
    return {(name, country): org_id for org_id, name, country in connection.execute(stmt, values)}


def _applications(new: ColumnElement[bool], now: ColumnElement[datetime]):
    h = STAGING_HOLDERS.c
    status = case(
        (S.outcome == Outcome.APPROVED.value, literal(Status.APPROVED.value)),
        else_=literal(Status.REJECTED.value),
    )
    columns = {
        "reference": S.reference, "ipr_type": S.ipr_type, "status": status,
        "version": literal(1), "imported": true(), "duplicate_flag": false(),
        "clock_days_used": literal(0), "holder_org_id": h.org_id,
        "holder_name_local": S.holder_name, "holder_name_local_key": S.holder_name_key,
        "holder_country": S.holder_country,
        "first_submitted_at": S.submitted_at, "submitted_at": S.submitted_at,
        "decided_at": S.decided_at, "created_at": now, "updated_at": now,
    }  # fmt: skip
    source = STAGING.join(STAGING_HOLDERS, and_(h.run_id == S.run_id, h.holder_key == S.holder_key))
    query = select(*columns.values()).select_from(source).where(new).order_by(S.line)
    return insert(APPLICATIONS).from_select(list(columns), query)


def _children(now: ColumnElement[datetime]) -> list[tuple[Table, dict[str, Any], tuple]]:
    """(table, column → value, extra condition) for the rows each application gets."""
    rights = {"application_id": A.id, "registration_number": S.right_number, "title": S.right_title}
    decisions = {
        "application_id": A.id, "outcome": S.outcome, "decided_on": S.decided_on,
        "decided_at": S.decided_at, "imported": true(), "working_days": S.working_days,
    }  # fmt: skip
    events = {
        "application_id": A.id, "action": literal("import"), "to_status": S.outcome,
        "note": literal(IMPORT_NOTE), "created_at": now,
    }  # fmt: skip
    recordations = {
        "number": S.recordation_number, "application_id": A.id, "prefix": S.recordation_prefix,
        "year": S.recordation_year, "sequence": S.recordation_sequence,
        "valid_from": S.decided_on, "valid_until": S.valid_until,
        "status": literal(RecordationStatus.ACTIVE.value), "imported": true(),
        "created_at": now, "updated_at": now, "facts_application_id": A.id,
        "ipr_type": S.ipr_type, "holder_org_id": A.holder_org_id, "holder_name": S.holder_name,
        "holder_country": S.holder_country, "right_number": S.right_number,
        "right_title": S.right_title, **{key: S[key] for key in STAGED_KEYS},
    }  # fmt: skip
    approved = (S.outcome == Outcome.APPROVED.value,)
    return [
        (RIGHTS, rights, ()), (DECISIONS, decisions, ()),
        (RECORDATIONS, recordations, approved), (EVENTS, events, ()),
    ]  # fmt: skip


def _link_recordations(
    connection: Connection, new: ColumnElement[bool], now: ColumnElement[datetime]
) -> None:
    """Each imported approval belongs to its recordation, which gets its `create` event.
    Imported as active even when `valid_until` has passed: `expire` then ends them."""
    imported = select(A.id).select_from(STAGING.join(APPLICATIONS, A.reference == S.reference))
    ids = imported.where(new, S.outcome == Outcome.APPROVED.value)
    own = select(R.id).where(R.application_id == A.id).scalar_subquery()
    connection.execute(update(APPLICATIONS).where(A.id.in_(ids)).values(recordation_id=own))
    columns = {
        "recordation_id": R.id, "action": literal("create"), "to_status": R.status,
        "application_id": R.application_id, "valid_until": R.valid_until,
        "note": literal(IMPORT_NOTE), "created_at": now,
    }  # fmt: skip
    query = select(*columns.values()).where(R.application_id.in_(ids)).order_by(R.id)
    connection.execute(insert(RECORDATION_EVENTS).from_select(list(columns), query))


def _move_counters(session: Session, new: ColumnElement[bool]) -> None:
    """Move each recordation counter past the highest imported number in our own format
    (whatever letter it carries, our own numbering must never produce it again)."""
    highest = select(S.own_prefix, S.own_year, func.max(S.own_sequence)).where(
        new, S.own_prefix.is_not(None)
    )
    for prefix, year, sequence in session.execute(highest.group_by(S.own_prefix, S.own_year)):
        scope = counter_scope(prefix, year)
        stmt = update(Counter).where(Counter.scope == scope, Counter.value < sequence)
        if session.execute(stmt.values(value=sequence)).rowcount:
            continue
        if session.get(Counter, scope) is None:
            session.execute(insert(Counter).values(scope=scope, value=sequence))
