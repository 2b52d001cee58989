"""`expire` ends recordations no longer in force: lapsed when the right expired first (or on
the same day), expired when the validity did; once; through the CLI, the nightly task and
after a historical import of records that ended long ago."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import event, func, select

from ipr_apps.db import db, unit_of_work
from ipr_apps.models import (
    Kind,
    Recordation,
    RecordationEvent,
    RecordationStatus,
    Role,
    Status,
)
from ipr_apps.models.base import clock_at
from ipr_apps.services import expiry
from ipr_apps.tasks import maintenance as maintenance_tasks
from tests.concurrent import run_twice_at_once
from tests.factories import recordation_row
from tests.import_files import row, run, write_csv

ACTIVE, EXPIRED, LAPSED = (
    RecordationStatus.ACTIVE,
    RecordationStatus.EXPIRED,
    RecordationStatus.LAPSED,
)
TODAY = date(2024, 6, 1)
KEEP = object()  # the factory's right expiry (ten years from now)


@pytest.fixture
def recordation(make_user, make_application):
    """recordation(valid_until, right_expiry=KEEP, status=ACTIVE) → a committed recordation."""

    def build(valid_until, right_expiry=KEEP, status=ACTIVE, holder=None):
        application = make_application(holder or make_user(), Status.APPROVED)
        if right_expiry is not KEEP:
            application.right.expiry_date = right_expiry
        valid_from = min(date(2014, 6, 1), valid_until)
        row_ = recordation_row(application, valid_from=valid_from, valid_until=valid_until,
                               status=status)  # fmt: skip
        db.session.commit()
        return row_

    return build


def _events(recordation_id: int) -> list[RecordationEvent]:
    stmt = select(RecordationEvent).where(RecordationEvent.recordation_id == recordation_id)
    return list(db.session.execute(stmt.order_by(RecordationEvent.id)).scalars())


def _fresh(recordation: Recordation) -> Recordation:
    db.session.expire_all()
    return db.session.get(Recordation, recordation.id)


@pytest.mark.parametrize(
    ("valid_until", "right_expiry", "status", "ended_on"),
    [
        (date(2024, 5, 31), date(2030, 1, 1), EXPIRED, date(2024, 6, 1)),  # validity ended
        (date(2024, 5, 31), None, EXPIRED, date(2024, 6, 1)),  # no term known (copyright)
        (date(2024, 5, 31), date(2024, 5, 31), LAPSED, date(2024, 6, 1)),  # capped: right wins
        (date(2029, 1, 1), date(2024, 3, 10), LAPSED, date(2024, 3, 11)),  # right ended first
        (date(2024, 1, 31), date(2024, 4, 30), EXPIRED, date(2024, 2, 1)),  # validity first
        (date(2024, 2, 29), date(2031, 1, 1), EXPIRED, date(2024, 3, 1)),  # leap day
        (date(2024, 6, 1), date(2030, 1, 1), ACTIVE, None),  # its last day: still in force
        (date(2029, 1, 1), date(2024, 6, 1), ACTIVE, None),  # the right's last day
    ],
)
def test_lapse_or_expire_with_the_first_day_no_longer_in_force(
    recordation, valid_until, right_expiry, status, ended_on
):
    target = recordation(valid_until, right_expiry)
    changes = expiry.expire(TODAY)
    target = _fresh(target)
    assert (target.status, target.ended_on) == (status, ended_on)
    if status == ACTIVE:
        assert changes == [] and _events(target.id) == []
        return
    assert changes == [expiry.Change(target.id, target.number, ACTIVE, status, ended_on)]
    [event] = _events(target.id)
    action = "lapse" if status == LAPSED else "expire"
    assert (event.action, event.from_status, event.to_status) == (action, "active", status.value)
    assert event.actor_id is None and event.valid_until == valid_until and event.note


def test_a_second_run_changes_nothing(recordation):
    ended = [recordation(date(2024, 5, 1)), recordation(date(2030, 1, 1), date(2024, 5, 1))]
    assert len(expiry.expire(TODAY)) == 2
    assert expiry.expire(TODAY) == []
    assert expiry.expire(date(2024, 6, 2)) == []
    assert [len(_events(r.id)) for r in ended] == [1, 1]


def test_ended_ones_and_future_ones_are_left_alone(recordation):
    untouched = [
        recordation(date(2024, 5, 1), status=RecordationStatus.CANCELLED),
        recordation(date(2024, 5, 1), status=RecordationStatus.REVOKED),
        recordation(date(2024, 5, 1), date(2024, 5, 1), status=LAPSED),
        recordation(date(2024, 7, 1)),
    ]
    before = [(r.status, r.ended_on) for r in untouched]
    assert expiry.expire(TODAY) == []
    assert [(_fresh(r).status, _fresh(r).ended_on) for r in untouched] == before


def test_many_recordations_are_ended_in_batches(recordation, monkeypatch):
    monkeypatch.setattr(expiry, "BATCH", 2)
    statements = []
    rows = [recordation(date(2024, 5, day)) for day in range(1, 6)]
    rows += [recordation(date(2030, 1, 1), date(2024, 4, day)) for day in range(1, 4)]
    rows.append(recordation(date(2024, 9, 1)))  # not yet
    real = expiry._end_batch
    monkeypatch.setattr(expiry, "_end_batch", lambda *a: statements.append(a[0]) or real(*a))
    changes = expiry.expire(TODAY)
    assert [c.new_status for c in changes] == [LAPSED] * 3 + [EXPIRED] * 5
    assert all(len(ids) <= 2 for ids in statements) and len(statements) == 5
    by_status = select(Recordation.status, func.count()).group_by(Recordation.status)
    counts = {status: n for status, n in db.session.execute(by_status)}  # noqa: C416
    assert counts == {EXPIRED: 5, LAPSED: 3, ACTIVE: 1}


def test_a_batch_renews_the_screening_version_once_and_the_index_sees_the_change(recordation):
    """Every ended recordation makes the screening index stale, but one new version per
    transaction says so: the nightly run (and seed-demo, 10,000 of them) wrote one per row."""
    from ipr_apps.screening import current

    rows = [recordation(date(2024, 5, day)) for day in range(1, 7)]
    before = current.version(db.session)
    db.session.commit()
    renewed = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.startswith("INSERT INTO counters") and current.SCOPE in str(parameters):
            renewed.append(parameters)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        changes = expiry.expire(TODAY)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(changes) == len(rows) and len(renewed) == 1
    assert current.version(db.session) != before


def test_batches_walk_past_many_recordations_ending_on_the_same_day(recordation, monkeypatch):
    """The keyset is (end, id): a batch boundary inside one day loses and repeats nothing."""
    monkeypatch.setattr(expiry, "BATCH", 2)
    same_day = [recordation(date(2024, 5, 31)) for _ in range(5)]
    batches = []
    real = expiry._end_batch
    monkeypatch.setattr(expiry, "_end_batch", lambda ids, *a: batches.append(ids) or real(ids, *a))
    changes = expiry.expire(TODAY)
    assert [c.recordation_id for c in changes] == [r.id for r in same_day]
    assert [len(ids) for ids in batches] == [2, 2, 1]


def test_a_recordation_changed_meanwhile_is_not_ended(recordation, monkeypatch):
    """Between finding the candidates and locking them, a renewal moved the end: the batch
    checks again under the lock and leaves it active."""
    target = recordation(date(2024, 5, 31))
    real = expiry._end_batch

    def renewed_meanwhile(ids, *args):
        with unit_of_work():
            db.session.get(Recordation, target.id).valid_until = date(2034, 5, 31)
        return real(ids, *args)

    monkeypatch.setattr(expiry, "_end_batch", renewed_meanwhile)
    assert expiry.expire(TODAY) == []
    assert _fresh(target).status == ACTIVE and _events(target.id) == []


# --- the command ----------------------------------------------------------------------------


def test_the_command_prints_each_change_and_a_summary(runner, recordation):
    a = recordation(date(2024, 5, 31))
    b = recordation(date(2024, 5, 30))
    c = recordation(date(2029, 1, 1), date(2024, 2, 29))
    result = runner.invoke(args=["ipr", "expire", "--today", "2024-06-01"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{c.number}: active → lapsed, ended on 2024-03-01",
        f"{b.number}: active → expired, ended on 2024-05-31",
        f"{a.number}: active → expired, ended on 2024-06-01",
        "2 expired, 1 lapsed.",
    ]
    again = runner.invoke(args=["ipr", "expire", "--today", "2024-06-01"])
    assert (again.exit_code, again.output) == (0, "Nothing to change.\n")
    assert [_fresh(r).status for r in (a, b, c)] == [EXPIRED, EXPIRED, LAPSED]


def test_the_command_runs_for_today_by_default(runner, recordation):
    target = recordation(date(2024, 5, 31))
    with clock_at(datetime(2024, 5, 31, 23, 59)):
        assert runner.invoke(args=["ipr", "expire"]).output == "Nothing to change.\n"
    with clock_at(datetime(2024, 6, 1, 0, 0)):
        result = runner.invoke(args=["ipr", "expire"])
    assert result.exit_code == 0 and "1 expired, 0 lapsed." in result.output
    assert _fresh(target).ended_on == date(2024, 6, 1)


@pytest.mark.parametrize("value", ["2024-13-01", "tomorrow", "2023-02-29", ""])
def test_an_invalid_date_is_refused_with_exit_code_2(runner, recordation, value):
    target = recordation(date(2000, 1, 1))
    result = runner.invoke(args=["ipr", "expire", "--today", value])
    assert result.exit_code == 2
    assert "is not a date (YYYY-MM-DD)" in result.output
    assert _fresh(target).status == ACTIVE


# --- the nightly task -----------------------------------------------------------------------


def test_the_nightly_task_expires_then_reminds(recordation, caplog):
    from ipr_apps.models import RecordationReminder

    ended = recordation(date(2024, 5, 31))
    lapsed = recordation(date(2030, 1, 1), date(2024, 5, 1))
    soon = recordation(date(2024, 6, 20))  # its 1-month reminder is due
    caplog.set_level("INFO", logger="ipr_apps.tasks.maintenance")
    with clock_at(datetime(2024, 6, 1, 0, 10)):
        counts = maintenance_tasks.recordation_expiry.call_local()
        assert maintenance_tasks.recordation_expiry.call_local() == {
            "expired": 0, "lapsed": 0, "reminders": 0,
        }  # fmt: skip
    # expired + lapsed notices (they ended within the last 30 days) and one reminder
    assert counts == {"expired": 1, "lapsed": 1, "reminders": 3}
    assert "Recordation expiry for 2024-06-01: expired 1, lapsed 1, reminders 3" in caplog.text
    assert [_fresh(r).status for r in (ended, lapsed, soon)] == [EXPIRED, LAPSED, ACTIVE]
    sent = db.session.execute(
        select(RecordationReminder.recordation_id, RecordationReminder.kind).where(
            RecordationReminder.outcome == "sent"
        )
    )
    assert {(r, k.value) for r, k in sent} == {
        (ended.id, "expired"), (lapsed.id, "lapsed"), (soon.id, "1_month"),
    }  # fmt: skip


def test_the_nightly_task_runs_at_ten_past_midnight_utc(app):
    task = maintenance_tasks.recordation_expiry.task_class
    from ipr_apps.tasks import huey

    def started(moment):
        return task in {type(t) for t in huey.read_periodic(moment)}

    assert started(datetime(2024, 6, 1, 0, 10)) and started(datetime(2024, 6, 2, 0, 10))
    assert not any(
        started(m)
        for m in (
            datetime(2024, 6, 1, 0, 0),
            datetime(2024, 6, 1, 0, 11),
            datetime(2024, 6, 1, 8, 10),
        )
    )


# --- the historical import ------------------------------------------------------------------


def test_imported_recordations_that_ended_long_ago_are_imported_then_expired(
    runner, tmp_path, recordation
):
    path = write_csv(
        tmp_path / "old.csv",
        [
            row("OLD-1", recordation_number="T2009-000001", submitted_on="2009-01-05",
                decided_on="2009-02-02", valid_until="2019-02-01"),
            row("OLD-2", recordation_number="T2014-000002", submitted_on="2014-01-05",
                decided_on="2014-03-01", valid_until="2024-02-29", right_number="TM-200"),
            row("OLD-3", recordation_number="T2020-000003", submitted_on="2020-01-05",
                decided_on="2020-03-01", valid_until="2030-02-28", right_number="TM-300"),
        ],
    )  # fmt: skip
    result = run(runner, path)
    assert result.exit_code == 0, result.output
    imported = {r.number: r for r in db.session.execute(select(Recordation)).scalars()}
    assert {r.status for r in imported.values()} == {ACTIVE}
    assert all(r.imported for r in imported.values())

    result = runner.invoke(args=["ipr", "expire", "--today", "2024-06-01"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "2 expired, 0 lapsed."
    db.session.expire_all()
    ended = {n: (r.status, r.ended_on) for n, r in imported.items()}
    assert ended == {
        "T2009-000001": (EXPIRED, date(2019, 2, 2)),
        "T2014-000002": (EXPIRED, date(2024, 3, 1)),
        "T2020-000003": (ACTIVE, None),
    }
    history = [(e.action, e.to_status) for e in _events(imported["T2009-000001"].id)]
    assert history == [("create", "active"), ("expire", "expired")]
    assert runner.invoke(args=["ipr", "expire", "--today", "2024-06-01"]).output == (
        "Nothing to change.\n"
    )


def test_two_concurrent_runs_end_each_recordation_once(app, recordation):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite lets one writer in at a time)")
    rows = [recordation(date(2024, 5, 31)) for _ in range(30)]
    rows += [recordation(date(2030, 1, 1), date(2024, 5, 1)) for _ in range(10)]
    results = run_twice_at_once(app, lambda: expiry.expire(TODAY))
    changed = sorted(c.recordation_id for changes in results for c in changes)
    assert changed == sorted(r.id for r in rows)
    assert db.session.scalar(select(func.count()).select_from(RecordationEvent)) == 40


@pytest.mark.parametrize(
    ("renewal_status", "kept"),
    [
        (Status.SUBMITTED, True),
        (Status.UNDER_REVIEW, True),
        (Status.INFO_REQUESTED, True),
        (Status.DRAFT, False),  # never filed with customs
        (Status.REJECTED, False),
        (Status.WITHDRAWN, False),
    ],
)
def test_a_renewal_filed_in_time_keeps_it_in_force_until_decided(
    recordation, make_user, make_application, renewal_status, kept
):
    holder, reviewer = make_user(), make_user(Role.REVIEWER)
    target = recordation(date(2024, 5, 31), date(2024, 5, 31), holder=holder)  # would lapse
    renewal = make_application(holder, renewal_status, claimed_by=reviewer)
    renewal.kind, renewal.recordation_id = Kind.RENEWAL, target.id
    db.session.commit()
    changes = expiry.expire(TODAY)
    assert _fresh(target).status == (ACTIVE if kept else LAPSED)
    assert len(changes) == (0 if kept else 1)
