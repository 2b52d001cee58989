"""`flask --app app ipr backup DIR | restore DIR | check`: backups and the consistency check."""

from __future__ import annotations

from pathlib import Path

import click

from ipr_apps.cli import _require_schema, ipr
from ipr_apps.services.backup import upload_folder
from ipr_apps.services.snapshots import BackupError


def _human(size: int) -> str:
    from ipr_apps.services.documents import human_size

    return human_size(size)


@ipr.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def backup_command(directory: Path) -> None:
    """Back up the database and the uploads its rows refer to into DIRECTORY (new or empty)."""
    _require_schema()
    from ipr_apps.services import backup

    try:
        manifest = backup.take(directory)
    except BackupError as error:
        raise click.ClickException(error.message) from None
    database, files = manifest["database"], manifest["files"]
    total = sum(entry["size"] for entry in files)
    click.echo(
        f"Backed up the {database['kind']} database (revision {database['alembic_revision']}, "
        f"{_human(database['size'])}) and {len(files)} files ({_human(total)}) into {directory}."
    )


@ipr.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore_command(directory: Path) -> None:
    """Restore a backup into an empty database and the upload folder, then check the result."""
    from ipr_apps.services import restore

    try:
        restored = restore.restore(directory)
    except BackupError as error:
        raise click.ClickException(error.message) from None
    taken = restored.manifest["snapshot_started_at"]
    click.echo(
        f"Restored the backup of {taken} into the database and {restored.files} files into "
        f"{upload_folder()} ({restored.already_present} were already there)."
    )
    _report()


@ipr.command("check")
def check_command() -> None:
    """Check that every document's file is there and intact and every counter is ahead."""
    _require_schema()
    _report()


def _report() -> None:
    from ipr_apps.services import consistency

    report = consistency.check()
    for problem in report.problems:
        click.echo(f"PROBLEM: {problem}")
    summary = f"Checked {report.files} files and {report.counters} counters"
    if report.ok:
        click.echo(f"{summary}: everything is in order.")
        return
    count = len(report.problems)
    click.echo(f"{summary}: {count} {'problem' if count == 1 else 'problems'}.", err=True)
    raise click.exceptions.Exit(1)
