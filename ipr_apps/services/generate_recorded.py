"""A generated approval's effect on recordations: a new one numbered from the app's counters
(some cancelled or revoked since), or a renewal's or amendment's change to the one it targets."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from ipr_apps.models import Recordation
from ipr_apps.models.recordations import SEARCH_KEYS, search_key
from ipr_apps.services.generate_people import Holder
from ipr_apps.services.generate_pool import Recorded
from ipr_apps.services.generate_time import moment_on
from ipr_apps.services.recordations import counter_scope, renewed_until, validity

if TYPE_CHECKING:
    pass

ENDINGS = (("cancelled", 0.015), ("revoked", 0.003))  # recordations ended early, by share
RECORDATION_COLUMNS = (
    "id",
    "number",
    "application_id",
    "facts_application_id",
    "prefix",
    "year",
    "sequence",
    "valid_from",
    "valid_until",
    "status",
    "ended_on",
    "imported",
    "created_at",
    "updated_at",
    "ipr_type",
    "holder_org_id",
    "agency_id",
    "holder_name",
    "holder_name_other",
    "holder_country",
    "right_number",
    "right_title",
    "right_expiry",
    *SEARCH_KEYS,
)
RECORDATION_EVENT_COLUMNS = (
    "id",
    "recordation_id",
    "action",
    "from_status",
    "to_status",
    "application_id",
    "valid_until",
    "actor_id",
    "note",
    "created_at",
)
KEY_LENGTHS = {key: Recordation.__table__.c[key].type.length for key in SEARCH_KEYS}


def record(
    ctx, batch, rng, app_id, holder: Holder, right, reviewer, decided: datetime, holder_index
):
    prefix = {"trademark": "T", "copyright": "C"}.get(right.ipr_type, "P")
    on = decided.date()
    sequence = ctx.counters.next(counter_scope(prefix, on.year))
    number = f"{prefix}{on.year}-{sequence:06d}"
    valid_from, valid_until = validity(on, right.expiry)
    rec_id = ctx.id("recordations")
    ending, ended_on = ending_of(rng, valid_from, valid_until, ctx.today)
    names = [n for n in (holder.name_local, holder.name_en) if n]
    other = names[1] if len(names) > 1 else None
    keys = [
        search_key(text, KEY_LENGTHS[key])
        for key, text in zip(
            SEARCH_KEYS, (number, right.number, right.title, names[0], other), strict=True
        )
    ]
    batch.rows["recordations"].append(
        (
            rec_id,
            number,
            app_id,
            app_id,
            prefix,
            on.year,
            sequence,
            valid_from,
            valid_until,
            ending or "active",
            ended_on,
            False,
            decided,
            decided,
            right.ipr_type,
            holder.org_id,
            holder.agency_id,
            names[0],
            other,
            holder.country,
            right.number,
            right.title,
            right.expiry,
            *keys,
        )
    )
    batch.linked.append((rec_id, app_id))
    recordation_event(
        ctx, batch, rec_id, "create", None, "active", app_id, valid_until, reviewer, None, decided
    )
    recorded = Recorded(
        rec_id,
        number,
        holder_index,
        right.ipr_type,
        right.number,
        right.title,
        valid_from,
        valid_until,
        right.expiry,
        holder.org_id,
    )
    if ending:
        actor = holder.filer_id if ending == "cancelled" else ctx.people.admins[0]
        when = moment_on(ended_on, rng)
        action = "cancel" if ending == "cancelled" else "revoke"
        recordation_event(
            ctx, batch, rec_id, action, "active", ending, None, valid_until, actor, None, when
        )
        return
    ctx.pool.add(recorded)
    ctx.pool.observe(recorded)


def ending_of(
    rng, valid_from: date, valid_until: date, today: date
) -> tuple[str | None, date | None]:
    """Some recordations are cancelled by the holder or revoked by customs while in force."""
    last = min(valid_until, today - timedelta(days=1))
    draw = rng.random()
    for ending, share in ENDINGS:
        if draw < share and last > valid_from:
            return ending, valid_from + timedelta(days=rng.randint(1, (last - valid_from).days))
        draw -= share
    return None, None


def change(ctx, batch, app_id, target: Recorded, kind, right, reviewer, decided: datetime):
    """An approved renewal (10 more years, capped by the right) or amendment (new facts)."""
    old = target.valid_until
    if kind == "renewal":
        target.valid_until = max(renewed_until(old, right.expiry), old)
        target.right_expiry = right.expiry
        note = f"valid until {target.valid_until} (was {old})"
        ctx.pool.add(target)
    else:
        note = f"facts of application {app_id} replace the earlier ones"
    batch.facts.append((target.valid_until, app_id, target.right_expiry, decided, target.id))
    action = "renew" if kind == "renewal" else "amend"
    recordation_event(
        ctx,
        batch,
        target.id,
        action,
        "active",
        "active",
        app_id,
        target.valid_until,
        reviewer,
        note,
        decided,
    )


def recordation_event(ctx, batch, rec_id, action, before, after, app_id, until, actor, note, when):
    batch.rows["recordation_events"].append(
        (
            ctx.id("recordation_events"),
            rec_id,
            action,
            before,
            after,
            app_id,
            until,
            actor,
            note,
            when,
        )
    )
