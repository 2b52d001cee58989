"""`ipr generate`: every state, kind and type at a small size, consistent rows, the same rows for
the same seed, an app that still works on them, and a second run beside the first."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from itertools import pairwise

import pytest
from sqlalchemy import func, select, text

from ipr_apps.db import db
from ipr_apps.models import (
    Application,
    CaseEvent,
    Counter,
    Decision,
    DetentionCase,
    Document,
    IpRight,
    Kind,
    Organisation,
    Recordation,
    RecordationEvent,
    Role,
    Status,
    StatusEvent,
    User,
    today,
)
from ipr_apps.services import consistency, demo, filing, generate, queue, review
from tests.factories import complete_payload
from tests.tables import empty_tables

DAY = today() - timedelta(days=1)  # the history ends before it, whatever today is
CONTENT = (Application, IpRight, Decision, Recordation, StatusEvent, RecordationEvent,
           DetentionCase, CaseEvent, Document, Organisation)  # fmt: skip


def _generate(count: int, seed: int = 1, **options) -> generate.Summary:
    summary = generate.generate(count, seed, today=DAY, batch_size=100, **options)
    db.session.expire_all()
    return summary


def _values(column) -> set:
    return set(db.session.execute(select(column).distinct()).scalars())


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_cli_fills_every_state_kind_and_type_with_progress(runner):
    args = ["ipr", "generate", "--applications", "300", "--batch", "100"]
    result = runner.invoke(args=[*args, "--today", DAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert "Applications 100/300" in result.stderr and "300/300" in result.stderr  # per batch
    assert "Generation run 1" in result.stdout and "applications" in result.stdout
    assert "reviewer  reviewer-1-0@generated.example" in result.stdout  # how to sign in
    assert f"password  {demo.demo_password()}" in result.stdout
    db.session.expire_all()
    assert _count(Application) == 300
    assert _values(Application.status) == {s.value for s in Status}
    assert _values(Application.kind) == {k.value for k in Kind}
    assert len(_values(Application.ipr_type)) == 5
    countries = _values(Organisation.country)
    assert "CN" in countries and len(countries) > 2  # domestic and foreign holders
    assert {"active", "lapsed"} <= _values(Recordation.status)
    assert _values(User.role) == {r.value for r in Role}
    assert _count(DetentionCase) > 0 and _count(Document) > 0
    overdue = Application.status == Status.SUBMITTED, Application.due_on < DAY
    assert _count(Application, *overdue) > 0


def test_rows_are_consistent(app):
    _generate(300)
    for app_id, status, outcome in db.session.execute(
        select(Application.id, Application.status, Decision.outcome).join(Decision)
    ):
        assert status.value == outcome.value, app_id
    assert _count(Application, Application.status.in_(["approved", "rejected"])) == _count(Decision)
    approved_new = Application.status == Status.APPROVED, Application.kind == Kind.NEW
    own = select(Recordation.id).where(Recordation.application_id == Application.id)
    assert not _count(
        Application, *approved_new, Application.recordation_id != own.scalar_subquery()
    )
    assert _count(Application, *approved_new) == _count(Recordation)
    _check_events()
    _check_counters()
    renewed = select(RecordationEvent.recordation_id).where(RecordationEvent.action == "renew")
    assert db.session.execute(renewed).first() is not None


def _check_events() -> None:
    """Each application's events form a chain from `create` to its status."""
    events = select(StatusEvent.application_id, StatusEvent.from_status, StatusEvent.to_status)
    chains: dict[int, list[tuple]] = {}
    for app_id, before, after in db.session.execute(events.order_by(StatusEvent.id)):
        chains.setdefault(app_id, []).append((before, after))
    statuses = dict(db.session.execute(select(Application.id, Application.status)).tuples().all())
    assert chains.keys() == statuses.keys()
    for app_id, chain in chains.items():
        assert chain[0] == (None, "draft")
        assert all(a[1] == b[0] for a, b in pairwise(chain)), chain
        assert chain[-1][1] == statuses[app_id].value


