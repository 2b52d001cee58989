"""The e-mail outbox: messages are rows queued in the caller's transaction and delivered by a
task after commit, one claim per message (two workers never send the same one), with retries
after 1 min, 5 min, 30 min and 2 h before a message is marked failed."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from ipr_apps import mail
from ipr_apps.db import after_commit, db, unit_of_work
from ipr_apps.errors import NotFound, PermissionDenied
from ipr_apps.models import MailStatus, OutboxMessage, Role, User, utcnow
from ipr_apps.pagination import Page, keyset_page
from ipr_apps.services.capped import Capped
from ipr_apps.services.capped import counts as capped_counts

# The waits after each failed attempt; the config's MAIL_RETRY_SECONDS (a list) overrides them.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A claim older than this belongs to a worker that died while sending: the message goes back
# to pending (it may then be sent twice, never lost).
STALE_CLAIM = timedelta(minutes=10)
BATCH = 100


def queue(to: str, subject: str, body: str) -> OutboxMessage:
    """Add a message to the caller's transaction (never commits); delivery starts after commit."""
    message = OutboxMessage(to_address=to, subject=subject, body=body)
    db.session.add(message)
    after_commit(db.session, _start_delivery)
    return message


def _start_delivery(delay: float | None = None) -> None:
    from ipr_apps.tasks import enqueue
    from ipr_apps.tasks.outbox import deliver

    enqueue(deliver, delay=delay)


def retry_delays() -> tuple[timedelta, ...]:
    seconds = current_app.config.get("MAIL_RETRY_SECONDS")
    return tuple(timedelta(seconds=s) for s in seconds) if seconds else RETRY_DELAYS


def deliver_due(limit: int = BATCH) -> int:
    """Send the messages whose attempt is due; returns how many were sent."""
    release_stale()
    now = utcnow()
    due = select(OutboxMessage.id).where(
        OutboxMessage.status == MailStatus.PENDING, OutboxMessage.next_attempt_at <= now
    )
    ids = list(db.session.execute(due.order_by(OutboxMessage.id).limit(limit)).scalars())
    db.session.rollback()  # end the read transaction before sending
    return sum(_send(message_id) for message_id in ids if _claim(message_id))


def _claim(message_id: int) -> bool:
    """Take the message for this worker: one conditional UPDATE, so one winner."""
    now = utcnow()
    stmt = (
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == MailStatus.PENDING)
        .values(status=MailStatus.SENDING, claimed_at=now, attempts=OutboxMessage.attempts + 1)
    )
    with unit_of_work() as session:
        return session.execute(stmt).rowcount == 1


def _send(message_id: int) -> bool:
    message = db.session.get(OutboxMessage, message_id)
    try:
        mail.send(mail.compose([message.to_address], message.subject, message.body))
    except Exception as exc:  # any failure: try again later, the message is kept
        _schedule_retry(message, exc)
        return False
    with unit_of_work():
        message.status, message.sent_at, message.last_error = MailStatus.SENT, utcnow(), None
    return True


def _schedule_retry(message: OutboxMessage, error: Exception) -> None:
    delays = retry_delays()
    with unit_of_work() as session:
        message.last_error = f"{type(error).__name__}: {error}"[:2000]
        if message.attempts > len(delays):
            message.status = MailStatus.FAILED
        else:
            message.status = MailStatus.PENDING
            delay = delays[message.attempts - 1]
            message.next_attempt_at = utcnow() + delay
            # A delayed task for the exact moment; the minutely sweep is the safety net.
            after_commit(session, partial(_start_delivery, delay.total_seconds()))


def release_stale() -> int:
    """Put back messages claimed by a worker that died before finishing."""
    stmt = (
        update(OutboxMessage)
        .where(
            OutboxMessage.status == MailStatus.SENDING,
            OutboxMessage.claimed_at < utcnow() - STALE_CLAIM,
        )
        .values(status=MailStatus.PENDING, next_attempt_at=utcnow())
    )
    with unit_of_work() as session:
        return session.execute(stmt).rowcount


def retry(actor: User, message_id: int) -> OutboxMessage:
    """An admin sends a failed (or waiting) message again now, with a fresh retry schedule."""
    if actor.role != Role.ADMIN:
        raise PermissionDenied(_("Only administrators retry e-mails."))
    with unit_of_work() as session:
        message = session.get(OutboxMessage, message_id)
        if message is None:
            raise NotFound(_("No such message."))
        if message.status in (MailStatus.FAILED, MailStatus.PENDING):
            message.status, message.attempts = MailStatus.PENDING, 0
            message.next_attempt_at = utcnow()
            after_commit(session, _start_delivery)
    return message


def counts() -> dict[MailStatus, Capped]:
    """The mail page's tab badges, each counted up to capped.CAP on the status index."""
    m = OutboxMessage
    return capped_counts({s: select(m).where(m.status == s) for s in MailStatus})


def page(status: MailStatus | None, cursor: str | None, size: int) -> Page:
    """Messages, newest first, optionally of one status."""
    stmt = select(OutboxMessage)
    if status is not None:
        stmt = stmt.where(OutboxMessage.status == status)
    return keyset_page(stmt, [OutboxMessage.id], cursor, size, descending=True)
