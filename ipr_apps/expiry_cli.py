"""`flask --app app ipr expire | remind | release-unconfirmed [--today YYYY-MM-DD]`: the
nightly jobs' steps, for operators and tests."""

from __future__ import annotations

from datetime import date

import click

from ipr_apps.cli import _require_schema, ipr
from ipr_apps.models import today as utc_today

KIND_WORDS = {
    "6_months": "6 months before the end",
    "3_months": "3 months before the end",
    "1_month": "1 month before the end",
    "expired": "expiry notice",
    "lapsed": "lapse notice",
}


def _day(_ctx, _param, value: str | None) -> date:
    if value is None:
        return utc_today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD).") from None


TODAY = click.option(
    "--today", callback=_day, metavar="YYYY-MM-DD",
    help="Run as if it were this day (default: today, UTC).",
)  # fmt: skip


@ipr.command("expire")
@TODAY
def expire_command(today: date) -> None:
    """Mark recordations past their end as expired, or lapsed when their right expired."""
    _require_schema()
    from ipr_apps.services import expiry

    changes = expiry.expire(today)
    for change in changes:
        click.echo(
            f"{change.number}: {change.old_status.value} → {change.new_status.value}, "
            f"ended on {change.ended_on}"
        )
    counts = expiry.summary(changes)
    if not changes:
        click.echo("Nothing to change.")
    else:
        click.echo(f"{counts['expired']:,} expired, {counts['lapsed']:,} lapsed.")


@ipr.command("remind")
@TODAY
def remind_command(today: date) -> None:
    """Send the reminders due (6, 3, 1 month(s) before the end; expiry and lapse notices)."""
    _require_schema()
    from ipr_apps.services import reminders

    sent = reminders.send_due(today)
    for item in sent:
        skipped = ", ".join(KIND_WORDS[k] for k in item.skipped)
        line = f"{item.number}: {KIND_WORDS[item.kind]} (valid until {item.valid_until}) sent"
        click.echo(f"{line}; skipped: {skipped}" if skipped else line)
    if not sent:
        click.echo("No reminders due.")
    else:
        noun = "reminder" if len(sent) == 1 else "reminders"
        click.echo(f"{len(sent):,} {noun} sent.")


@ipr.command("release-unconfirmed")
@TODAY
def release_unconfirmed_command(today: date) -> None:
    """Release the detained goods of the cases the holder did not confirm by their deadline."""
    _require_schema()
    from ipr_apps.services import case_release

    released = case_release.release_overdue(today)
    for item in released:
        click.echo(f"{item.case_number}: released, not confirmed by {item.confirm_by}")
    noun = "case" if len(released) == 1 else "cases"
    click.echo(f"{len(released):,} {noun} released.")
