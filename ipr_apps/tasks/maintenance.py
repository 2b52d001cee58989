"""Periodic jobs (times in UTC; China is UTC+8): the nightly clean-up at 18:30 (02:30 in
Beijing, the quietest hour) and the reviewers' digest at 00:00 (08:00 in Beijing, when the
UTC date the app counts working days by turns over)."""

from __future__ import annotations

import logging
from datetime import timedelta

from ipr_apps.db import db
from ipr_apps.models import today
from ipr_apps.services import digest, maintenance, planner_stats
from ipr_apps.tasks import crontab, huey, periodic

log = logging.getLogger(__name__)


@periodic(crontab(minute="30", hour="18"))
def nightly_cleanup() -> dict[str, int]:
    counts = maintenance.clean_up()
    log.info("Nightly clean-up removed: %s", ", ".join(f"{k} {v}" for k, v in counts.items()))
    return counts


@periodic(crontab(minute="45", hour="18"))
def planner_statistics() -> None:
    """After the clean-up: refresh SQLite's planner statistics where the tables changed much
    (PRAGMA optimize; PostgreSQL's autovacuum does its own), so plans follow the data."""
    planner_stats.optimize(db.session)


@periodic(crontab(minute="0", hour="0"), retries=3, retry_delay=600)
def reviewer_digest() -> int:
    """Every worker's scheduler starts periodic jobs, so the day's first run takes a mark in the
    shared job storage and the others stop: a second digest would be a duplicate e-mail. A run
    that fails gives the mark back, so its retry (10 minutes later) can send."""
    day = today()
    mark = f"reviewer-digest:{day}"
    if not huey.put_if_empty(mark, 1):
        log.info("Reviewer digest for %s already started by another run", day)
        return 0
    try:
        sent = digest.send_digests()
    except Exception:
        huey.delete(mark)
        raise
    for back in range(1, 8):  # earlier marks are no longer needed
        huey.delete(f"reviewer-digest:{day - timedelta(days=back)}")
    log.info("Reviewer digest for %s: %d e-mails queued", day, sent)
    return sent


@periodic(crontab(minute="10", hour="0"), retries=3, retry_delay=600)
def recordation_expiry() -> dict[str, int]:
    """At 00:10 (08:10 in Beijing), just after the UTC date the app counts days by turns
    over: end the recordations no longer in force, then send the reminders due, both for
    today. Both steps are idempotent and guarded by the database (row locks, the reminders'
    unique constraint), so every worker's scheduler may start it and a retry after a failure
    (a busy database) sends nothing twice."""
    from ipr_apps.services import expiry, reminders

    day = today()
    counts = expiry.summary(expiry.expire(day))
    counts["reminders"] = len(reminders.send_due(day))
    log.info("Recordation expiry for %s: %s", day, ", ".join(f"{k} {v}" for k, v in counts.items()))
    return counts


@periodic(crontab(minute="15", hour="0"), retries=3, retry_delay=600)
def case_release() -> int:
    """At 00:15 (08:15 in Beijing), once the UTC date the deadlines are counted by has turned
    over: release the goods of the detention cases the holder did not confirm by yesterday.
    Guarded by row locks and the case's version, so every worker's scheduler may start it
    and a retry releases nothing twice."""
    from ipr_apps.services import case_release as release

    day = today()
    released = len(release.release_overdue(day))
    log.info("Detention cases released for %s: %d not confirmed in time", day, released)
    return released
