"""Sending one e-mail: through a real local SMTP server (aiosmtpd) or into the .eml folder;
every failure is raised, so the outbox (tests/test_outbox.py) keeps the message and retries."""

from __future__ import annotations

import smtplib
import socket
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from ipr_apps import mail
from ipr_apps.db import unit_of_work
from ipr_apps.models import Role
from ipr_apps.services import notifications


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what it receives and refuses any 'refused@' address."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], EmailMessage]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refused@"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(app, monkeypatch):
    """Starts a real SMTP server on 127.0.0.1 and points the app at it."""
    controllers: list[Controller] = []

    def start(**server_options) -> Inbox:
        inbox, port = Inbox(), _free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **server_options)
        controller.start()
        controllers.append(controller)
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        return inbox

    yield start
    for controller in controllers:
        controller.stop()


def test_notification_email_reaches_the_smtp_server(app, smtp, make_user, make_application):
    inbox = smtp()
    holder = make_user(Role.HOLDER)
    application = make_application(holder, "submitted")
    subject = f"Customs need more information on {application.reference}"
    with unit_of_work():  # queued in the transaction, delivered after commit
        notifications.notify_application(
            application, "application_info_requested", message="Send the certificate.",
            reply_by=date(2030, 1, 31), decision_days=30,
        )  # fmt: skip

    [(envelope_from, envelope_to, message)] = inbox.received
    assert envelope_from == "no-reply@ipr.example" and envelope_to == [holder.email]
    assert message["From"] == app.config["MAIL_DEFAULT_SENDER"]
    assert message["To"] == holder.email and message["Subject"] == subject
    assert message["Date"] and message["Message-ID"].endswith("@ipr.example>")
    body = message.get_content()
    assert application.reference in body and "Send the certificate." in body
    assert f"/applications/{application.id}" in body


def test_smtp_login_uses_the_configured_credentials(app, smtp, monkeypatch):
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=True)

    inbox = smtp(authenticator=authenticator, auth_require_tls=False)
    monkeypatch.setitem(app.config, "MAIL_USERNAME", "mailer")
    monkeypatch.setitem(app.config, "MAIL_PASSWORD", 123456)  # as IPR_MAIL_PASSWORD parses
    mail.send(mail.compose(["a@example.com"], "Hello", "Body"))
    assert logins == [(b"mailer", b"123456")]
    assert [to for _, to, _ in inbox.received] == [["a@example.com"]]


def test_a_refused_recipient_is_raised(app, smtp):
    inbox = smtp()
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        mail.send(mail.compose(["refused@example.com"], "One", "Body"))
    mail.send(mail.compose(["ok@example.com"], "Two", "Body"))
    assert [message["Subject"] for _, _, message in inbox.received] == ["Two"]


def test_unreachable_server_is_raised(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", _free_port())  # nobody listens there
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 2)
    with pytest.raises(ConnectionRefusedError):
        mail.send(mail.compose(["a@example.com"], "Hello", "Body"))


def test_starttls_refused_by_the_server_is_raised_and_the_socket_closed(app, smtp, monkeypatch):
    inbox = smtp()  # this server offers no STARTTLS
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", True)
    with pytest.raises(smtplib.SMTPNotSupportedError):
        mail.send(mail.compose(["a@example.com"], "Hello", "Body"))
    assert inbox.received == []
    # An unclosed socket would surface as a ResourceWarning, which fails this suite.


def test_without_a_server_each_email_is_an_eml_file_in_the_outbox(app, monkeypatch, tmp_path):
    outbox = tmp_path / "not-yet" / "outbox"
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setitem(app.config, "OUTBOX_FOLDER", str(outbox))
    mail.send(mail.compose(["a@example.com"], "First", "Über IPR-2026-000001"))
    mail.send(mail.compose(["b@example.com", "c@example.com"], "Second", "Body"))
    files = sorted(outbox.iterdir())
    assert [f.suffix for f in files] == [".eml", ".eml"]  # and no partial files left
    first, second = (message_from_bytes(f.read_bytes(), policy=policy.default) for f in files)
    assert first["Subject"] == "First" and second["Subject"] == "Second"  # names sort in order
    assert first["From"] == app.config["MAIL_DEFAULT_SENDER"] and first["To"] == "a@example.com"
    assert first["Date"] and first["Message-ID"] != second["Message-ID"]
    assert first.get_content().strip() == "Über IPR-2026-000001"
    assert second["To"].addresses[1].addr_spec == "c@example.com"
    assert b"\r\n" in files[0].read_bytes()  # RFC 5322 line endings


def test_an_outbox_folder_that_cannot_be_written_is_raised(app, monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setitem(app.config, "OUTBOX_FOLDER", str(blocker / "outbox"))
    with pytest.raises(OSError):
        mail.send(mail.compose(["a@example.com"], "Hello", "Body"))
