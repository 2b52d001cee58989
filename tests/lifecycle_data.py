"""Varied rows for the lifecycle, border-side and screening pages' statement counts: a world
of accounts, then `grow(world, n)` adds n more of every listed thing (recordations in every
status with goods and events, cases, requests with evidence, screening runs and hits,
guarantees, districts), and n more children of each page's focus row (events, history,
evidence, hits), so a page's count can be compared at 5 and at 30 rows."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from ipr_apps.db import db
from ipr_apps.models import (
    CaseEvent,
    CaseIprType,
    CaseOutcome,
    CaseStatus,
    Channel,
    CustomsDistrict,
    DetentionCase,
    DetentionRequest,
    Direction,
    IprType,
    Kind,
    Mode,
    Notification,
    Organisation,
    OrgKind,
    Recordation,
    RecordationEvent,
    RecordationStatus,
    RequestDocument,
    RequestStatus,
    Role,
    ScreeningHit,
    ScreeningRun,
    Status,
    User,
    utcnow,
)
from ipr_apps.models.children import Goods
from ipr_apps.models.screening import RunSource
from tests.factories import grant_mandate, make_application, make_user, recordation_row

PORT = "5301"
_seq = itertools.count(1)
REC_STATUSES = list(RecordationStatus)
CASE_STATUSES = list(CaseStatus)
REQ_STATUSES = list(RequestStatus)
IPR_TYPES = list(IprType)


@dataclass
class World:
    holder: User
    agent: User  # an agency's user, mandated by the holder
    client: User  # another holder, whose recordations the agency filed
    reviewer: User
    admin: User
    officer: User
    users: dict[str, User] = field(default_factory=dict)
    recordation: Recordation | None = None  # the focus rows of the detail pages
    case: DetentionCase | None = None
    awaiting: DetentionCase | None = None
    detained: DetentionCase | None = None
    request: DetentionRequest | None = None
    run: ScreeningRun | None = None
    district: CustomsDistrict | None = None
    guarantor: Organisation | None = None


def world() -> World:
    holder = make_user(Role.HOLDER)
    agent = make_user(Role.HOLDER, agency=True)
    client = make_user(Role.HOLDER, country="DE")
    grant_mandate(agent, holder)
    grant_mandate(agent, client)
    w = World(
        holder=holder, agent=agent, client=client, reviewer=make_user(Role.REVIEWER),
        admin=make_user(Role.ADMIN), officer=make_user(Role.OFFICER, district=PORT),
    )  # fmt: skip
    w.users = {
        "anonymous": None, "holder": holder, "agent": agent, "client": client,
        "reviewer": w.reviewer, "admin": w.admin, "officer": w.officer,
    }  # fmt: skip
    w.district = db.session.get(CustomsDistrict, PORT)
    w.guarantor = holder.organisation
    return w


def grow(w: World, n: int) -> None:
    """n more of everything, and n more children of every focus row."""
    recordations = [_recordation(w, i) for i in range(n)]
    db.session.flush()
    if w.recordation is None:
        w.recordation = recordations[0]
    _history(w, n)
    cases = [_case(w, recordations[i % len(recordations)], i) for i in range(n)]
    db.session.flush()
    _focus_cases(w, cases)
    _case_events(w, n)
    _requests(w, recordations, n)
    _screening(w, recordations, cases, n)
    _organisations(n)
    _districts(n)
    _notifications(w, recordations, cases, n)
    db.session.commit()


def _recordation(w: World, i: int) -> Recordation:
    owner = (w.holder, w.client)[i % 2]
    status = REC_STATUSES[i % len(REC_STATUSES)] if i else RecordationStatus.ACTIVE
    application = make_application(owner, Status.APPROVED, ipr_type=IPR_TYPES[i % 3])
    if owner is w.client:
        application.agency_id = w.agent.organisation_id
    for position, code in enumerate(("851310", "940521")):
        db.session.add(
            Goods(application_id=application.id, position=position, name=f"Good {i}-{position}",
                  hs_code=code)
        )  # fmt: skip
    start = date.today() - timedelta(days=3000 - 90 * i)
    row = recordation_row(
        application, valid_from=start, valid_until=start + timedelta(days=3652), status=status
    )
    row.agency_id = application.agency_id
    db.session.add(_rec_event(row, w, i))
    return row


def _rec_event(row: Recordation, w: World, i: int, application_id: int | None = None):
    actor = (None, w.reviewer, w.holder, w.admin)[i % 4]
    return RecordationEvent(
        recordation=row, action=("approve", "renew", "amend", "cancel")[i % 4],
        from_status=None if i % 4 == 0 else "active", to_status="active",
        application_id=application_id or row.application_id, valid_until=row.valid_until,
        actor_id=actor.id if actor else None, note=f"Note {i}",
    )  # fmt: skip


def _history(w: World, n: int) -> None:
    """Renewals and amendments of the focus recordation in every state, each with an event."""
    focus = w.recordation
    states = (Status.APPROVED, Status.REJECTED, Status.WITHDRAWN, Status.SUBMITTED, Status.DRAFT)
    for i in range(n):
        change = make_application(w.holder, states[i % len(states)])
        focus_id = focus.id  # read before the change (a refresh would flush it half made)
        change.recordation_id, change.kind = focus_id, (Kind.RENEWAL, Kind.AMENDMENT)[i % 2]
        db.session.add(_rec_event(focus, w, i + 1, change.id))
    db.session.flush()


def _case(w: World, recordation: Recordation, i: int) -> DetentionCase:
    status = CASE_STATUSES[i % len(CASE_STATUSES)]
    n = next(_seq)
    closed = status == CaseStatus.CLOSED
    case = DetentionCase(
        case_number=f"D2026-{PORT}-{n:06d}", opened_on=date.today() - timedelta(days=i % 9),
        port_code=PORT, channel=list(Channel)[i % 6], direction=list(Direction)[i % 2],
        mode=Mode.EX_OFFICIO if i % 3 else Mode.ON_APPLICATION,
        ipr_type=list(CaseIprType)[i % 3], status=status, recordation_id=recordation.id,
        recordation_number=recordation.number, holder_org_id=recordation.holder_org_id,
        goods=f"Goods {i}", hs_code="851310", items=10 + i, value_cny=Decimal("1000.50") * i,
        confirm_by=date.today() - timedelta(days=1 + i % 3), opened_by_id=w.officer.id,
        bond_cny=Decimal("500") if status == CaseStatus.DETAINED else None,
        outcome=CaseOutcome.CONFISCATED if closed else None,
        outcome_on=date.today() if closed else None,
    )  # fmt: skip
    db.session.add(case)
    db.session.add(CaseEvent(case=case, action="open", to_status="awaiting_holder",
                             actor_id=w.officer.id))  # fmt: skip
    return case


def _focus_cases(w: World, cases: list[DetentionCase]) -> None:
    if w.case is not None:
        return
    own = [c for c in cases if c.holder_org_id == w.holder.organisation_id]
    w.case = own[0]
    w.awaiting = next(c for c in own if c.status == CaseStatus.AWAITING_HOLDER)
    w.detained = next(c for c in cases if c.status == CaseStatus.DETAINED)
    for case in (w.awaiting, w.detained):
        case.recordation.status, case.recordation.ended_on = RecordationStatus.ACTIVE, None
    w.awaiting.confirm_by = date.today() + timedelta(days=3)


def _case_events(w: World, n: int) -> None:
    actors = (w.officer, w.holder, None, w.admin)
    for i in range(n):
        actor = actors[i % 4]
        db.session.add(
            CaseEvent(case_id=w.case.id, action=("confirm", "note", "release", "close")[i % 4],
                      from_status="awaiting_holder", to_status=CASE_STATUSES[i % 4].value,
                      actor_id=actor.id if actor else None, note=f"Event {i}")
        )  # fmt: skip


def _requests(w: World, recordations: list[Recordation], n: int) -> None:
    made = []
    for i in range(n):
        recordation = recordations[i % len(recordations)]
        status = REQ_STATUSES[i % len(REQ_STATUSES)]
        decided = status in (RequestStatus.ACCEPTED, RequestStatus.REFUSED)
        owner = w.holder if recordation.holder_org_id == w.holder.organisation_id else w.client
        req = DetentionRequest(
            reference=f"R2026-{next(_seq):06d}", recordation_id=recordation.id,
            holder_org_id=recordation.holder_org_id, filed_by_id=owner.id, status=status,
            port_code=PORT, channel=list(Channel)[i % 6], direction=list(Direction)[i % 2],
            ipr_type=CaseIprType.TRADEMARK, goods=f"Expected goods {i}", hs_code="851310",
            items=5 + i, value_cny=Decimal("200"), note=f"Grounds {i}",
            decided_by_id=w.officer.id if decided else None,
            decided_at=utcnow() if decided else None,
        )  # fmt: skip
        db.session.add(req)
        made.append(req)
    db.session.flush()
    if w.request is None:
        w.request = next(r for r in made if r.status == RequestStatus.SUBMITTED)
        w.request.holder_org_id, w.request.filed_by_id = w.holder.organisation_id, w.holder.id
        w.request.recordation_id = w.recordation.id
    for i in range(n):
        db.session.add(_evidence(w.request, w.holder, i))
    for req in made:
        db.session.add(_evidence(req, w.holder, 0))


def _evidence(req: DetentionRequest, user: User, i: int) -> RequestDocument:
    n = next(_seq)
    return RequestDocument(
        request_id=req.id, original_name=f"evidence-{i}.pdf", stored_name=f"ev-{n:010d}.pdf",
        content_type="application/pdf", size_bytes=100 + i, sha256="0" * 64,
        uploaded_by_id=user.id,
    )  # fmt: skip


def _screening(w: World, recordations, cases, n: int) -> None:
    for i in range(n):
        db.session.add(
            ScreeningRun(created_by_id=w.officer.id, source=list(RunSource)[i % 4], threshold=50,
                         input_name=f"lines-{i}.csv", line_count=10 + i, hit_lines=i, hits=i,
                         finished_at=utcnow())
        )  # fmt: skip
    db.session.flush()
    if w.run is None:
        w.run = ScreeningRun(created_by_id=w.officer.id, source=RunSource.UPLOAD, threshold=50,
                             input_name="focus.csv", finished_at=utcnow())  # fmt: skip
        db.session.add(w.run)
        db.session.flush()
    for i in range(n):
        recordation = recordations[i % len(recordations)]
        hit = ScreeningHit(
            run_id=w.run.id, position=i + 1, recordation_id=recordation.id,
            recordation_number=recordation.number, score=50 + (i * 7) % 50,
            rules=["mark", "hs_code"], reasons=["The mark", "The HS code"],
            declaration_number=f"DEC{next(_seq):08d}", line_number=1, port="Shenzhen Bay",
            direction="import", hs_code="851310", description=f"Torches {i}", brand="BRIGHT",
            consignor="Fake Lights Co", consignee="Importer Ltd", country_of_origin="CN",
            quantity=Decimal("12"), declared_value=Decimal("300.00"),
        )  # fmt: skip
        db.session.add(hit)
        db.session.flush()
        if i % 3 == 0 and cases[i % len(cases)].screening_hit_id is None:
            cases[i % len(cases)].screening_hit_id = hit.id
    w.run.line_count = w.run.line_count + n
    w.run.hits = w.run.hit_lines = (w.run.hits or 0) + n


def _organisations(n: int) -> None:
    for i in range(n):
        k = next(_seq)
        db.session.add(
            Organisation(kind=OrgKind.HOLDER if i % 4 else OrgKind.AGENCY,
                         name_local=f"Guarantor {k}", name_en=f"Guarantor {k} Ltd", country="CN",
                         general_guarantee_cny=Decimal("100000") if i % 2 else None,
                         general_guarantee_until=date.today() + timedelta(days=200)
                         if i % 2 else None)
        )  # fmt: skip


def _districts(n: int) -> None:
    for _ in range(n):
        k = next(_seq) % 9000 + 1000
        code = str(k)
        if db.session.get(CustomsDistrict, code) is None:
            db.session.add(CustomsDistrict(code=code, name_local=f"{code} 关", name_en=f"D {code}"))
            db.session.flush()
            make_user(Role.OFFICER, district=code)


def _notifications(w: World, recordations, cases, n: int) -> None:
    for i in range(n):
        for user in (w.holder, w.officer, w.agent):
            db.session.add(
                Notification(user_id=user.id, subject=f"Subject {i}", body="Body",
                             recordation_id=recordations[i % len(recordations)].id,
                             case_id=cases[i % len(cases)].id)
            )  # fmt: skip
