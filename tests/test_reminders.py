"""Reminders about a recordation's end: 6, 3 and 1 calendar month(s) before `valid_until`
and once it expired or lapsed; each sent once per validity end (again after a renewal),
only the most urgent when several are due, none for recordations no longer active."""

from __future__ import annotations

import time
from datetime import date

import pytest
from sqlalchemy import func, select

from ipr_apps.db import db, unit_of_work
from ipr_apps.models import (
    Kind,
    Notification,
    OutboxMessage,
    Recordation,
    RecordationReminder,
    RecordationStatus,
    ReminderKind,
    Role,
    Status,
)
from ipr_apps.services import expiry, notifications, recordations, reminders
from tests.concurrent import run_twice_at_once
from tests.factories import grant_mandate, recordation_row

TODAY = date(2024, 6, 1)
KEEP = object()


@pytest.fixture
def recordation(make_user, make_application):
    """recordation(valid_until, right_expiry=KEEP, status=ACTIVE, agent=None)."""

    def build(valid_until, right_expiry=KEEP, status=RecordationStatus.ACTIVE, agent=None):
        holder = make_user()
        application = make_application(holder, Status.APPROVED)
        if agent is not None:
            grant_mandate(agent, holder)
            application.agency_id = agent.organisation_id
        if right_expiry is not KEEP:
            application.right.expiry_date = right_expiry
        valid_from = min(date(2014, 6, 1), valid_until)
        row = recordation_row(application, valid_from=valid_from, valid_until=valid_until,
                              status=status)  # fmt: skip
        db.session.commit()
        return row

    return build


def _sent(day: date) -> list[tuple[int, str, tuple[str, ...]]]:
    return [
        (s.recordation_id, s.kind.value, tuple(k.value for k in s.skipped))
        for s in reminders.send_due(day)
    ]


def _recorded(recordation_id: int) -> set[tuple[str, date, str]]:
    stmt = select(RecordationReminder).where(RecordationReminder.recordation_id == recordation_id)
    return {
        (r.kind.value, r.valid_until, r.outcome.value) for r in db.session.execute(stmt).scalars()
    }


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    ("valid_until", "days"),
    [
        (  # month ends: 31 August minus 6 months is 28 February
            date(2025, 8, 31),
            [(date(2025, 2, 27), None), (date(2025, 2, 28), "6_months"),
             (date(2025, 5, 30), None), (date(2025, 5, 31), "3_months"),
             (date(2025, 7, 30), None), (date(2025, 7, 31), "1_month"),
             (date(2025, 8, 31), None)],
        ),
        (  # a leap year: the 6-month reminder falls on 29 February
            date(2028, 8, 29),
            [(date(2028, 2, 28), None), (date(2028, 2, 29), "6_months"),
             (date(2028, 5, 28), None), (date(2028, 5, 29), "3_months"),
             (date(2028, 7, 28), None), (date(2028, 7, 29), "1_month"),
             (date(2028, 8, 29), None)],
        ),
    ],
)  # fmt: skip
def test_each_reminder_goes_on_the_day_it_becomes_due_and_not_the_day_before(
    recordation, valid_until, days
):
    target = recordation(valid_until)
    for day, kind in days:
        expected = [(target.id, kind, ())] if kind else []
        assert _sent(day) == expected, day
        assert _sent(day) == [], day  # and only once
    assert _recorded(target.id) == {
        (kind, valid_until, "sent") for kind in ("6_months", "3_months", "1_month")
    }


@pytest.mark.parametrize(
    ("day", "kind", "latest"),
    [
        (date(2025, 2, 28), ReminderKind.SIX_MONTHS, date(2025, 8, 31)),
        (date(2024, 2, 29), ReminderKind.SIX_MONTHS, date(2024, 8, 31)),
        (date(2025, 3, 15), ReminderKind.SIX_MONTHS, date(2025, 9, 15)),
        (date(2025, 4, 30), ReminderKind.ONE_MONTH, date(2025, 5, 31)),
        (date(2025, 11, 30), ReminderKind.THREE_MONTHS, date(2026, 2, 28)),
    ],
)
def test_the_latest_end_a_reminder_is_due_for(day, kind, latest):
    assert reminders.latest_end_due(day, kind) == latest
    assert (
        reminders.due_from(latest, kind)
        <= day
        < reminders.due_from(latest + reminders.ONE_DAY, kind)
    )


