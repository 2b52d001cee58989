"""The nightly clean-up: API tokens revoked long ago, upload files no document refers to, old
sent e-mails and sign-in sessions ended long ago. Each step is its own transaction and reports
how much it removed."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, select

from ipr_apps.db import db, unit_of_work
from ipr_apps.models import (
    ApiToken,
    Document,
    MailStatus,
    OutboxMessage,
    RequestDocument,
    UserSession,
    utcnow,
)
from ipr_apps.services import import_write, sessions
from ipr_apps.services.documents import STORED_NAME

log = logging.getLogger(__name__)

REVOKED_TOKEN_KEPT = timedelta(days=30)
# An upload writes its file before its transaction commits: a younger file may belong to an
# upload under way, so only files untouched for a day count as orphans.
ORPHAN_FILE_AGE = timedelta(hours=24)
SENT_MAIL_KEPT = timedelta(days=90)
ENDED_SESSION_KEPT = timedelta(days=30)
# An import's staging rows live minutes; a day-old run's worker crashed (killed mid-import).
STALE_IMPORT_RUN_AGE = timedelta(hours=24)
BATCH = 1000


def clean_up() -> dict[str, int]:
    """Run every step at the current time; returns what each removed."""
    now = utcnow()
    return {
        "revoked_tokens": purge_revoked_tokens(now),
        "sent_mail": purge_sent_mail(now),
        "orphan_uploads": purge_orphan_uploads(now),
        "ended_sessions": purge_ended_sessions(now),
        "stale_import_runs": purge_stale_import_runs(now),
    }


def purge_revoked_tokens(now: datetime) -> int:
    """Delete tokens revoked more than 30 days ago. Nothing refers to a token row (no foreign
    key, no audit event), and an unknown token is refused exactly like a revoked one."""
    stmt = delete(ApiToken).where(ApiToken.revoked_at < now - REVOKED_TOKEN_KEPT)
    with unit_of_work() as session:
        return session.execute(stmt.execution_options(synchronize_session=False)).rowcount


def purge_ended_sessions(now: datetime) -> int:
    """Delete sessions that ended (signed out, revoked, idle or too old) over 30 days ago, in
    batches. A deleted session's cookie is refused exactly like an ended one."""
    old = select(UserSession.id).where(sessions.ended_before(now - ENDED_SESSION_KEPT))
    removed = 0
    while True:
        with unit_of_work() as session:
            ids = list(session.execute(old.limit(BATCH)).scalars())
            if ids:
                stmt = delete(UserSession).where(UserSession.id.in_(ids))
                session.execute(stmt.execution_options(synchronize_session=False))
        removed += len(ids)
        if len(ids) < BATCH:
            return removed


def purge_sent_mail(now: datetime) -> int:
    """Delete e-mails sent more than 90 days ago, in batches (short transactions). Waiting and
    failed e-mails stay for the admins' page whatever their age."""
    cutoff = now - SENT_MAIL_KEPT
    m = OutboxMessage
    # A message is sent only once its attempt is due (next_attempt_at <= sent_at), so the
    # second condition removes nothing more and keeps the scan in the (status, next_attempt_at)
    # index instead of reading every sent row.
    old = select(m.id).where(
        m.status == MailStatus.SENT, m.next_attempt_at < cutoff, m.sent_at < cutoff
    )
    removed = 0
    while True:
        with unit_of_work() as session:
            ids = list(session.execute(old.limit(BATCH)).scalars())
            if ids:
                session.execute(
                    delete(m).where(m.id.in_(ids)).execution_options(synchronize_session=False)
                )
        removed += len(ids)
        if len(ids) < BATCH:
            return removed


def purge_stale_import_runs(now: datetime) -> int:
    """Delete the staging rows of imports that never finished (their worker was killed)."""
    return import_write.purge_stale_runs(now - STALE_IMPORT_RUN_AGE)


def purge_orphan_uploads(now: datetime) -> int:
    """Delete files in the upload folder that no document refers to, once a day old."""
    cutoff = now.replace(tzinfo=UTC).timestamp() - ORPHAN_FILE_AGE.total_seconds()
    removed = 0
    files = _stored_files_before(Path(current_app.config["UPLOAD_FOLDER"]), cutoff)
    while batch := list(islice(files, BATCH)):
        referenced = _referenced([path.name for path in batch])
        removed += sum(_unlink(path) for path in batch if path.name not in referenced)
    db.session.rollback()  # end the read transaction
    return removed


def _stored_files_before(root: Path, cutoff: float) -> Iterator[Path]:
    """Files laid out as documents.stored_path lays them out (<2 chars>/<random>.<ext>) and
    last written before `cutoff`. Anything else in the folder is not ours to judge."""
    if not root.is_dir():
        return
    for folder in os.scandir(root):
        if not folder.is_dir(follow_symlinks=False) or len(folder.name) != 2:
            continue
        for entry in os.scandir(folder.path):
            if (
                STORED_NAME.match(entry.name)
                and entry.name[:2] == folder.name
                and entry.is_file(follow_symlinks=False)
                and entry.stat(follow_symlinks=False).st_mtime < cutoff
            ):
                yield Path(entry.path)


def _referenced(names: list[str]) -> set[str]:
    stmt = select(Document.stored_name).where(Document.stored_name.in_(names))
    evidence = select(RequestDocument.stored_name).where(RequestDocument.stored_name.in_(names))
    return set(db.session.execute(stmt.union_all(evidence)).scalars())


def _unlink(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:  # removed meanwhile (a document deleted its own file)
        return False
    except OSError:
        log.exception("Could not remove the orphaned upload %s", path)
        return False
    return True
