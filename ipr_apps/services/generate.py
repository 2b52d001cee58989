# ruff: noqa: S311  (generated data, not secrets)
"""`ipr generate`: fill the database with N realistic applications over the years since 2016, in
every state, kind and right type, with everything around them; batch by batch, one commit each."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import bindparam, func, select, update

from ipr_apps import official_calendar
from ipr_apps.db import db
from ipr_apps.models import Recordation, RecordationStatus, User
from ipr_apps.models import today as utc_today
from ipr_apps.screening.current import changed as screening_changed
from ipr_apps.services import demo, demo_districts, derived, expiry, generate_rows
from ipr_apps.services.generate_cases import add_cases, case_count
from ipr_apps.services.generate_people import add_people
from ipr_apps.services.generate_pipeline import Background
from ipr_apps.services.generate_pool import Pool
from ipr_apps.services.generate_recorded import RECORDATION_EVENT_COLUMNS
from ipr_apps.services.generate_rows import START, Batch, Context
from ipr_apps.services.generate_time import WorkDays, moment_on
from ipr_apps.services.generate_write import Counters, Writer
from ipr_apps.services.passwords import hash_password
from ipr_apps.workdays import calendar_between

BATCH = 10_000
END_CHUNK = 50_000  # recordations looked at at once when ending them
RUNS_SCOPE = "generate:runs"  # how many runs filled this database (tells their accounts apart)


@dataclass
class Summary:
    run: int
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # seconds each step took


class _Timer:
    def __init__(self) -> None:
        self.phases: dict[str, float] = {}
        self.last = self.started = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.phases[phase] = self.phases.get(phase, 0.0) + now - self.last
        self.last = now


def generate(
    count: int,
    seed: int = 1,
    *,
    today: date | None = None,
    method: str = "copy",
    batch_size: int = BATCH,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Add `count` applications (and their people, history and cases) to the database."""
    timer = _Timer()
    session = db.session()  # the Session itself: the background writer uses it too
    today = today or utc_today()
    demo_districts.seed_districts()
    writer, counters = Writer(session, method), Counters(session)
    run = counters.next(RUNS_SCOPE)
    ctx = _context(writer, counters, seed, run, count, today)
    timer.lap("people")
    with Background(ctx) as background:  # batch k is written while k + 1 is generated
        for first in range(0, count, batch_size):
            last = min(count, first + batch_size)
            background.put(_batch(ctx, range(first, last)))
            if progress:
                progress(last - first)
    timer.lap("applications")
    add_cases(ctx, {h.org_id: h.filer_id for h in ctx.people.holders})
    timer.lap("cases")
    _end_recordations(ctx)
    screening_changed(session)  # the screening index is built from the recordations in force
    _commit(ctx)
    timer.lap("recordation ends")
    derived.rebuild_derived(session)
    timer.lap("derived")
    seconds = timer.last - timer.started
    return Summary(run, dict(writer.counts), seconds, timer.phases)


def _context(writer: Writer, counters: Counters, seed, run, count, today) -> Context:
    work = WorkDays(
        START - timedelta(days=31),
        today + timedelta(days=3 * 365),
        calendar_between(START - timedelta(days=31), today + timedelta(days=3 * 365)),
    )
    districts = [code for code, _local, _en in demo_districts.DISTRICTS]
    password = hash_password(demo.demo_password())
    start = moment_on(START - timedelta(days=30), random.Random(seed))
    people = add_people(writer, seed, run, count, password, districts, start)
    pool = Pool(random.Random(f"{seed}-{run}-pool"), case_count(count))
    return Context(
        writer, counters, work, people, pool, seed, run, count, today, official_calendar.label()
    )


def _batch(ctx: Context, indexes: range) -> Batch:
    batch = Batch()
    for index in indexes:
        generate_rows.application(ctx, batch, index)
    if ctx.pool.buckets:
        ctx.pool.forget_before(generate_rows.created_at(ctx, indexes[-1], random.Random(0)).date())
    return batch


def _commit(ctx: Context) -> None:
    """The counters move on with the rows, so each commit leaves the app working."""
    ctx.counters.write(ctx.counters.take())
    ctx.writer.session.commit()


def _end_recordations(ctx: Context) -> None:
    """What the nightly job would have done by today: the run's recordations whose right or
    validity ended lapse or expire, with their events (expiry's own conditions)."""
    r = Recordation.__table__.c
    first = ctx.writer.first_ids.get("recordations")
    if first is None:
        return
    last = ctx.writer.session.scalar(select(func.max(r.id)))
    for condition, key, action, status in (
        (expiry._lapsing(ctx.today), r.right_expiry, "lapse", RecordationStatus.LAPSED),
        (expiry._expiring(ctx.today), r.valid_until, "expire", RecordationStatus.EXPIRED),
    ):
        for low in range(first, last + 1, END_CHUNK):
            stmt = select(r.id, key, r.valid_until).where(
                condition, r.id >= low, r.id < low + END_CHUNK
            )
            _end(ctx, ctx.writer.session.execute(stmt.order_by(r.id)).all(), action, status)


def _end(ctx: Context, rows, action: str, status: RecordationStatus) -> None:
    rng = random.Random(f"{ctx.seed}-{ctx.run}-{action}")
    events, changes = [], []
    for rec_id, last_day, valid_until in rows:
        ended_on = last_day + timedelta(days=1)
        note = (
            f"the right expired on {last_day}"
            if action == "lapse"
            else f"valid until {last_day}, not renewed"
        )
        events.append(
            (
                ctx.id("recordation_events"),
                rec_id,
                action,
                "active",
                status.value,
                None,
                valid_until,
                None,
                note,
                moment_on(ended_on, rng),
            )
        )
        changes.append({"rid": rec_id, "ended": ended_on, "at": events[-1][-1]})
    ctx.writer.write("recordation_events", RECORDATION_EVENT_COLUMNS, events)
    if changes:
        r = Recordation.__table__.c
        stmt = update(Recordation.__table__).where(r.id == bindparam("rid"))
        ctx.writer.session.execute(
            stmt.values(
                status=status.value, ended_on=bindparam("ended"), updated_at=bindparam("at")
            ),
            changes,
        )


def sign_ins(run: int) -> dict[str, str]:
    """One account per role of a run, {role: e-mail}, to print how to sign in."""
    pattern = f"%-{run}-%@generated.example"
    rows = db.session.execute(
        select(User.role, func.min(User.email)).where(User.email.like(pattern)).group_by(User.role)
    )
    return {str(role): email for role, email in rows}
