"""The periodic jobs, with a frozen clock: the nightly clean-up removes exactly what it should,
the reviewers' digest lists the right applications in the right order, and the scheduler
starts both at the documented times."""

from __future__ import annotations

import io
import os
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import redis
from huey import RedisHuey, SqliteHuey
from sqlalchemy import event, select

from ipr_apps.db import db, unit_of_work
from ipr_apps.models import (
    ApiToken,
    Application,
    Holiday,
    MailStatus,
    OutboxMessage,
    Role,
    Status,
)
from ipr_apps.models.base import clock_at
from ipr_apps.services import digest, documents, maintenance, outbox, sessions, tokens, users
from ipr_apps.tasks import huey
from ipr_apps.tasks import maintenance as maintenance_tasks
from tests import files
from tests.live import redis_call as _redis_call

REDIS_URL = os.environ.get("IPR_TEST_PERIODIC_REDIS_URL", "redis://127.0.0.1:6379/12")
# Under pytest-xdist the file runs on one worker: its tests share that Redis database.
pytestmark = pytest.mark.xdist_group("test_periodic")
MONDAY = datetime(2024, 6, 3, 0, 0)  # the digest's hour on a Monday
PDF = files.pdf()


@pytest.fixture
def uploads(app, monkeypatch, tmp_path) -> Path:
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(folder))
    return folder


def _messages() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def _set_mtime(path: Path, moment: datetime) -> None:
    stamp = moment.replace(tzinfo=UTC).timestamp()
    os.utime(path, (stamp, stamp))


# --- the nightly clean-up -------------------------------------------------------------------


def _token(user, revoked_days_ago: int | None) -> ApiToken:
    token, _raw = tokens.create_token(user)
    if revoked_days_ago is not None:
        with clock_at(MONDAY - timedelta(days=revoked_days_ago)):
            tokens.revoke_token(user, token.id)
    return token


def test_cleanup_deletes_tokens_revoked_over_30_days_ago(make_user):
    user = make_user(Role.HOLDER)
    kept = {_token(user, days).id for days in (None, 29, 30)}
    _token(user, 31)
    with clock_at(MONDAY):
        assert maintenance.purge_revoked_tokens(MONDAY) == 1
    assert set(db.session.execute(select(ApiToken.id)).scalars()) == kept


def _stored_file(folder: Path, name: str, age: timedelta) -> Path:
    path = folder / name[:2] / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(PDF)
    _set_mtime(path, MONDAY - age)
    return path


def test_cleanup_deletes_only_old_unreferenced_upload_files(uploads, make_user, make_application):
    holder = make_user(Role.HOLDER)
    application = make_application(holder)
    document = documents.attach(holder, application.id, "ipr_certificate", io.BytesIO(PDF), "a.pdf")
    referenced = documents.stored_path(document)
    _set_mtime(referenced, MONDAY - timedelta(days=400))
    day = timedelta(hours=24)
    orphan = _stored_file(uploads, "ab" + "0" * 30 + ".pdf", day + timedelta(seconds=1))
    fresh = _stored_file(uploads, "ab" + "1" * 30 + ".png", day - timedelta(seconds=1))
    old_orphan_image = _stored_file(uploads, "cd" + "2" * 30 + ".jpg", timedelta(days=90))
    # Not laid out as documents are stored: not ours to judge, whatever its age.
    misplaced = _stored_file(uploads, "ef" + "3" * 30 + ".pdf", timedelta(days=90))
    misplaced = misplaced.rename(uploads / "ab" / misplaced.name)
    other = [uploads / "notes.txt", uploads / "ab" / "notes.pdf", uploads / "abc" / ("ab" * 16)]
    for path in other:
        path.parent.mkdir(exist_ok=True)
        path.write_text("x")
        _set_mtime(path, MONDAY - timedelta(days=90))

    with clock_at(MONDAY):
        assert maintenance.purge_orphan_uploads(MONDAY) == 2

    assert not orphan.exists() and not old_orphan_image.exists()
    assert referenced.exists() and fresh.exists() and misplaced.exists()
    assert all(path.exists() for path in other)
    assert db.session.get(type(document), document.id) is not None


def test_cleanup_without_an_upload_folder_removes_nothing(uploads):
    assert not uploads.exists()
    assert maintenance.purge_orphan_uploads(MONDAY) == 0


def _mail_sent_at(moment: datetime) -> None:
    with clock_at(moment), unit_of_work():
        outbox.queue("a@example.com", f"Sent {moment:%Y-%m-%d}", "Body")  # sent at once


