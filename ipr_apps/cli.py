"""`flask --app app ipr ...` commands: parse arguments, call services, print."""

from __future__ import annotations

import logging
import sys
from contextlib import ExitStack
from functools import partial

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from ipr_apps.errors import DatabaseBusy, DomainError, ValidationError
from ipr_apps.models import Role, SecurityAction
from ipr_apps.services import calendar, enforcement, exports, security_log, stats, tokens, users
from ipr_apps.services.periods import By
from ipr_apps.services.stats import GroupBy

ipr = AppGroup("ipr", help="ipr_apps administration commands.")


def init_app(app: Flask) -> None:
    from ipr_apps import (
        backup_cli,  # noqa: F401  (adds backup, restore and check to `ipr`)
        expiry_cli,  # noqa: F401  (adds expire and remind to `ipr`)
        generate_cli,  # noqa: F401  (adds generate to `ipr`)
    )

    app.cli.add_command(ipr)


def _require_schema() -> None:
    """A clear message instead of a traceback when migrations have not been applied."""
    from sqlalchemy import inspect

    from ipr_apps.db import db

    if not inspect(db.engine).has_table("users"):
        raise click.ClickException(
            "The database has no tables yet: run `flask --app app db upgrade` first."
        )


def _fail(error: DomainError) -> None:
    raise click.ClickException(error.message)


