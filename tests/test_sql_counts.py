"""Every front-office list page and API list sends at most 10 SQL statements, as many for 30
rows as for 8 (issue 16): an N+1 cannot come back unnoticed."""

from __future__ import annotations

from itertools import cycle

import pytest

from ipr_apps.db import db
from ipr_apps.models import Goods, MailStatus, Notification, OutboxMessage, Role, Status
from ipr_apps.services import tokens
from tests.factories import grant_mandate
from tests.sql_count import statements

LIMIT = 10
FEW, MANY = 8, 30  # 8: every state at least once, so each list shows each kind of row
STATES = [Status.DRAFT, Status.SUBMITTED, Status.UNDER_REVIEW, Status.INFO_REQUESTED,
          Status.APPROVED, Status.REJECTED, Status.WITHDRAWN]  # fmt: skip

PAGES = [
    *(("reviewer", f"/review/?tab={tab}") for tab in
      ("unclaimed", "mine", "in_review", "waiting", "decided")),
    ("reviewer", "/review/?q=Organisation"),
    ("reviewer", "/review/?tab=decided&q=organisation"),
    ("reviewer", "/review/?overdue=1&flagged=1&country=CN"),
    ("reviewer", "/notifications/"),
    ("reviewer", "/auth/tokens"),
    ("admin", "/review/"),
    ("admin", "/admin/"),
    ("admin", "/admin/users"),
    ("admin", "/admin/users?q=holder"),
    ("admin", "/admin/jobs"),
    ("admin", "/admin/security-log"),
    ("admin", "/admin/mail"),
    ("admin", "/admin/districts"),
    ("admin", "/admin/holidays"),
    ("holder", "/applications/"),
    ("holder", "/applications/?q=Organisation"),
    ("holder", "/applications/?status=submitted&sort=-updated"),
    ("holder", "/notifications/"),
    ("agent", "/applications/"),
    ("agent", "/applications/?scope=holders"),
]  # fmt: skip
API_LISTS = [
    ("holder", "/api/v1/applications"),
    ("agent", "/api/v1/applications"),
    ("reviewer", "/api/v1/applications"),
    ("admin", "/api/v1/applications?status=approved"),
    (None, "/api/v1/register?q=mark"),
]


@pytest.fixture
def world(make_user, make_application):
    """The accounts, and `grow(n)`: n more applications in turn of every state, half filed by
    the agent, with goods, and for each a notification to every account and an e-mail."""
    holder, reviewer = make_user(Role.HOLDER), make_user(Role.REVIEWER)
    agent, admin = make_user(Role.HOLDER, agency=True), make_user(Role.ADMIN)
    grant_mandate(agent, holder)
    people = {"holder": holder, "agent": agent, "reviewer": reviewer, "admin": admin}
    states, numbers = cycle(STATES), iter(range(10_000))

    def grow(n: int) -> None:
        for _ in range(n):
            i = next(numbers)
            app = make_application(holder, next(states), claimed_by=reviewer)
            if i % 2 == 0:  # filed by the agent for the holder; the others by the holder itself
                app.agency_id = agent.organisation_id
            app.duplicate_flag = i % 4 == 0
            app.goods = [Goods(name=f"Goods {i}", position=0, currency="CNY")]
            for user in people.values():
                db.session.add(Notification(user_id=user.id, application_id=app.id,
                                            subject=f"Note {i}", body="…"))  # fmt: skip
            mail = OutboxMessage(to_address="x@example.com", subject="S", body="B",
                                 status=list(MailStatus)[i % len(MailStatus)])  # fmt: skip
            mail.sent_at = app.created_at if mail.status == MailStatus.SENT else None
            db.session.add(mail)
            db.session.commit()

    return people, grow


def _sent(client, url: str, headers: dict | None = None) -> list[str]:
    client.get(url, headers=headers)  # once first: once-a-while writes (session, token) done
    with statements(db.engine) as sent:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    return sent


@pytest.mark.parametrize(("role", "url"), PAGES)
def test_list_page_statements(world, login, client, role, url):
    people, grow = world
    login(people[role])
    grow(FEW)
    few = _sent(client, url)
    grow(MANY - FEW)
    many = _sent(client, url)
    assert len(many) <= LIMIT, many.listing()
    assert len(many) == len(few), f"{FEW} rows:\n{few.listing()}\n{MANY} rows:\n{many.listing()}"


@pytest.mark.parametrize(("role", "url"), API_LISTS)
def test_api_list_statements(world, client, role, url):
    people, grow = world
    headers = {}
    if role:
        headers["Authorization"] = f"Bearer {tokens.create_token(people[role])[1]}"
    grow(FEW)
    few = _sent(client, url, headers)
    grow(MANY - FEW)
    many = _sent(client, url, headers)
    assert len(many) <= LIMIT, many.listing()
    assert len(many) == len(few), f"{FEW} rows:\n{few.listing()}\n{MANY} rows:\n{many.listing()}"