def test_cleanup_purges_mail_sent_over_90_days_ago_only(app, monkeypatch):
    monkeypatch.setattr(maintenance, "BATCH", 2)  # several batches
    old = [MONDAY - timedelta(days=days) for days in (91, 120, 200, 365, 400)]
    for moment in [*old, MONDAY - timedelta(days=89)]:
        _mail_sent_at(moment)
    long_ago = MONDAY - timedelta(days=400)
    with unit_of_work() as session:  # every attempt failed, or one is still to come: kept
        for status in (MailStatus.FAILED, MailStatus.PENDING):
            session.add(
                OutboxMessage(
                    to_address="b@example.com", subject=status.value, body="Body",
                    status=status, created_at=long_ago, next_attempt_at=long_ago,
                )
            )  # fmt: skip
    assert {m.status for m in _messages()} == {
        MailStatus.SENT,
        MailStatus.FAILED,
        MailStatus.PENDING,
    }
    with clock_at(MONDAY):
        assert maintenance.purge_sent_mail(MONDAY) == len(old)
    assert sorted(m.subject for m in _messages()) == ["Sent 2024-03-06", "failed", "pending"]


def test_the_nightly_task_runs_every_step_and_logs_the_counts(uploads, make_user, caplog):
    user = make_user(Role.HOLDER)
    _token(user, 45)
    _mail_sent_at(MONDAY - timedelta(days=100))
    _stored_file(uploads, "ab" + "0" * 30 + ".pdf", timedelta(days=2))
    with clock_at(MONDAY - timedelta(days=45)):
        sessions.start(user, None, None)  # never used again: ended by its idle timeout
    caplog.set_level("INFO", logger="ipr_apps.tasks.maintenance")
    with clock_at(MONDAY):
        counts = maintenance_tasks.nightly_cleanup.call_local()
    assert counts == {
        "revoked_tokens": 1,
        "sent_mail": 1,
        "orphan_uploads": 1,
        "ended_sessions": 1,
        "stale_import_runs": 0,
    }
    assert "revoked_tokens 1, sent_mail 1, orphan_uploads 1, ended_sessions 1" in caplog.text
    assert _messages() == [] and db.session.execute(select(ApiToken)).first() is None


# --- the reviewers' digest ------------------------------------------------------------------


def _due(application: Application, due_on: date) -> Application:
    with unit_of_work():
        application.due_on = due_on
    return application


def _digests() -> dict[str, list[str]]:
    """The references each address was sent, in the order the e-mail lists them."""
    return {m.to_address: re.findall(r"TEST-\d+", m.body) for m in _messages()}


@pytest.fixture
def queue(make_user, make_application):
    """A week of deadlines around Monday 3 June 2024; the window runs to Monday 10 June."""
    holder = make_user(Role.HOLDER)
    alice, bob = make_user(Role.REVIEWER), make_user(Role.REVIEWER)

    def app(due_on, status=Status.SUBMITTED, claimed_by=None):
        return _due(make_application(holder, status, claimed_by=claimed_by), due_on)

    with clock_at(MONDAY - timedelta(days=40)):
        rows = {
            "overdue": app(date(2024, 5, 31)),  # Friday: overdue by one working day
            "friday": app(date(2024, 6, 7)),
            "edge": app(date(2024, 6, 10)),  # the 5th working day: in
            "tuesday": app(date(2024, 6, 11)),  # the 6th: out
            "alice_late": app(date(2024, 6, 10), Status.UNDER_REVIEW, alice),
            "alice_soon": app(date(2024, 6, 4), Status.UNDER_REVIEW, alice),
            "bob_claim": app(date(2024, 6, 5), Status.UNDER_REVIEW, bob),
            "waiting": app(date(2024, 6, 4), Status.INFO_REQUESTED),  # clock paused: out
            "approved": app(date(2024, 5, 1), Status.APPROVED),
        }
    references = {key: row.reference for key, row in rows.items()}
    return {"alice": alice, "bob": bob, "ids": {k: v.id for k, v in rows.items()}, **references}


