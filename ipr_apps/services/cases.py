"""Opening detention cases: an officer detains a consignment at its district's port, ex
officio on a recordation in force (or on a holder's request); the case is numbered
`D{year}-{port}-{seq:06d}`, the holder has 3 working days to confirm, and is told at once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from ipr_apps import official_calendar
from ipr_apps.case_workflow import CONFIRM_WORKING_DAYS, CaseAction, apply
from ipr_apps.db import db, next_counter_value, unit_of_work
from ipr_apps.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from ipr_apps.models import (
    CaseIprType,
    Channel,
    DetentionCase,
    DetentionRequest,
    Direction,
    Mode,
    Recordation,
    Role,
    User,
    today,
)
from ipr_apps.models.rights import PATENT_TYPES, IprType
from ipr_apps.services import screening
from ipr_apps.services.notifications import notify_case
from ipr_apps.workdays import due_date

HS_CODE = re.compile(r"\d{6,10}")
TEXT_MAX = {"goods": 2000, "goods_category": 200, "consignor": 300, "consignee": 300}


def case_from_hit_exists(number: str) -> str:
    return _("Case %(number)s was already opened from this screening hit.", number=number)


@dataclass
class CaseFacts:
    """What the officer records about the detained consignment."""

    channel: Channel
    direction: Direction
    goods: str
    items: int
    value_cny: Decimal
    goods_category: str | None = None
    hs_code: str | None = None
    consignor: str | None = None
    consignee: str | None = None
    country_of_origin: str | None = None

    def check(self) -> None:
        """Raise ValidationError naming every bad field."""
        problems: dict[str, list[str]] = {}
        if not (self.goods or "").strip():
            problems["goods"] = [_("Describe the goods.")]
        for name, limit in TEXT_MAX.items():
            if len(getattr(self, name) or "") > limit:
                problems.setdefault(name, []).append(
                    _("Keep it under %(limit)s characters.", limit=limit)
                )
        if self.hs_code and not HS_CODE.fullmatch(self.hs_code):
            problems["hs_code"] = [_("An HS code is 6 to 10 digits.")]
        if self.items is None or self.items < 0:
            problems["items"] = [_("Give the number of items (0 or more).")]
        if (
            self.value_cny is None
            or self.value_cny < 0
            or self.value_cny != round(self.value_cny, 2)
        ):
            problems["value_cny"] = [
                _("Give the value in yuan, 0 or more, with at most 2 decimals.")
            ]
        country = self.country_of_origin
        if country and not (len(country) == 2 and country.isalpha() and country.isupper()):
            problems["country_of_origin"] = [_("Use the two-letter country code, e.g. CN.")]
        if problems:
            raise ValidationError(_("Check the case details."), problems)


def case_ipr_type(ipr_type: IprType) -> CaseIprType:
    """Enforcement counts the three patent kinds as one."""
    return CaseIprType.PATENT if ipr_type in PATENT_TYPES else CaseIprType(ipr_type.value)


def open_ex_officio(
    actor: User, recordation_id: int, facts: CaseFacts, hit_id: int | None = None
) -> DetentionCase:
    """An officer detains goods at its district's port on a recordation in force; from a
    screening hit (`hit_id`, of the officer's own run on that recordation) when one led to it."""
    with unit_of_work():
        recordation = _recordation_in_force(recordation_id)
        hit = None if hit_id is None else screening.hit_for_case(actor, hit_id, recordation.id)
        if hit is not None and (earlier := screening.cases_of_hits([hit.id]).get(hit.id)):
            raise ConflictError(case_from_hit_exists(earlier.case_number))
        case = open_case(actor, facts, Mode.EX_OFFICIO, recordation=recordation)
        case.screening_hit_id = hit.id if hit else None
    return case


def open_case(
    actor: User,
    facts: CaseFacts,
    mode: Mode,
    *,
    recordation: Recordation | None = None,
    request: DetentionRequest | None = None,
    ipr_type: CaseIprType | None = None,
) -> DetentionCase:
    """Open a case at the officer's district inside the caller's transaction: number it, set
    the holder's deadline, write the event and (ex officio) tell the holder and its agency."""
    _check_officer(actor)
    facts.check()
    if recordation is None and (mode == Mode.EX_OFFICIO or request is None):
        raise ValidationError.on("recordation", _("An ex officio case rests on a recordation."))
    opened_on = today()
    case = DetentionCase(
        case_number=_next_number(opened_on.year, actor.district_code),
        opened_on=opened_on, port_code=actor.district_code, mode=mode,
        ipr_type=ipr_type or case_ipr_type(recordation.ipr_type),
        recordation=recordation, recordation_number=recordation.number if recordation else None,
        holder_org_id=recordation.holder_org_id if recordation else request.holder_org_id,
        request_id=request.id if request else None,
        confirm_by=due_date(opened_on, CONFIRM_WORKING_DAYS), opened_by_id=actor.id,
        confirm_calendar=official_calendar.label(),
        **vars(facts),
    )  # fmt: skip
    db.session.add(case)
    apply(case, CaseAction.OPEN, actor)
    db.session.flush()
    if request is None:  # an accepted request tells the holder in its own words, once
        notify_case(case, "case_opened")
    return case


def _check_officer(actor: User) -> None:
    if actor.role != Role.OFFICER or actor.district_code is None:
        raise PermissionDenied(_("Only a customs officer of a district opens a case."))
    if actor.district is not None and not actor.district.active:
        raise PermissionDenied(_("Your district is closed: cases cannot be opened in it."))


def _recordation_in_force(recordation_id: int) -> Recordation:
    stmt = select(Recordation).where(Recordation.id == recordation_id)
    recordation = db.session.execute(stmt).scalar_one_or_none()
    if recordation is None:
        raise NotFound(_("No such recordation."))
    if not recordation.status.in_force:
        raise ValidationError.on(
            "recordation",
            _(
                "Recordation %(number)s is %(state)s: customs cannot act ex officio on it.",
                number=recordation.number,
                state=recordation.status.label.lower(),
            ),
        )
    return recordation


def _next_number(year: int, port: str) -> str:
    sequence = next_counter_value(db.session, f"case:{port}:{year}")
    return f"D{year}-{port}-{sequence:06d}"
