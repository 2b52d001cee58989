"""`ipr check`: every file a row refers to is there and intact; every counter is ahead."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import column, func, select, table

from ipr_apps.db import db
from ipr_apps.models import Application, Counter, Recordation
from ipr_apps.services.backup import FILE_TABLES, FileRef, digest, mismatch, upload_folder
from ipr_apps.services.recordations import counter_scope
from ipr_apps.services.snapshots import BackupError

REFERENCE = re.compile(r"^IPR-(\d{4})-(\d+)$")  # services/filing.py's own references


@dataclass
class Report:
    files: int = 0
    counters: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check() -> Report:
    report = Report()
    for ref in file_refs():
        report.files += 1
        problem = _file_problem(ref)
        if problem:
            report.problems.append(problem)
    values = dict(db.session.execute(select(Counter.scope, Counter.value)).tuples().all())
    for scope, highest in highest_numbers().items():
        report.counters += 1
        value = values.get(scope)
        if value is None or value < highest:
            report.problems.append(
                f"Counter {scope} is at {value if value is not None else 'nothing'} but number "
                f"{highest} is already in use: the next number would repeat or go backwards."
            )
    return report


def file_refs() -> Iterator[FileRef]:
    """The files the database's rows refer to (FILE_TABLES)."""
    for table_name, name, size, sha256 in FILE_TABLES:
        rows = table(table_name, column("id"), column(name), column(size), column(sha256))
        stmt = select(rows.c.id, rows.c[name], rows.c[size], rows.c[sha256]).order_by(rows.c.id)
        for row_id, stored, size_bytes, sha in db.session.execute(stmt):
            yield FileRef(table_name, str(row_id), stored or "", size_bytes, sha)


def _file_problem(ref: FileRef) -> str | None:
    try:
        path = upload_folder() / ref.relative
    except BackupError as error:
        return error.message
    if not path.is_file():
        return f"{ref.describe()} is missing from the upload folder."
    return mismatch(ref, *digest(path))


def highest_numbers() -> dict[str, int]:
    """Each counter scope in use and the highest number taken from it."""
    highest: dict[str, int] = {}
    stmt = (
        select(Recordation.prefix, Recordation.year, func.max(Recordation.sequence))
        .where(Recordation.year.is_not(None), Recordation.sequence.is_not(None))
        .group_by(Recordation.prefix, Recordation.year)
    )
    for prefix, year, sequence in db.session.execute(stmt):
        highest[counter_scope(prefix, year)] = sequence
    references = select(Application.reference).where(Application.reference.like("IPR-%"))
    for reference in db.session.execute(references.execution_options(yield_per=1000)).scalars():
        match = REFERENCE.match(reference)
        if match:
            scope = f"reference-{match.group(1)}"
            highest[scope] = max(highest.get(scope, 0), int(match.group(2)))
    return highest
