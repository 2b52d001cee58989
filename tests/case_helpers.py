"""Shared pieces of the officer-side case tests: recordations with genuine goods, the facts of
a detained consignment, a case opened and (optionally) confirmed by the holder."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ipr_apps import case_workflow
from ipr_apps.case_workflow import CaseAction
from ipr_apps.db import db, unit_of_work
from ipr_apps.models import Channel, DetentionCase, Direction, RecordationStatus, Status, User
from ipr_apps.models.children import Goods
from ipr_apps.models.rights import IprType
from ipr_apps.services import cases
from ipr_apps.services.cases import CaseFacts
from tests.factories import make_application, recordation_row


def recordation_with_goods(
    holder: User, title: str = "Brightlight", goods=(("LED torch", "851310"),),
    status: RecordationStatus = RecordationStatus.ACTIVE, ipr_type: IprType = IprType.TRADEMARK,
    number: str | None = None,
):  # fmt: skip
    """A recordation of `holder` for the mark `title`, its facts naming these genuine goods."""
    application = make_application(holder, Status.APPROVED, ipr_type=ipr_type)
    application.right.title = title
    for position, (name, hs_code) in enumerate(goods):
        db.session.add(
            Goods(application_id=application.id, position=position, name=name, hs_code=hs_code)
        )
    row = recordation_row(application, number=number, status=status)
    db.session.commit()
    return row


def facts(**changes) -> CaseFacts:
    values = {
        "channel": Channel.EXPRESS, "direction": Direction.IMPORT, "goods": "LED torches",
        "items": 1200, "value_cny": Decimal("36000.50"), "hs_code": "851310",
    }  # fmt: skip
    return CaseFacts(**(values | changes))


def open_case(officer: User, recordation, **changes) -> DetentionCase:
    return cases.open_ex_officio(officer, recordation.id, facts(**changes))


def detain(case: DetentionCase, holder: User) -> DetentionCase:
    """The holder confirms the detention (the confirmation service is another helper's)."""
    with unit_of_work():
        stored = db.session.get(DetentionCase, case.id)
        case_workflow.apply(stored, CaseAction.CONFIRM, holder)
    return stored


def back_date(case: DetentionCase, opened_on: date, confirm_by: date | None = None) -> None:
    """Move a case's opening (and its holder's deadline) into the past."""
    with unit_of_work():
        stored = db.session.get(DetentionCase, case.id)
        stored.opened_on = opened_on
        stored.confirm_by = confirm_by or stored.confirm_by
