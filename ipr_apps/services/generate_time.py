"""The generator's clock: working-day arithmetic from one calendar read, and an application's
steps through the state machine, each at its own moment before today."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from ipr_apps.workdays import WorkCalendar
from ipr_apps.workflow import DECISION_WORKING_DAYS

DAY = timedelta(days=1)
RECENT_DAYS = 120  # applications younger than this may still be pending
FINAL_MIX = (("approved", 80), ("rejected", 11), ("withdrawn", 6), ("draft", 3))
PENDING_MIX = (("draft", 12), ("submitted", 50), ("under_review", 22), ("info_requested", 16))
INFO_SHARE = 0.18  # decided applications that went through an information request


class WorkDays:
    """The combined calendar (weekends, official days, admins' days) as arrays, so a deadline
    or a count of working days is two list look-ups instead of a walk over the days."""

    def __init__(self, first: date, last: date, calendar: WorkCalendar) -> None:
        self.first = first
        self.upto: list[int] = []  # working days in [first, first + i]
        self.days: list[date] = []
        for offset in range((last - first).days + 1):
            day = first + timedelta(offset)
            if calendar.works(day):
                self.days.append(day)
            self.upto.append(len(self.days))

    def between(self, start: date, end: date) -> int:
        """Working days in (start, end], as workdays.working_days_between."""
        return self.upto[(end - self.first).days] - self.upto[(start - self.first).days]

    def add(self, start: date, count: int) -> date:
        """The `count`-th working day after `start`, as workdays.add_working_days."""
        return self.days[self.upto[(start - self.first).days] + count - 1]


def pick(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights=weights)[0]


def moment_on(day: date, rng: random.Random) -> datetime:
    """A time in Beijing office hours (01:00-10:00 UTC) on `day`."""
    return datetime.combine(day, time(1)) + timedelta(seconds=rng.randrange(9 * 3600))


@dataclass
class Steps:
    """The application's history: (action, from, to, moment) in order, and the facts the
    clock and the review derive from it."""

    events: list[tuple[str, str | None, str, datetime]] = field(default_factory=list)
    status: str = "draft"

    def add(self, action: str, to: str, moment: datetime) -> None:
        self.events.append((action, self.status if self.events else None, to, moment))
        self.status = to

    def moment(self, action: str, last: bool = False) -> datetime | None:
        found = [m for a, _f, _t, m in self.events if a == action]
        return (found[-1] if last else found[0]) if found else None


def target_state(rng: random.Random, created: date, today: date) -> str:
    """Old applications are final (most approved); young ones mostly still pending."""
    age = (today - created).days
    if age <= RECENT_DAYS and rng.random() < 0.9 - 0.6 * age / RECENT_DAYS:
        return pick(rng, PENDING_MIX)
    return pick(rng, FINAL_MIX if age > RECENT_DAYS else FINAL_MIX[:3])


def steps(rng: random.Random, created: datetime, state: str, now: datetime) -> Steps:
    """The steps towards `state`; a step that would fall on or after `now` is not taken, so the
    application stays in the state before it (a young 'approved' one is still under review)."""
    plan = _plan(rng, state)
    done = Steps()
    moment = created
    for action, to, days in plan:
        moment = moment + timedelta(days=days) if action != "create" else created
        if moment >= now:
            break
        done.add(action, to, moment)
    return done


def _plan(rng: random.Random, state: str) -> list[tuple[str, str, float]]:
    u = rng.uniform
    plan = [("create", "draft", 0.0)]
    if state == "draft":
        return plan
    if state == "withdrawn" and rng.random() < 0.3:
        return [*plan, ("withdraw", "withdrawn", u(1, 60))]
    plan.append(("submit", "submitted", u(0.05, 7)))
    if state in ("submitted", "withdrawn"):
        return [*plan, ("withdraw", "withdrawn", u(1, 20))] if state == "withdrawn" else plan
    plan.append(("claim", "under_review", u(0.2, 12)))
    if state == "info_requested" or (
        state in ("approved", "rejected") and rng.random() < INFO_SHARE
    ):
        plan.append(("request_info", "info_requested", u(1, 8)))
        if state == "info_requested":
            return plan
        plan += [("submit", "submitted", u(1, 14)), ("claim", "under_review", u(0.2, 6))]
    if state == "under_review":
        return plan
    return [*plan, ("approve" if state == "approved" else "reject", state, u(1, 20))]


@dataclass
class Clock:
    """The decision clock as filing and review leave it (services/filing, services/review)."""

    started_on: date | None = None
    days_used: int = 0
    due_on: date | None = None
    working_days: int | None = None  # of the decision


def clock(work: WorkDays, done: Steps) -> Clock:
    result = Clock()
    for action, _from, _to, moment in done.events:
        day = moment.date()
        if action == "submit":
            result.started_on = day
            remaining = max(DECISION_WORKING_DAYS - result.days_used, 0)
            result.due_on = work.add(day, remaining)
        elif action == "request_info":
            used = result.days_used + max(work.between(result.started_on, day), 0)
            result.days_used = min(used, DECISION_WORKING_DAYS)
        elif action in ("approve", "reject"):
            ran = max(work.between(result.started_on, day), 0)
            result.working_days = result.days_used + ran
    return result
