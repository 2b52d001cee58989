"""Figure: every route × every actor × another user's objects, and never a leak.

Eight actors (anonymous, the owning holder, its mandated agent, another holder, an agent
without a mandate, a reviewer, an admin, a port officer) call every registered route and
method, once per object of the owner that the route takes (applications in five states, their
documents, the owner's recordations, API token and notification). Web routes get a signed-in
session, API routes the actor's bearer token. An actor who may not see an object must be
refused (login redirect, 401, 403, 404 or, for an API body, 422), must not find any of the
owner's markers in the body, and the database must not change; an actor who may see it must
get no server error.
Denied probes run first, so nothing an allowed actor changes can hide a leak.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import func, select
from werkzeug.routing import Rule

from ipr_apps.db import db
from ipr_apps.models import (
    Application,
    Notification,
    RecordationStatus,
    Role,
    Status,
    User,
    today,
)
from ipr_apps.services import documents, sessions, tokens
from tests import factories
from tests.api_helpers import PDF_BYTES
from tests.test_route_protection import ACCESS, PUBLIC, TOKEN

# The figure the issue reports: 1,242 route × actor probes. The matrix may grow, never shrink.
MIN_PROBES = 1242
ACTORS = ["anonymous", "owner", "agent", "other_holder", "stranger_agent", "reviewer", "admin",
          "officer"]  # fmt: skip
ROLE_OF = {"owner": "holder", "agent": "holder", "other_holder": "holder",
           "stranger_agent": "holder", "reviewer": "reviewer", "admin": "admin",
           "officer": "officer"}  # fmt: skip
SEES_APPLICATIONS = {"owner", "agent", "reviewer", "admin"}
# Port officers read every recordation's recorded facts (they act on them ex officio), and the
# mark image of a recorded right; never the applications themselves.
SEES_RECORDATIONS = SEES_APPLICATIONS | {"officer"}
RECORDATION_PAGES = ("recordations.", "documents.download")
STATES = [Status.DRAFT, Status.SUBMITTED, Status.UNDER_REVIEW, Status.INFO_REQUESTED,
          Status.APPROVED]  # fmt: skip
# A superset of every web form's fields, so a missing check would let the request through.
FORM = {"confirm": "1", "reason": "leak", "message": "leak", "body": "leak", "label": "leak",
        "reason_codes": "false_information", "action": "save", "doc_type": "ipr_certificate",
        "format": "csv", "response": "leak"}  # fmt: skip
API_BODY = {"applications.create": {"ipr_type": "trademark"}, "applications.patch": {},
            "applications.submit": {}, "applications.decide": {"outcome": "approve"}}  # fmt: skip
BOOKKEEPING = {"last_used_at"}
# Each probe signs its actor in anew (conftest `login`): a sign-in session row per request.
BOOKKEEPING_TABLES = {"user_sessions"}
WEB_REFUSALS = {403, 404}
API_REFUSALS = {401, 403, 404, 422}


@dataclass
class World:
    actors: dict[str, User | None]
    bearer: dict[str, str]
    applications: list[int]
    documents: list[int]
    token_id: int
    session_id: int  # one of the owner's sign-in sessions
    recordations: list[int]  # the owner's: one in force, one cancelled
    recordation_number: str  # public (the register shows it to anyone)
    notification_id: int
    target_id: int
    app_markers: list[str]
    private_markers: list[str]  # the owner's token label and notification: the owner's eyes only
    login: Callable  # the suite's sign-in (conftest `login`), so sessions work as everywhere


def _stored_document(application_id: int, name: str) -> int:
    """A document row with a real file, attached whatever the application's state."""
    document = factories.add_document(db.session.get_one(Application, application_id),
                                      "ipr_certificate")  # fmt: skip
    document.stored_name = f"{uuid.uuid4().hex}.pdf"
    document.original_name = name
    db.session.commit()
    path = documents.stored_path(document)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(PDF_BYTES)
    return document.id


