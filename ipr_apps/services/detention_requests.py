"""Detention on the holder's application: the holder files a request for detention from its
recordation (the consignment expected, the likely port and time, evidence files); an officer of
that port's district accepts it into a case (mode on application) or refuses it; the holder
may withdraw it before then.

There is no request event table: the request's own `decided_*` columns record who ended it,
when and why, written by a conditional UPDATE so two decisions can never both win. Evidence
files are stored like application documents (parsed by content, random names, removed again
if the transaction fails)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from flask_babel import gettext as _
from sqlalchemy import update

from ipr_apps.db import db, next_counter_value, unit_of_work
from ipr_apps.errors import NotFound, TransitionError, ValidationError
from ipr_apps.models import (
    DetentionCase,
    DetentionRequest,
    Mode,
    Recordation,
    RequestDocument,
    RequestStatus,
    User,
    today,
    utcnow,
)
from ipr_apps.recordation_workflow import is_owner as owns_recordation
from ipr_apps.request_workflow import RequestAction, transition_for
from ipr_apps.services.cases import CaseFacts, case_ipr_type, open_case
from ipr_apps.services.document_files import Saved, removed_on_error, save
from ipr_apps.services.document_names import download_name
from ipr_apps.services.file_checks import DOCUMENT_KINDS as KINDS
from ipr_apps.services.notifications import notify_district, notify_request
from ipr_apps.services.recordation_access import get_recordation
from ipr_apps.services.request_access import get_request
from ipr_apps.services.request_fields import RequestFields

EVIDENCE_MAX = 10  # files per request
REASON_MAX = 2000


@dataclass(frozen=True)
class Evidence:
    """One uploaded evidence file: its stream and the name the client gave it."""

    stream: BinaryIO | None
    filename: str | None


def recordation_to_request(actor: User, recordation_id: int) -> Recordation:
    """The recordation `actor` may file a request on: its own (or its agency's), in force.
    Someone else's is NotFound; one no longer in force a TransitionError."""
    recordation = get_recordation(actor, recordation_id)
    if not owns_recordation(recordation, actor):
        raise NotFound(_("No such recordation."))
    if not recordation.status.in_force:
        raise TransitionError(
            _(
                "Recordation %(number)s is %(state)s: a request for detention needs a "
                "recordation in force.",
                number=recordation.number,
                state=recordation.status.label.lower(),
            )
        )
    return recordation


def file(
    actor: User, recordation_id: int, fields: RequestFields, files: list[Evidence]
) -> DetentionRequest:
    """File a request for detention on a recordation in force, with at least one evidence
    file. Every bad field and file is named at once; nothing is stored unless all is well.
    The officers of the likely port's district are told."""
    with removed_on_error() as written, unit_of_work() as session:
        recordation = recordation_to_request(actor, recordation_id)
        problems = fields.problems()
        files = [f for f in files if f.stream is not None and (f.filename or "").strip()]
        evidence: list[tuple[str | None, Saved]] = []
        if not files:
            problems["evidence"] = [_("Attach at least one evidence file (PDF, JPEG or PNG).")]
        elif len(files) > EVIDENCE_MAX:
            problems["evidence"] = [_("Attach at most %(most)s files.", most=EVIDENCE_MAX)]
        else:
            evidence = _saved(files, written, problems)
        if problems:
            raise ValidationError(_("Check the request."), problems)
        request = DetentionRequest(
            reference=_next_reference(), recordation_id=recordation.id,
            holder_org_id=recordation.holder_org_id, filed_by_id=actor.id,
            status=RequestStatus.SUBMITTED, ipr_type=case_ipr_type(recordation.ipr_type),
            **fields.columns(),
        )  # fmt: skip
        session.add(request)
        for filename, saved in evidence:
            request.evidence.append(_document(filename, saved, actor))
        session.flush()
        notify_district(request.port_code, "request_filed", request=request)
    return request


def _saved(
    files: list[Evidence], written: list[Path], problems: dict[str, list[str]]
) -> list[tuple[str | None, Saved]]:
    """Each file checked and written; a bad one's message names it."""
    saved = []
    for upload in files:
        try:
            saved.append((upload.filename, save(upload.stream, upload.filename, KINDS, written)))
        except ValidationError as error:
            name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1][:100]
            for message in error.fields.get("file", [error.message]):
                problems.setdefault("evidence", []).append(
                    _("%(file)s: %(problem)s", file=name, problem=message)
                )
    return saved


def _document(filename: str | None, saved: Saved, actor: User) -> RequestDocument:
    return RequestDocument(
        original_name=download_name(filename, saved.kind), stored_name=saved.path.name,
        content_type=saved.kind.content_type, size_bytes=saved.size, sha256=saved.sha256,
        uploaded_by_id=actor.id,
    )  # fmt: skip


def _next_reference() -> str:
    year = today().year
    return f"R{year}-{next_counter_value(db.session, f'request:{year}'):06d}"


def withdraw(actor: User, request_id: int) -> DetentionRequest:
    """The holder (or its agency) takes back a request that is still submitted; the
    district's officers are told, so that nobody acts on it."""
    with unit_of_work():
        request = get_request(actor, request_id, for_update=True)
        _decide(request, RequestAction.WITHDRAW, actor)
        notify_district(request.port_code, "request_withdrawn", request=request)
    return request


def accept(officer: User, request_id: int, facts: CaseFacts) -> DetentionCase:
    """An officer of the request's district opens a case on application from it (numbered at
    its district, the holder given 3 working days to confirm) in the same transaction."""
    with unit_of_work():
        request = get_request(officer, request_id, for_update=True)
        _decide(request, RequestAction.ACCEPT, officer)
        case = open_case(
            officer, facts, Mode.ON_APPLICATION, recordation=request.recordation,
            request=request, ipr_type=request.ipr_type,
        )  # fmt: skip
        notify_request(request, "request_accepted", case=case)
    return case


def refuse(officer: User, request_id: int, reason: str | None) -> DetentionRequest:
    """An officer of the request's district declines it; the reason goes to the holder."""
    reason = (reason or "").strip()
    with unit_of_work():
        request = get_request(officer, request_id, for_update=True)
        transition_for(request, RequestAction.REFUSE, officer)
        if not reason:
            raise ValidationError.on("reason", _("Give the reason."))
        if len(reason) > REASON_MAX:
            raise ValidationError.on(
                "reason", _("Keep it under %(limit)s characters.", limit=REASON_MAX)
            )
        _decide(request, RequestAction.REFUSE, officer, reason)
        notify_request(request, "request_refused", reason=reason)
    return request


def _decide(
    request: DetentionRequest, action: RequestAction, actor: User, note: str | None = None
) -> None:
    """Check the transition, then make it by a conditional UPDATE (still submitted): of two
    decisions at the same moment only one changes the row; the other is told."""
    transition = transition_for(request, action, actor)
    now: datetime = utcnow()
    values = {"status": transition.target, "decided_by_id": actor.id, "decided_at": now,
              "decision_note": note, "updated_at": now}  # fmt: skip
    stmt = (
        update(DetentionRequest)
        .where(DetentionRequest.id == request.id, DetentionRequest.status == request.status)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if db.session.execute(stmt).rowcount != 1:
        raise TransitionError(
            _(
                "Request %(reference)s was decided by someone else a moment ago; reload it.",
                reference=request.reference,
            )
        )
    db.session.refresh(request)
