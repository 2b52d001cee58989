"""Registration that does not reveal which addresses have accounts, e-mail confirmation and
password reset: the pages, the accounts in the database and the e-mails in the outbox."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from ipr_apps.db import db
from ipr_apps.extensions import limiter
from ipr_apps.models import Organisation, OutboxMessage, Role, User
from ipr_apps.services import account_links
from ipr_apps.services.passwords import verify_password
from tests.conftest import PASSWORD, make_app
from tests.test_auth import REGISTRATION
from tests.test_passwords import fastest_seconds
from tests.test_security import csrf_token

NEW_PASSWORD = "plum velvet orbit canyon"


@pytest.fixture
def strict_app(app, config):
    """The real app with CSRF and rate limiting on; afterwards the shared limiter is off and
    empty again (init_app switched it on for every app, the tests' own included)."""
    strict = make_app({**config, "WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": True})
    yield strict
    limiter.enabled = False
    limiter.reset()
    with strict.app_context():
        db.engine.dispose()


def _user(email: str) -> User | None:
    return db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _mails(to: str) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).where(OutboxMessage.to_address == to).order_by(OutboxMessage.id)
    return list(db.session.scalars(stmt))


def _link(message: OutboxMessage, path: str) -> str:
    """The path of the first link to `path...` in the e-mail."""
    found = re.search(rf"https?://[^/\s]+({re.escape(path)}[^\s]*)", message.body)
    assert found, message.body
    return found[1]


def _page(response) -> str:
    """The page without what differs between any two responses (CSRF token, nonce)."""
    return re.sub(r'(value|nonce)="[^"]*"', "", response.get_data(True))


# --------------------------------------------------------------------------- registration


def test_new_and_existing_addresses_get_the_same_answer(client, make_user):
    owner = make_user(Role.HOLDER, email="taken@example.com")
    new = client.post("/auth/register", data={**REGISTRATION, "email": "fresh@example.com"})
    taken = client.post("/auth/register", data={**REGISTRATION, "email": "taken@example.com"})
    assert new.status_code == taken.status_code == 200
    normalised = _page(taken).replace("taken@example.com", "fresh@example.com")
    assert _page(new) == normalised
    assert 'data-testid="check-email"' in new.get_data(True)
    assert "already exists" not in taken.get_data(True)
    # No second account and no second organisation for the taken address.
    assert _count(User) == 2 and _count(Organisation) == 2
    assert db.session.get(User, owner.id).password_hash == owner.password_hash


def test_new_and_existing_addresses_take_a_similar_time(app, make_user):
    """Both branches hash the password with the real method (scrypt here)."""
    make_user(Role.HOLDER, email="taken@example.com")
    app.config["PASSWORD_HASH_METHOD"] = "scrypt"
    fresh = iter(f"fresh{n}@example.com" for n in range(20))
    try:
        register = lambda email: app.test_client().post(  # noqa: E731 (no one signed in)
            "/auth/register", data={**REGISTRATION, "email": email}
        )
        register(next(fresh))  # warm-up
        new, taken = fastest_seconds(
            lambda: register(next(fresh)), lambda: register("taken@example.com")
        )
    finally:
        app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"
    assert taken >= 0.5 * new and new >= 0.5 * taken, (new, taken)


def test_new_and_existing_addresses_each_hash_the_password_once(app, make_user, monkeypatch):
    """The timing above rests on this: one hash with the configured method on either branch."""
    from ipr_apps.services import passwords

    make_user(Role.HOLDER, email="taken@example.com")
    methods: list[str] = []
    real = passwords.generate_password_hash

    def counting(password, method):
        methods.append(method)
        return real(password, method=method)

    monkeypatch.setattr(passwords, "generate_password_hash", counting)
    register = lambda email: app.test_client().post(  # noqa: E731 (no one signed in)
        "/auth/register", data={**REGISTRATION, "email": email}
    )
    register("fresh@example.com")
    assert methods == [app.config["PASSWORD_HASH_METHOD"]]
    register("taken@example.com")
    assert methods == [app.config["PASSWORD_HASH_METHOD"]] * 2


def test_a_new_address_gets_an_unconfirmed_account_and_a_confirmation_link(client):
    client.post("/auth/register", data=REGISTRATION)
    user = _user("li.wei@example.com")
    assert user.role == Role.HOLDER and user.email_confirmed_at is None
    assert user.organisation.name_local == REGISTRATION["name_local"]
    [mail] = _mails("li.wei@example.com")
    assert mail.subject == "Confirm your e-mail address for IPR Customs Recordation"
    assert "/auth/confirm/" in mail.body and "48 hours" in mail.body
    assert client.get("/home").status_code == 302  # not signed in