def test_holder_and_agency_are_told_in_the_app_and_by_email_once(recordation, make_user):
    agent = make_user(agency=True)
    target = recordation(date(2024, 11, 30), right_expiry=date(2024, 11, 30), agent=agent)
    assert _sent(date(2024, 5, 30)) == [(target.id, "6_months", ())]
    assert _sent(date(2024, 5, 30)) == [] and _sent(date(2024, 5, 31)) == []
    notes = db.session.execute(select(Notification).order_by(Notification.user_id)).scalars()
    notes = list(notes)
    assert len(notes) == 2 and {n.recordation_id for n in notes} == {target.id}
    mails = list(db.session.execute(select(OutboxMessage)).scalars())
    assert len(mails) == 2 and agent.email in {m.to_address for m in mails}
    body = mails[0].body
    # the end, the first day without protection, the window and the right's own term
    for day in ("30 Nov 2024", "1 Dec 2024", "30 May 2024"):  # the e-mail's locale: en
        assert day in body and day in notes[0].body
    assert "The right itself expires on 30 Nov 2024" in body
    assert f"/recordations/{target.id}" in body and target.number in mails[0].subject


@pytest.mark.parametrize(
    ("status", "filed"),
    [(Status.DRAFT, False), (Status.SUBMITTED, True), (Status.APPROVED, None)],
)
def test_a_renewal_already_started_is_named_instead_of_asking_for_one(
    recordation, make_application, status, filed
):
    target = recordation(date(2024, 6, 20))
    renewal = make_application(target.application.filed_by, status)
    with unit_of_work():
        renewal.kind, renewal.recordation_id = Kind.RENEWAL, target.id
    assert _sent(TODAY) == [(target.id, "1_month", ("6_months", "3_months"))]
    body = db.session.execute(select(Notification.body)).scalar_one()
    assert (renewal.reference in body) is (filed is not None)  # a decided one is history
    assert ("you need not file another" in body) is bool(filed)
    assert ('choose "Renew"' in body) is (filed is None)


@pytest.mark.parametrize(
    ("valid_until", "kind", "skipped"),
    [
        (date(2024, 8, 1), "3_months", ("6_months",)),  # e.g. imported with 2 months left
        (date(2024, 6, 15), "1_month", ("6_months", "3_months")),  # the job was down
        (date(2024, 6, 1), "1_month", ("6_months", "3_months")),  # its very last day
    ],
)
def test_only_the_most_urgent_is_sent_and_the_earlier_ones_are_skipped(
    recordation, valid_until, kind, skipped
):
    target = recordation(valid_until)
    assert _sent(TODAY) == [(target.id, kind, skipped)]
    assert _count(Notification) == 1 and _count(OutboxMessage) == 1
    assert _recorded(target.id) == {(kind, valid_until, "sent")} | {
        (k, valid_until, "skipped") for k in skipped
    }
    assert _sent(TODAY) == [] and _sent(date(2024, 6, 2)) == []


def test_a_skipped_reminder_is_never_sent_later_and_the_next_one_still_is(recordation):
    target = recordation(date(2024, 8, 1))
    assert _sent(TODAY) == [(target.id, "3_months", ("6_months",))]
    assert _sent(date(2024, 6, 30)) == []
    assert _sent(date(2024, 7, 1)) == [(target.id, "1_month", ())]


def test_reminders_start_over_after_a_renewal_moves_the_end(
    recordation, make_application, make_user
):
    target = recordation(date(2024, 7, 15))
    assert _sent(date(2024, 6, 20)) == [(target.id, "1_month", ("6_months", "3_months"))]
    renewal = make_application(target.application.filed_by, Status.APPROVED)
    with unit_of_work():
        renewal.kind, renewal.recordation_id = Kind.RENEWAL, target.id
    with unit_of_work():  # what approving the renewal does
        recordations.renew(renewal, make_user(Role.REVIEWER))
    assert db.session.get(Recordation, target.id).valid_until == date(2034, 7, 15)
    assert _sent(date(2024, 7, 16)) == [] and _sent(date(2034, 1, 14)) == []
    assert _sent(date(2034, 1, 15)) == [(target.id, "6_months", ())]
    assert _recorded(target.id) == {
        ("1_month", date(2024, 7, 15), "sent"), ("3_months", date(2024, 7, 15), "skipped"),
        ("6_months", date(2024, 7, 15), "skipped"), ("6_months", date(2034, 7, 15), "sent"),
    }  # fmt: skip