def test_each_active_reviewer_gets_own_claims_first_then_unclaimed_by_due_date(queue, make_user):
    inactive = make_user(Role.REVIEWER)
    users.set_active(make_user(Role.ADMIN), inactive.id, False)
    make_user(Role.ADMIN)
    with clock_at(MONDAY):
        assert digest.send_digests() == 2
    q = queue
    unclaimed = [q["overdue"], q["friday"], q["edge"]]
    assert _digests() == {
        q["alice"].email: [q["alice_soon"], q["alice_late"], *unclaimed],
        q["bob"].email: [q["bob_claim"], *unclaimed],
    }
    body = next(m.body for m in _messages() if m.to_address == q["alice"].email)
    assert f"{q['overdue']}  Trademark: Mark" in body
    assert "Due 31 May 2024, overdue by 1 working day\n" in body
    assert "Due 4 Jun 2024, 1 working day left\n" in body
    assert "Due 10 Jun 2024, 5 working days left\n" in body
    assert "Claimed by you (2)" in body and "Not claimed yet (3)" in body
    assert f"  http://localhost/review/{q['ids']['edge']}\n" in body  # conftest's BASE_URL
    assert all(m.subject.startswith("Review queue 3 Jun 2024: ") for m in _messages())
    assert [m.subject.split(": ")[1] for m in _messages()] == [
        "5 applications due within 5 working days",
        "4 applications due within 5 working days",
    ]


@pytest.mark.parametrize(
    ("base_url", "prefix"),
    [(None, "/review/"), ("https://ipr.example.gov/app/", "https://ipr.example.gov/app/review/")],
)
def test_links_are_absolute_when_the_base_url_is_set(
    app, monkeypatch, make_user, make_application, base_url, prefix
):
    monkeypatch.setitem(app.config, "BASE_URL", base_url)
    holder, alice = make_user(Role.HOLDER), make_user(Role.REVIEWER)
    with clock_at(MONDAY - timedelta(days=40)):
        mine = _due(make_application(holder, Status.UNDER_REVIEW, claimed_by=alice), MONDAY.date())
    with clock_at(MONDAY):
        digest.send_digests()
    lines = _messages()[0].body.splitlines()
    assert f"  {prefix}{mine.id}" in lines and f"The queue: {prefix}" in lines


def test_a_reviewer_with_nothing_due_gets_no_email(make_user, make_application):
    holder = make_user(Role.HOLDER)
    alice, bob = make_user(Role.REVIEWER), make_user(Role.REVIEWER)
    with clock_at(MONDAY - timedelta(days=40)):
        _due(make_application(holder, Status.SUBMITTED), date(2024, 6, 20))
        mine = _due(make_application(holder, Status.UNDER_REVIEW, claimed_by=alice), MONDAY.date())
    with clock_at(MONDAY):
        assert digest.send_digests() == 1
    assert _digests() == {alice.email: [mine.reference]}
    assert "Due 3 Jun 2024, due today\n" in _messages()[0].body
    assert "Not claimed yet" not in _messages()[0].body and bob.email not in _digests()


def test_an_empty_queue_sends_nothing(make_user):
    make_user(Role.REVIEWER)
    with clock_at(MONDAY):
        assert digest.send_digests() == 0
    assert _messages() == []


def test_holidays_widen_the_window_and_are_not_counted(queue):
    db.session.add(Holiday(day=date(2024, 6, 5), name="Dragon Boat (test)"))
    db.session.commit()
    with clock_at(MONDAY):
        digest.send_digests()
    q = queue
    # Wednesday is off: the 5th working day is Tuesday 11 June, which comes into the window.
    assert _digests()[q["bob"].email] == [
        q["bob_claim"],
        q["overdue"],
        q["friday"],
        q["edge"],
        q["tuesday"],
    ]
    body = _messages()[1].body
    assert "Due 7 Jun 2024, 3 working days left\n" in body
    assert "Due 11 Jun 2024, 5 working days left\n" in body


@pytest.mark.parametrize(
    "moment", [datetime(2024, 6, 1), datetime(2024, 6, 2), datetime(2024, 6, 10)]
)
def test_no_digest_on_weekends_and_holidays(queue, moment):
    db.session.add(Holiday(day=date(2024, 6, 10), name="Dragon Boat"))
    db.session.commit()
    with clock_at(moment):
        assert digest.send_digests() == 0
    assert _messages() == []


def test_long_sections_are_cut_and_counted(queue, monkeypatch):
    monkeypatch.setattr(digest, "LISTED", 2)
    with clock_at(MONDAY):
        digest.send_digests()
    q = queue
    assert _digests()[q["bob"].email] == [q["bob_claim"], q["overdue"], q["friday"]]
    body = _messages()[1].body
    assert "Not claimed yet (3)" in body and "... and 1 more in the queue." in body


