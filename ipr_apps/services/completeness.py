"""Full validation at submission: what a complete application must contain.

Errors are keyed like the web form's fields (`holder-country`, `right-expiry_date`,
`goods-0-hs_code`, `documents`), so the form shows each beside its field and the API
returns the same keys.
"""

from __future__ import annotations

import re
from datetime import date

from babel.numbers import list_currencies
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ipr_apps.models import Application, DocType, IprType, Status
from ipr_apps.models.rights import PATENT_TYPES
from ipr_apps.services.countries import is_country

HS_CODE = re.compile(r"^\d{6,10}$")
PATENT_REQUIRED = ("registration_number", "title", "abstract", "filing_date", "expiry_date")
REQUIRED_RIGHT = {
    IprType.TRADEMARK: (
        "registration_number",
        "title",
        "nice_classes",
        "goods_services",
        "registration_date",
        "expiry_date",
    ),
    IprType.COPYRIGHT: ("title", "work_type", "first_publication_country"),
    **dict.fromkeys(PATENT_TYPES, PATENT_REQUIRED),
}
REQUIRED_HOLDER = ("name_local", "country", "registration_number", "address",
                   "legal_representative", "contact_person", "email", "phone")  # fmt: skip
REQUIRED_CHILD = {
    "goods": ("name", "hs_code", "place_of_manufacture", "main_features"),
    "licensees": ("name", "country"),
    "traders": ("name", "country"),
    "ports": ("name",),
    "infringers": ("name",),
}
REQUIRED = _l("This field is required.")


class Problems(dict[str, list[str]]):
    def add(self, key: str, message) -> None:
        self.setdefault(key, []).append(str(message))  # lazy strings: in the reader's language


def required_fields(ipr_type: IprType) -> dict[str, tuple[str, ...]]:
    """The fields a submission needs, by form group (the form marks them)."""
    return {"holder": REQUIRED_HOLDER, "right": REQUIRED_RIGHT[ipr_type], **REQUIRED_CHILD}


def problems(application: Application, today: date) -> Problems:
    """Everything that stops this application from being submitted (empty when complete),
    in the order the form shows the fields."""
    found = Problems()
    _answer(application, found)
    _holder(application, found)
    _right(application, today, found)
    _children(application, found)
    _documents(application, found)
    return found


def _answer(application: Application, found: Problems) -> None:
    request = application.open_request
    waiting = application.status == Status.INFO_REQUESTED and request is not None
    if waiting and not (request.draft_response or "").strip():
        found.add("response", _("Answer the reviewer's request before resubmitting."))


def _holder(application: Application, found: Problems) -> None:
    for field in REQUIRED_HOLDER:
        if not getattr(application, f"holder_{field}"):
            found.add(f"holder-{field}", REQUIRED)
    if application.holder_country and not is_country(application.holder_country):
        found.add("holder-country", _("Choose a country (ISO 3166 code)."))
    email = application.holder_email
    if email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
        found.add("holder-email", _("Enter a valid email address."))


def _right(application: Application, today: date, found: Problems) -> None:
    right = application.right
    for field in REQUIRED_RIGHT[application.ipr_type]:
        if right is None or getattr(right, field) in (None, ""):
            found.add(f"right-{field}", REQUIRED)
    if right is None:
        return
    if right.expiry_date and right.expiry_date < today:
        found.add(
            "right-expiry_date", _("The right has expired; an expired right cannot be recorded.")
        )
    if (
        right.registration_date
        and right.expiry_date
        and right.registration_date > right.expiry_date
    ):
        found.add("right-expiry_date", _("The expiry date is before the registration date."))
    if application.ipr_type == IprType.TRADEMARK and right.nice_classes:
        _nice_classes(right.nice_classes, found)
    country = right.first_publication_country
    if country and not is_country(country):
        found.add("right-first_publication_country", _("Choose a country (ISO 3166 code)."))


def _nice_classes(raw: str, found: Problems) -> None:
    parts = [p.strip() for p in raw.replace(";", ",").split(",") if p.strip()]
    if not parts or not all(p.isdigit() and 1 <= int(p) <= 45 for p in parts):
        found.add(
            "right-nice_classes", _("Nice classes are numbers from 1 to 45, separated by commas.")
        )


def _children(application: Application, found: Problems) -> None:
    if not application.goods:
        found.add("goods", _("Describe at least one kind of genuine goods."))
    for name, required in REQUIRED_CHILD.items():
        for index, row in enumerate(getattr(application, name)):
            for field in required:
                if not getattr(row, field):
                    found.add(f"{name}-{index}-{field}", REQUIRED)
            _row_rules(name, index, row, found)


def _row_rules(name: str, index: int, row, found: Problems) -> None:
    key = f"{name}-{index}"
    country = getattr(row, "country", None)
    if country and not is_country(country):
        found.add(f"{key}-country", _("Choose a country (ISO 3166 code)."))
    if name == "goods":
        if row.hs_code and not HS_CODE.match(row.hs_code):
            found.add(f"{key}-hs_code", _("An HS code has 6 to 10 digits."))
        if (
            row.price_min is not None
            and row.price_max is not None
            and row.price_min > row.price_max
        ):
            found.add(f"{key}-price_max", _("The highest price is below the lowest."))
        for bound in ("price_min", "price_max"):
            if (getattr(row, bound) or 0) < 0:
                found.add(f"{key}-{bound}", _("A price cannot be negative."))
        priced = row.price_min is not None or row.price_max is not None
        if priced and row.currency not in list_currencies():
            found.add(
                f"{key}-currency", _("Give the ISO 4217 currency of the prices (e.g. CNY, EUR).")
            )
    if name == "licensees" and row.term_from and row.term_until and row.term_from > row.term_until:
        found.add(f"{key}-term_until", _("The term ends before it starts."))


def required_documents(application: Application) -> list[DocType]:
    required = [DocType.IPR_CERTIFICATE, DocType.IDENTITY_PROOF]
    if application.agency_id is not None:
        required.append(DocType.POWER_OF_ATTORNEY)
    return required


def _documents(application: Application, found: Problems) -> None:
    present = {d.doc_type for d in application.documents}
    for doc_type in required_documents(application):
        if doc_type not in present:
            found.add("documents", _("Attach the %(document)s.", document=doc_type.in_sentence))
