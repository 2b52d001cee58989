# ruff: noqa: S311  (generated data, not secrets)
"""The generator's detention cases: ex officio batches on the run's recordations, at the
districts' ports, through the case state machine (awaiting → detained / released → closed)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from ipr_apps.services.generate_content import GOODS
from ipr_apps.services.generate_pool import Recorded
from ipr_apps.services.generate_rows import Context
from ipr_apps.services.generate_time import moment_on, pick
from ipr_apps.workflow import DECISION_WORKING_DAYS

CASES_PER_APPLICATION = 1 / 50  # 20,000 per million applications
# Seizures gather at a few ports (the south's express and e-commerce hubs): each district's
# share, 1 where not named. Shenzhen holds ~30%, so at 10,000 applications its officers'
# list has pages full as at a million (issue 16 compares the same page at both sizes).
PORT_WEIGHTS = {"5300": 30, "5200": 14, "3100": 12, "2200": 10, "3700": 6, "5301": 6,
                "2900": 4, "4200": 4, "5100": 4}  # fmt: skip
CHANNELS = (
    ("express", 5),
    ("post", 3),
    ("freight", 2),
    ("cross_border_ecommerce", 3),
    ("passenger", 1),
    ("other", 1),
)
OUTCOMES = (
    ("confiscated", 85),
    ("transferred_to_police", 5),
    ("court_order", 4),
    ("withdrawn_by_holder", 3),
    ("released", 3),
)
CASE_COLUMNS = (
    "id", "case_number", "opened_on", "port_code", "channel", "direction", "mode", "ipr_type",
    "status", "recordation_id", "recordation_number", "holder_org_id", "goods", "goods_category",
    "hs_code", "items", "value_cny", "consignor", "consignee", "country_of_origin", "confirm_by",
    "confirm_calendar", "confirmed_at", "bond_cny", "on_general_guarantee", "outcome", "outcome_on",
    "imported", "opened_by_id", "created_at", "updated_at", "version",
)  # fmt: skip
CASE_EVENT_COLUMNS = (
    "id", "case_id", "action", "from_status", "to_status", "actor_id", "note", "created_at",
)  # fmt: skip


def case_count(applications: int) -> int:
    return max(10, round(applications * CASES_PER_APPLICATION))


def add_cases(ctx: Context, holder_users: dict[int, int]) -> None:
    """Cases on the pool's sample of recordations, numbered per port and year in date order."""
    rng = random.Random(f"{ctx.seed}-{ctx.run}-cases")
    plans = sorted(
        (_opened(rng, recorded, ctx.today), n, recorded)
        for n, recorded in enumerate(ctx.pool.sample)
    )
    cases, events = [], []
    for opened_on, _n, recorded in plans:
        if opened_on is None:
            continue
        case_id = ctx.id("detention_cases")
        row, steps = _case(ctx, rng, case_id, opened_on, recorded, holder_users)
        cases.append(row)
        events += [(ctx.id("case_events"), case_id, *step) for step in steps]
    ctx.writer.write("detention_cases", CASE_COLUMNS, cases)
    ctx.writer.write("case_events", CASE_EVENT_COLUMNS, events)


def _opened(rng: random.Random, recorded: Recorded, today: date) -> date | None:
    last = min(recorded.valid_until, today - timedelta(days=1))
    if last < recorded.valid_from:
        return None
    return recorded.valid_from + timedelta(days=rng.randint(0, (last - recorded.valid_from).days))


def _case(ctx: Context, rng, case_id: int, opened_on: date, recorded: Recorded, holder_users):
    ports = sorted(ctx.people.officers)
    [port] = rng.choices(ports, weights=[PORT_WEIGHTS.get(p, 1) for p in ports])
    officer = ctx.people.officers[port]
    number = f"D{opened_on.year}-{port}-{ctx.counters.next(f'case:{port}:{opened_on.year}'):06d}"
    goods, hs_code = rng.choice(GOODS)
    items = int(rng.paretovariate(1.2) * 50)
    value = (Decimal(items) * Decimal(rng.randint(20, 400))).quantize(Decimal("0.01"))
    confirm_by = ctx.work.add(opened_on, 3)
    status, outcome, closed_on, steps = _fate(
        ctx, rng, opened_on, confirm_by, officer, holder_users[recorded.holder_org_id]
    )
    confirmed = next((m for a, _f, _t, _u, _n, m in steps if a == "confirm"), None)
    kind = "patent" if recorded.ipr_type.startswith("patent") else recorded.ipr_type
    opened_at = steps[0][-1]
    row = (
        case_id,
        number,
        opened_on,
        port,
        pick(rng, CHANNELS),
        "export" if rng.random() < 0.7 else "import",
        "ex_officio",
        kind,
        status,
        recorded.id,
        recorded.number,
        recorded.holder_org_id,
        f"{items} {goods.lower()}",
        goods,
        hs_code,
        items,
        value,
        "Unknown consignor",
        "Unknown consignee",
        "CN",
        confirm_by,
        ctx.due_calendar,
        confirmed,
        value if confirmed else None,
        False,
        outcome,
        closed_on,
        False,
        officer,
        opened_at,
        steps[-1][-1],
        1,
    )
    return row, steps


def _fate(ctx: Context, rng, opened_on: date, confirm_by: date, officer: int, holder: int):
    """(status, outcome, outcome_on, events) by the case's age: young ones await the holder,
    then most are confirmed and detained, old ones closed with an outcome."""
    steps = [("open", None, "awaiting_holder", officer, None, moment_on(opened_on, rng))]
    if confirm_by >= ctx.today:
        return "awaiting_holder", None, None, steps
    if rng.random() < 0.12:
        released = moment_on(confirm_by + timedelta(days=1), rng)
        if released.date() < ctx.today:
            steps.append(
                ("release", "awaiting_holder", "released", None, "not confirmed in time", released)
            )
            return "released", None, None, steps
        return "awaiting_holder", None, None, steps
    confirmed = moment_on(ctx.work.add(opened_on, rng.randint(1, 3)), rng)
    steps.append(("confirm", "awaiting_holder", "detained", holder, None, confirmed))
    closed_on = confirmed.date() + timedelta(days=rng.randint(5, 3 * DECISION_WORKING_DAYS))
    if closed_on >= ctx.today:
        return "detained", None, None, steps
    outcome = pick(rng, OUTCOMES)
    action, actor = ("withdraw", holder) if outcome == "withdrawn_by_holder" else ("close", officer)
    steps.append((action, "detained", "closed", actor, outcome, moment_on(closed_on, rng)))
    return "closed", outcome, closed_on, steps
