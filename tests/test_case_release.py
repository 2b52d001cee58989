"""Releasing detained goods: the nightly release of the cases not confirmed in time (deadline
edges over a weekend and a holiday), the race with a confirmation, the officer's release
before the deadline, the holder's notice, the CLI, the periodic task and the page."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from ipr_apps.db import db
from ipr_apps.errors import (
    ConflictError,
    DatabaseBusy,
    NotFound,
    PermissionDenied,
    TransitionError,
    ValidationError,
)
from ipr_apps.models import CaseOutcome, CaseStatus, Holiday, Role, today
from ipr_apps.models.base import clock_at
from ipr_apps.services import case_confirm, case_release
from ipr_apps.tasks import maintenance as maintenance_tasks
from tests.concurrent import Background, run_together
from tests.holder_case_helpers import at, events, fresh, mails_to, notified, open_case

MONDAY, THURSDAY, FRIDAY = date(2026, 11, 2), date(2026, 11, 5), date(2026, 11, 6)
LOSING = (TransitionError, ConflictError, DatabaseBusy)


@pytest.fixture
def people(make_user):
    return {
        "holder": make_user(Role.HOLDER),
        "officer": make_user(Role.OFFICER, district="5301"),
        "elsewhere": make_user(Role.OFFICER, district="2201"),
    }


@pytest.fixture
def case(people):
    return open_case(people["holder"], people["officer"], MONDAY)  # confirm by Thursday


def test_not_released_on_the_last_day_released_the_day_after(people, case):
    assert case_release.release_overdue(THURSDAY) == []
    assert fresh(case.id).status == CaseStatus.AWAITING_HOLDER
    [released] = case_release.release_overdue(FRIDAY)
    assert (released.case_id, released.confirm_by) == (case.id, THURSDAY)
    stored = fresh(case.id)
    assert (stored.status, stored.outcome, stored.outcome_on) == (
        CaseStatus.RELEASED, CaseOutcome.RELEASED, FRIDAY
    )  # fmt: skip
    assert events(case.id)[-1] == ("release", "awaiting_holder", "released", None)
    [mail] = [m for m in mails_to(people["holder"].email) if "released" in m.subject]
    assert case.case_number in mail.subject and "not confirmed by 5 Nov 2026" in mail.body
    assert notified(case.id) == [people["holder"].id, people["holder"].id]
    assert case_release.release_overdue(FRIDAY) == []  # a second run changes nothing
    assert len(events(case.id)) == 2


def test_a_deadline_over_a_weekend_and_a_holiday(people):
    # Opened on Thursday 5 November with Monday 9 a holiday: Friday, Tuesday, Wednesday 11.
    db.session.add(Holiday(day=date(2026, 11, 9), name="Test holiday"))
    db.session.commit()
    case = open_case(people["holder"], people["officer"], THURSDAY)
    assert case.confirm_by == date(2026, 11, 11)
    for day in (date(2026, 11, 7), date(2026, 11, 9), date(2026, 11, 10), date(2026, 11, 11)):
        assert case_release.release_overdue(day) == [], day
    assert [r.case_id for r in case_release.release_overdue(date(2026, 11, 12))] == [case.id]


def test_a_friday_deadline_is_released_on_saturday(people):
    case = open_case(people["holder"], people["officer"], date(2026, 11, 3))  # a Tuesday
    assert case.confirm_by == FRIDAY
    assert [r.case_id for r in case_release.release_overdue(date(2026, 11, 7))] == [case.id]


def test_only_cases_awaiting_the_holder_are_released(people, case, make_user):
    confirmed = open_case(people["holder"], people["officer"], MONDAY)
    withdrawn = open_case(people["holder"], people["officer"], MONDAY)
    later = open_case(people["holder"], people["officer"], THURSDAY)
    with at(MONDAY):
        case_confirm.confirm(people["holder"], confirmed.id, bond_cny="10")
        case_confirm.withdraw(people["holder"], withdrawn.id)
    released = case_release.release_overdue(FRIDAY)
    assert [r.case_id for r in released] == [case.id]
    assert fresh(confirmed.id).status == CaseStatus.DETAINED
    assert fresh(withdrawn.id).status == CaseStatus.CLOSED
    assert fresh(later.id).status == CaseStatus.AWAITING_HOLDER


def test_many_cases_are_released_in_batches(people, monkeypatch):
    monkeypatch.setattr(case_release, "BATCH", 2)
    made = [open_case(people["holder"], people["officer"], MONDAY) for _ in range(5)]
    released = case_release.release_overdue(FRIDAY)
    assert sorted(r.case_id for r in released) == sorted(c.id for c in made)


# --- the race with the holder's confirmation --------------------------------------------


def _confirm_at_the_last_minute(holder, case_id):
    with clock_at(datetime(2026, 11, 5, 23, 59, 59)):
        return case_confirm.confirm(holder, case_id, bond_cny="10")


def _exactly_one_won(case_id, confirmed, released) -> None:
    stored = fresh(case_id)
    actions = [e[0] for e in events(case_id)]
    if stored.status == CaseStatus.DETAINED:
        assert not isinstance(confirmed, Exception), confirmed
        assert released == [] or isinstance(released, DatabaseBusy)
        assert actions == ["open", "confirm"]
    else:
        assert stored.status == CaseStatus.RELEASED
        assert isinstance(confirmed, LOSING), confirmed
        assert [r.case_id for r in released] == [case_id]
        assert actions == ["open", "release"]


def test_a_confirmation_and_the_nightly_release_at_once_one_wins(app, people):
    holder_id, user = people["holder"].id, type(people["holder"])
    for _ in range(4):
        case = open_case(people["holder"], people["officer"], MONDAY)
        db.session.commit()

        def confirm(case_id=case.id):
            return _confirm_at_the_last_minute(db.session.get(user, holder_id), case_id)

        confirmed, released = run_together(
            app, confirm, lambda: case_release.release_overdue(FRIDAY)
        )
        _exactly_one_won(case.id, confirmed, released)


def test_the_release_comes_while_the_holder_confirms(app, people, case, monkeypatch):
    """PostgreSQL: the confirmation holds the row lock, the release waits and finds it
    detained. SQLite: the release commits first and the confirmation's UPDATE, which expects
    the version it read, matches no row: a conflict, nothing confirmed."""
    original, started = case_confirm._check_deadline, []

    def release_meanwhile(target):
        original(target)
        started.append(Background(app, lambda: case_release.release_overdue(FRIDAY)))
        started[0].wait(1.5)

    monkeypatch.setattr(case_confirm, "_check_deadline", release_meanwhile)
    try:
        confirmed = _confirm_at_the_last_minute(people["holder"], case.id)
    except LOSING as error:
        confirmed = error
    _exactly_one_won(case.id, confirmed, started[0].result())
    if db.engine.dialect.name == "postgresql":
        assert fresh(case.id).status == CaseStatus.DETAINED


def test_the_holder_confirms_while_the_release_runs(app, people, case, monkeypatch):
    """The release read the case as overdue, then the holder confirmed: PostgreSQL makes the
    confirmation wait for the release's lock; SQLite makes the release's UPDATE miss and its
    batch is read again, without the confirmed case."""
    original, started = case_release._release, []
    holder_id = people["holder"].id

    def confirm_meanwhile(target, actor, note, day):
        if not started:
            user = type(people["holder"])

            def confirm():
                return _confirm_at_the_last_minute(db.session.get(user, holder_id), target.id)

            started.append(Background(app, confirm))
            started[0].wait(1.5)
        original(target, actor, note, day)

    monkeypatch.setattr(case_release, "_release", confirm_meanwhile)
    released = case_release.release_overdue(FRIDAY)
    _exactly_one_won(case.id, started[0].result(), released)
    if db.engine.dialect.name == "postgresql":
        assert fresh(case.id).status == CaseStatus.RELEASED


def test_a_case_confirmed_after_the_release_read_it_is_not_released(people, case, monkeypatch):
    original = case_release._overdue_ids

    def confirm_between(day, size):
        for ids in original(day, size):
            _confirm_at_the_last_minute(people["holder"], case.id)
            yield ids

    monkeypatch.setattr(case_release, "_overdue_ids", confirm_between)
    assert case_release.release_overdue(FRIDAY) == []
    assert fresh(case.id).status == CaseStatus.DETAINED


# --- the officer's release ---------------------------------------------------------------


def test_the_districts_officer_releases_before_the_deadline(people, case):
    with at(MONDAY):
        case_release.release(people["officer"], case.id, "  The holder said they are genuine. ")
    stored = fresh(case.id)
    assert (stored.status, stored.outcome, stored.outcome_on) == (
        CaseStatus.RELEASED, CaseOutcome.RELEASED, MONDAY
    )  # fmt: skip
    assert events(case.id)[-1] == ("release", "awaiting_holder", "released", people["officer"].id)
    mail = next(m for m in mails_to(people["holder"].email) if "released" in m.subject)
    assert "Reason: The holder said they are genuine." in mail.body


def test_the_officers_release_needs_a_reason_and_the_right_officer(people, case, make_user):
    with pytest.raises(ValidationError) as error:
        case_release.release(people["officer"], case.id, "  ")
    assert "reason" in error.value.fields
    with pytest.raises(NotFound):
        case_release.release(people["elsewhere"], case.id, "why")
    for user in (people["holder"], make_user(Role.ADMIN)):
        with pytest.raises(PermissionDenied):
            case_release.release(user, case.id, "why")
    assert fresh(case.id).status == CaseStatus.AWAITING_HOLDER


def test_a_confirmed_case_is_not_released_by_the_officer(people, case):
    with at(MONDAY):
        case_confirm.confirm(people["holder"], case.id, bond_cny="10")
    with pytest.raises(TransitionError):
        case_release.release(people["officer"], case.id, "why")


def test_the_release_page(client, login, people, make_user):
    case = open_case(people["holder"], people["officer"], today())
    officer = people["officer"]
    assert login(officer).get(f"/cases/{case.id}").data.count(b"/release") == 1
    assert client.get(f"/cases/{case.id}/release").status_code == 200
    assert client.post(f"/cases/{case.id}/release", data={"reason": ""}).status_code == 422
    assert fresh(case.id).status == CaseStatus.AWAITING_HOLDER
    done = client.post(f"/cases/{case.id}/release", data={"reason": "Genuine goods"})
    assert done.status_code == 302
    assert fresh(case.id).status == CaseStatus.RELEASED
    again = client.get(f"/cases/{case.id}/release")
    assert again.status_code == 302  # nothing left to release: back to the case
    assert login(people["elsewhere"]).get(f"/cases/{case.id}/release").status_code == 404
    assert login(people["holder"]).get(f"/cases/{case.id}/release").status_code == 403


# --- the CLI and the nightly task --------------------------------------------------------


def test_the_cli_releases_and_counts(runner, people, case):
    result = runner.invoke(args=["ipr", "release-unconfirmed", "--today", "2026-11-05"])
    assert result.exit_code == 0 and result.output == "0 cases released.\n"
    result = runner.invoke(args=["ipr", "release-unconfirmed", "--today", "2026-11-06"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{case.case_number}: released, not confirmed by 2026-11-05",
        "1 case released.",
    ]
    assert fresh(case.id).status == CaseStatus.RELEASED
    bad = runner.invoke(args=["ipr", "release-unconfirmed", "--today", "06/11/2026"])
    assert bad.exit_code != 0 and "not a date" in bad.output


def test_the_nightly_task_releases_yesterdays_deadline(people, case, caplog):
    caplog.set_level("INFO", logger="ipr_apps.tasks.maintenance")
    with clock_at(datetime(2026, 11, 6, 0, 15)):
        assert maintenance_tasks.case_release.call_local() == 1
        assert maintenance_tasks.case_release.call_local() == 0
    assert "Detention cases released for 2026-11-06: 1" in caplog.text
    assert fresh(case.id).status == CaseStatus.RELEASED


def test_the_nightly_task_runs_at_a_quarter_past_midnight_utc(app):
    from ipr_apps.tasks import huey

    task = maintenance_tasks.case_release.task_class

    def started(moment):
        return task in {type(t) for t in huey.read_periodic(moment)}

    base = datetime(2026, 11, 6, 0, 15)
    assert started(base) and started(base + timedelta(days=1))
    assert not any(started(base + timedelta(minutes=m)) for m in (-15, 1, 60 * 8))
