"""`flask --app app ipr generate --applications N [--seed S]`: a large realistic database."""

from __future__ import annotations

import sys
from datetime import date

import click
from flask_babel import gettext as _

from ipr_apps.cli import _require_schema, ipr
from ipr_apps.services.generate_write import METHODS


@ipr.command("generate")
@click.option(
    "--applications",
    "count",
    type=click.IntRange(min=1),
    required=True,
    help="How many applications to add (with their people, history and cases).",
)
@click.option(
    "--seed",
    type=int,
    default=1,
    show_default=True,
    help="Same seed, same rows (on an equally filled database, on the same --today).",
)
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="The day the history ends before (default: today, UTC).",
)
@click.option(
    "--batch",
    "batch_size",
    type=click.IntRange(min=100),
    default=10_000,
    show_default=True,
    help="Applications per transaction.",
)
@click.option(
    "--method",
    type=click.Choice(METHODS),
    default="copy",
    show_default=True,
    help="PostgreSQL: COPY or executemany (SQLite always uses executemany).",
)
def generate_command(count: int, seed: int, today, batch_size: int, method: str) -> None:
    """Add N generated applications over the years since 2016, in every state, kind and right
    type: holders (N/20, domestic and foreign), agencies, reviewers, officers, rights, goods,
    licensees, status events, decisions, recordations (some expired, lapsed, cancelled),
    detention cases (N/200) and documents' metadata (no files). Run it on a migrated database
    that nobody else writes to meanwhile; it adds to what is there and can run again."""
    _require_schema()
    from ipr_apps.services import generate

    day: date | None = today.date() if today else None
    bar = click.progressbar(length=count, label=_("Applications"), file=sys.stderr, show_pos=True)
    with bar:
        summary = generate.generate(
            count, seed, today=day, method=method, batch_size=batch_size, progress=_step(bar)
        )
    phases = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in summary.phases.items())
    click.echo(f"Generation run {summary.run}: {summary.seconds:.1f} s ({phases})")
    for name, rows in sorted(summary.rows.items()):
        click.echo(f"  {name:<22}{rows:>12,}")
    _print_sign_ins(generate.sign_ins(summary.run))


def _print_sign_ins(accounts: dict[str, str]) -> None:
    from ipr_apps.services.demo import demo_password

    click.echo("Sign in with the demo password (IPR_DEMO_PASSWORD or instance/demo_password):")
    for role, email in sorted(accounts.items()):
        click.echo(f"  {role:<10}{email}")
    click.echo(f"  password  {demo_password()}")


def _step(bar):
    """Advance the bar; when stderr is no terminal (a log), click draws nothing until the end,
    so write one line per batch instead."""
    done = 0

    def step(rows: int) -> None:
        nonlocal done
        done += rows
        bar.update(rows)
        if not sys.stderr.isatty():
            click.echo(f"Applications {done:,}/{bar.length:,}", err=True)

    return step
