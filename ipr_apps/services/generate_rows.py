# ruff: noqa: S311  (generated data, not secrets)
"""One generated application's rows: the application, its content, status events, information
request, decision and (approved) the recordation it creates, renews or amends."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from ipr_apps.models.applications import KEY_LENGTH
from ipr_apps.models.base import search_key
from ipr_apps.services import generate_content as content
from ipr_apps.services import generate_recorded as recorded
from ipr_apps.services.generate_people import Holder, People
from ipr_apps.services.generate_pool import Pool, Recorded
from ipr_apps.services.generate_time import (
    SHOWCASE,
    Steps,
    WorkDays,
    clock,
    moment_on,
    pick,
    steps,
    target_state,
    years_later,
)
from ipr_apps.services.generate_write import Counters, Writer
from ipr_apps.workflow import REPLY_WORKING_DAYS

START = date(2016, 1, 1)
GROWTH = 1.35  # filings grow over the years: the share filed by time t is (t / T) ** GROWTH
KINDS = (("new", 88), ("renewal", 8), ("amendment", 4))
REASONS = ("incomplete_or_invalid", "not_right_holder", "right_not_protected", "false_information")

APPLICATION_COLUMNS = (
    "id", "reference", "ipr_type", "status", "kind", "recordation_id", "version", "holder_org_id",
    "agency_id", "filed_by_id", "imported", "holder_name_local", "holder_name_en", "holder_country",
    "holder_registration_number", "holder_address", "holder_legal_representative",
    "holder_contact_person", "holder_email", "holder_phone", "duplicate_flag", "claimed_by_id",
    "claimed_at", "created_at", "updated_at", "first_submitted_at", "submitted_at", "decided_at",
    "clock_started_on", "clock_days_used", "due_on", "due_calendar", "holder_name_local_key",
    "holder_name_en_key",
)  # fmt: skip
EVENT_COLUMNS = (
    "id", "application_id", "action", "from_status", "to_status", "actor_id", "note", "created_at",
)  # fmt: skip
REQUEST_COLUMNS = (
    "id", "application_id", "requested_by_id", "message", "reply_by", "created_at", "answered_at",
    "answered_by_id", "response",
)  # fmt: skip
DECISION_COLUMNS = (
    "id", "application_id", "outcome", "reason_codes", "message", "decided_by_id", "decided_on",
    "decided_at", "imported", "working_days",
)  # fmt: skip


@dataclass
class Context:
    writer: Writer
    counters: Counters
    work: WorkDays
    people: People
    pool: Pool
    seed: int
    run: int
    total: int
    today: date
    due_calendar: str

    @property
    def now(self) -> datetime:
        return datetime.combine(self.today, datetime.min.time())

    def id(self, name: str) -> int:
        return self.writer.one(name)


@dataclass
class Batch:
    """A batch's rows by table, written in an order the foreign keys accept."""

    rows: dict[str, list[tuple]] = field(default_factory=lambda: defaultdict(list))
    changes: list[tuple] = field(default_factory=list)  # renewals' and amendments' applications
    linked: list[tuple] = field(default_factory=list)  # (recordation id, new application id)
    facts: list[tuple] = field(default_factory=list)  # recordations' facts changed


def created_at(ctx: Context, index: int, rng: random.Random) -> datetime:
    """Filings spread from 2016 to yesterday, growing over the years, in id order (but for
    the run's few showcase applications at its end, see SHOWCASE)."""
    showcase = index - (ctx.total - len(SHOWCASE))
    if showcase >= 0:
        return moment_on(ctx.today - timedelta(days=SHOWCASE[showcase][1]), rng)
    span = (ctx.today - START).days - 1
    offset = span * ((index + 0.5) / ctx.total) ** (1 / GROWTH)
    return moment_on(START + timedelta(days=int(offset)), rng)


def application(ctx: Context, batch: Batch, index: int) -> None:
    rng = random.Random(f"{ctx.seed}-{ctx.run}-{index}")
    created = created_at(ctx, index, rng)
    kind, target = _kind(ctx, rng, created.date())
    holder_index = (
        target.holder_index if target else int(len(ctx.people.holders) * rng.random() ** 2)
    )
    holder = ctx.people.holders[holder_index]
    app_id = ctx.id("applications")
    if target is None:
        right, right_row = content.new_right(rng, app_id, created.date(), holder)
    else:
        right, right_row = _same_right(rng, app_id, created.date(), target, kind)
    showcase = index - (ctx.total - len(SHOWCASE))
    state = SHOWCASE[showcase][0] if showcase >= 0 else target_state(rng, created.date(), ctx.today)
    done = steps(rng, created, state, ctx.now)
    reviewer = rng.choice(ctx.people.reviewers)
    recordation_id = _decide(
        ctx, batch, rng, app_id, holder, right, done, reviewer, target, kind, holder_index
    )
    row = _application_row(ctx, app_id, kind, right, holder, done, reviewer, recordation_id)
    (batch.changes if target else batch.rows["applications"]).append(row)
    batch.rows["ip_rights"].append(right_row)
    for name, rows in content.children(rng, ctx.id, app_id, holder).items():
        batch.rows[name] += rows
    batch.rows["documents"] += content.documents(rng, ctx.id, app_id, holder, created)
    _history(ctx, batch, rng, app_id, holder, done, reviewer)


