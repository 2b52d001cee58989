"""E-mail delivery tasks: right after a commit that queued mail, and every minute for retries."""

from __future__ import annotations

from ipr_apps.services import outbox
from ipr_apps.tasks import crontab, periodic, task


@task()
def deliver() -> int:
    return outbox.deliver_due()


@periodic(crontab(minute="*"))
def deliver_due_mail() -> int:
    """Retries whose time has come, and anything queued while the queue itself was down."""
    return outbox.deliver_due()