def _read_password() -> str:
    """One line from stdin when piped; otherwise prompt twice without echo."""
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line:
            raise click.ClickException("No password on standard input.")
        return line.rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@ipr.command("create-user")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--name", default=None, help="Display name (and a holder's organisation name).")
@click.option("--district", default=None, help="An officer's customs district (4-digit code).")
def create_user_command(email: str, role: str, name: str | None, district: str | None) -> None:
    """Create an account; the password comes from stdin or a prompt."""
    _require_schema()
    try:  # the district first, so that a mistake there is told before the password is asked
        users.check_district(Role(role), district)
    except DomainError as error:
        _fail(error)
    password = _read_password()
    try:
        user = users.create_user(email, password, Role(role), name, district_code=district)
    except DomainError as error:
        _fail(error)
    click.echo(f"Created {user.role.value} {user.email} (id {user.id}).")


@ipr.command("create-token")
@click.argument("email")
@click.option("--label", default=None, help="What the token is for.")
def create_token_command(email: str, label: str | None) -> None:
    """Create an API token; the token is the last line of output (shown only once)."""
    _require_schema()
    user = users.get_by_email(email)
    if user is None:
        raise click.ClickException(f"No account with the email {email.strip().lower()}.")
    try:
        token, raw = tokens.create_token(user, label, by_operator=True)
    except DomainError as error:
        _fail(error)
    click.echo(f"Token “{token.label}” for {user.email} (store it now; it is not shown again):")
    click.echo(raw)


@ipr.command("seed-demo")
def seed_demo_command() -> None:
    """Create demo accounts, history and applications (idempotent); print how to sign in."""
    _require_schema()
    from ipr_apps.services import demo

    try:
        accounts = demo.seed()
    except DomainError as error:
        _fail(error)
    for account in accounts:
        click.echo(f"  {account.role:<9} {account.email:<28} {account.password_note}")
    imported = demo.seed_history()
    click.echo(
        f"  {imported:,} historical decisions imported." if imported
        else "  Historical decisions exist."
    )  # fmt: skip
    created = demo.seed_applications()
    click.echo(
        f"  {created} demo applications created." if created else "  Demo applications exist."
    )
    cases = demo.seed_cases()
    click.echo(
        f"  {cases:,} historical detention cases imported." if cases
        else "  Historical detention cases exist."
    )  # fmt: skip
    lives = demo.seed_recordations()
    click.echo(
        f"  {lives} demo recordations through their life." if lives
        else "  Demo recordations exist."
    )  # fmt: skip
    border = demo.seed_border()
    click.echo(
        f"  {border} demo detention cases at the border." if border
        else "  Demo detention cases exist."
    )  # fmt: skip


@ipr.command("import-holidays")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
def import_holidays_command(file) -> None:
    """Add or update calendar days from a CSV file with the header `date,name` or
    `date,name,working` (working: 1 for a working day, empty or 0 for a closure); all or nothing."""
    _require_schema()
    try:
        result = calendar.import_holidays(None, file)
    except DomainError as error:
        rows = error.fields.get("rows", []) if isinstance(error, ValidationError) else []
        raise click.ClickException("\n".join([error.message, *rows])) from None
    click.echo(f"Imported {result.total} holidays ({result.added} new, {result.updated} updated).")


def _export_options(group_choices):
    """The options `export-stats` and `export-enforcement-stats` share."""
    options = [
        click.option("--by", "by", required=True, type=click.Choice([b.value for b in By])),
        click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"])),
        click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"])),
        click.option("--group-by", type=click.Choice([g.value for g in group_choices])),
        click.option("--format", "fmt", type=click.Choice(exports.FORMATS), default="csv"),
        click.option("--output", type=click.Path(dir_okay=False, writable=True), default=None),
        click.option(
            "--labels",
            type=click.Choice(sorted(exports.LABEL_LANGUAGES)),
            default=None,
            help="XLSX only: a second header row naming the columns in this language "
            "(the first row keeps the column names).",
        ),
    ]

    def decorate(command):
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def _export(rows_of, layout, figures, by, start, end, group_by, fmt, output, labels=None) -> None:
    """Compute the rows with `rows_of`, log the export and write them (stdout or --output)."""
    _require_schema()
    if fmt == "xlsx" and not output:
        raise click.UsageError("XLSX is a binary format: give --output FILE.xlsx.")
    if labels and fmt != "xlsx":
        raise click.UsageError("--labels adds a row to an XLSX file only: add --format xlsx.")
    try:
        rows = rows_of(by, start.date(), end.date(), group_by)
    except DomainError as error:
        _fail(error)
    detail = exports.log_detail(fmt, by, start.date(), end.date(), group_by, figures)
    security_log.record_now(SecurityAction.EXPORT_DOWNLOADED, detail=detail)
    if fmt == "xlsx":
        exports.write_xlsx(rows, output, layout, labels)
        click.echo(f"Wrote {len(rows)} rows to {output}.", err=True)
        return
    text = (
        exports.json_text(rows, layout) if fmt == "json"
        else "".join(exports.csv_lines(rows, layout=layout))
    )  # fmt: skip
    if output:
        with open(output, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        click.echo(f"Wrote {len(rows)} rows to {output}.", err=True)
    else:
        click.echo(text, nl=False)


@ipr.command("export-stats")
@_export_options(GroupBy)
def export_stats_command(by, start, end, group_by, fmt, output, labels) -> None:
    """Export the statistics per period: applications, then recordations (CSV, XLSX or JSON)."""
    _export(stats.rows, exports.APPROVALS, None, by, start, end, group_by, fmt, output, labels)


@ipr.command("export-enforcement-stats")
@_export_options(enforcement.CaseGroupBy)
def export_enforcement_stats_command(by, start, end, group_by, fmt, output, labels) -> None:
    """Export the enforcement statistics per period: detention cases (batches), items, value."""
    _export(
        enforcement.rows, exports.ENFORCEMENT, "enforcement", by, start, end, group_by, fmt,
        output, labels,
    )  # fmt: skip


class _ProgressBars:
    """One click progress bar per pass of an import, measured in lines of the file."""

    LABELS = {"check": "Checking ", "import": "Importing"}

    def __init__(self, path: str) -> None:
        with open(path, "rb") as file:
            self.total = sum(chunk.count(b"\n") for chunk in iter(partial(file.read, 1 << 20), b""))
        self.stack = ExitStack()
        self.phase: str | None = None
        self.position = 0

    def __call__(self, phase: str, line: int) -> None:
        if phase != self.phase:
            self.close()
            self.phase, self.position = phase, 0
            bar = click.progressbar(length=self.total, label=self.LABELS.get(phase, phase))
            self.bar = self.stack.enter_context(bar)
        self.bar.update(max(line - self.position, 0))
        self.position = max(line, self.position)

    def close(self) -> None:
        self.stack.close()


@ipr.command("import-recordations")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_recordations_command(file: str) -> None:
    """Import historical decisions from a UTF-8 CSV file (all or nothing; present rows skipped)."""
    from ipr_apps.services import imports

    result = _run_import(imports.import_recordations, file)
    noun = "recordation" if result.imported == 1 else "recordations"
    click.echo(f"Imported {result.imported:,} {noun}; skipped {result.skipped:,} already present.")


def _run_import(service, file: str):
    """Run an import service on `file` with progress bars on a terminal; its errors (every
    bad line) on stderr and a non-zero exit."""
    _require_schema()
    progress = None
    try:
        progress = _ProgressBars(file) if sys.stdout.isatty() else None
        opener = partial(open, file, encoding="utf-8-sig", newline="")
        return service(opener, progress)
    except DomainError as error:
        rows = error.fields.get("rows", []) if isinstance(error, ValidationError) else []
        raise click.ClickException("\n".join([error.message, *rows])) from None
    except DatabaseBusy as error:
        raise click.ClickException(error.message) from None
    except OSError as error:
        raise click.ClickException(f"Cannot read {file}: {error.strerror}") from None
    finally:
        if progress:
            progress.close()


@ipr.command("worker")
@click.option("--threads", default=2, show_default=True, help="Tasks run at the same time.")
@click.option(
    "--max-delay", default=1.0, show_default=True, help="Longest pause (s) between polls."
)
def worker_command(threads: int, max_delay: float) -> None:
    """Run the job queue's worker: e-mail delivery, nightly and long jobs, until stopped."""
    _require_schema()
    from ipr_apps.tasks import huey

    if huey.immediate:
        raise click.ClickException("JOBS_IMMEDIATE is set: tasks run in the caller, no worker.")
    storage = (
        "Redis" if current_app.config.get("REDIS_URL") else current_app.config["JOBS_DATABASE"]
    )
    click.echo(f"Worker started ({threads} threads, queue: {storage}); Ctrl-C stops it.")
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    consumer = huey.create_consumer(
        workers=threads, worker_type="thread", periodic=True, max_delay=max_delay
    )
    consumer.run()


@ipr.command("import-cases")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_cases_command(file: str) -> None:
    """Import historical detention cases from a UTF-8 CSV file (all or nothing; cases whose
    number is stored already are skipped)."""
    from ipr_apps.services import case_imports

    result = _run_import(case_imports.import_cases, file)
    noun = "case" if result.imported == 1 else "cases"
    click.echo(f"Imported {result.imported:,} {noun}; skipped {result.skipped:,} already present.")


@ipr.command("add-district")
@click.argument("code")
@click.argument("name_local")
@click.option("--name-en", default=None, help="The district's English name.")
def add_district_command(code: str, name_local: str, name_en: str | None) -> None:
    """Add a customs district (4-digit GACC code, Chinese name). Running it again with the same
    names changes nothing and succeeds; a code that exists with other names is an error."""
    _require_schema()
    from ipr_apps.services import districts

    try:
        district = districts.add_or_keep(None, code, name_local, name_en)
    except DomainError as error:
        _fail(error)
    if district is None:
        click.echo(f"Customs district {code.strip()} exists already; nothing changed.")
        return
    click.echo(f"Added customs district {district.code} {district.name_local}"
               + (f" ({district.name_en})." if district.name_en else "."))  # fmt: skip