def test_the_digest_loads_only_the_applications_it_lists(queue, make_user, make_application):
    holder = make_user(Role.HOLDER)
    with clock_at(MONDAY - timedelta(days=40)):
        for _ in range(5):
            _due(make_application(holder, Status.SUBMITTED), date(2024, 7, 1))
    db.session.expunge_all()
    loaded = []
    listener = lambda target, _context: loaded.append(target.reference)  # noqa: E731
    event.listen(Application, "load", listener)
    try:
        with clock_at(MONDAY):
            digest.send_digests()
    finally:
        event.remove(Application, "load", listener)
    q = queue
    expected = {
        q[k] for k in ("overdue", "friday", "edge", "alice_late", "alice_soon", "bob_claim")
    }
    assert set(loaded) == expected


def _worker_storages(kind: str, tmp_path: Path) -> list:
    """Two workers' views of one job storage: the same SQLite file, or the same Redis."""
    name = f"ipr-test-{uuid.uuid4().hex}"  # keys nobody else uses
    if kind == "sqlite":
        return [SqliteHuey(name, filename=str(tmp_path / "jobs.sqlite3")).storage for _ in "ab"]
    if not _redis_ready():
        if os.environ.get("IPR_REQUIRE_REDIS") == "1":
            pytest.fail(f"IPR_REQUIRE_REDIS=1 but no Redis answers at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    return [RedisHuey(name, url=REDIS_URL).storage for _ in "ab"]


def _redis_ready() -> bool:
    try:
        return bool(_redis_call(REDIS_URL, "ping"))
    except redis.RedisError:
        return False


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_two_workers_send_the_days_digest_once(queue, kind, tmp_path, monkeypatch):
    first, second = _worker_storages(kind, tmp_path)
    try:
        with clock_at(MONDAY):
            monkeypatch.setattr(huey, "storage", first)
            assert maintenance_tasks.reviewer_digest.call_local() == 2
            monkeypatch.setattr(huey, "storage", second)  # the other worker's scheduler
            assert maintenance_tasks.reviewer_digest.call_local() == 0
        assert len(_messages()) == 2
        with clock_at(MONDAY + timedelta(days=1)):
            assert maintenance_tasks.reviewer_digest.call_local() == 2
        assert len(_messages()) == 4
        assert not first.has_data_for_key("reviewer-digest:2024-06-03")  # old marks go
        assert first.has_data_for_key("reviewer-digest:2024-06-04")
    finally:
        first.flush_all()
        for storage in (first, second):
            storage.close()


def test_a_failed_digest_run_can_be_retried_the_same_day(queue, tmp_path, monkeypatch):
    [storage, _] = _worker_storages("sqlite", tmp_path)
    monkeypatch.setattr(huey, "storage", storage)
    real = digest.send_digests

    def database_down():
        raise ConnectionError("database down")

    monkeypatch.setattr(digest, "send_digests", database_down)
    with clock_at(MONDAY), pytest.raises(ConnectionError):
        maintenance_tasks.reviewer_digest.call_local()
    monkeypatch.setattr(digest, "send_digests", real)
    with clock_at(MONDAY + timedelta(minutes=10)):
        assert maintenance_tasks.reviewer_digest.call_local() == 2  # the retry
    assert maintenance_tasks.reviewer_digest.retries == 3
    storage.close()


# --- the schedule ---------------------------------------------------------------------------


def _started_at(moment: datetime) -> set[type]:
    """The periodic tasks the worker's scheduler starts at `moment` (UTC)."""
    return {type(task) for task in huey.read_periodic(moment)}


@pytest.mark.parametrize(
    ("task", "runs_at", "not_at"),
    [
        (
            maintenance_tasks.nightly_cleanup,
            [datetime(2024, 6, 3, 18, 30), datetime(2024, 6, 8, 18, 30)],
            [
                datetime(2024, 6, 3, 2, 30),
                datetime(2024, 6, 3, 18, 31),
                datetime(2024, 6, 3, 19, 30),
            ],
        ),
        (
            maintenance_tasks.reviewer_digest,
            [datetime(2024, 6, 3, 0, 0), datetime(2024, 6, 9, 0, 0)],
            [datetime(2024, 6, 2, 23, 0), datetime(2024, 6, 3, 0, 1), datetime(2024, 6, 3, 7, 0)],
        ),
    ],
)
def test_the_scheduler_starts_the_jobs_at_the_documented_times(app, task, runs_at, not_at):
    for moment in runs_at:
        assert task.task_class in _started_at(moment), moment
    for moment in not_at:
        assert task.task_class not in _started_at(moment), moment