@pytest.mark.parametrize(
    "status",
    [RecordationStatus.CANCELLED, RecordationStatus.REVOKED, RecordationStatus.EXPIRED,
     RecordationStatus.LAPSED],
)  # fmt: skip
def test_no_reminder_before_the_end_unless_active(recordation, status):
    target = recordation(date(2024, 7, 1), status=status)
    with unit_of_work():  # ended long before its validity would have (a month ago is in the
        db.session.get(Recordation, target.id).ended_on = date(2024, 4, 1)  # notice window)
    assert _sent(TODAY) == [] and _recorded(target.id) == set()
    assert _count(Notification) == 0 and _count(OutboxMessage) == 0


def test_expiry_and_lapse_notices_go_once_within_30_days_of_the_end(recordation):
    expired = recordation(date(2024, 5, 31))
    lapsed = recordation(date(2030, 1, 1), right_expiry=date(2024, 5, 31))
    too_old = recordation(date(2024, 5, 30))  # ends 2024-05-31: 31 days before 1 July
    cancelled = recordation(date(2024, 5, 31), status=RecordationStatus.CANCELLED)
    assert len(expiry.expire(TODAY)) == 3
    assert _sent(date(2024, 7, 1)) == [
        (expired.id, "expired", ()), (lapsed.id, "lapsed", ()),
    ]  # fmt: skip
    assert _sent(date(2024, 7, 1)) == [] and _sent(date(2024, 7, 2)) == []
    assert _recorded(too_old.id) == set() and _recorded(cancelled.id) == set()
    bodies = {n.recordation_id: n.body for n in db.session.execute(select(Notification)).scalars()}
    assert set(bodies) == {expired.id, lapsed.id}
    assert "31 May 2024" in bodies[expired.id] and "1 Jun 2024" in bodies[expired.id]
    assert "31 May 2024" in bodies[lapsed.id] and "1 Jun 2024" in bodies[lapsed.id]


def test_the_notice_window_starts_on_the_day_it_ended(recordation):
    target = recordation(date(2024, 5, 31))
    expiry.expire(TODAY)
    assert _sent(date(2024, 7, 1)) == [(target.id, "expired", ())]  # 30 days after 1 June


def test_many_reminders_are_sent_in_batches(recordation, monkeypatch):
    monkeypatch.setattr(reminders, "BATCH", 2)
    rows = [recordation(date(2024, 6, day)) for day in range(2, 7)]
    sent = reminders.send_due(TODAY)
    assert sorted(s.recordation_id for s in sent) == sorted(r.id for r in rows)
    assert _count(Notification) == 5 and reminders.send_due(TODAY) == []


def test_two_concurrent_runs_send_each_reminder_once(app, recordation, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite lets one writer in at a time)")
    rows = [recordation(date(2024, 6, 20)) for _ in range(4)]
    real = notifications.notify_recordation

    def slow(*args, **kwargs):  # keep each transaction open while the other run starts
        time.sleep(0.05)
        return real(*args, **kwargs)

    monkeypatch.setattr(notifications, "notify_recordation", slow)
    results = run_twice_at_once(app, lambda: reminders.send_due(TODAY))
    assert sorted(s.recordation_id for r in results for s in r) == sorted(r.id for r in rows)
    assert _count(Notification) == 4 and _count(OutboxMessage) == 4
    assert _count(RecordationReminder) == 12  # per recordation: 1 sent, 2 skipped


# --- the command ----------------------------------------------------------------------------


def test_the_remind_command_prints_what_it_sent(runner, recordation):
    soon = recordation(date(2024, 6, 20))
    later = recordation(date(2024, 12, 1))
    result = runner.invoke(args=["ipr", "remind", "--today", "2024-06-01"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{soon.number}: 1 month before the end (valid until 2024-06-20) sent; "
        "skipped: 6 months before the end, 3 months before the end",
        f"{later.number}: 6 months before the end (valid until 2024-12-01) sent",
        "2 reminders sent.",
    ]
    again = runner.invoke(args=["ipr", "remind", "--today", "2024-06-01"])
    assert (again.exit_code, again.output) == (0, "No reminders due.\n")
    bad = runner.invoke(args=["ipr", "remind", "--today", "01/06/2024"])
    assert bad.exit_code == 2 and "is not a date (YYYY-MM-DD)" in bad.output
