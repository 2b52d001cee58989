"""The statistics summary's rows as SQL over the facts: one grouped SELECT per summary table.

The same SELECTs fill the summary from scratch (stats_summary.rebuild), add an import's rows,
and give the before/after contribution of the rows one flush touches, so the three can never
count differently. Each takes an optional filter: the application ids (applications and
decisions), recordation ids, or detention case ids to count.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
    union_all,
)

from ipr_apps.models import (
    Application,
    Decision,
    DetentionCase,
    Kind,
    MonthlyApplications,
    MonthlyCases,
    MonthlyProcessing,
    MonthlyRecordations,
    Outcome,
    Recordation,
    RecordationStatus,
)
from ipr_apps.sql_dates import day_after, day_before, month_start

ENDED_BY_TIME = (RecordationStatus.EXPIRED, RecordationStatus.LAPSED)
NOT_RECORDED = -1  # working_days key of decisions whose working days were never recorded


def _text(column):
    return cast(column, String)


def _country(column):
    # literal SQL, not a bound parameter: PostgreSQL would not see two parameters (SELECT and
    # GROUP BY) as the same expression
    return func.coalesce(column, literal_column("''"))


def _labelled(*columns):
    """Distinct names for a UNION's columns (repeated literals would share one)."""
    return [column.label(f"c{i}") for i, column in enumerate(columns)]


def _summed(parts: list[Select], keys: int, sums: int) -> Select:
    """SUM per key over the UNION ALL of `parts` (each: keys, then counts)."""
    both = union_all(*parts).subquery()
    columns = list(both.c)
    return select(*columns[:keys], *(func.sum(c) for c in columns[keys : keys + sums])).group_by(
        *columns[:keys]
    )


def applications(application_ids=None) -> Select:
    """(month, ipr_type, holder_country, received, approved, rejected, renewals_approved)."""
    a, d = Application, Decision
    key = (_text(a.ipr_type), _country(a.holder_country))
    submitted = month_start(a.first_submitted_at)
    received = select(*_labelled(submitted, *key, func.count(), *(literal(0),) * 3)).where(
        a.first_submitted_at.is_not(None)
    )
    approved = d.outcome == Outcome.APPROVED
    decided_month = month_start(d.decided_on)
    decided = select(*_labelled(
        decided_month, *key, literal(0), func.count(case((approved, 1))),
        func.count(case((d.outcome == Outcome.REJECTED, 1))),
        func.count(case((and_(approved, a.kind == Kind.RENEWAL), 1))),
    )).join(a, a.id == d.application_id)  # fmt: skip
    if application_ids is not None:
        received = received.where(a.id.in_(application_ids))
        decided = decided.where(d.application_id.in_(application_ids))
    parts = [received.group_by(submitted, *key), decided.group_by(decided_month, *key)]
    return _summed(parts, 3, 4)


def processing(application_ids=None) -> Select:
    """(month, working_days, decisions)."""
    d = Decision
    key = (
        month_start(d.decided_on),
        func.coalesce(d.working_days, literal_column(str(NOT_RECORDED))),
    )
    stmt = select(*key, func.count())
    if application_ids is not None:
        stmt = stmt.where(d.application_id.in_(application_ids))
    return stmt.group_by(*key)


def stop():
    """The first day a recordation is no longer in force: min(valid_until + 1, ended_on)."""
    r, after = Recordation, day_after(Recordation.valid_until)
    return case((and_(r.ended_on.is_not(None), r.ended_on < after), r.ended_on), else_=after)


def recordations(recordation_ids=None) -> Select:
    """(month, ipr_type, holder_country, starts, stops, expiries): a recordation is in force
    from valid_from up to the day before stop() (counted only if that is at least a day);
    an expiry is counted in the month of its last day in force, ended_on − 1."""
    r = Recordation
    key = (_text(r.ipr_type), _country(r.holder_country))
    ever = stop() > r.valid_from
    zero = literal(0)
    chosen = [] if recordation_ids is None else [r.id.in_(recordation_ids)]
    months = (month_start(r.valid_from), month_start(stop()), month_start(day_before(r.ended_on)))
    counts = ((func.count(), zero, zero), (zero, func.count(), zero), (zero, zero, func.count()))
    wheres = ((ever,), (ever,), (r.status.in_(ENDED_BY_TIME), r.ended_on.is_not(None)))
    parts = [
        select(*_labelled(month, *key, *count)).where(*where, *chosen).group_by(month, *key)
        for month, count, where in zip(months, counts, wheres, strict=True)
    ]
    return _summed(parts, 3, 3)


def cases(case_ids=None) -> Select:
    """(month, ipr_type, channel, mode, direction, port_code, batches, items, value_fen)."""
    c = DetentionCase
    key = (
        month_start(c.opened_on), _text(c.ipr_type), _text(c.channel), _text(c.mode),
        _text(c.direction), c.port_code,
    )  # fmt: skip
    fen = func.coalesce(func.sum(cast(func.round(c.value_cny * 100), BigInteger)), 0)
    stmt = select(*key, func.count(), func.coalesce(func.sum(c.items), 0), fen)
    if case_ids is not None:
        stmt = stmt.where(c.id.in_(case_ids))
    return stmt.group_by(*key)


# (summary model, its key columns, its count columns, the facts' SELECT)
TABLES = (
    (MonthlyApplications, ("month", "ipr_type", "holder_country"),
     ("received", "approved", "rejected", "renewals_approved"), applications),
    (MonthlyProcessing, ("month", "working_days"), ("decisions",), processing),
    (MonthlyRecordations, ("month", "ipr_type", "holder_country"),
     ("starts", "stops", "expiries"), recordations),
    (MonthlyCases, ("month", "ipr_type", "channel", "mode", "direction", "port_code"),
     ("batches", "items", "value_fen"), cases),
)  # fmt: skip