@pytest.fixture
def world(app, login) -> World:
    owner = factories.make_user(Role.HOLDER)
    agent = factories.make_user(Role.HOLDER, agency=True)
    factories.grant_mandate(agent, owner)
    reviewer = factories.make_user(Role.REVIEWER)
    actors: dict[str, User | None] = {
        "anonymous": None, "owner": owner, "agent": agent,
        "other_holder": factories.make_user(Role.HOLDER),
        "stranger_agent": factories.make_user(Role.HOLDER, agency=True),
        "reviewer": reviewer, "admin": factories.make_user(Role.ADMIN),
        "officer": factories.make_user(Role.OFFICER),
    }  # fmt: skip
    factories.make_application(actors["other_holder"], Status.SUBMITTED)  # their own, to list
    bearer = {name: tokens.create_token(user, f"{name}-key")[1]
              for name, user in actors.items() if user}  # fmt: skip
    apps = [factories.make_application(owner, state, claimed_by=reviewer) for state in STATES]
    docs = [_stored_document(a.id, f"owner-secret-{i}.pdf") for i, a in enumerate(apps)]
    token, _ = tokens.create_token(owner, "owner-secret-label")
    note = Notification(user_id=owner.id, application_id=apps[0].id, subject="owner-secret-news",
                        body="owner-secret-news")  # fmt: skip
    db.session.add(note)
    db.session.commit()
    in_force = factories.recordation_row(apps[-1], valid_until=today() + timedelta(days=90))
    cancelled = factories.recordation_row(
        factories.make_application(owner, Status.APPROVED), status=RecordationStatus.CANCELLED
    )
    db.session.commit()
    markers = [a.reference for a in apps] + [f"owner-secret-{i}.pdf" for i in range(len(apps))]
    owner_session, _ = sessions.start(owner, "127.0.0.1", "owner's other browser")
    return World(actors, bearer, [a.id for a in apps], docs, token.id, owner_session.id,
                 [in_force.id, cancelled.id], in_force.number, note.id,
                 factories.make_user(Role.HOLDER).id, markers,
                 ["owner-secret-label", "owner-secret-news"], login)  # fmt: skip


# --------------------------------------------------------------------------- the probes


@dataclass(frozen=True)
class Probe:
    rule: Rule
    method: str
    args: dict
    actor: str
    objects: str  # "application", "document", "recordation", "token", "notification" or ""


def _routes(app) -> list[tuple[Rule, str]]:
    return sorted(
        ((rule, method) for rule in app.url_map.iter_rules()
         for method in rule.methods - {"HEAD", "OPTIONS"}),
        key=lambda pair: (pair[0].rule, pair[1]),
    )  # fmt: skip


def _object_args(rule: Rule, world: World) -> Iterator[tuple[dict, str]]:
    fixed = {"filename": "js/app.js" if rule.endpoint == "static" else "css/bootstrap.min.css",
             "user_id": world.target_id, "day": "2000-01-01", "message_id": 0, "job_id": 0,
             "fmt": "csv", "name": "approvals", "token": "not-a-valid-token",
             "number": world.recordation_number, "case_id": 0, "district_code": "0000",
             "organisation_id": 0, "request_id": 0, "doc_id": 0, "run_id": 0}  # fmt: skip
    base = {arg: fixed[arg] for arg in rule.arguments if arg in fixed}
    if "application_id" in rule.arguments:
        for application_id in world.applications:
            yield {**base, "application_id": application_id}, "application"
    elif "document_id" in rule.arguments:
        for document_id in world.documents:
            yield {**base, "document_id": document_id}, "document"
    elif "recordation_id" in rule.arguments:
        for recordation_id in world.recordations:
            yield {**base, "recordation_id": recordation_id}, "recordation"
    elif "token_id" in rule.arguments:
        yield {**base, "token_id": world.token_id}, "token"
    elif "session_id" in rule.arguments:
        yield {**base, "session_id": world.session_id}, "session"
    elif "notification_id" in rule.arguments:
        yield {**base, "notification_id": world.notification_id}, "notification"
    else:
        yield base, ""


def _may_see(probe: Probe) -> bool:
    """Whether the actor is entitled to the route and to the owner's object behind it."""
    access = ACCESS[probe.rule.endpoint]
    role = ROLE_OF.get(probe.actor, "anonymous")
    if access == TOKEN:
        access = {"holder", "reviewer", "admin"}
    if access != PUBLIC and role not in access:
        return False
    if probe.objects == "recordation":
        return probe.actor in SEES_RECORDATIONS
    if probe.objects in ("application", "document"):
        return probe.actor in SEES_APPLICATIONS
    if probe.objects in ("token", "session", "notification"):
        return probe.actor == "owner"
    return True


