"""Statements per request on every list and detail page of the lifecycle (recordations, the
public register), border-side (cases, requests, guarantees, districts) and screening areas,
for each role that sees them, and their API lists: at most 10, and no more with 30 rows than
with 5 (issue 16: an N+1 cannot come back)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ipr_apps.db import db
from tests import lifecycle_data
from tests.api_helpers import bearer, token_for
from tests.lifecycle_data import World
from tests.sql_count import statements

LIMIT = 10

# (name, roles, url built from the world); the user's session counts as part of the page.
PAGES: list[tuple[str, tuple[str, ...], Callable[[World], str]]] = [
    ("recordations", ("holder", "agent", "client", "reviewer", "admin", "officer"),
     lambda w: "/recordations/"),
    ("recordations filtered", ("holder", "agent", "reviewer", "officer"),
     lambda w: "/recordations/?status=active&ipr_type=trademark&expiring=24"),
    ("recordations search", ("holder", "agent", "admin", "officer"),
     lambda w: "/recordations/?q=Organisation"),
    ("recordation", ("holder", "agent", "reviewer", "admin", "officer"),
     lambda w: f"/recordations/{w.recordation.id}"),
    ("recordation version", ("holder", "reviewer"),
     lambda w: f"/recordations/{w.recordation.id}?version={w.recordation.application_id}"),
    ("cancel recordation", ("holder",), lambda w: f"/recordations/{w.recordation.id}/cancel"),
    ("revoke recordation", ("admin",), lambda w: f"/recordations/{w.recordation.id}/revoke"),
    ("register search", ("anonymous",), lambda w: "/register/?q=Mark"),
    ("register entry", ("anonymous",), lambda w: f"/register/{w.recordation.number}"),
    ("cases", ("holder", "agent", "officer", "admin"), lambda w: "/cases/"),
    ("cases filtered", ("holder", "officer", "admin"),
     lambda w: "/cases/?status=awaiting_holder&mode=ex_officio&ipr_type=trademark&q=D2026"),
    ("officers' deadlines", ("officer", "admin"), lambda w: "/cases/?overdue=1"),
    ("case", ("holder", "officer", "admin"), lambda w: f"/cases/{w.case.id}"),
    ("case finder text", ("officer",), lambda w: "/cases/find?q=Mark&ended=1"),
    ("case finder hs", ("officer",), lambda w: "/cases/find?hs=8513"),
    ("open case", ("officer",), lambda w: f"/cases/new?recordation_id={w.awaiting.recordation_id}"),
    ("confirm case", ("holder",), lambda w: f"/cases/{w.awaiting.id}/confirm"),
    ("withdraw case", ("holder",), lambda w: f"/cases/{w.awaiting.id}/withdraw"),
    ("release case", ("officer",), lambda w: f"/cases/{w.awaiting.id}/release"),
    ("case outcome", ("officer",), lambda w: f"/cases/{w.detained.id}/outcome"),
    ("detention requests", ("holder", "agent", "officer", "admin"),
     lambda w: "/detention-requests/"),
    ("detention requests filtered", ("holder", "officer"),
     lambda w: "/detention-requests/?status=submitted"),
    ("detention request", ("holder", "officer", "admin"),
     lambda w: f"/detention-requests/{w.request.id}"),
    ("new detention request", ("holder",),
     lambda w: f"/detention-requests/new?recordation_id={w.recordation.id}"),
    ("accept detention request", ("officer",),
     lambda w: f"/detention-requests/{w.request.id}/accept"),
    ("refuse detention request", ("officer",),
     lambda w: f"/detention-requests/{w.request.id}/refuse"),
    ("screening runs", ("officer",), lambda w: "/screening/"),
    ("screening run", ("officer",), lambda w: f"/screening/runs/{w.run.id}"),
    ("screening run filtered", ("officer",), lambda w: f"/screening/runs/{w.run.id}?min_score=70"),
    ("screening progress", ("officer",), lambda w: f"/screening/runs/{w.run.id}/progress"),
    ("screening hits csv", ("officer",), lambda w: f"/screening/runs/{w.run.id}/hits.csv"),
    ("screening hits xlsx", ("officer",), lambda w: f"/screening/runs/{w.run.id}/hits.xlsx"),
    ("holders' hits", ("holder", "agent"), lambda w: "/screening/hits"),
    ("guarantees", ("admin",), lambda w: "/admin/guarantees"),
    ("guarantees search", ("admin",), lambda w: "/admin/guarantees?q=Guarantor"),
    ("guarantee", ("admin",), lambda w: f"/admin/guarantees/{w.guarantor.id}"),
    ("clear guarantee", ("admin",), lambda w: f"/admin/guarantees/{w.guarantor.id}/clear"),
    ("districts", ("admin",), lambda w: "/admin/districts"),
    ("district", ("admin",), lambda w: f"/admin/districts/{w.district.code}/edit"),
    ("notifications", ("holder", "agent", "officer"), lambda w: "/notifications/"),
]  # fmt: skip

API = [
    ("register search", lambda w: "/api/v1/register?q=Mark&limit=100"),
    ("register entry", lambda w: f"/api/v1/register/{w.recordation.number}"),
]

CASES = [
    pytest.param(url, role, id=f"{name}-{role}") for name, roles, url in PAGES for role in roles
]


def _count(client, w: World, url: Callable[[World], str], **kwargs) -> tuple[int, str]:
    target = url(w)
    db.session.commit()
    with statements(db.engine) as sent:
        response = client.get(target, **kwargs)
        response.close()  # a download is streamed from a file: read and closed inside
    assert response.status_code == 200, (target, response.status_code)
    return len(sent), sent.listing()


def _grown(w: World, client, url, **kwargs) -> None:
    lifecycle_data.grow(w, 5)
    client.get(url(w), **kwargs).close()  # warm: what a first request caches (calendars)
    small, _ = _count(client, w, url, **kwargs)
    lifecycle_data.grow(w, 25)
    large, listing = _count(client, w, url, **kwargs)
    assert large <= LIMIT, listing
    assert large <= small, f"{small} statements with 5 rows, {large} with 30:\n{listing}"


@pytest.mark.parametrize(("url", "role"), CASES)
def test_page_statements(app, client, login, url, role):
    w = lifecycle_data.world()
    user = w.users[role]
    if user is not None:
        login(user)
    _grown(w, client, url)


@pytest.mark.parametrize("url", [pytest.param(url, id=name) for name, url in API])
def test_api_statements(app, client, url):
    w = lifecycle_data.world()
    _grown(w, client, url)


def test_api_screening_statements(app, client):
    """POST /api/v1/screening: a fixed number of statements whether 5 or 30 lines are sent."""
    w = lifecycle_data.world()
    lifecycle_data.grow(w, 30)
    headers = bearer(token_for(w.officer))
    sent_counts = []
    for lines in (5, 30):
        body = {"lines": [_line(w, i) for i in range(lines)], "threshold": 50}
        db.session.commit()
        with statements(db.engine) as sent:
            response = client.post("/api/v1/screening", json=body, headers=headers)
        assert response.status_code == 200, response.get_json()
        assert any(line["hits"] for line in response.get_json()["lines"])
        sent_counts.append((len(sent), sent.listing()))
    (small, _), (large, listing) = sent_counts
    assert large <= LIMIT, listing
    assert large <= small, f"{small} statements for 5 lines, {large} for 30:\n{listing}"


def _line(w: World, i: int) -> dict:
    return {
        "declaration_number": f"DEC{i:06d}", "line_number": 1, "description": "torch",
        "brand": w.recordation.right_title, "hs_code": "851310", "consignor": "Fake Lights Co",
        "consignee": "Importer Ltd", "port": "Shenzhen Bay", "direction": "import",
    }  # fmt: skip
