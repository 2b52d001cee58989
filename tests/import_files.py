"""Helpers for the import tests: rows of the contract's CSV, files, and table counts."""

from __future__ import annotations

import csv
import io

from sqlalchemy import func, select

from ipr_apps.db import db
from ipr_apps.models import (
    Application,
    Counter,
    Decision,
    IpRight,
    Organisation,
    Recordation,
    StatusEvent,
)
from ipr_apps.services import recordations
from ipr_apps.services.import_rows import HEADER

TABLES = (Application, Organisation, IpRight, Decision, Recordation, StatusEvent)


def row(reference: str = "OLD-1", **values: str) -> dict[str, str]:
    base = {
        "reference": reference, "ipr_type": "trademark", "right_number": "TM-100",
        "right_title": "BRIGHTLIGHT", "holder_name": "Acme 株式会社", "holder_country": "JP",
        "submitted_on": "2019-03-01", "decided_on": "2019-03-29", "decision": "approved",
        "recordation_number": "T2019-000005", "valid_until": "2029-03-28",
    }  # fmt: skip
    return base | values


def rejected(reference: str, **values: str) -> dict[str, str]:
    return row(reference, decision="rejected", recordation_number="", valid_until="", **values)


def write_csv(path, rows, header=HEADER, bom=False, newline="\n", columns=HEADER):
    """A CSV file: `header`, then each row (a dict is written in the order of `columns`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(header)
    for values in rows:
        writer.writerow([values[c] for c in columns] if isinstance(values, dict) else values)
    path.write_text(("\ufeff" if bom else "") + buffer.getvalue(), encoding="utf-8", newline="")
    return path


def run(runner, path):
    return runner.invoke(args=["ipr", "import-recordations", str(path)])


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def counts() -> list[int]:
    return [count(model) for model in TABLES]


def one(model, *where):
    return db.session.execute(select(model).where(*where)).scalar_one()


def application(reference: str) -> Application:
    return one(Application, Application.reference == reference)


def counter(prefix: str, year: int) -> int | None:
    found = db.session.get(Counter, recordations.counter_scope(prefix, year))
    return found.value if found else None


def openers(*texts: str):
    """An opener returning each text in turn (the file as each pass reads it)."""
    streams = iter(texts)
    return lambda: io.StringIO(next(streams))


def csv_text(*rows: dict[str, str]) -> str:
    lines = [",".join(HEADER), *(",".join(r[c] for c in HEADER) for r in rows)]
    return "\n".join(lines) + "\n"
