"""The holder's side of an ex officio detention: confirming within the deadline with a bond or
on the general guarantee, withdrawing, who may, the officers' notices, and the pages."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from ipr_apps.db import db
from ipr_apps.errors import NotFound, PermissionDenied, TransitionError, ValidationError
from ipr_apps.models import CaseOutcome, CaseStatus, Holiday, Mode, Role, today
from ipr_apps.services import case_confirm
from ipr_apps.workdays import days_left
from tests.holder_case_helpers import VALUE, at, events, fresh, mails_to, notified, open_case

MONDAY = date(2026, 11, 2)  # the deadline is Thursday 5 November
THURSDAY, FRIDAY = date(2026, 11, 5), date(2026, 11, 6)


@pytest.fixture
def people(make_user):
    return {
        "holder": make_user(Role.HOLDER),
        "officer": make_user(Role.OFFICER, district="5301"),
        "colleague": make_user(Role.OFFICER, district="5301"),
        "elsewhere": make_user(Role.OFFICER, district="2201"),
    }


@pytest.fixture
def case(people):
    return open_case(people["holder"], people["officer"], MONDAY)


def _guarantee(holder, amount="500000.00", until=date(2026, 12, 31)):
    org = holder.organisation
    org.general_guarantee_cny, org.general_guarantee_until = Decimal(amount), until
    db.session.commit()


def test_the_holder_confirms_with_a_bond_on_the_last_day(people, case):
    holder, officer, colleague = people["holder"], people["officer"], people["colleague"]
    with at(THURSDAY, 15):
        case_confirm.confirm(holder, case.id, bond_cny="20000.50")
    stored = fresh(case.id)
    assert stored.status == CaseStatus.DETAINED
    assert (stored.bond_cny, stored.on_general_guarantee) == (Decimal("20000.50"), False)
    assert stored.confirmed_at.date() == THURSDAY
    assert stored.outcome is None
    assert events(case.id)[-1] == ("confirm", "awaiting_holder", "detained", holder.id)
    # The district's officers are told (in the app and by e-mail), not those elsewhere.
    assert notified(case.id) == sorted([holder.id, officer.id, colleague.id])
    [mail] = mails_to(colleague.email)
    assert case.case_number in mail.subject and "bond of ¥20,000.50" in mail.body
    assert "officer of district 5301" in mail.body


def test_the_bond_may_equal_the_goods_value(people, case):
    with at(MONDAY):
        case_confirm.confirm(people["holder"], case.id, bond_cny=VALUE)
    assert fresh(case.id).bond_cny == VALUE


@pytest.mark.parametrize(
    "bond", [None, "", "abc", "0", "-5", "100.005", "NaN", "Infinity", str(VALUE + 1)]
)
def test_a_bad_bond_is_refused_and_nothing_changes(people, case, bond):
    with at(MONDAY), pytest.raises(ValidationError) as error:
        case_confirm.confirm(people["holder"], case.id, bond_cny=bond)
    assert set(error.value.fields) == {"bond_cny"}
    stored = fresh(case.id)
    assert (stored.status, stored.bond_cny, stored.confirmed_at) == (
        CaseStatus.AWAITING_HOLDER, None, None
    )  # fmt: skip
    assert len(events(case.id)) == 1


def test_after_the_deadline_confirmation_is_refused(people, case):
    with at(FRIDAY, 0), pytest.raises(TransitionError) as error:
        case_confirm.confirm(people["holder"], case.id, bond_cny="100")
    assert "5 Nov 2026" in error.value.message
    assert fresh(case.id).status == CaseStatus.AWAITING_HOLDER
    assert notified(case.id) == [people["holder"].id]  # the opening notice only


def test_the_deadline_skips_the_weekend_and_holidays(people, make_user):
    # Opened on a Thursday with Monday a holiday: Friday, Tuesday, Wednesday.
    db.session.add(Holiday(day=date(2026, 11, 9), name="Test holiday"))
    db.session.commit()
    case = open_case(people["holder"], people["officer"], THURSDAY)
    assert case.confirm_by == date(2026, 11, 11)
    with at(date(2026, 11, 11), 23):
        case_confirm.confirm(people["holder"], case.id, bond_cny="1")
    assert fresh(case.id).status == CaseStatus.DETAINED


def test_the_general_guarantee_in_force_replaces_the_bond(people, case):
    _guarantee(people["holder"], until=THURSDAY)
    with at(THURSDAY):
        case_confirm.confirm(people["holder"], case.id, use_guarantee=True)
    stored = fresh(case.id)
    assert (stored.status, stored.bond_cny, stored.on_general_guarantee) == (
        CaseStatus.DETAINED, None, True
    )  # fmt: skip
    assert "general guarantee" in mails_to(people["officer"].email)[0].body


@pytest.mark.parametrize("until", [None, date(2026, 11, 1)])
def test_no_guarantee_in_force_no_confirmation_on_it(people, case, until):
    if until:
        _guarantee(people["holder"], until=until)
    with at(MONDAY), pytest.raises(ValidationError) as error:
        case_confirm.confirm(people["holder"], case.id, use_guarantee=True)
    assert "use_guarantee" in error.value.fields
    assert fresh(case.id).status == CaseStatus.AWAITING_HOLDER


def test_a_case_on_application_needs_its_own_bond(people, case):
    _guarantee(people["holder"])
    fresh(case.id).mode = Mode.ON_APPLICATION
    db.session.commit()
    with at(MONDAY), pytest.raises(ValidationError):
        case_confirm.confirm(people["holder"], case.id, use_guarantee=True)


def test_the_agency_of_the_recordation_may_confirm(people, make_user):
    agency = make_user(Role.HOLDER, agency=True)
    case = open_case(people["holder"], people["officer"], MONDAY, agency=agency)
    with at(MONDAY):
        case_confirm.confirm(agency, case.id, bond_cny="10")
    assert fresh(case.id).status == CaseStatus.DETAINED


def test_others_may_not_confirm(people, case, make_user):
    with at(MONDAY):
        with pytest.raises(NotFound):
            case_confirm.confirm(make_user(Role.HOLDER), case.id, bond_cny="10")
        with pytest.raises(NotFound):
            case_confirm.confirm(people["elsewhere"], case.id, bond_cny="10")
        for user in (people["officer"], make_user(Role.ADMIN)):
            with pytest.raises(PermissionDenied):
                case_confirm.confirm(user, case.id, bond_cny="10")
    assert fresh(case.id).status == CaseStatus.AWAITING_HOLDER


def test_a_confirmed_case_cannot_be_confirmed_again(people, case):
    with at(MONDAY):
        case_confirm.confirm(people["holder"], case.id, bond_cny="10")
        with pytest.raises(TransitionError):
            case_confirm.confirm(people["holder"], case.id, bond_cny="20")
    assert fresh(case.id).bond_cny == Decimal("10")


@pytest.mark.parametrize("confirmed_first", [False, True])
def test_the_holder_withdraws(people, case, confirmed_first):
    holder = people["holder"]
    with at(MONDAY):
        if confirmed_first:
            case_confirm.confirm(holder, case.id, bond_cny="10")
        case_confirm.withdraw(holder, case.id, "  Settled with the consignee.  ")
    stored = fresh(case.id)
    assert stored.status == CaseStatus.CLOSED
    assert (stored.outcome, stored.outcome_on) == (CaseOutcome.WITHDRAWN_BY_HOLDER, MONDAY)
    assert events(case.id)[-1][0::2] == ("withdraw", "closed")
    mail = mails_to(people["colleague"].email)[-1]
    assert "withdrew" in mail.body and "Reason: Settled with the consignee." in mail.body


def test_officers_do_not_withdraw_and_closed_cases_stay_closed(people, case):
    with pytest.raises(PermissionDenied):
        case_confirm.withdraw(people["officer"], case.id, None)
    case_confirm.withdraw(people["holder"], case.id, None)
    with pytest.raises(TransitionError):
        case_confirm.withdraw(people["holder"], case.id, None)


# --- the pages (requests run on the real clock: the case is opened today) ----------------


@pytest.fixture
def live_case(people):
    return open_case(people["holder"], people["officer"], today())


def test_the_confirm_page_posts_a_bond(client, login, people, live_case):
    case = live_case
    page = login(people["holder"]).get(f"/cases/{case.id}/confirm")
    assert page.status_code == 200
    assert b'value="guarantee"' not in page.data
    bad = client.post(f"/cases/{case.id}/confirm", data={"choice": "bond", "bond_cny": "1e9"})
    assert bad.status_code == 422 and b"1e9" in bad.data
    assert fresh(case.id).status == CaseStatus.AWAITING_HOLDER
    done = client.post(f"/cases/{case.id}/confirm", data={"choice": "bond", "bond_cny": "500"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/cases/{case.id}")
    stored = fresh(case.id)
    assert (stored.status, stored.bond_cny) == (CaseStatus.DETAINED, Decimal("500"))


def test_the_confirm_page_offers_the_guarantee_only_when_in_force(client, login, people, live_case):
    case, holder = live_case, people["holder"]
    page = login(holder).get(f"/cases/{case.id}/confirm")
    assert b'value="guarantee"' not in page.data
    refused = client.post(f"/cases/{case.id}/confirm", data={"choice": "guarantee"})
    assert refused.status_code == 422
    _guarantee(holder, until=today() + timedelta(days=30))
    page = client.get(f"/cases/{case.id}/confirm")
    assert b'value="guarantee"' in page.data and b"500,000.00" in page.data
    done = client.post(f"/cases/{case.id}/confirm", data={"choice": "guarantee"})
    assert done.status_code == 302
    assert fresh(case.id).on_general_guarantee is True


def test_the_confirm_page_after_the_deadline_goes_back_to_the_case(client, login, people, case):
    response = login(people["holder"]).get(f"/cases/{case.id}/confirm")  # opened in 2026-11
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/{case.id}")
    assert fresh(case.id).status == CaseStatus.AWAITING_HOLDER


def test_the_withdraw_page_asks_then_withdraws(client, login, people, live_case):
    case = live_case
    assert login(people["holder"]).get(f"/cases/{case.id}/withdraw").status_code == 200
    done = client.post(f"/cases/{case.id}/withdraw", data={"reason": ""})
    assert done.status_code == 302
    assert fresh(case.id).outcome == CaseOutcome.WITHDRAWN_BY_HOLDER


def test_the_pages_are_404_for_another_holder(client, login, live_case, make_user):
    case, stranger = live_case, make_user(Role.HOLDER)
    for action in ("confirm", "withdraw"):
        assert login(stranger).get(f"/cases/{case.id}/{action}").status_code == 404
        data = {"choice": "bond", "bond_cny": "5"}
        assert client.post(f"/cases/{case.id}/{action}", data=data).status_code == 404
    assert fresh(case.id).status == CaseStatus.AWAITING_HOLDER


def test_the_case_page_shows_the_deadline_and_the_holder_buttons(client, login, people, live_case):
    case = live_case
    page = login(people["holder"]).get(f"/cases/{case.id}")
    assert page.status_code == 200
    left = days_left(today(), case.confirm_by)
    assert f'data-days="{left}"'.encode() in page.data
    assert f"/cases/{case.id}/confirm".encode() in page.data
    assert f"/cases/{case.id}/withdraw".encode() in page.data
    assert f"/cases/{case.id}/release".encode() not in page.data
    assert f"/recordations/{case.recordation_id}".encode() in page.data


def test_the_case_page_shows_the_confirmation(client, login, people, live_case):
    case = live_case
    case_confirm.confirm(people["holder"], case.id, bond_cny="1234.5")
    page = login(people["officer"]).get(f"/cases/{case.id}")
    assert page.status_code == 200
    assert b"Bond of \xc2\xa51,234.50" in page.data
    assert b'data-action="confirm"' in page.data
    assert f"/cases/{case.id}/confirm".encode() not in page.data


def test_the_case_notice_opens_the_case(client, login, people, live_case):
    from sqlalchemy import select

    from ipr_apps.models import Notification

    holder = people["holder"]
    page = login(holder).get("/notifications/")
    assert f'href="/cases/{live_case.id}"'.encode() in page.data
    note = db.session.scalars(select(Notification).where(Notification.user_id == holder.id)).one()
    response = client.post(f"/notifications/{note.id}/read")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{live_case.id}")


def test_inactive_officers_are_not_told(people, case):
    colleague = people["colleague"]
    colleague.active = False
    db.session.commit()
    with at(MONDAY):
        case_confirm.confirm(people["holder"], case.id, bond_cny="10")
    assert colleague.id not in notified(case.id)
    assert mails_to(colleague.email) == []
    assert people["officer"].id in notified(case.id)
