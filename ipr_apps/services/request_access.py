"""Who may see which request for detention: the owner (the holder, or the agency of the
recordation), the officers of the request's district, admins. The one place that answers
404-or-not, the filter every request list uses, and the lists themselves."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, false, or_, select, true
from sqlalchemy.orm import joinedload

from ipr_apps.db import db
from ipr_apps.errors import NotFound
from ipr_apps.models import (
    CustomsDistrict,
    DetentionCase,
    DetentionRequest,
    Recordation,
    RequestDocument,
    RequestStatus,
    Role,
    User,
)
from ipr_apps.pagination import Page, keyset_page
from ipr_apps.request_workflow import can_view
from ipr_apps.services.document_files import STORED_NAME

# The two parts of an unfiltered list: the requests still waiting for a decision, then the rest.
WAITING, DONE = "w", "d"


def visible(user: User) -> ColumnElement[bool]:
    """The WHERE clause of the requests `user` may see (same rule as `can_view`)."""
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.OFFICER:
        return DetentionRequest.port_code == user.district_code
    if user.role == Role.HOLDER and user.organisation_id is not None:
        org = user.organisation_id
        if not user.is_agent:  # only an agency files for others: its own index, in order
            return DetentionRequest.holder_org_id == org
        by_agency = select(Recordation.id).where(Recordation.agency_id == org)
        return or_(
            DetentionRequest.holder_org_id == org, DetentionRequest.recordation_id.in_(by_agency)
        )
    return false()


def get_request(user: User, request_id: int, for_update: bool = False) -> DetentionRequest:
    """The request if `user` may see it; otherwise NotFound (never 'forbidden')."""
    stmt = select(DetentionRequest).where(DetentionRequest.id == request_id)
    if for_update:
        stmt = stmt.with_for_update()
    request = db.session.execute(stmt).scalar_one_or_none()
    if request is None or not can_view(request, user):
        raise NotFound(_("No such request."))
    return request


def case_of(request: DetentionRequest) -> DetentionCase | None:
    """The case an officer opened from the request (once accepted)."""
    stmt = select(DetentionCase).where(DetentionCase.request_id == request.id)
    return db.session.execute(stmt).scalar_one_or_none()


def district_of(request: DetentionRequest) -> CustomsDistrict | None:
    """The customs district of the likely port (for its name)."""
    return db.session.get(CustomsDistrict, request.port_code)


def decided_by(request: DetentionRequest) -> User | None:
    """Who accepted, refused or withdrew the request."""
    return db.session.get(User, request.decided_by_id) if request.decided_by_id else None


def get_evidence(user: User, request_id: int, document_id: int) -> tuple[RequestDocument, Path]:
    """An evidence file of a request `user` may see, and where it lies; otherwise NotFound."""
    request = get_request(user, request_id)
    document = db.session.get(RequestDocument, document_id)
    if document is None or document.request_id != request.id:
        raise NotFound(_("No such document."))
    path = evidence_path(document)
    if not path.is_file():
        raise NotFound(_("The file is missing."))
    return document, path


def evidence_path(document: RequestDocument) -> Path:
    """<upload folder>/<first 2 chars>/<stored name>, as application documents are laid out."""
    name = document.stored_name
    if not STORED_NAME.match(name):  # never build a path from anything else
        raise NotFound(_("The file is missing."))
    return Path(current_app.config["UPLOAD_FOLDER"]) / name[:2] / name


def requests_of(user: User, status: RequestStatus | None, cursor: str | None, size: int) -> Page:
    """The requests `user` may see, newest first; without a status filter the submitted ones
    (waiting for a decision) come first. Keyset pages throughout."""
    stmt = (
        select(DetentionRequest)
        .where(visible(user))
        .options(joinedload(DetentionRequest.recordation))
    )
    if status is not None:
        return _newest_first(stmt.where(DetentionRequest.status == status), cursor, size)
    return _waiting_first(stmt, cursor, size)


def _newest_first(stmt: Select, cursor: str | None, size: int) -> Page:
    return keyset_page(stmt, [DetentionRequest.id], cursor, size, descending=True)


def _waiting_first(stmt: Select, cursor: str | None, size: int) -> Page:
    """Two keyset lists one after the other; the cursor says which one it is in
    (`w.<cursor>` or `d.<cursor>`)."""
    part, _, inner = (cursor or "").partition(".")
    waiting = stmt.where(DetentionRequest.status == RequestStatus.SUBMITTED)
    done = stmt.where(DetentionRequest.status != RequestStatus.SUBMITTED)
    if part == DONE:
        page = _newest_first(done, inner or None, size)
        return Page(page.items, _tagged(DONE, page.next_cursor))
    first = _newest_first(waiting, inner or None, size)
    if first.has_next:
        return Page(first.items, _tagged(WAITING, first.next_cursor))
    room = size - len(first.items)
    if room == 0:  # a full page of waiting ones: is there anything after them?
        more = db.session.execute(done.limit(1)).first() is not None
        return Page(first.items, f"{DONE}." if more else None)
    rest = _newest_first(done, None, room)
    return Page(first.items + rest.items, _tagged(DONE, rest.next_cursor))


def _tagged(part: str, cursor: str | None) -> str | None:
    return f"{part}.{cursor}" if cursor else None