def test_an_existing_owner_is_told_someone_tried_to_register(client, make_user):
    make_user(Role.REVIEWER, email="li.wei@example.com")
    client.post("/auth/register", data=REGISTRATION)
    [mail] = _mails("li.wei@example.com")
    assert mail.subject == "Someone tried to register with your e-mail address"
    assert _link(mail, "/auth/login") == "/auth/login"
    assert _link(mail, "/auth/password/forgot") == "/auth/password/forgot"
    assert _count(User) == 1 and _count(Organisation) == 0


def test_a_weak_password_is_refused_for_new_and_existing_addresses_alike(client, make_user):
    make_user(Role.HOLDER, email="taken@example.com")
    weak = {"password": "Password123!", "confirm": "Password123!"}
    answers = [
        client.post("/auth/register", data={**REGISTRATION, **weak, "email": email})
        for email in ("fresh@example.com", "taken@example.com")
    ]
    for response in answers:
        assert response.status_code == 200 and "too easy to guess" in response.get_data(True)
    assert _count(User) == 1 and _count(OutboxMessage) == 0


def test_the_confirmation_link_confirms_and_signs_in_once(client):
    client.post("/auth/register", data=REGISTRATION)
    path = _link(_mails("li.wei@example.com")[0], "/auth/confirm/")
    page = client.get(path)
    assert page.status_code == 200 and 'data-testid="confirm"' in page.get_data(True)
    assert _user("li.wei@example.com").email_confirmed_at is None  # GET changes nothing
    response = client.post(path)
    assert response.headers["Location"] == "/home"
    assert _user("li.wei@example.com").email_confirmed_at is not None
    assert client.get("/applications/").status_code == 200
    client.post("/auth/logout")
    again = client.post(path)  # used: no second sign-in through it
    assert again.headers["Location"] == "/auth/login"
    assert client.get("/applications/").status_code == 302


@pytest.mark.parametrize("spoil", ["tamper", "expire"])
def test_a_tampered_or_expired_confirmation_link_is_refused(client, app, monkeypatch, spoil):
    client.post("/auth/register", data=REGISTRATION)
    path = _link(_mails("li.wei@example.com")[0], "/auth/confirm/")
    if spoil == "tamper":
        path = path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb")
    else:
        monkeypatch.setitem(app.config, "EMAIL_CONFIRM_MAX_AGE", -1)
    assert client.post(path).status_code == 400
    assert _user("li.wei@example.com").email_confirmed_at is None


def test_an_unconfirmed_account_signing_in_can_ask_for_a_new_link(client):
    client.post("/auth/register", data=REGISTRATION)
    wrong = client.post("/auth/login", data={"email": "li.wei@example.com", "password": "x" * 12})
    assert 'data-testid="unconfirmed"' not in wrong.get_data(True)  # only with the password
    right = client.post("/auth/login", data={"email": "li.wei@example.com", "password": PASSWORD})
    assert right.status_code == 200 and 'data-testid="unconfirmed"' in right.get_data(True)
    assert client.get("/home").status_code == 302  # still not signed in
    assert _user("li.wei@example.com").last_login_at is None
    resent = client.post("/auth/resend-confirmation")
    assert resent.status_code == 200 and 'data-testid="check-email"' in resent.get_data(True)
    _, second = _mails("li.wei@example.com")
    assert client.post(_link(second, "/auth/confirm/")).headers["Location"] == "/home"


def test_re_sending_needs_the_right_password_first(client, make_user):
    response = client.post("/auth/resend-confirmation")
    assert response.status_code == 400 and _count(OutboxMessage) == 0


def test_re_sending_is_rate_limited(strict_app):
    strict_app.config["CONFIRM_RESEND_RATE_LIMIT"] = "2 per minute"
    client = strict_app.test_client()
    statuses = []
    for _ in range(3):
        token = csrf_token(client.get("/auth/login").get_data(True))
        response = client.post("/auth/resend-confirmation", data={"csrf_token": token})
        statuses.append(response.status_code)
    assert statuses == [400, 400, 429]


# --------------------------------------------------------------------------- password reset


def _request_reset(client, email: str):
    return client.post("/auth/password/forgot", data={"email": email})


def test_the_login_page_links_to_the_reset_form(client):
    html = client.get("/auth/login").get_data(True)
    assert 'href="/auth/password/forgot"' in html
    assert client.get("/auth/password/forgot").status_code == 200


def test_a_reset_request_answers_alike_and_mails_only_active_accounts(client, make_user):
    user = make_user(Role.HOLDER)
    gone = make_user(Role.HOLDER)
    gone.active = False
    db.session.commit()
    answers = {email: _request_reset(client, email) for email in
               (user.email, "nobody@example.com", gone.email)}  # fmt: skip
    pages = {_page(r).replace(email, "X") for email, r in answers.items()}
    assert len(pages) == 1 and {r.status_code for r in answers.values()} == {200}
    [mail] = db.session.scalars(select(OutboxMessage)).all()
    assert mail.to_address == user.email
    assert mail.subject == "Set a new password for IPR Customs Recordation"


