"""The `flask ipr` command contract: create-user, create-token, seed-demo."""

from __future__ import annotations

import hashlib
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from ipr_apps.db import db
from ipr_apps.models import (
    AgentMandate,
    ApiToken,
    Application,
    CaseEvent,
    CustomsDistrict,
    Decision,
    DetentionCase,
    DetentionRequest,
    Organisation,
    Recordation,
    Role,
    SecurityEvent,
    StatusEvent,
    User,
    today,
)
from ipr_apps.services import demo, demo_history, tokens
from ipr_apps.services.passwords import verify_password
from tests.conftest import PASSWORD


def _user(email: str) -> User | None:
    return db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()


@pytest.mark.parametrize("role", ["holder", "reviewer", "admin"])  # officers: test_districts
def test_create_user_reads_password_from_stdin(runner, role):
    result = runner.invoke(
        args=["ipr", "create-user", "New@Example.com", "--role", role, "--name", "Acme Ltd"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    user = _user("new@example.com")
    assert user.role == Role(role) and user.name == "Acme Ltd"
    assert verify_password(user.password_hash, PASSWORD)
    if role == "holder":
        assert user.organisation.name_local == "Acme Ltd"
    else:
        assert user.organisation_id is None


def test_holder_without_name_gets_organisation_named_from_email(runner):
    runner.invoke(args=["ipr", "create-user", "h@example.com", "--role", "holder"], input=PASSWORD)
    assert _user("h@example.com").organisation.name_local == "h@example.com"


@pytest.mark.parametrize(
    ("password", "reason"),
    [("short", "at least 12 characters"), ("password1234", "too easy to guess")],
)
def test_weak_password_exits_non_zero_with_one_line(runner, password, reason):
    result = runner.invoke(
        args=["ipr", "create-user", "a@example.com", "--role", "admin"], input=password + "\n"
    )
    assert result.exit_code != 0
    assert reason in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert _user("a@example.com") is None


def test_duplicate_email_exits_non_zero_with_one_line(runner, make_user):
    make_user(Role.REVIEWER, email="dup@example.com")
    result = runner.invoke(
        args=["ipr", "create-user", "DUP@example.com", "--role", "admin"], input=PASSWORD + "\n"
    )
    assert result.exit_code != 0
    assert result.output.strip().splitlines() == [
        "Error: An account with the email dup@example.com already exists."
    ]
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_invalid_role_is_refused(runner):
    result = runner.invoke(args=["ipr", "create-user", "x@example.com", "--role", "boss"], input="")
    assert result.exit_code == 2
    assert _user("x@example.com") is None


def test_create_token_prints_token_last_and_stores_only_its_hash(runner, make_user):
    user = make_user(Role.HOLDER)
    result = runner.invoke(args=["ipr", "create-token", user.email, "--label", "docketing"])
    assert result.exit_code == 0
    raw = result.output.strip().splitlines()[-1]
    stored = db.session.scalars(select(ApiToken)).one()
    assert stored.label == "docketing" and stored.user_id == user.id
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in (stored.token_hash, stored.prefix)
    assert tokens.user_for_token(raw).id == user.id


def test_create_token_for_unknown_user_fails_cleanly(runner):
    result = runner.invoke(args=["ipr", "create-token", "ghost@example.com"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: No account with the email ghost@example.com."


def test_seed_demo_is_idempotent_and_prints_logins(runner, client, login, monkeypatch):
    # The history of the last three years covers the page opened below (its default range and
    # a year earlier) and keeps this test fast; tests/test_demo.py imports 2018–2019.
    monkeypatch.setattr(demo_history, "FIRST_MONTH", date(today().year - 3, 1, 1))
    first = runner.invoke(args=["ipr", "seed-demo"])
    assert first.exit_code == 0
    password = demo.demo_password()  # random, kept in the instance folder
    assert first.output.count(f"password: {password}") == 8
    history = sum(sum(demo_history.month_size(m)) for m in demo_history.months(today()))
    assert f"  {history:,} historical decisions imported." in first.output
    counts = {
        role: db.session.scalar(select(func.count()).select_from(User).where(User.role == role))
        for role in Role
    }
    assert counts == {Role.ADMIN: 1, Role.REVIEWER: 2, Role.HOLDER: 3, Role.OFFICER: 2}
    assert re.search(r"officer +officer@example\.com ", first.output)
    assert _user("officer@example.com").district_code == "5301"
    assert _user("officer.shanghai@example.com").district_code == "2200"
    assert {"0100", "2200", "3700", "4200", "5100", "5300", "5301"} <= set(
        db.session.scalars(select(CustomsDistrict.code))
    )
    brightlight = _user("holder@example.com").organisation
    assert brightlight.general_guarantee_cny > 0
    assert brightlight.guarantee_covers(today())
    agent = _user("agent@example.com")
    assert agent.is_agent
    assert db.session.scalar(select(func.count()).select_from(AgentMandate)) == 2
    # 12 applications in every state, and 11 of the recordations' lives: 6 approved new ones,
    # an approved amendment and renewal, an amendment submitted, one a draft, and a revision.
    assert _count(Application, Application.imported.is_(False)) == 12 + 11
    assert _count(Application, Application.imported) == history

    own = select(Application).where(Application.imported.is_(False))
    statuses = db.session.scalars(own.with_only_columns(Application.status)).all()
    assert sorted(s.value for s in statuses) == sorted(
        ["submitted"] * (4 + 1)
        + ["draft"] * (2 + 2)
        + ["withdrawn", "approved", "approved", "rejected"]
        + ["approved"] * 8
        + ["info_requested", "under_review"]
    )
    assert {a.ipr_type.value for a in db.session.scalars(own)} == {
        "trademark", "copyright", "patent_invention", "patent_design", "patent_utility_model"
    }  # fmt: skip
    flagged = db.session.scalars(own.where(Application.duplicate_flag)).all()
    assert [a.agency_id for a in flagged] == [agent.organisation_id]
    # The Shenzhen officer's live cases, one in each state, and the holder's two requests.
    live = select(DetentionCase).where(DetentionCase.imported.is_(False))
    states = sorted((c.status.value, c.mode.value, c.port_code) for c in db.session.scalars(live))
    assert states == [
        ("awaiting_holder", "ex_officio", "5301"), ("closed", "ex_officio", "5301"),
        ("detained", "ex_officio", "5301"), ("detained", "on_application", "5301"),
        ("released", "ex_officio", "5301"),
    ]  # fmt: skip
    assert sorted(r.status.value for r in db.session.scalars(select(DetentionRequest))) == [
        "accepted", "submitted"
    ]  # fmt: skip

    tables = (User, Organisation, AgentMandate, Application, Decision, StatusEvent, Recordation,
              CustomsDistrict, SecurityEvent, DetentionCase, CaseEvent,
              DetentionRequest)  # fmt: skip
    before = {model: _count(model) for model in tables}
    second = runner.invoke(args=["ipr", "seed-demo"])
    assert second.exit_code == 0
    assert "already existed" in second.output and password not in second.output
    assert "Historical decisions exist." in second.output
    assert "Demo applications exist." in second.output
    assert "Demo recordations exist." in second.output
    assert "Demo detention cases exist." in second.output
    assert {model: _count(model) for model in tables} == before

    # A fresh statistics page opens on the latest complete half year, with real figures.
    login(_user("admin@example.com"))
    headline = re.search(r'data-testid="headline">([^<]*)<', client.get("/stats/").get_data(True))
    approved = re.search(r"customs approved ([\d,]+) applications", headline[1])
    assert int(approved[1].replace(",", "")) > 500, headline[1]
    assert "year on year" in headline[1]


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_demo_logins_work(runner, client, monkeypatch):
    monkeypatch.setattr(demo, "seed_history", lambda: 0)  # the history plays no part here
    password = "Lantern-Harbour-83"  # as IPR_DEMO_PASSWORD would set it
    monkeypatch.setitem(client.application.config, "DEMO_PASSWORD", password)
    runner.invoke(args=["ipr", "seed-demo"])
    for email in ("admin@example.com", "reviewer@example.com", "holder@example.com",
                  "officer@example.com"):  # fmt: skip
        response = client.post("/auth/login", data={"email": email, "password": password})
        assert response.headers["Location"] == "/home", email
        client.post("/auth/logout")


def test_commands_explain_a_missing_schema(config, tmp_path):
    from tests.conftest import make_app

    empty = make_app({**config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.db'}"})
    result = empty.test_cli_runner().invoke(args=["ipr", "seed-demo"])
    assert result.exit_code == 1
    assert "db upgrade" in result.output and "Traceback" not in result.output