def _check_counters() -> None:
    counters = dict(db.session.execute(select(Counter.scope, Counter.value)).tuples().all())
    for scope, highest in consistency.highest_numbers().items():
        assert counters[scope] == highest, scope


def _digest() -> str:
    digest = hashlib.sha256()
    for model in (*CONTENT, User):
        columns = [c for c in model.__table__.c if c.name != "password_hash"]
        key = model.__table__.primary_key.columns
        for row in db.session.execute(select(*columns).order_by(*key)):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def _fresh() -> None:
    """Empty, and on PostgreSQL with its id sequences back at 1: as a new database."""
    empty_tables(db.engine)
    if db.engine.dialect.name != "postgresql":
        return
    for table in (t for t in db.metadata.sorted_tables if "id" in t.c):
        sequence = db.session.scalar(
            text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name}
        )
        if sequence:
            db.session.execute(text("SELECT setval(:s, 1, false)"), {"s": sequence})
    db.session.commit()


def test_same_seed_same_rows(app):
    _fresh()
    _generate(200, seed=7)
    first = _digest()
    _fresh()
    _generate(200, seed=7)
    assert _digest() == first
    _fresh()
    _generate(200, seed=8)
    assert _digest() != first


def test_the_app_works_on_generated_rows(client, login):
    _generate(300)
    reviewer = db.session.scalars(select(User).where(User.role == Role.REVIEWER)).first()
    login(reviewer)
    assert client.get("/review/").status_code == 200
    unclaimed = _count(Application, Application.status == Status.SUBMITTED)
    assert queue.counts(reviewer)[queue.Tab.UNCLAIMED] == unclaimed
    admin = db.session.scalars(select(User).where(User.role == Role.ADMIN)).first()
    login(admin)
    assert client.get("/stats/").status_code == 200
    _approve_one(reviewer)


def test_generated_holders_are_found_by_name_in_both_scripts(client, login):
    """The queue's search reads the holder-name keys; the generator's bulk rows carry them
    (found by a new user: every generated application was missing from every name search)."""
    _generate(300)
    waiting = Application.status == Status.SUBMITTED
    application = db.session.scalars(select(Application).where(waiting)).first()
    assert _count(Application, Application.holder_name_local_key.is_(None)) == 0
    login(db.session.scalars(select(User).where(User.role == Role.REVIEWER)).first())
    for name in (application.holder_name_local, application.holder_name_en):
        page = client.get("/review/", query_string={"tab": "unclaimed", "q": name[:6]})
        assert application.reference in page.text, name


def _approve_one(reviewer: User) -> None:
    """Approving a generated application takes the next recordation number of its series."""
    pending = Application.status == Status.SUBMITTED, Application.kind == Kind.NEW
    application = db.session.scalars(select(Application).where(*pending)).first()
    review.claim(reviewer, application.id)
    review.approve(reviewer, application.id)
    recordation = db.session.scalars(
        select(Recordation).where(Recordation.application_id == application.id)
    ).one()
    scope = f"recordation-{recordation.prefix}{recordation.year}"
    assert recordation.sequence == db.session.get(Counter, scope).value
    others = Recordation.prefix == recordation.prefix, Recordation.year == recordation.year
    assert recordation.sequence == _count(Recordation, *others)


def test_a_second_run_adds_as_many_without_collisions(app):
    first = _generate(150)
    second = _generate(150)
    assert (first.run, second.run) == (1, 2)
    assert _count(Application) == 300
    assert _count(User) == 2 * first.rows["users"]
    assert len(_values(Application.reference)) == 300
    _check_counters()
    holder = db.session.scalars(select(User).where(User.email.like("holder-2-%"))).first()
    draft = filing.create_draft(holder, "trademark", complete_payload("trademark", "TM-NEW"))
    assert draft.id == db.session.scalar(select(func.max(Application.id)))
    assert draft.reference == f"IPR-{today().year}-{_next_reference_number(draft):06d}"