def test_the_reset_link_sets_a_new_password_once(client, make_user):
    user = make_user(Role.REVIEWER)
    _request_reset(client, user.email)
    path = _link(_mails(user.email)[0], "/auth/password/reset/")
    assert client.get(path).status_code == 200
    weak = client.post(path, data={"new_password": "qwerty123456", "confirm": "qwerty123456"})
    assert weak.status_code == 200 and "too easy to guess" in weak.get_data(True)
    assert verify_password(db.session.get(User, user.id).password_hash, PASSWORD)
    data = {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    done = client.post(path, data=data)
    assert done.headers["Location"] == "/auth/login"
    assert verify_password(db.session.get(User, user.id).password_hash, NEW_PASSWORD)
    assert client.get(path).status_code == 400  # the link died with the old password
    assert client.post(path, data={**data, "new_password": "x", "confirm": "x"}).status_code == 400
    signed_in = client.post("/auth/login", data={"email": user.email, "password": NEW_PASSWORD})
    assert signed_in.headers["Location"] == "/home"


def test_a_reset_link_expires_after_its_max_age(client, app, make_user, monkeypatch):
    user = make_user(Role.HOLDER)
    _request_reset(client, user.email)
    path = _link(_mails(user.email)[0], "/auth/password/reset/")
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)
    data = {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert client.post(path, data=data).status_code == 400
    assert verify_password(db.session.get(User, user.id).password_hash, PASSWORD)


def test_a_reset_confirms_an_unconfirmed_address(client):
    client.post("/auth/register", data=REGISTRATION)
    user = _user("li.wei@example.com")
    token = account_links.reset_token(user)
    data = {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert client.post(f"/auth/password/reset/{token}", data=data).status_code == 302
    assert _user("li.wei@example.com").email_confirmed_at is not None


def test_a_confirmation_token_is_no_reset_token(client, make_user):
    user = make_user(Role.HOLDER)
    token = account_links.confirm_token(user)
    assert client.get(f"/auth/password/reset/{token}").status_code == 400


def test_reset_requests_are_rate_limited(strict_app):
    strict_app.config["PASSWORD_RESET_RATE_LIMIT"] = "2 per minute"
    client = strict_app.test_client()
    statuses = []
    for _ in range(3):
        token = csrf_token(client.get("/auth/password/forgot").get_data(True))
        data = {"email": "someone@example.com", "csrf_token": token}
        statuses.append(client.post("/auth/password/forgot", data=data).status_code)
    assert statuses == [200, 200, 429]
    page = client.post("/auth/password/forgot", data=data).get_data(True)
    assert 'href="/auth/login"' in page and 'href="/auth/password/forgot"' in page


def test_an_already_confirmed_link_opened_while_signed_in_says_nothing_about_signing_in(
    client, login, make_user
):
    user = make_user(Role.HOLDER)
    path = f"/auth/confirm/{account_links.confirm_token(user)}"
    first = client.get(path, follow_redirects=True)
    assert first.request.path == "/auth/login" and "already confirmed; sign in" in first.get_data(
        True
    )
    login(user)
    response = client.get(path, follow_redirects=True)
    assert "already confirmed." in response.get_data(True)
    assert "already confirmed; sign in" not in response.get_data(True)


# --------------------------------------------------------------------------- change notice


def test_a_password_change_is_mailed_to_the_owner(client, login, make_user):
    user = make_user(Role.REVIEWER)
    login(user)
    form = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert client.post("/auth/profile", data=form).status_code == 302
    [mail] = _mails(user.email)
    assert mail.subject == "Your IPR Customs Recordation password was changed"
    assert _link(mail, "/auth/password/forgot") == "/auth/password/forgot"
    assert "reset link" not in mail.body


def test_a_reset_is_mailed_as_a_change_too(client, make_user):
    user = make_user(Role.REVIEWER)
    path = f"/auth/password/reset/{account_links.reset_token(user)}"
    data = {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert client.post(path, data=data).status_code == 302
    [mail] = _mails(user.email)
    assert "changed through a password-reset link" in mail.body


def test_a_refused_change_mails_nothing(client, login, make_user):
    user = make_user(Role.REVIEWER)
    login(user)
    form = {"current_password": "wrong", "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert client.post("/auth/profile", data=form).status_code == 200
    assert _mails(user.email) == []


def test_a_registration_in_chinese_is_confirmed_in_chinese_and_keeps_the_language(client):
    """The confirmation e-mail is worded in the language the form was filled in, whatever the
    instance default, and the account keeps it as its choice (its later e-mails follow)."""
    client.post("/auth/register", data=REGISTRATION, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert _user("li.wei@example.com").locale == "zh_Hans"
    [mail] = _mails("li.wei@example.com")
    assert re.search(r"[\u4e00-\u9fff]", mail.subject), mail.subject
