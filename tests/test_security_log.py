"""The security log: each admin or security action writes exactly one row, with its actor,
target and client; the admin page lists, filters and pages through them."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from ipr_apps.db import db
from ipr_apps.models import ApiToken, Holiday, Role, SecurityEvent
from ipr_apps.services import calendar, security_log
from tests.api_helpers import bearer, token_for
from tests.conftest import PASSWORD
from tests.test_auth import REGISTRATION

AGENT = "Mozilla/5.0 (audit test) " + "x" * 300
NEW_PASSWORD = "Correct-Horse-Battery-9"
STATS = {"by": "year", "from": "2018-01-01", "to": "2019-12-31"}


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


@pytest.fixture
def mark(app):
    """mark() returns a function that lists the events written since mark() was called."""

    def take():
        db.session.commit()
        since = db.session.scalar(select(func.coalesce(func.max(SecurityEvent.id), 0)))

        def events() -> list[tuple]:
            db.session.expire_all()
            stmt = select(SecurityEvent).where(SecurityEvent.id > since).order_by(SecurityEvent.id)
            rows = db.session.scalars(stmt)
            return [(e.action, e.actor_id, e.target_type, e.target_id) for e in rows]

        return events

    return take


def _last() -> SecurityEvent:
    return db.session.scalars(select(SecurityEvent).order_by(SecurityEvent.id.desc())).first()


def _user_id(email: str) -> int:
    from ipr_apps.services.users import get_by_email

    return get_by_email(email).id


# --------------------------------------------------------------------------- accounts


def test_registration_writes_account_created_by_the_new_holder(client, mark):
    events = mark()
    client.post("/auth/register", data=REGISTRATION, headers={"User-Agent": AGENT})
    new = _user_id("li.wei@example.com")
    assert events() == [("account.created", new, "user", str(new))]
    row = _last()
    assert row.detail == {"role": "holder"} and row.ip_address == "127.0.0.1"
    assert row.user_agent == AGENT[: SecurityEvent.USER_AGENT_MAX]


def test_admin_page_creates_an_account(client, login, admin, mark):
    events = mark()
    login(admin)
    form = {"email": "officer@example.com", "name": "Officer", "role": "reviewer",
            "password": PASSWORD, "confirm": PASSWORD}  # fmt: skip
    assert client.post("/admin/users/new", data=form).status_code == 302
    new = _user_id("officer@example.com")
    assert events() == [("account.created", admin.id, "user", str(new))]
    assert _last().detail == {"role": "reviewer"}


def test_cli_creates_an_account_with_no_actor_and_no_address(runner, mark):
    events = mark()
    args = ["ipr", "create-user", "ops@example.com", "--role", "admin"]
    assert runner.invoke(args=args, input=f"{PASSWORD}\n").exit_code == 0
    assert events() == [("account.created", None, "user", str(_user_id("ops@example.com")))]
    assert _last().ip_address is None and _last().user_agent is None


def test_deactivation_and_activation_each_write_one_row(client, login, admin, make_user, mark):
    target = make_user(Role.REVIEWER)
    events = mark()
    login(admin)
    client.post(f"/admin/users/{target.id}/deactivate")
    client.post(f"/admin/users/{target.id}/activate")
    client.post(f"/admin/users/{target.id}/activate")  # already active: nothing changes
    assert events() == [
        ("account.deactivated", admin.id, "user", str(target.id)),
        ("account.activated", admin.id, "user", str(target.id)),
    ]


def test_password_change_writes_account_changed(client, login, make_user, mark):
    user = make_user(Role.HOLDER)
    events = mark()
    login(user)
    form = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert client.post("/auth/profile", data=form).status_code == 302
    assert events() == [("account.changed", user.id, "user", str(user.id))]
    assert _last().detail == {"changed": "password"}


# --------------------------------------------------------------------------- sign-in


def test_sign_in_and_sign_out(client, make_user, mark):
    user = make_user(Role.REVIEWER)
    events = mark()
    form = {"email": user.email, "password": PASSWORD}
    assert client.post("/auth/login", data=form, headers={"User-Agent": "ua"}).status_code == 302
    assert client.post("/auth/logout").status_code == 302
    assert events() == [
        ("signin.succeeded", user.id, "user", str(user.id)),
        ("signout", user.id, "user", str(user.id)),
    ]


def test_failed_sign_ins_keep_the_address_tried(client, make_user, mark):
    user = make_user(Role.HOLDER)
    events = mark()
    client.post("/auth/login", data={"email": user.email, "password": "wrong-password-1"})
    client.post("/auth/login", data={"email": "Nobody@Example.com", "password": PASSWORD})
    assert events() == [
        ("signin.failed", None, "user", str(user.id)),
        ("signin.failed", None, None, None),
    ]
    rows = db.session.scalars(select(SecurityEvent).order_by(SecurityEvent.id.desc()).limit(2))
    assert [r.email for r in rows] == ["nobody@example.com", user.email]


# --------------------------------------------------------------------------- tokens


def test_tokens_created_and_revoked_on_the_web(client, login, make_user, mark):
    user = make_user(Role.HOLDER)
    events = mark()
    login(user)
    client.post("/auth/tokens", data={"label": "docketing"})
    token = db.session.scalars(select(ApiToken)).one()
    client.post(f"/auth/tokens/{token.id}/revoke")
    client.post(f"/auth/tokens/{token.id}/revoke")  # already revoked: nothing new
    assert events() == [
        ("token.created", user.id, "token", str(token.id)),
        ("token.revoked", user.id, "token", str(token.id)),
    ]


def test_cli_token_has_the_operator_as_actor(runner, make_user, mark):
    user = make_user(Role.HOLDER)
    events = mark()
    assert runner.invoke(args=["ipr", "create-token", user.email]).exit_code == 0
    token = db.session.scalars(select(ApiToken)).one()
    assert events() == [("token.created", None, "token", str(token.id))]


# --------------------------------------------------------------------------- holidays


def test_holidays_added_changed_and_removed(admin, mark):
    events = mark()
    calendar.add_holiday(admin, date(2026, 1, 1), "New Year")
    source = io.StringIO("date,name\n2026-01-01,New Year's Day\n2026-05-01,Labour Day\n")
    calendar.import_holidays(admin, source)
    calendar.import_holidays(None, io.StringIO("date,name\n2026-05-01,Labour Day\n"))  # no change
    calendar.remove_holiday(admin, date(2026, 1, 1))
    assert events() == [
        ("holiday.added", admin.id, "holiday", "2026-01-01"),
        ("holiday.changed", admin.id, "holiday", "2026-01-01"),
        ("holiday.added", admin.id, "holiday", "2026-05-01"),
        ("holiday.removed", admin.id, "holiday", "2026-01-01"),
    ]
    assert db.session.scalars(select(Holiday.day)).all() == [date(2026, 5, 1)]


def test_holiday_page_writes_one_row(client, login, admin, mark):
    events = mark()
    login(admin)
    client.post("/admin/holidays?year=2026", data={"day": "2026-10-01", "name": "National Day"})
    assert events() == [("holiday.added", admin.id, "holiday", "2026-10-01")]


# --------------------------------------------------------------------------- exports


def test_statistics_downloads_are_logged(client, login, admin, mark):
    events = mark()
    login(admin)
    assert client.get("/stats/export.csv", query_string=STATS).status_code == 200
    assert events() == [("export.downloaded", admin.id, None, None)]
    assert _last().detail == {
        "format": "csv",
        "by": "year",
        "from": "2018-01-01",
        "to": "2019-12-31",
    }


def test_api_statistics_are_logged(client, admin, mark):
    raw = token_for(admin)
    events = mark()
    query = {"by": "year", "from": "2018-01-01", "to": "2019-12-31"}
    assert client.get("/api/v1/stats", query_string=query, headers=bearer(raw)).status_code == 200
    assert events() == [("export.downloaded", admin.id, None, None)]
    assert _last().detail["via"] == "api"


def test_cli_export_is_logged(runner, mark, tmp_path):
    events = mark()
    args = ["ipr", "export-stats", "--by", "year", "--from", "2018-01-01", "--to", "2019-12-31"]
    assert runner.invoke(args=[*args, "--output", str(tmp_path / "s.csv")]).exit_code == 0
    assert events() == [("export.downloaded", None, None, None)]


def test_job_result_download_is_logged(client, login, admin, mark):
    login(admin)
    response = client.post("/stats/export-job", data={**STATS, "format": "json"})
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    events = mark()
    download = client.get(f"/admin/jobs/{job_id}/result")
    download.close()
    assert download.status_code == 200
    assert events() == [("export.downloaded", admin.id, "job", str(job_id))]


# --------------------------------------------------------------------------- the service


def test_record_joins_the_callers_transaction(admin):
    before = db.session.scalar(select(func.count()).select_from(SecurityEvent))
    security_log.record("signout", admin)
    db.session.rollback()  # the caller's unit of work failed: its event goes with it
    assert db.session.scalar(select(func.count()).select_from(SecurityEvent)) == before


def test_unknown_action_codes_are_refused(admin):
    with pytest.raises(ValueError):
        security_log.record("account.exploded", admin)
    db.session.rollback()


# --------------------------------------------------------------------------- sessions and links


def _sessions_of(user) -> list[int]:
    from ipr_apps.models import UserSession

    stmt = select(UserSession.id).where(UserSession.user_id == user.id).order_by(UserSession.id)
    return list(db.session.scalars(stmt))


def test_ending_other_sessions_logs_one_revocation_with_their_ids(app, client, make_user, mark):
    user = make_user(Role.HOLDER)
    form = {"email": user.email, "password": PASSWORD}
    for _ in range(2):  # two other browsers
        assert app.test_client().post("/auth/login", data=form).status_code == 302
    assert client.post("/auth/login", data=form).status_code == 302
    others = _sessions_of(user)[:2]
    events = mark()
    assert client.post("/auth/sessions/end-others").status_code == 302
    assert events() == [("session.revoked", user.id, "user", str(user.id))]
    assert _last().detail == {"reason": "ended_by_user", "sessions": others}


def test_deactivation_logs_the_sessions_it_ended(app, client, login, admin, make_user, mark):
    user = make_user(Role.HOLDER)
    form = {"email": user.email, "password": PASSWORD}
    assert app.test_client().post("/auth/login", data=form).status_code == 302
    events = mark()
    login(admin)
    assert client.post(f"/admin/users/{user.id}/deactivate").status_code == 302
    assert events() == [
        ("account.deactivated", admin.id, "user", str(user.id)),
        ("session.revoked", admin.id, "user", str(user.id)),
    ]
    assert _last().detail == {"reason": "deactivated", "sessions": _sessions_of(user)}


def test_a_password_reset_logs_the_change_and_the_sessions_ended(app, client, make_user, mark):
    from ipr_apps.services import account_links

    user = make_user(Role.HOLDER)
    assert app.test_client().post(
        "/auth/login", data={"email": user.email, "password": PASSWORD}
    ).status_code == 302  # fmt: skip
    events = mark()
    path = f"/auth/password/reset/{account_links.reset_token(user)}"
    form = {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert client.post(path, data=form).status_code == 302
    assert events() == [
        ("session.revoked", user.id, "user", str(user.id)),
        ("account.changed", user.id, "user", str(user.id)),
    ]
    assert _last().detail == {"changed": "password", "via": "reset"}


def test_confirming_an_address_is_logged(client, mark):
    from ipr_apps.services import account_links
    from ipr_apps.services.users import get_by_email

    client.post("/auth/register", data=REGISTRATION)
    user = get_by_email(REGISTRATION["email"])
    events = mark()
    assert client.post(f"/auth/confirm/{account_links.confirm_token(user)}").status_code == 302
    assert ("account.changed", user.id, "user", str(user.id)) in events()
    changed = [
        e for e in db.session.scalars(select(SecurityEvent)) if e.action == "account.changed"
    ]
    assert changed[-1].detail == {"changed": "email_confirmed"}
