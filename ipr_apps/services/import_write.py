"""Pass 2 of a recordation import: batched Core inserts inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from ipr_apps.models import (
    Application,
    Counter,
    Decision,
    IpRight,
    Organisation,
    OrgKind,
    Outcome,
    Recordation,
    Status,
    StatusEvent,
    utcnow,
)
from ipr_apps.services.import_check import among, chunks, existing_references
from ipr_apps.services.import_rows import ImportRow, own_number
from ipr_apps.services.recordations import counter_scope
from ipr_apps.workdays import holidays_between, working_days_between

IMPORT_NOTE = "Imported from the previous system"
HolderKey = tuple[str, str]  # (name_local, country)


def _table(model: Any) -> Table:
    return model.__table__


APPLICATIONS, RIGHTS, DECISIONS = _table(Application), _table(IpRight), _table(Decision)
RECORDATIONS, EVENTS, ORGANISATIONS = _table(Recordation), _table(StatusEvent), _table(Organisation)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time())


class WorkingDays:
    """`working_days_between` for any two days in [first, last], in constant time per call.

    The holiday calendar is read once; each day's running count of working days is summed
    from one-day steps of `working_days_between`, so both agree by construction.
    """

    def __init__(self, first: date, last: date) -> None:
        holidays = holidays_between(first, last)
        self.first = first
        self.running = [0]
        for offset in range((last - first).days):
            day = first + timedelta(days=offset)
            step = working_days_between(day, day + timedelta(days=1), holidays)
            self.running.append(self.running[-1] + step)

    def between(self, start: date, end: date) -> int:
        return self.running[(end - self.first).days] - self.running[(start - self.first).days]


class Writer:
    """Writes batches of valid rows; remembers holders and the highest own-format numbers."""

    def __init__(self, session: Session, first_day: date, last_day: date) -> None:
        self.session = session
        self.connection = session.connection()
        self.now = utcnow()
        self.working_days = WorkingDays(first_day, last_day)
        self.holders: dict[HolderKey, int] = {}
        self.highest: dict[tuple[str, int], int] = {}  # (prefix, year) → highest sequence
        self.imported = self.skipped = 0

    def write(self, rows: Sequence[ImportRow]) -> None:
        present = existing_references([row.reference for row in rows])
        new = [row for row in rows if row.reference not in present]
        self.skipped += len(rows) - len(new)
        if not new:
            return
        self._find_or_create_holders({(r.holder_name, r.holder_country) for r in new})
        ids = self._insert_applications(new)
        self._insert_children(new, ids)
        self.imported += len(new)

    def finish(self) -> None:
        """Move each recordation counter past the highest imported number in our own format."""
        for (prefix, year), sequence in self.highest.items():
            scope = counter_scope(prefix, year)
            stmt = update(Counter).where(Counter.scope == scope, Counter.value < sequence)
            if self.session.execute(stmt.values(value=sequence)).rowcount:
                continue
            if self.session.get(Counter, scope) is None:
                self.session.execute(insert(Counter).values(scope=scope, value=sequence))

    def _find_or_create_holders(self, keys: set[HolderKey]) -> None:
        missing = sorted(keys - self.holders.keys())
        for chunk in chunks(missing):
            wanted = set(chunk)
            stmt = (
                select(ORGANISATIONS.c.id, ORGANISATIONS.c.name_local, ORGANISATIONS.c.country)
                .where(ORGANISATIONS.c.kind == OrgKind.HOLDER)
                .where(among(ORGANISATIONS.c.name_local, sorted({name for name, _ in chunk})))
                .order_by(ORGANISATIONS.c.id.desc())  # the oldest wins below
            )
            for org_id, name, country in self.connection.execute(stmt):
                if (name, country) in wanted:
                    self.holders[(name, country)] = org_id
        self._create_holders([key for key in missing if key not in self.holders])

    def _create_holders(self, keys: list[HolderKey]) -> None:
        if not keys:
            return
        values = [
            {"kind": OrgKind.HOLDER, "name_local": name, "country": country,
             "created_at": self.now, "updated_at": self.now}
            for name, country in keys
        ]  # fmt: skip
        stmt = insert(ORGANISATIONS).returning(
            ORGANISATIONS.c.id, ORGANISATIONS.c.name_local, ORGANISATIONS.c.country,

        )  # fmt: skip
        for org_id, name, country in self.connection.execute(stmt, values):
            self.holders[(name, country)] = org_id

    def _insert_applications(self, rows: Sequence[ImportRow]) -> list[int]:
        stmt = insert(APPLICATIONS).returning(APPLICATIONS.c.id, APPLICATIONS.c.reference)
        result = self.connection.execute(stmt, [self._application(row) for row in rows])
        ids = {reference: app_id for app_id, reference in result}
        return [ids[row.reference] for row in rows]

    def _application(self, row: ImportRow) -> dict[str, Any]:
        submitted, decided = _midnight(row.submitted_on), _midnight(row.decided_on)
        status = Status.APPROVED if row.outcome == Outcome.APPROVED else Status.REJECTED
        return {
            "reference": row.reference, "ipr_type": row.ipr_type, "status": status,
            "version": 1, "imported": True, "duplicate_flag": False, "clock_days_used": 0,
            "holder_org_id": self.holders[(row.holder_name, row.holder_country)],
            "filed_by_id": None, "holder_name_local": row.holder_name,
            "holder_country": row.holder_country, "first_submitted_at": submitted,
            "submitted_at": submitted, "decided_at": decided,
            "created_at": self.now, "updated_at": self.now,
        }  # fmt: skip

    def _insert_children(self, rows: Sequence[ImportRow], ids: list[int]) -> None:
        rights, decisions, recordations, events = [], [], [], []
        for row, app_id in zip(rows, ids, strict=True):
            rights.append(
                {"application_id": app_id, "registration_number": row.right_number,
                 "title": row.right_title}
            )  # fmt: skip
            decisions.append(self._decision(row, app_id))
            events.append(
                {"application_id": app_id, "action": "import", "from_status": None,
                 "to_status": row.outcome.value, "actor_id": None, "note": IMPORT_NOTE,
                 "created_at": self.now}
            )  # fmt: skip
            if row.outcome == Outcome.APPROVED:
                recordations.append(self._recordation(row, app_id))
        for table, values in (
            (RIGHTS, rights), (DECISIONS, decisions), (RECORDATIONS, recordations), (EVENTS, events)
        ):  # fmt: skip
            if values:
                self.connection.execute(insert(table), values)

    def _decision(self, row: ImportRow, app_id: int) -> dict[str, Any]:
        return {
            "application_id": app_id, "outcome": row.outcome, "reason_codes": None,
            "message": None, "decided_by_id": None, "decided_on": row.decided_on,
            "decided_at": _midnight(row.decided_on), "imported": True,
            "working_days": self.working_days.between(row.submitted_on, row.decided_on),
        }  # fmt: skip

    def _recordation(self, row: ImportRow, app_id: int) -> dict[str, Any]:
        prefix = row.ipr_type.prefix
        own = own_number(row.recordation_number)
        if own is not None:
            # Whatever letter it carries, our own numbering must never produce it again.
            key = own[:2]
            self.highest[key] = max(self.highest.get(key, 0), own[2])
        year, sequence = (own[1], own[2]) if own and own[0] == prefix else (None, None)
        return {
            "number": row.recordation_number, "application_id": app_id, "prefix": prefix,
            "year": year, "sequence": sequence, "valid_from": row.decided_on,
            "valid_until": row.valid_until, "imported": True, "created_at": self.now,
        }  # fmt: skip