def _kind(ctx: Context, rng: random.Random, day: date) -> tuple[str, Recorded | None]:
    kind = pick(rng, KINDS)
    target = None
    if kind == "renewal":
        target = ctx.pool.renewable(day)
        if (
            target
            and target.ipr_type.startswith("patent")
            and target.right_expiry <= target.valid_until
        ):
            target = None  # the patent ends with the recordation: nothing left to renew
    elif kind == "amendment":
        target = ctx.pool.amendable(day)
    return (kind, target) if target else ("new", None)


def _same_right(rng, app_id: int, filed: date, target: Recorded, kind: str):
    """A renewal or amendment is for the recorded right; a renewed trademark has a new term."""
    expiry = target.right_expiry
    if kind == "renewal" and expiry is not None and expiry <= years_later(target.valid_until, 1):
        expiry = years_later(expiry, 10)
    right = content.Right(target.ipr_type, target.right_number, target.title, expiry)
    return right, content.right_row(app_id, right, filed, rng=rng)


def _application_row(ctx, app_id, kind, right, holder: Holder, done: Steps, reviewer, rec_id):
    first_submit, last_submit = done.moment("submit"), done.moment("submit", last=True)
    decided = done.moment("approve") or done.moment("reject")
    times = clock(ctx.work, done)
    claimed = done.status == "under_review"
    year = done.events[0][3].year
    reference = f"IPR-{year}-{ctx.counters.next(f'reference-{year}'):06d}"
    return (
        app_id,
        reference,
        right.ipr_type,
        done.status,
        kind,
        rec_id,
        1,
        holder.org_id,
        holder.agency_id,
        holder.filer_id,
        False,
        holder.name_local,
        holder.name_en,
        holder.country,
        holder.registration_number,
        holder.address,
        holder.representative,
        holder.contact,
        holder.email,
        holder.phone,
        False,
        reviewer if claimed else None,
        done.moment("claim", last=True) if claimed else None,
        done.events[0][3],
        done.events[-1][3],
        first_submit,
        last_submit,
        decided,
        times.started_on,
        times.days_used,
        times.due_on,
        ctx.due_calendar if times.due_on else None,
        name_key(holder.name_local),
        name_key(holder.name_en),
    )


@lru_cache(maxsize=65536)
def name_key(name: str | None) -> str | None:
    """The holder name's search key (the ORM fills it for every other write; COPY and
    executemany of plain tuples bypass it). One per holder, hence the cache."""
    return search_key(name, KEY_LENGTH)


def _history(ctx, batch: Batch, rng, app_id: int, holder: Holder, done: Steps, reviewer) -> None:
    notes = {
        "request_info": "Please provide the licence contract and a clearer certificate.",
        "withdraw": None,
    }
    for action, before, after, moment in done.events:
        actor = reviewer if action in ("claim", "request_info", "approve", "reject") else None
        note = notes.get(action)
        if action == "submit" and before == "info_requested":
            note = "The licence contract is attached."
        batch.rows["status_events"].append(
            (
                ctx.id("status_events"),
                app_id,
                action,
                before,
                after,
                actor or holder.filer_id,
                note,
                moment,
            )
        )
    asked = done.moment("request_info")
    if asked is not None:
        answered = next(
            (m for a, b, _t, m in done.events if a == "submit" and b == "info_requested"), None
        )
        batch.rows["information_requests"].append(
            (
                ctx.id("information_requests"),
                app_id,
                reviewer,
                notes["request_info"],
                ctx.work.add(asked.date(), REPLY_WORKING_DAYS),
                asked,
                answered,
                holder.filer_id if answered else None,
                "The licence contract is attached." if answered else None,
            )
        )


def _decide(ctx, batch, rng, app_id, holder, right, done, reviewer, target, kind, holder_index):
    """The decision row and, for an approval, the recordation's rows; returns the
    application's recordation id (a change's target; a new approval's is linked later)."""
    decided = done.moment("approve") or done.moment("reject")
    if decided is None:
        return target.id if target else None
    approved = done.status == "approved"
    reasons = ",".join(sorted(rng.sample(REASONS, rng.randint(1, 2)))) if not approved else None
    message = None if approved else "The documents do not show that the applicant holds the right."
    batch.rows["decisions"].append(
        (
            ctx.id("decisions"),
            app_id,
            done.status,
            reasons,
            message,
            reviewer,
            decided.date(),
            decided,
            False,
            clock(ctx.work, done).working_days,
        )
    )
    if target is not None:
        if approved:
            recorded.change(ctx, batch, app_id, target, kind, right, reviewer, decided)
        return target.id
    if approved:
        return recorded.record(
            ctx, batch, rng, app_id, holder, right, reviewer, decided, holder_index
        )
    return None
