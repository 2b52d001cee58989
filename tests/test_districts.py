"""Customs districts and officer accounts: the service, the admin pages, `flask ipr
add-district` and `flask ipr create-user --district`, the officer's navigation and pages."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ipr_apps.db import db
from ipr_apps.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from ipr_apps.models import CustomsDistrict, Role, SecurityEvent, User
from ipr_apps.services import districts
from tests.conftest import PASSWORD
from tests.factories import make_district


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


def _district(code: str) -> CustomsDistrict | None:
    db.session.expire_all()
    return db.session.get(CustomsDistrict, code)


def _events(action: str) -> list[SecurityEvent]:
    stmt = select(SecurityEvent).where(SecurityEvent.action == action).order_by(SecurityEvent.id)
    return list(db.session.scalars(stmt))


def _user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


# --- service -----------------------------------------------------------------------------------


def test_admin_adds_renames_deactivates_and_reactivates_a_district(admin):
    district = districts.add_district(admin, " 5301 ", " 深圳皇岗海关 ", "")
    assert (district.code, district.name_local, district.name_en) == ("5301", "深圳皇岗海关", None)
    added = _events("district.added")
    assert [(e.actor_id, e.target_type, e.target_id) for e in added] == [
        (admin.id, "district", "5301")
    ]

    districts.rename_district(admin, "5301", "深圳皇岗海关", "Shenzhen Huanggang Customs")
    assert _district("5301").name_en == "Shenzhen Huanggang Customs"
    changed = _events("district.changed")
    assert changed[0].detail["after"]["name_en"] == "Shenzhen Huanggang Customs"
    districts.rename_district(admin, "5301", "深圳皇岗海关", "Shenzhen Huanggang Customs")
    assert len(_events("district.changed")) == 1  # nothing changed, nothing logged

    districts.set_active(admin, "5301", False)
    assert _district("5301").active is False
    with pytest.raises(ConflictError):
        districts.set_active(admin, "5301", False)
    districts.set_active(admin, "5301", True)
    assert _district("5301").active is True
    assert len(_events("district.deactivated")) == len(_events("district.activated")) == 1


@pytest.mark.parametrize("code", ["530", "53011", "53a1", "", "５３０１", "53 1"])
def test_a_code_is_exactly_four_digits(admin, code):
    with pytest.raises(ValidationError) as raised:
        districts.add_district(admin, code, "某海关")
    assert "code" in raised.value.fields
    assert db.session.scalar(select(func.count()).select_from(CustomsDistrict)) == 0


def test_codes_are_unique_and_local_names_required(admin):
    districts.add_district(admin, "2200", "上海海关", "Shanghai Customs")
    with pytest.raises(ValidationError) as raised:
        districts.add_district(admin, "2200", "另一个海关")
    assert "exists already" in raised.value.fields["code"][0]
    with pytest.raises(ValidationError) as raised:
        districts.add_district(admin, "2201", "  ", "Nameless")
    assert "name_local" in raised.value.fields
    with pytest.raises(ValidationError):
        districts.rename_district(admin, "2200", "", "Shanghai")
    with pytest.raises(ValidationError):
        districts.add_district(admin, "2202", "x" * 201)
    assert _district("2200").name_local == "上海海关"
    assert _district("2201") is None
    with pytest.raises(NotFound):
        districts.rename_district(admin, "9999", "无", None)


@pytest.mark.parametrize("role", [Role.HOLDER, Role.REVIEWER, Role.OFFICER])
def test_only_admins_maintain_districts(make_user, role):
    user = make_user(role)  # an officer's factory adds district 5301
    with pytest.raises(PermissionDenied):
        districts.add_district(user, "2200", "上海海关")
    with pytest.raises(PermissionDenied):
        districts.rename_district(user, "5301", "改名", None)
    with pytest.raises(PermissionDenied):
        districts.set_active(user, "5301", False)
    assert _district("2200") is None
    assert _district("5301") is None or _district("5301").active


def test_officer_counts_and_active_districts(make_user):
    make_user(Role.OFFICER, district="5301")
    make_user(Role.OFFICER, district="5301")
    make_user(Role.OFFICER, district="2200")
    make_district("0100")
    districts.set_active(None, "0100", False)
    assert districts.officer_counts(["5301", "2200", "0100"]) == {"5301": 2, "2200": 1}
    assert [d.code for d in districts.active_districts()] == ["2200", "5301"]


# --- admin pages -------------------------------------------------------------------------------


def test_district_list_shows_codes_officer_counts_and_an_empty_state(
    client, login, admin, make_user
):
    login(admin)
    empty = client.get("/admin/districts")
    assert empty.status_code == 200
    assert 'data-testid="empty-state"' in empty.get_data(True)
    make_district("5301", "Shenzhen Huanggang Customs")
    make_user(Role.OFFICER, district="5301")
    page = client.get("/admin/districts").get_data(True)
    assert 'data-code="5301"' in page and "Shenzhen Huanggang Customs" in page
    assert 'data-testid="officer-count">1<' in page
    assert 'scope="col"' in page


def test_district_list_is_paginated(client, login, admin, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    for code in ("0100", "2200", "5301"):
        make_district(code)
    login(admin)
    first = client.get("/admin/districts").get_data(True)
    assert 'data-code="0100"' in first and 'data-code="5301"' not in first
    cursor = first.split("cursor=")[1].split('"')[0]
    second = client.get(f"/admin/districts?cursor={cursor}").get_data(True)
    assert 'data-code="5301"' in second and 'data-code="0100"' not in second


def test_admin_adds_a_district_with_the_form(client, login, admin):
    login(admin)
    assert client.get("/admin/districts/new").status_code == 200
    response = client.post(
        "/admin/districts/new",
        data={
            "code": "5301",
            "name_local": "深圳皇岗海关",
            "name_en": "Shenzhen Huanggang Customs",
        },
    )
    assert response.status_code == 302
    assert _district("5301").name_en == "Shenzhen Huanggang Customs"
    assert _events("district.added")[0].actor_id == admin.id


def test_a_bad_district_form_keeps_what_was_typed(client, login, admin):
    make_district("5301")
    login(admin)
    response = client.post(
        "/admin/districts/new", data={"code": "5301", "name_local": "重复", "name_en": "Again"}
    )
    page = response.get_data(True)
    assert response.status_code == 200
    assert "exists already" in page and 'value="重复"' in page and 'value="Again"' in page
    response = client.post("/admin/districts/new", data={"code": "53x1", "name_local": "某"})
    assert "exactly 4 digits" in response.get_data(True)
    assert db.session.scalar(select(func.count()).select_from(CustomsDistrict)) == 1


def test_admin_renames_a_district(client, login, admin):
    make_district("2200")
    login(admin)
    form = client.get("/admin/districts/2200/edit").get_data(True)
    assert 'value="District 2200 海关"' in form
    response = client.post(
        "/admin/districts/2200/edit", data={"name_local": "上海海关", "name_en": "Shanghai Customs"}
    )
    assert response.status_code == 302
    assert (_district("2200").name_local, _district("2200").name_en) == (
        "上海海关",
        "Shanghai Customs",
    )
    assert client.get("/admin/districts/9999/edit").status_code == 404


def test_deactivation_and_reactivation_ask_first(client, login, admin):
    make_district("5301")
    login(admin)
    confirm = client.get("/admin/districts/5301/deactivate")
    assert confirm.status_code == 200 and "Deactivate customs district 5301" in confirm.get_data(
        True
    )
    assert _district("5301").active  # asking changes nothing
    assert client.post("/admin/districts/5301/deactivate").status_code == 302
    assert _district("5301").active is False
    assert "Reactivate customs district 5301" in client.get(
        "/admin/districts/5301/activate"
    ).get_data(True)
    assert client.post("/admin/districts/5301/activate").status_code == 302
    assert _district("5301").active is True
    assert client.post("/admin/districts/0000/activate").status_code == 404


# --- officer accounts --------------------------------------------------------------------------


def test_admin_creates_an_officer_in_an_active_district(client, login, admin):
    make_district("5301", "Shenzhen Huanggang Customs")
    make_district("0100")
    districts.set_active(None, "0100", False)
    login(admin)
    form = client.get("/admin/users/new").get_data(True)
    assert 'value="officer"' in form and 'value="5301"' in form
    assert 'value="0100"' not in form  # deactivated: not offered
    data = {"email": "port@example.com", "name": "Officer Sun", "role": "officer",
            "district": "5301", "password": PASSWORD, "confirm": PASSWORD}  # fmt: skip
    assert client.post("/admin/users/new", data=data).status_code == 302
    officer = _user("port@example.com")
    assert (officer.role, officer.district_code) == (Role.OFFICER, "5301")
    listing = client.get("/admin/users?role=officer").get_data(True)
    assert "5301 Shenzhen Huanggang Customs" in listing


@pytest.mark.parametrize(
    ("role", "district", "message"),
    [
        ("officer", "", "An officer belongs to a customs district"),
        ("officer", "0100", "Not a valid choice"),  # deactivated: not among the choices
        ("reviewer", "5301", "Only officers belong to a customs district"),
    ],
)
def test_the_account_form_refuses_a_wrong_district(client, login, admin, role, district, message):
    make_district("5301")
    make_district("0100")
    districts.set_active(None, "0100", False)
    login(admin)
    data = {"email": "x@example.com", "name": "X", "role": role, "district": district,
            "password": PASSWORD, "confirm": PASSWORD}  # fmt: skip
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 200
    assert message in response.get_data(True)
    assert _user("x@example.com") is None


def test_create_user_cli_places_an_officer_in_a_district(runner):
    make_district("5301")
    result = runner.invoke(
        args=["ipr", "create-user", "port@example.com", "--role", "officer", "--district", "5301"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert _user("port@example.com").district_code == "5301"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "officer"], "An officer belongs to a customs district: give its code."),
        (["--role", "officer", "--district", "9999"], "9999 is not an active customs district."),
        (["--role", "officer", "--district", "0100"], "0100 is not an active customs district."),
        (
            ["--role", "reviewer", "--district", "5301"],
            "Only officers belong to a customs district.",
        ),
    ],
)
def test_create_user_cli_explains_a_wrong_district(runner, args, message):
    make_district("5301")
    make_district("0100")
    districts.set_active(None, "0100", False)
    result = runner.invoke(
        args=["ipr", "create-user", "port@example.com", *args], input=PASSWORD + "\n"
    )
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {message}"
    assert _user("port@example.com") is None


def test_add_district_cli(runner):
    args = [
        "ipr",
        "add-district",
        "5301",
        "深圳皇岗海关",
        "--name-en",
        "Shenzhen Huanggang Customs",
    ]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert "Added customs district 5301 深圳皇岗海关 (Shenzhen Huanggang Customs)." in first.output
    assert _district("5301").name_en == "Shenzhen Huanggang Customs"
    again = runner.invoke(args=args)  # a provisioning script run twice
    assert again.exit_code == 0 and "exists already; nothing changed" in again.output
    other = runner.invoke(args=["ipr", "add-district", "5301", "别的名字"])
    assert other.exit_code == 1
    assert other.output.startswith(
        "Error: Customs district 5301 exists already, named 深圳皇岗海关"
    )
    bad = runner.invoke(args=["ipr", "add-district", "531", "某海关"])
    assert bad.exit_code == 1
    assert bad.output.strip() == "Error: The customs code is exactly 4 digits, e.g. 5301."
    assert [e.actor_id for e in _events("district.added")] == [None]
    assert _district("5301").name_local == "深圳皇岗海关"


# --- the officer's own pages -------------------------------------------------------------------


def test_an_officer_has_a_cases_link_and_every_account_page_renders(client, login, make_user):
    officer = make_user(Role.OFFICER, district="5301")
    login(officer)
    home = client.get("/home")
    assert home.status_code == 302 and home.headers["Location"].endswith("/cases/")
    for url in ("/cases/", "/auth/profile", "/auth/tokens", "/notifications/"):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(True)
        assert 'href="/cases/"' in page and ">Cases<" in page, url
    profile = client.get("/auth/profile").get_data(True)
    assert 'data-testid="profile-district">5301 District 5301' in profile
    for url in ("/stats/", "/review/", "/admin/districts"):
        assert client.get(url).status_code == 403, url


def test_a_holder_has_a_detention_cases_link(client, login, make_user):
    login(make_user(Role.HOLDER))
    page = client.get("/auth/profile").get_data(True)
    assert 'href="/cases/"' in page and "Detention cases" in page