def _next_reference_number(draft: Application) -> int:
    return db.session.get(Counter, f"reference-{draft.created_at.year}").value


@pytest.mark.parametrize("count", [1, 13])
def test_tiny_runs(app, count):
    summary = _generate(count)
    assert summary.rows["applications"] == count
    assert _count(Application) == count
    assert date(2016, 1, 1) <= db.session.scalar(select(func.min(Application.created_at))).date()


def test_the_planner_gets_statistics(app):
    _generate(120)
    if db.engine.dialect.name == "postgresql":  # VACUUM (ANALYZE) counts every row
        stmt = text("SELECT reltuples FROM pg_class WHERE relname = 'applications'")
        assert db.session.scalar(stmt) == 120
    else:  # ANALYZE's first figure for an index is the table's rows
        stmt = text("SELECT stat FROM sqlite_stat1 WHERE idx = 'ix_applications_queue'")
        assert db.session.scalar(stmt).split()[0] == "120"


def test_renewals_extend_and_amendments_keep_the_validity(app):
    _generate(400)
    events = select(RecordationEvent.action, RecordationEvent.note).where(
        RecordationEvent.action.in_(["renew", "amend"])
    )
    actions = {action for action, _note in db.session.execute(events)}
    assert actions == {"renew", "amend"}
    for action, note in db.session.execute(events):
        if action == "renew":  # "valid until NEW (was OLD)"
            new, old = note.removeprefix("valid until ").removesuffix(")").split(" (was ")
            assert date.fromisoformat(new) > date.fromisoformat(old), note
    changes = select(Application).where(Application.kind != Kind.NEW)
    for change in db.session.scalars(changes):
        assert change.recordation.holder_org_id == change.holder_org_id
        assert change.right.registration_number == change.recordation.right_number


def _first(model, *where):
    return db.session.scalars(select(model).where(*where).order_by(model.id)).first()


def test_every_role_pages_render_on_generated_rows(client, login):
    """List and detail pages of each role over rows the generator wrote (none through forms)."""
    _generate(300)
    one_per_state = [_first(Application, Application.status == s).id for s in Status]
    holder = _first(User, User.email == "holder-1-0@generated.example")  # files the most
    own = _first(Application, Application.holder_org_id == holder.organisation_id).id
    recordation = _first(Recordation, Recordation.holder_org_id == holder.organisation_id)
    case = _first(DetentionCase)
    officer = _first(User, User.district_code == case.port_code)
    visits = {
        _first(User, User.role == Role.REVIEWER): [
            "/review/", "/review/?tab=waiting", "/review/?tab=decided",
            *(f"/review/{i}" for i in one_per_state), "/recordations/",
        ],
        _first(User, User.role == Role.ADMIN): ["/stats/", "/admin/users", "/cases/"],
        holder: ["/applications/", f"/applications/{own}", "/recordations/", "/cases/"],
        officer: ["/cases/", f"/cases/{case.id}"],
    }  # fmt: skip
    if recordation is not None:
        visits[holder].append(f"/recordations/{recordation.id}")
    for user, urls in visits.items():
        login(user)
        for url in urls:
            assert client.get(url).status_code == 200, (user.email, url)


def test_a_failed_batch_stops_the_run_after_the_committed_ones(app, monkeypatch):
    from ipr_apps.services import generate_pipeline

    written = []
    real = generate_pipeline.write_batch

    def second_fails(ctx, batch, counters):
        if written:
            raise RuntimeError("disk full")
        real(ctx, batch, counters)
        written.append(batch)

    monkeypatch.setattr(generate_pipeline, "write_batch", second_fails)
    with pytest.raises(RuntimeError, match="disk full"):
        _generate(300)  # batches of 100
    db.session.rollback()
    assert _count(Application) == 100
    _check_counters()  # the first batch's numbers were committed with it
