"""Sending one e-mail: through SMTP when MAIL_SERVER is set, else as an .eml file in the
OUTBOX_FOLDER. services.outbox decides when (after commit, with retries)."""

from __future__ import annotations

import logging
import os
import secrets
import smtplib
import ssl
from collections.abc import Mapping
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


def send(message: EmailMessage) -> None:
    """Send one message through SMTP, or write it as an .eml file when no server is set.
    Raises on any failure: the outbox keeps the message and tries again later."""
    config = current_app.config
    if config.get("MAIL_SERVER"):
        with _connect(config) as smtp:
            smtp.send_message(message)
    else:
        _write_outbox([message], Path(config["OUTBOX_FOLDER"]))


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


def _write_outbox(messages: list[EmailMessage], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for message in messages:
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}.eml"
        partial = folder / f".{name}.part"
        partial.write_bytes(message.as_bytes(policy=policy.SMTP))
        os.replace(partial, folder / name)  # readers of the outbox never see half a file
        log.info("Email to %s written to %s", message["To"], folder / name)