def _markers_hidden_from(probe: Probe, world: World) -> list[str]:
    actor = probe.actor
    hidden = [] if actor == "owner" else list(world.private_markers)
    readers = (
        SEES_RECORDATIONS
        if probe.rule.endpoint.startswith(RECORDATION_PAGES)
        else SEES_APPLICATIONS
    )
    return hidden + ([] if actor in readers else world.app_markers)


def _send(app, world: World, probe: Probe):
    with app.test_request_context():
        url = url_for(probe.rule.endpoint, **probe.args)
    client = app.test_client()
    user = world.actors[probe.actor]
    if url.startswith("/api/"):
        headers = {"Authorization": f"Bearer {world.bearer[probe.actor]}"} if user else {}
        if probe.rule.endpoint == "applications.upload":
            data = {"doc_type": "ipr_certificate", "file": (io.BytesIO(PDF_BYTES), "a.pdf")}
            return client.open(url, method=probe.method, data=data, headers=headers)
        body = API_BODY.get(probe.rule.endpoint)
        return client.open(url, method=probe.method, json=body, headers=headers)
    if user is not None:
        world.login(user, to=client)
    data = FORM if probe.method == "POST" else None
    return client.open(url, method=probe.method, data=data)


def _leak(probe: Probe, response, world: World) -> str | None:
    """Why this response leaks (or fails), or None."""
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    textual = response.mimetype.startswith(("text/", "applic"))
    body = response.get_data().decode("utf-8", "replace") if textual else ""
    shown = [m for m in _markers_hidden_from(probe, world) if m in body]
    if shown:
        return f"shows {shown}"
    if _may_see(probe):
        return None
    if probe.rule.rule.startswith("/api/"):
        return None if status in API_REFUSALS else f"API answered {status}"
    to_login = status == 302 and "/auth/login" in response.headers.get("Location", "")
    if probe.actor == "anonymous":
        return None if to_login else f"anonymous got {status}, not the login page"
    return None if status in WEB_REFUSALS else f"answered {status}, not 403/404"


def _checked(app, world: World, probe: Probe) -> str | None:
    response = _send(app, world, probe)
    try:
        return _leak(probe, response, world)
    finally:
        response.close()  # files are streamed from open handles


def _fingerprint() -> str:
    """Every row of every table, hashed: a denied request must not change one byte (but for
    the bearer token's own "last used" time, which records the attempt)."""
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        if table.name in BOOKKEEPING_TABLES:
            continue
        count = db.session.scalar(select(func.count()).select_from(table))
        columns = [c for c in table.columns if c.name not in BOOKKEEPING]
        rows = db.session.execute(select(*columns)).all()
        digest.update(f"{table.name}:{count}:{sorted(map(repr, rows))}".encode())
    return digest.hexdigest()


def test_every_route_actor_and_object_of_another_user_leaks_nothing(app, world, capsys):
    probes = [
        Probe(rule, method, args, actor, objects)
        for rule, method in _routes(app)
        for args, objects in _object_args(rule, world)
        for actor in ACTORS
    ]
    denied = [p for p in probes if not _may_see(p)]
    allowed = [p for p in probes if _may_see(p)]
    failures: list[str] = []
    before = _fingerprint()
    for probe in denied:
        reason = _checked(app, world, probe)
        db.session.expire_all()
        if reason is None and probe.method != "GET" and _fingerprint() != before:
            reason = "changed the database"
            before = _fingerprint()
        if reason:
            failures.append(f"{probe.method} {probe.rule.rule} {probe.args} as {probe.actor}: "
                            f"{reason}")  # fmt: skip
    for probe in allowed:
        reason = _checked(app, world, probe)
        if reason:
            failures.append(f"{probe.method} {probe.rule.rule} as {probe.actor}: {reason}")
    with capsys.disabled():
        print(f"\n[figure] route × actor probes: {len(probes)} ({len(denied)} denied, "
              f"{len(allowed)} allowed), leaks: {len(failures)}")  # fmt: skip
    assert failures == [], "\n".join(failures)
    assert len(probes) >= MIN_PROBES, "the route × actor matrix shrank"
    assert len(denied) >= 700
