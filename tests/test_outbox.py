"""The e-mail outbox: a message is a row of the transaction that announces it; a task sends it
after commit, retries on the schedule, and two workers never send the same message."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from sqlalchemy import select

from ipr_apps.db import db, unit_of_work
from ipr_apps.errors import PermissionDenied
from ipr_apps.models import MailStatus, OutboxMessage, Role, utcnow
from ipr_apps.models.base import clock_at
from ipr_apps.services import outbox


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_down(app, monkeypatch):
    """Point the app at a port nobody listens on."""
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", _free_port())
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 2)


@pytest.fixture
def eml_folder(app, monkeypatch, tmp_path):
    folder = tmp_path / "eml"
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setitem(app.config, "OUTBOX_FOLDER", str(folder))
    return folder


def _messages() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def _queue(subject: str = "Hello") -> OutboxMessage:
    with unit_of_work():
        return outbox.queue("a@example.com", subject, "Body")


def test_a_message_is_sent_after_its_transaction_commits(eml_folder):
    _queue()
    [message] = _messages()
    assert message.status == MailStatus.SENT and message.attempts == 1 and message.sent_at
    assert len(list(eml_folder.iterdir())) == 1


def test_a_rolled_back_transaction_sends_nothing(eml_folder):
    with pytest.raises(RuntimeError), unit_of_work():
        outbox.queue("a@example.com", "Hello", "Body")
        raise RuntimeError("the change failed")
    assert _messages() == [] and not eml_folder.exists()


def test_smtp_down_keeps_the_message_pending_with_the_error(smtp_down):
    start = utcnow()
    _queue()  # the caller is not told: its change is committed
    [message] = _messages()
    assert message.status == MailStatus.PENDING and message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    assert timedelta(seconds=55) < message.next_attempt_at - start < timedelta(seconds=65)


def test_retry_schedule_then_failed(smtp_down):
    now = utcnow()
    with clock_at(now):
        _queue()
    waits = []
    for _ in range(4):
        [message] = _messages()
        waits.append(message.next_attempt_at - now)
        now = message.next_attempt_at
        with clock_at(now - timedelta(seconds=1)):
            assert outbox.deliver_due() == 0  # not due yet: no attempt
        with clock_at(now):
            outbox.deliver_due()
    [message] = _messages()
    assert [round(w.total_seconds() / 60) for w in waits] == [1, 5, 30, 120]
    assert message.status == MailStatus.FAILED and message.attempts == outbox.MAX_ATTEMPTS


def test_a_pending_message_goes_out_when_smtp_is_back(app, smtp_down, eml_folder):
    app.config["MAIL_SERVER"] = "127.0.0.1"
    _queue()
    app.config["MAIL_SERVER"] = None  # the server is "back" (the .eml folder)
    [message] = _messages()
    with clock_at(message.next_attempt_at):
        assert outbox.deliver_due() == 1
    [message] = _messages()
    assert message.status == MailStatus.SENT and message.last_error is None
    assert len(list(eml_folder.iterdir())) == 1


def test_a_message_is_claimed_once(eml_folder, smtp_down, app):
    _queue()  # pending (SMTP down)
    [message] = _messages()
    with clock_at(message.next_attempt_at):
        assert outbox._claim(message.id) is True
        assert outbox._claim(message.id) is False  # the second worker loses
    assert _messages()[0].status == MailStatus.SENDING


def test_a_claim_left_by_a_dead_worker_is_released(smtp_down):
    _queue()
    [message] = _messages()
    with clock_at(message.next_attempt_at):
        outbox._claim(message.id)  # ...and the worker is killed before sending
    with clock_at(message.next_attempt_at + outbox.STALE_CLAIM - timedelta(seconds=1)):
        assert outbox.release_stale() == 0
    with clock_at(message.next_attempt_at + outbox.STALE_CLAIM + timedelta(seconds=1)):
        assert outbox.release_stale() == 1
    assert _messages()[0].status == MailStatus.PENDING


def test_admins_retry_a_failed_message(app, make_user, smtp_down, eml_folder):
    app.config["MAIL_SERVER"] = "127.0.0.1"
    _queue()
    with unit_of_work():
        _messages()[0].status = MailStatus.FAILED
    app.config["MAIL_SERVER"] = None
    with pytest.raises(PermissionDenied):
        outbox.retry(make_user(Role.REVIEWER), _messages()[0].id)
    outbox.retry(make_user(Role.ADMIN), _messages()[0].id)  # sent at once after commit
    [message] = _messages()
    assert message.status == MailStatus.SENT and message.attempts == 1


def test_one_failing_address_does_not_hold_back_the_others(app, smtp_down, eml_folder):
    app.config["MAIL_SERVER"] = "127.0.0.1"
    _queue("First")
    app.config["MAIL_SERVER"] = None
    _queue("Second")
    assert [m.status for m in _messages()] == [MailStatus.PENDING, MailStatus.SENT]


def test_admin_page_lists_waiting_and_failed_mail_and_retries(
    app, client, login, make_user, smtp_down, eml_folder
):
    app.config["MAIL_SERVER"] = "127.0.0.1"
    _queue("Waiting")
    _queue("Broken")
    with unit_of_work():
        _messages()[1].status = MailStatus.FAILED
    login(make_user(Role.ADMIN))
    html = client.get("/admin/mail").get_data(True)
    assert (
        'data-testid="mail-count-pending">1<' in html
        and 'data-testid="mail-count-failed">1<' in html
    )
    assert "ConnectionRefusedError" in html
    failed = client.get("/admin/mail?status=failed").get_data(True)
    assert "Broken" in failed and "Waiting" not in failed
    app.config["MAIL_SERVER"] = None  # the server is back
    response = client.post(f"/admin/mail/{_messages()[1].id}/retry?status=failed")
    assert response.status_code == 302
    assert [m.status for m in _messages()] == [MailStatus.PENDING, MailStatus.SENT]
    assert client.post("/admin/mail/999999/retry").status_code == 404


def test_no_request_waits_for_smtp(app, client, login, make_user, monkeypatch):
    """The reviewer's approval answers without sending: outside immediate mode the e-mail is
    only queued (a task), and no SMTP connection is attempted in the request."""
    from ipr_apps import mail
    from ipr_apps.tasks import huey

    def no_smtp(message):
        raise AssertionError("SMTP was used inside the request")

    monkeypatch.setattr(mail, "send", no_smtp)
    monkeypatch.setitem(app.config, "JOBS_IMMEDIATE", False)
    monkeypatch.setattr(huey, "_immediate", False)  # as the worker-backed app configures it,
    monkeypatch.setattr(huey, "storage", huey.get_immediate_storage())  # on an in-memory queue
    with unit_of_work():
        outbox.queue("a@example.com", "Hello", "Body")
    [message] = _messages()
    assert message.status == MailStatus.PENDING and message.attempts == 0
    assert len(huey) == 1  # the delivery task waits for the worker
