"""The generator's writing side: a batch's rows in an order the foreign keys accept, the links
between applications and recordations, the counters and the commit; on PostgreSQL in a thread
of its own, so that the server stores batch k while Python generates batch k + 1 (SQLite works
in this process, holding the interpreter while it binds the rows: a thread gained nothing)."""

from __future__ import annotations

import threading
from queue import Queue

from flask import current_app
from sqlalchemy import bindparam, update

from ipr_apps.models import Application, Recordation
from ipr_apps.services import generate_content as content
from ipr_apps.services.generate_recorded import RECORDATION_COLUMNS, RECORDATION_EVENT_COLUMNS
from ipr_apps.services.generate_rows import (
    APPLICATION_COLUMNS,
    DECISION_COLUMNS,
    EVENT_COLUMNS,
    REQUEST_COLUMNS,
    Batch,
    Context,
)

CHILD_TABLES = (
    ("ip_rights", content.RIGHT_COLUMNS),
    ("goods", content.GOODS_COLUMNS),
    ("licensees", content.LICENSEE_COLUMNS),
    ("traders", content.TRADER_COLUMNS),
    ("ports", content.PORT_COLUMNS),
    ("infringers", content.INFRINGER_COLUMNS),
    ("documents", content.DOCUMENT_COLUMNS),
    ("status_events", EVENT_COLUMNS),
    ("information_requests", REQUEST_COLUMNS),
    ("decisions", DECISION_COLUMNS),
    ("recordation_events", RECORDATION_EVENT_COLUMNS),
)


class Background:
    """PostgreSQL: one writer thread, handed a batch once it wrote the previous one (so two batches
    are in memory at most: one being written, one generated). The main thread does not touch
    the session meanwhile (ids come from memory or, on PostgreSQL, a connection of their own);
    the first error stops the writing and is raised in the main thread."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.threaded = ctx.writer.postgres
        self.queue: Queue[tuple[Batch, dict[str, int]] | None] = Queue()
        self.error: BaseException | None = None
        self.app = current_app._get_current_object()
        self.thread = threading.Thread(target=self._run, name="generate-writer", daemon=True)

    def __enter__(self) -> Background:
        if self.threaded:
            self.thread.start()
        return self

    def put(self, batch: Batch) -> None:
        """Hand the batch over with the counters as they stand after it (it commits them)."""
        if not self.threaded:  # SQLite: written here and now
            write_batch(self.ctx, batch, self.ctx.counters.take())
            return
        self.queue.join()  # the previous batch is written
        if self.error is not None:
            raise self.error
        self.queue.put((batch, self.ctx.counters.take()))

    def __exit__(self, *exc_info) -> None:
        if not self.threaded:
            return
        self.queue.put(None)
        self.thread.join()
        if self.error is not None and exc_info[0] is None:
            raise self.error

    def _run(self) -> None:
        with self.app.app_context():  # the session finds its engine through the app
            while (item := self.queue.get()) is not None:
                if self.error is None:
                    try:
                        write_batch(self.ctx, *item)
                    except BaseException as error:  # raised in the main thread
                        self.error = error
                self.queue.task_done()


def write_batch(ctx: Context, batch: Batch, counters: dict[str, int]) -> None:
    write = ctx.writer.write
    write("applications", APPLICATION_COLUMNS, _unlinked(batch))
    write("recordations", RECORDATION_COLUMNS, batch.rows["recordations"])
    write("applications", APPLICATION_COLUMNS, batch.changes)
    for name, columns in CHILD_TABLES:
        write(name, columns, batch.rows[name])
    _link(ctx, batch)
    ctx.counters.write(counters)
    ctx.writer.session.commit()


def _unlinked(batch: Batch) -> list[tuple]:
    """Applications and recordations point at each other and the foreign keys are checked at
    the end of each statement (PostgreSQL's are not deferrable; SQLite's deferred mode would
    scan the unindexed recordations.facts_application_id for every application inserted):
    new approvals go in without their recordation, _link adds it after."""
    at = APPLICATION_COLUMNS.index("recordation_id")
    return [(*row[:at], None, *row[at + 1 :]) for row in batch.rows["applications"]]


def _link(ctx: Context, batch: Batch) -> None:
    """New approvals point at their recordation; renewals and amendments change theirs."""
    session = ctx.writer.session
    a, r = Application.__table__.c, Recordation.__table__.c
    if batch.linked:  # one UPDATE ... FROM over the batch's recordations
        ids = [rec for rec, _app in batch.linked]
        stmt = update(Application.__table__).where(
            a.id == r.application_id, r.id.between(min(ids), max(ids))
        )
        # updated_at as it was: the link is part of the approval, not a later change
        session.execute(stmt.values(recordation_id=r.id, updated_at=a.updated_at))
    if batch.facts:
        stmt = (
            update(Recordation.__table__)
            .where(r.id == bindparam("rid"))
            .values(
                valid_until=bindparam("until"),
                facts_application_id=bindparam("facts"),
                right_expiry=bindparam("expiry"),
                updated_at=bindparam("at"),
            )
        )
        keys = ("until", "facts", "expiry", "at", "rid")
        session.execute(stmt, [dict(zip(keys, row, strict=True)) for row in batch.facts])
