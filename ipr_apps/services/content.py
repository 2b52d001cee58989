"""The content of an application as plain data: which fields each group has, and copying
a payload (from the web form, the API or the CLI) onto the rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ipr_apps.models import (
    Application,
    Goods,
    Infringer,
    IpRight,
    IprType,
    Licensee,
    Organisation,
    Port,
    PortDirection,
    Trader,
    TraderRole,
)
from ipr_apps.models.rights import PATENT_TYPES

HOLDER_FIELDS = Organisation.PROFILE_FIELDS  # stored on the application as holder_<field>

COMMON_RIGHT_FIELDS = ("registration_number", "title", "expiry_date")
RIGHT_FIELDS: dict[IprType, tuple[str, ...]] = {
    IprType.TRADEMARK: (
        *COMMON_RIGHT_FIELDS,
        "nice_classes",
        "goods_services",
        "registration_date",
    ),
    IprType.COPYRIGHT: (
        "registration_number",
        "title",
        "work_type",
        "first_publication_country",
        "registration_date",
    ),
    **dict.fromkeys(PATENT_TYPES, (*COMMON_RIGHT_FIELDS, "abstract", "filing_date")),
}
DATE_FIELDS = {"expiry_date", "registration_date", "filing_date", "term_from", "term_until"}

CHILDREN: dict[str, tuple[type, tuple[str, ...]]] = {
    "goods": (Goods, ("name", "hs_code", "place_of_manufacture", "main_features",
                      "price_min", "price_max", "currency")),
    "licensees": (Licensee, ("name", "name_en", "country", "scope", "exclusive", "term_from",
                             "term_until")),
    "traders": (Trader, ("role", "name", "name_en", "country", "customs_code")),
    "ports": (Port, ("name", "code", "direction")),
    "infringers": (Infringer, ("name", "name_en", "role", "country", "address", "ports",
                               "description")),
}  # fmt: skip
UPPER_FIELDS = {"country", "first_publication_country", "currency"}


def clean(name: str, value: Any) -> Any:
    """Normalise one typed value: blank → None, trimmed text, upper-case codes."""
    if isinstance(value, str):
        value = value.replace("\x00", "").strip() or None  # PostgreSQL text cannot hold NUL
        if value and name in UPPER_FIELDS:
            value = value.upper()
        if value and name == "hs_code":
            value = value.replace(".", "").replace(" ", "")
    if name in DATE_FIELDS and isinstance(value, str):
        value = date.fromisoformat(value)
    if name in ("price_min", "price_max") and value is not None and not isinstance(value, Decimal):
        try:
            value = Decimal(str(value))
        except InvalidOperation as exc:
            raise ValueError(f"{name} is not a number") from exc
    return value


def apply_holder(application: Application, holder: dict) -> None:
    for field in HOLDER_FIELDS:
        if field in holder:
            setattr(application, f"holder_{field}", clean(field, holder[field]))


def prefill_holder(application: Application, org: Organisation) -> None:
    for field in HOLDER_FIELDS:
        setattr(application, f"holder_{field}", getattr(org, field))


def apply_right(application: Application, right: dict) -> None:
    if application.right is None:
        application.right = IpRight()
    for field in RIGHT_FIELDS[application.ipr_type]:
        if field in right:
            value = right[field]
            if field == "nice_classes" and isinstance(value, list | tuple):
                value = ",".join(str(v) for v in value)
            setattr(application.right, field, clean(field, value))


def _child(model: type, fields: tuple[str, ...], row: dict, position: int):
    values = {f: clean(f, row.get(f)) for f in fields if f in row}
    if model is Trader:
        values["role"] = TraderRole(values.get("role") or TraderRole.MANUFACTURER)
    if model is Port:
        values["direction"] = PortDirection(values.get("direction") or PortDirection.BOTH)
    if model is Licensee:
        values["exclusive"] = bool(values.get("exclusive"))
    return model(position=position, **values)


def is_blank(row: dict) -> bool:
    """A repeating-group row with nothing typed in it (ignored on save)."""
    ignored = {"role", "direction", "exclusive"}
    return all(v in (None, "", [], False) for k, v in row.items() if k not in ignored)


def apply_children(application: Application, name: str, rows: list[dict]) -> None:
    model, fields = CHILDREN[name]
    kept = [row for row in rows if not is_blank(row)]
    setattr(application, name, [_child(model, fields, row, i) for i, row in enumerate(kept)])


def apply_payload(application: Application, payload: dict) -> None:
    """Copy whatever the payload contains; groups it omits are left as they are."""
    if "holder" in payload:
        apply_holder(application, payload["holder"] or {})
    if "right" in payload:
        apply_right(application, payload["right"] or {})
    for name in CHILDREN:
        if name in payload:
            apply_children(application, name, payload[name] or [])
    if "response" in payload:
        apply_response(application, payload["response"])


def apply_response(application: Application, response: str | None) -> None:
    """Keep the holder's answer to the open information request with the draft."""
    request = application.open_request
    if request is not None:
        request.draft_response = clean("response", response)


def holder_dict(application: Application) -> dict:
    return {f: getattr(application, f"holder_{f}") for f in HOLDER_FIELDS}


def right_dict(application: Application) -> dict:
    right = application.right
    return {f: getattr(right, f) if right else None for f in RIGHT_FIELDS[application.ipr_type]}


def children_dicts(application: Application, name: str) -> list[dict]:
    _, fields = CHILDREN[name]
    return [{f: getattr(row, f) for f in fields} for row in getattr(application, name)]


def to_payload(application: Application) -> dict:
    """The inverse of apply_payload: what the form and the API show."""
    return {
        "holder": holder_dict(application),
        "right": right_dict(application),
        **{name: children_dicts(application, name) for name in CHILDREN},
        "response": request.draft_response if (request := application.open_request) else None,
    }
