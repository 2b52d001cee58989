"""Holders' general guarantees: the service (security-logged), the admin pages, and the holder's
read-only view on its organisation page."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.errors import NotFound, PermissionDenied, ValidationError
from ipr_apps.models import Organisation, Role, SecurityEvent, today
from ipr_apps.services import guarantees


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


def _holder_named(make_user, name: str, agency: bool = False):
    user = make_user(Role.HOLDER, agency=agency)
    user.organisation.name_local = user.organisation.name_en = name
    db.session.commit()
    return user


@pytest.fixture
def holder(make_user):
    return _holder_named(make_user, "Brightlight")


def _org(organisation_id: int) -> Organisation:
    db.session.expire_all()
    return db.session.get(Organisation, organisation_id)


def _events(action: str) -> list[SecurityEvent]:
    stmt = select(SecurityEvent).where(SecurityEvent.action == action).order_by(SecurityEvent.id)
    return list(db.session.scalars(stmt))


def _next_year_end() -> date:
    return date(today().year + 1, 12, 31)


# --- service -----------------------------------------------------------------------------------


def test_admin_records_changes_and_clears_a_guarantee(admin, holder):
    until = _next_year_end()
    guarantees.set_guarantee(admin, holder.organisation_id, "500,000.5", until)
    org = _org(holder.organisation_id)
    assert (org.general_guarantee_cny, org.general_guarantee_until) == (Decimal("500000.50"), until)
    assert org.guarantee_covers(today())
    guarantees.set_guarantee(admin, holder.organisation_id, Decimal("800000"), until)
    assert _org(holder.organisation_id).general_guarantee_cny == Decimal("800000.00")
    logged = _events("guarantee.set")
    assert [(e.actor_id, e.target_type, e.target_id) for e in logged] == [
        (admin.id, "organisation", str(holder.organisation_id))
    ] * 2
    assert logged[1].detail == {
        "before": {"amount_cny": "500000.50", "until": until.isoformat()},
        "after": {"amount_cny": "800000.00", "until": until.isoformat()},
    }

    guarantees.clear_guarantee(admin, holder.organisation_id)
    org = _org(holder.organisation_id)
    assert org.general_guarantee_cny is None and org.general_guarantee_until is None
    assert _events("guarantee.cleared")[0].detail["before"]["amount_cny"] == "800000.00"
    with pytest.raises(ValidationError):
        guarantees.clear_guarantee(admin, holder.organisation_id)  # nothing left to clear


@pytest.mark.parametrize(
    "amount", ["", "0", "0.00", "-5", "1.005", "abc", "1e5", "1,00", "１００", "100000000000000"]
)
def test_the_amount_is_positive_with_at_most_two_decimals(admin, holder, amount):
    with pytest.raises(ValidationError) as raised:
        guarantees.set_guarantee(admin, holder.organisation_id, amount, _next_year_end())
    assert "amount" in raised.value.fields
    assert _org(holder.organisation_id).general_guarantee_cny is None
    assert _events("guarantee.set") == []


def test_the_valid_until_day_is_required_and_not_past(admin, holder):
    for until in (None, today() - timedelta(days=1)):
        with pytest.raises(ValidationError) as raised:
            guarantees.set_guarantee(admin, holder.organisation_id, "1000", until)
        assert "until" in raised.value.fields
    guarantees.set_guarantee(admin, holder.organisation_id, "0.01", today())
    assert _org(holder.organisation_id).general_guarantee_cny == Decimal("0.01")


def test_only_holder_organisations_have_guarantees(admin, make_user):
    agent = make_user(Role.HOLDER, agency=True)
    with pytest.raises(NotFound):
        guarantees.set_guarantee(admin, agent.organisation_id, "1000", _next_year_end())
    with pytest.raises(NotFound):
        guarantees.set_guarantee(admin, 0, "1000", _next_year_end())


@pytest.mark.parametrize("role", [Role.HOLDER, Role.REVIEWER, Role.OFFICER])
def test_only_admins_record_guarantees(make_user, holder, role):
    user = make_user(role)
    with pytest.raises(PermissionDenied):
        guarantees.set_guarantee(user, holder.organisation_id, "1000", _next_year_end())
    with pytest.raises(PermissionDenied):
        guarantees.clear_guarantee(user, holder.organisation_id)
    assert _org(holder.organisation_id).general_guarantee_cny is None


def test_holders_page_searches_names_and_pages(make_user):
    for name in ("Gamma Ltd", "Alpha Ltd", "Beta Ltd"):
        _holder_named(make_user, name)
    _holder_named(make_user, "Agency Ltd", agency=True)
    first = guarantees.holders_page(None, None, 2)
    names = [o.name_local for o in first.items]
    second = guarantees.holders_page(None, first.next_cursor, 2)
    names += [o.name_local for o in second.items]
    assert names == ["Alpha Ltd", "Beta Ltd", "Gamma Ltd"] and not second.has_next
    assert [o.name_local for o in guarantees.holders_page("Be", None, 10).items] == ["Beta Ltd"]
    assert guarantees.holders_page("Agency", None, 10).items == []


# --- admin pages -------------------------------------------------------------------------------


def test_admin_lists_holders_with_their_guarantees(client, login, admin, holder, make_user):
    _holder_named(make_user, "Aurora")
    guarantees.set_guarantee(admin, holder.organisation_id, "500000", _next_year_end())
    login(admin)
    page = client.get("/admin/guarantees").get_data(True)
    assert "500,000.00" in page and _next_year_end().isoformat() in page
    assert 'scope="col"' in page and "none" in page
    found = client.get("/admin/guarantees?q=Auro").get_data(True)
    assert "Aurora" in found and "Brightlight" not in found
    nothing = client.get("/admin/guarantees?q=Zzz").get_data(True)
    assert 'data-testid="empty-state"' in nothing


def test_admin_records_a_guarantee_with_the_form(client, login, admin, holder):
    login(admin)
    url = f"/admin/guarantees/{holder.organisation_id}"
    assert "No general guarantee on file" in client.get(url).get_data(True)
    until = _next_year_end().isoformat()
    response = client.post(url, data={"amount": "1000.5", "until": until})
    assert response.status_code == 302
    assert _org(holder.organisation_id).general_guarantee_cny == Decimal("1000.50")
    assert "1,000.50" in client.get(url).get_data(True)


def test_a_bad_guarantee_form_keeps_what_was_typed(client, login, admin, holder):
    login(admin)
    url = f"/admin/guarantees/{holder.organisation_id}"
    until = _next_year_end().isoformat()
    response = client.post(url, data={"amount": "12.345", "until": until})
    page = response.get_data(True)
    assert response.status_code == 200
    assert "at most two decimals" in page and 'value="12.345"' in page and until in page
    assert _org(holder.organisation_id).general_guarantee_cny is None


def test_clearing_asks_first(client, login, admin, holder):
    guarantees.set_guarantee(admin, holder.organisation_id, "500000", _next_year_end())
    login(admin)
    url = f"/admin/guarantees/{holder.organisation_id}/clear"
    assert "Clear the general guarantee" in client.get(url).get_data(True)
    assert _org(holder.organisation_id).general_guarantee_cny is not None
    assert client.post(url).status_code == 302
    assert _org(holder.organisation_id).general_guarantee_cny is None


def test_an_agency_or_a_missing_organisation_is_404(client, login, admin, make_user):
    agent = make_user(Role.HOLDER, agency=True)
    login(admin)
    for url in (f"/admin/guarantees/{agent.organisation_id}", "/admin/guarantees/0/clear"):
        assert client.get(url).status_code == 404, url


# --- the holder's view -------------------------------------------------------------------------


def test_the_holder_sees_its_guarantee_read_only(client, login, admin, holder):
    login(holder)
    page = client.get("/auth/organisation").get_data(True)
    assert 'data-testid="guarantee"' in page and "None on file." in page
    guarantees.set_guarantee(admin, holder.organisation_id, "500000", _next_year_end())
    page = client.get("/auth/organisation").get_data(True)
    until = _next_year_end()
    assert f'¥500,000.00, valid until <time datetime="{until.isoformat()}">' in page
    assert f"{until.day} {until:%b} {until.year}</time>" in page
    assert 'name="amount"' not in page  # read-only
    client.post(
        "/auth/organisation",
        data={"name_local": "Brightlight", "country": "CN", "amount": "1", "until": "2000-01-01"},
    )
    assert _org(holder.organisation_id).general_guarantee_cny == Decimal("500000.00")
