"""Accounts through the web: register, sign in/out, profile, organisation, tokens, admin."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.models import ApiToken, Organisation, OrgKind, OutboxMessage, Role, User
from ipr_apps.services import tokens
from tests.conftest import PASSWORD

REGISTRATION = {
    "kind": "holder",
    "name": "Li Wei",
    "email": "Li.Wei@Example.com",
    "password": PASSWORD,
    "confirm": PASSWORD,
    "name_local": "深圳光明电子有限公司",
    "name_en": "Shenzhen Brightlight Electronics",
    "country": "CN",
    "registration_number": "9144",
    "address": "88 Keji Road",
    "legal_representative": "Zhang Min",
    "contact_person": "Li Wei",
    "org_email": "",
    "phone": "+86 755",
}


def _user(email: str) -> User | None:
    return db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()


def test_register_creates_holder_with_organisation_signed_in_once_confirmed(client):
    response = client.post("/auth/register", data=REGISTRATION)
    assert response.status_code == 200 and 'data-testid="check-email"' in response.get_data(True)
    user = _user("li.wei@example.com")
    assert user.role == Role.HOLDER and user.password_hash != PASSWORD
    assert user.email_confirmed_at is None
    org = user.organisation
    assert (org.kind, org.name_local, org.country) == (OrgKind.HOLDER, "深圳光明电子有限公司", "CN")
    assert org.email == "li.wei@example.com"  # defaults to the account email
    link = db.session.scalars(select(OutboxMessage.body)).one().split("/auth/confirm/")[1]
    client.post("/auth/confirm/" + link.split()[0])
    assert client.get("/home").headers["Location"] == "/applications/"


def test_register_as_agency(client):
    client.post("/auth/register", data={**REGISTRATION, "kind": "agency"})
    assert _user("li.wei@example.com").organisation.kind == OrgKind.AGENCY


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"password": "short", "confirm": "short"}, "password"),
        ({"confirm": "something-else-123"}, "confirm"),
        ({"name_local": ""}, "name_local"),
        ({"country": "XX"}, "country"),
        ({"email": "not-an-email"}, "email"),
    ],
)
def test_register_rejects_bad_input_and_keeps_what_was_typed(client, change, field):
    response = client.post("/auth/register", data={**REGISTRATION, **change})
    html = response.get_data(True)
    assert response.status_code == 200
    assert 'data-testid="error-summary"' in html and f'href="#{field}"' in html
    assert "88 Keji Road" in html  # nothing typed is lost
    assert db.session.scalar(select(User.id)) is None


def test_register_duplicate_email_creates_nothing_and_says_nothing(client, make_user):
    make_user(Role.HOLDER, email="li.wei@example.com")
    response = client.post("/auth/register", data=REGISTRATION)
    assert response.status_code == 200
    assert "already exists" not in response.get_data(True)
    assert len(db.session.scalars(select(Organisation)).all()) == 1


@pytest.mark.parametrize("role", list(Role))
def test_each_role_signs_in_through_the_form_and_lands_home(client, make_user, role):
    user = make_user(role, email=f"Some.{role.value}@example.com")
    response = client.post("/auth/login", data={"email": user.email.upper(), "password": PASSWORD})
    assert response.headers["Location"] == "/home"
    home = {"holder": "/applications/", "reviewer": "/review/", "admin": "/admin/",
            "officer": "/cases/"}[role.value]  # fmt: skip
    assert client.get("/home").headers["Location"] == home
    assert client.get(home).status_code == 200
    assert db.session.get(User, user.id).last_login_at is not None


def test_deactivated_user_cannot_sign_in(client, make_user):
    user = make_user(Role.REVIEWER)
    user.active = False
    db.session.commit()
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert client.get("/review/").status_code == 302


def test_change_password(client, login, make_user):
    user = make_user(Role.REVIEWER)
    login(user)
    new = "a-brand-new-passphrase"
    bad = client.post("/auth/profile", data={
        "current_password": "wrong", "new_password": new, "confirm": new})  # fmt: skip
    assert bad.status_code == 200 and "not correct" in bad.get_data(True)
    ok = client.post("/auth/profile", data={
        "current_password": PASSWORD, "new_password": new, "confirm": new})  # fmt: skip
    assert ok.status_code == 302
    client.post("/auth/logout")
    assert (
        client.post("/auth/login", data={"email": user.email, "password": new}).status_code == 302
    )


def test_weak_new_password_is_refused(client, login, make_user):
    user = make_user(Role.HOLDER)
    login(user)
    old_hash = user.password_hash
    weak = "password1234"
    data = {"current_password": PASSWORD, "new_password": weak, "confirm": weak}
    response = client.post("/auth/profile", data=data)
    assert response.status_code == 200 and "too easy to guess" in response.get_data(True)
    assert db.session.get(User, user.id).password_hash == old_hash


def test_holder_completes_organisation_profile(client, login, make_user):
    user = make_user(Role.HOLDER)
    login(user)
    data = {**REGISTRATION, "org_email": "legal@example.com", "country": "DE"}
    assert client.post("/auth/organisation", data=data).status_code == 302
    org = db.session.get(Organisation, user.organisation_id)
    assert (org.country, org.email, org.name_en) == ("DE", "legal@example.com", data["name_en"])
    assert org.missing_profile_fields == []


def test_tokens_page_creates_shows_once_and_revokes(client, login, make_user):
    user = make_user(Role.HOLDER)
    login(user)
    html = client.post("/auth/tokens", data={"label": "docketing"}).get_data(True)
    token = db.session.scalars(select(ApiToken)).one()
    assert 'data-testid="new-token"' in html and token.prefix in html
    raw = html.split('class="token-value mb-0">')[1].split("<")[0]
    assert tokens.user_for_token(raw).id == user.id
    assert raw not in client.get("/auth/tokens").get_data(True)
    assert client.post(f"/auth/tokens/{token.id}/revoke").status_code == 302
    assert tokens.user_for_token(raw) is None


def test_cannot_revoke_someone_elses_token(client, login, make_user):
    owner, other = make_user(Role.HOLDER), make_user(Role.HOLDER)
    token, raw = tokens.create_token(owner, "mine")
    login(other)
    assert client.post(f"/auth/tokens/{token.id}/revoke").status_code == 404
    assert tokens.user_for_token(raw).id == owner.id


def test_admin_creates_reviewer(client, login, make_user):
    login(make_user(Role.ADMIN))
    data = {"email": "officer@customs.example", "name": "Officer", "role": "reviewer",
            "password": PASSWORD, "confirm": PASSWORD}  # fmt: skip
    assert client.post("/admin/users/new", data=data).status_code == 302
    assert _user("officer@customs.example").role == Role.REVIEWER
    again = client.post("/admin/users/new", data=data)
    assert again.status_code == 200 and "already exists" in again.get_data(True)


def test_admin_form_cannot_create_holders(client, login, make_user):
    login(make_user(Role.ADMIN))
    data = {"email": "h@example.com", "name": "H", "role": "holder",
            "password": PASSWORD, "confirm": PASSWORD}  # fmt: skip
    assert client.post("/admin/users/new", data=data).status_code == 200
    assert _user("h@example.com") is None


def test_admin_deactivates_after_confirmation_and_reactivates(client, login, make_user):
    admin, reviewer = make_user(Role.ADMIN), make_user(Role.REVIEWER)
    login(admin)
    confirm = client.get(f"/admin/users/{reviewer.id}/deactivate")
    assert confirm.status_code == 200 and "Deactivate account" in confirm.get_data(True)
    assert db.session.get(User, reviewer.id).active  # GET changes nothing
    client.post(f"/admin/users/{reviewer.id}/deactivate")
    assert not db.session.get(User, reviewer.id).active
    client.post(f"/admin/users/{reviewer.id}/activate")
    assert db.session.get(User, reviewer.id).active


def test_admin_cannot_deactivate_self(client, login, make_user):
    admin = make_user(Role.ADMIN)
    login(admin)
    client.post(f"/admin/users/{admin.id}/deactivate")
    assert db.session.get(User, admin.id).active


def test_admin_user_list_paginates_and_filters(client, login, make_user, app):
    app.config["PAGE_SIZE"] = 2
    try:
        admin = make_user(Role.ADMIN)
        reviewers = [make_user(Role.REVIEWER) for _ in range(3)]
        login(admin)
        first = client.get("/admin/users?role=reviewer").get_data(True)  # newest first
        assert reviewers[2].email in first and reviewers[0].email not in first
        assert admin.email not in first
        cursor = first.split("cursor=")[1].split("&")[0].split('"')[0]
        second = client.get(f"/admin/users?role=reviewer&cursor={cursor}").get_data(True)
        assert reviewers[0].email in second and reviewers[2].email not in second
    finally:
        app.config["PAGE_SIZE"] = 25


def test_nav_shows_each_role_its_own_places(client, login, users_by_role):
    expected = {
        "holder": ("My applications", "Accounts"),
        "reviewer": ("Review queue", "My applications"),
        "admin": ("Accounts", "My applications"),
    }
    for role, (shown, hidden) in expected.items():
        test_client = client.application.test_client()
        login(users_by_role[role], to=test_client)
        nav = (
            test_client.get("/")
            .get_data(True)
            .split('data-testid="nav-places"')[1]
            .split("</ul>")[0]
        )
        assert shown in nav and hidden not in nav
