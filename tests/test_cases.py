"""Opening a detention case ex officio: who may, the number, the holder's deadline, the event
log, the holder's notice, and who then sees the case."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from ipr_apps.db import db
from ipr_apps.errors import NotFound, PermissionDenied, ValidationError
from ipr_apps.models import (
    CaseEvent,
    CaseStatus,
    Channel,
    DetentionCase,
    Direction,
    Mode,
    Notification,
    RecordationStatus,
    Role,
    Status,
)
from ipr_apps.models.base import clock_at
from ipr_apps.models.rights import IprType
from ipr_apps.services import case_access, cases
from ipr_apps.services.cases import CaseFacts
from tests.factories import recordation_row

MONDAY = datetime(2026, 11, 2, 9, 0)


def facts(**changes) -> CaseFacts:
    values = {
        "channel": Channel.EXPRESS, "direction": Direction.EXPORT, "goods": "LED torches",
        "items": 1200, "value_cny": Decimal("36000.50"), "hs_code": "851310",
    }  # fmt: skip
    return CaseFacts(**(values | changes))


@pytest.fixture
def recordation(make_user, make_application):
    def build(holder=None, status=RecordationStatus.ACTIVE, ipr_type=IprType.TRADEMARK):
        application = make_application(holder or make_user(), Status.APPROVED, ipr_type=ipr_type)
        row = recordation_row(application, status=status)
        db.session.commit()
        return row

    return build


def test_an_officer_opens_an_ex_officio_case_at_its_district(make_user, recordation):
    holder = make_user(Role.HOLDER)
    officer = make_user(Role.OFFICER, district="5301")
    target = recordation(holder)
    with clock_at(MONDAY):
        case = cases.open_ex_officio(officer, target.id, facts())
    db.session.expire_all()
    stored = db.session.get(DetentionCase, case.id)
    assert stored.case_number == "D2026-5301-000001"
    assert (stored.status, stored.mode, stored.port_code) == (
        CaseStatus.AWAITING_HOLDER, Mode.EX_OFFICIO, "5301"
    )  # fmt: skip
    assert stored.opened_on == date(2026, 11, 2)
    assert stored.confirm_by == date(2026, 11, 5)  # three working days after a Monday
    assert (stored.recordation_id, stored.recordation_number) == (target.id, target.number)
    assert stored.holder_org_id == holder.organisation_id
    assert stored.value_cny == Decimal("36000.50")
    events = db.session.execute(select(CaseEvent).where(CaseEvent.case_id == case.id)).scalars()
    assert [(e.action, e.from_status, e.to_status, e.actor_id) for e in events] == [
        ("open", None, "awaiting_holder", officer.id)
    ]
    notices = db.session.execute(select(Notification).where(Notification.case_id == case.id))
    assert [n.user_id for n in notices.scalars()] == [holder.id]


def test_case_numbers_run_per_port_and_year(make_user, recordation):
    target = recordation()
    shenzhen, other = make_user(Role.OFFICER), make_user(Role.OFFICER, district="2201")
    with clock_at(MONDAY):
        numbers = [cases.open_ex_officio(o, target.id, facts()).case_number
                   for o in (shenzhen, shenzhen, other)]  # fmt: skip
    assert numbers == ["D2026-5301-000001", "D2026-5301-000002", "D2026-2201-000001"]


@pytest.mark.parametrize("role", [Role.HOLDER, Role.REVIEWER, Role.ADMIN])
def test_only_officers_open_cases(make_user, recordation, role):
    target = recordation()
    with pytest.raises(PermissionDenied):
        cases.open_ex_officio(make_user(role), target.id, facts())
    assert db.session.scalar(select(func.count(DetentionCase.id))) == 0


@pytest.mark.parametrize("status", [RecordationStatus.EXPIRED, RecordationStatus.REVOKED])
def test_no_ex_officio_case_on_a_recordation_not_in_force(make_user, recordation, status):
    target = recordation(status=status)
    with pytest.raises(ValidationError) as error:
        cases.open_ex_officio(make_user(Role.OFFICER), target.id, facts())
    assert "recordation" in error.value.fields
    assert db.session.scalar(select(func.count(DetentionCase.id))) == 0


def test_bad_facts_name_every_field(make_user, recordation):
    target = recordation()
    bad = facts(
        goods=" ", items=-1, value_cny=Decimal("1.005"), hs_code="85", country_of_origin="x"
    )
    with pytest.raises(ValidationError) as error:
        cases.open_ex_officio(make_user(Role.OFFICER), target.id, bad)
    assert set(error.value.fields) == {
        "goods",
        "items",
        "value_cny",
        "hs_code",
        "country_of_origin",
    }


def test_patent_kinds_count_as_patent(make_user, recordation):
    target = recordation(ipr_type=IprType.PATENT_DESIGN)
    case = cases.open_ex_officio(make_user(Role.OFFICER), target.id, facts())
    assert case.ipr_type.value == "patent"


def test_who_sees_a_case(make_user, recordation):
    holder, stranger = make_user(Role.HOLDER), make_user(Role.HOLDER)
    officer, elsewhere = make_user(Role.OFFICER), make_user(Role.OFFICER, district="2201")
    admin, reviewer = make_user(Role.ADMIN), make_user(Role.REVIEWER)
    case = cases.open_ex_officio(officer, recordation(holder).id, facts())
    for user in (holder, officer, admin):
        assert case_access.get_case(user, case.id).id == case.id
        assert [c.id for c in case_access.cases_of(user, None, 10).items] == [case.id]
    for user in (stranger, elsewhere, reviewer):
        with pytest.raises(NotFound):
            case_access.get_case(user, case.id)
        assert case_access.cases_of(user, None, 10).items == []


def test_case_pages_answer_404_to_those_who_may_not_see_it(client, login, make_user, recordation):
    holder, stranger = make_user(Role.HOLDER), make_user(Role.HOLDER)
    case = cases.open_ex_officio(make_user(Role.OFFICER), recordation(holder).id, facts())
    assert login(holder).get(f"/cases/{case.id}").status_code == 200
    assert login(stranger).get(f"/cases/{case.id}").status_code == 404
