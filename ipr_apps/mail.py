"""Outgoing email: through SMTP when MAIL_SERVER is set, else as .eml files in the outbox."""

from __future__ import annotations

import logging
import os
import secrets
import smtplib
import ssl
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

from flask import current_app

log = logging.getLogger(__name__)


def compose(to: list[str], subject: str, body: str) -> EmailMessage:
    """A plain-text message from the configured sender, with Date and Message-ID set."""
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    # The sender's domain, not socket.getfqdn(): that can block on a DNS lookup.
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(body)
    return message


def deliver(messages: Iterable[EmailMessage]) -> None:
    """Send `messages`; called after commit. Failures are logged, never raised: the change
    they announce is already committed and the in-app notification exists."""
    messages = list(messages)
    if not messages:
        return
    config = current_app.config
    try:
        if config.get("MAIL_SERVER"):
            _send_smtp(messages, config)
        else:
            _write_outbox(messages, Path(config["OUTBOX_FOLDER"]))
    except Exception:  # any failure at all must not undo the caller's committed work
        log.exception("Could not deliver %d email(s)", len(messages))


def _connect(config: Mapping) -> smtplib.SMTP:
    """An open, authenticated connection; closed again if any step fails."""
    host, port = config["MAIL_SERVER"], int(config["MAIL_PORT"])
    timeout = float(config["MAIL_TIMEOUT"])
    if config.get("MAIL_USE_SSL"):
        context = ssl.create_default_context()
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            # str(): IPR_MAIL_PASSWORD=123456 arrives from the environment as a number.
            smtp.login(str(config["MAIL_USERNAME"]), str(config.get("MAIL_PASSWORD") or ""))
    except BaseException:
        smtp.close()
        raise
    return smtp


def _send_smtp(messages: list[EmailMessage], config: Mapping) -> None:
    with _connect(config) as smtp:
        for message in messages:
            try:
                smtp.send_message(message)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException):
                # One refused address must not hold back the others' mail.
                log.exception("SMTP server refused the email to %s", message["To"])


def _write_outbox(messages: list[EmailMessage], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for message in messages:
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}.eml"
        partial = folder / f".{name}.part"
        partial.write_bytes(message.as_bytes(policy=policy.SMTP))
        os.replace(partial, folder / name)  # readers of the outbox never see half a file
        log.info("Email to %s written to %s", message["To"], folder / name)
