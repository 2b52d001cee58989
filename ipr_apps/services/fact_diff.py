"""What an application changes in the recorded facts: its content compared with the
recordation's current facts (`recordation.facts_application`), group by group.

Rows of the repeating groups are matched first when identical, then by name (a row whose
name stays and whose other fields change is "changed", field by field); what is left over
was added or removed."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.models import Application, Status
from ipr_apps.services.content import (
    CHILDREN,
    HOLDER_FIELDS,
    RIGHT_FIELDS,
    children_dicts,
    holder_dict,
    right_dict,
)

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
GROUPS = ("licensees", "traders", "goods", "ports", "infringers")  # the form's order


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass
class RowChange:
    change: str  # added / removed / changed
    old: dict | None
    new: dict | None
    fields: list[FieldChange] = field(default_factory=list)

    @property
    def row(self) -> dict:
        """The row as it is now (as it was, for a removed one)."""
        return self.new if self.new is not None else self.old


@dataclass
class FactDiff:
    against: Application | None = None  # the application whose content was the facts
    holder: list[FieldChange] = field(default_factory=list)
    right: list[FieldChange] = field(default_factory=list)
    groups: dict[str, list[RowChange]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.holder or self.right or any(self.groups.values()))

    @property
    def changed_groups(self) -> list[tuple[str, list[RowChange]]]:
        return [(name, self.groups[name]) for name in GROUPS if self.groups.get(name)]


def normalise(name: str, value: Any) -> Any:
    """The form a value is compared in: blank is None, text trimmed, prices exact,
    Nice classes as a set of numbers whatever the separators."""
    if isinstance(value, str):
        value = value.strip() or None
    if name == "nice_classes" and value:
        parts = str(value).replace(";", ",").split(",")
        return tuple(sorted({p.strip().lstrip("0") for p in parts if p.strip()}))
    if isinstance(value, Decimal):
        return value.normalize()
    if hasattr(value, "value") and not isinstance(value, bool):  # enums by value
        return value.value
    return value


def compare(application: Application) -> FactDiff:
    """What `application` (a renewal or amendment) changes in its recordation's facts:
    those recorded now while it is pending, those it was decided against once decided."""
    return between(baseline(application), application)


def baseline(application: Application) -> Application:
    """The recorded facts `application` is compared with."""
    recordation = application.recordation
    if application.decided_at is None:
        return recordation.facts_application
    stmt = (
        select(Application)
        .where(
            Application.recordation_id == recordation.id,
            Application.status == Status.APPROVED,
            Application.decided_at < application.decided_at,
            Application.id != application.id,
        )
        .order_by(Application.decided_at.desc(), Application.id.desc())
        .limit(1)
    )
    earlier = db.session.execute(stmt).scalar_one_or_none()
    return earlier or recordation.application


def between(old: Application, new: Application) -> FactDiff:
    fields = RIGHT_FIELDS[new.ipr_type]
    return FactDiff(
        against=old,
        holder=_fields(HOLDER_FIELDS, holder_dict(old), holder_dict(new)),
        right=_fields(fields, right_dict(old), right_dict(new)),
        groups={name: rows(name, children_dicts(old, name), children_dicts(new, name))
                for name in CHILDREN},
    )  # fmt: skip


def _fields(names, old: dict, new: dict) -> list[FieldChange]:
    return [
        FieldChange(name, old.get(name), new.get(name))
        for name in names
        if normalise(name, old.get(name)) != normalise(name, new.get(name))
    ]


def _same(a: dict, b: dict) -> bool:
    return all(normalise(k, a.get(k)) == normalise(k, b.get(k)) for k in a.keys() | b.keys())


def _key(row: dict) -> str | None:
    name = normalise("name", row.get("name"))
    return name.casefold() if isinstance(name, str) else None


def rows(group: str, old: list[dict], new: list[dict]) -> list[RowChange]:
    """Added, removed and changed rows of one repeating group, in the new rows' order."""
    old_left = list(old)
    new_left = []
    for row in new:  # identical rows are unchanged, whatever their position
        match = next((o for o in old_left if _same(o, row)), None)
        if match is None:
            new_left.append(row)
        else:
            old_left.remove(match)
    found = []
    for row in new_left:
        key = _key(row)
        match = next((o for o in old_left if key is not None and _key(o) == key), None)
        if match is None:
            found.append(RowChange(ADDED, None, row))
            continue
        old_left.remove(match)
        changes = _fields(list(row), match, row)
        found.append(RowChange(CHANGED, match, row, changes))
    found += [RowChange(REMOVED, row, None) for row in old_left]
    return found
