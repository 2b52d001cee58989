"""Read-only lists that the home pages, the API and the CLI share."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import ColumnElement, Select, and_, or_, select, union
from sqlalchemy.orm import joinedload, selectinload

from ipr_apps.db import db
from ipr_apps.models import Application, IpRight, Role, Status, User
from ipr_apps.models.applications import KEY_LENGTH, NAME_KEYS
from ipr_apps.models.base import search_key
from ipr_apps.pagination import Page, Sort, keyset_page
from ipr_apps.services import capped
from ipr_apps.services.access import agency_branches, holders_own_branches, not_filed_by


class Scope(StrEnum):
    """An agency's list has two parts: what it filed, and what its holders filed themselves."""

    OURS = "ours"
    HOLDERS = "holders"


HOLDER_SORTS = {"created": Application.created_at, "updated": Application.updated_at}


@dataclass
class ListQuery:
    status: Status | None = None
    q: str | None = None
    scope: Scope = Scope.OURS
    sort: Sort = field(default_factory=lambda: Sort("created", descending=True))


_BEYOND = "\U0010ffff"  # the highest code point: key < prefix + _BEYOND ⇔ key starts with prefix
MATCH_CAP = 1000  # matches looked up first; a broader search filters the list's own index


def matching(q: str):
    """Reference or right number (exact), holder name in either script (prefix, case- and
    width-folded as models.base.search_key).

    Why two steps: the list's order (e.g. the queue's status, due_on, id) comes from one
    index and the matches from others, and no planner reliably combines them: SQLite and
    PostgreSQL walk the list's index and test every row of the tab against the OR. So the
    matching ids are read first, each term from its own index, up to MATCH_CAP; the page is
    then those ids in the list's order. A broader search (a prefix of one letter) matches a
    large share of every tab, where walking the list's index and filtering finds a page at once."""
    terms = _terms(q)
    found = db.session.scalars(union(*(t for t, _ in terms)).limit(MATCH_CAP + 1)).all()
    if len(found) <= MATCH_CAP:
        return Application.id.in_(found)
    return or_(*(condition for _, condition in terms))


def _terms(q: str) -> list[tuple[Select, ColumnElement[bool]]]:
    """Each way to match: (the ids it finds on its own index, the same as a condition)."""
    a = Application
    q = q.strip()
    reference = a.reference == unicodedata.normalize("NFKC", q).upper()
    by_number = select(IpRight.application_id).where(IpRight.registration_number == q)
    terms = [(select(a.id).where(reference), reference), (by_number, a.id.in_(by_number))]
    key = search_key(q, KEY_LENGTH)
    for column in [getattr(a, name) for name in NAME_KEYS] if key else []:
        prefix = and_(column >= key, column < key + _BEYOND)
        terms.append((select(a.id).where(prefix), prefix))
    return terms


def _in_scope(user: User, scope: Scope) -> tuple[ColumnElement[bool], list]:
    """(what every row meets, the branches of which it meets one: see keyset_page)."""
    org = user.organisation
    if not org.is_agency:
        return Application.holder_org_id == org.id, []
    if scope == Scope.OURS:
        return Application.agency_id == org.id, []
    a = Application
    return not_filed_by(a.agency_id, org.id), holders_own_branches(
        user, a.agency_id, a.holder_org_id
    )


def applications_of(user: User, query: ListQuery, cursor: str | None, size: int) -> Page:
    """A holder's applications; an agency's, those it filed (scope `ours`) or those its
    holders filed themselves (`holders`, read-only for the agency)."""
    every, branches = _in_scope(user, query.scope)
    stmt = (
        select(Application)
        .where(every)
        .options(selectinload(Application.right), selectinload(Application.information_requests))
        .options(selectinload(Application.recordation))
    )
    if query.status is not None:
        stmt = stmt.where(Application.status == query.status)
    if query.q:
        stmt = stmt.where(matching(query.q))
    columns = [HOLDER_SORTS[query.sort.key], Application.id]
    return keyset_page(
        stmt, columns, cursor, size, descending=query.sort.descending, branches=branches
    )


ACCOUNT_SORTS = {"created": User.created_at, "last_login": User.last_login_at}


def accounts(role: Role | None, q: str | None, sort: Sort, cursor: str | None, size: int) -> Page:
    """The admins' list of accounts: by role, e-mail or name (prefix), sorted by a date."""
    stmt = select(User).options(selectinload(User.organisation), selectinload(User.district))
    if role is not None:
        stmt = stmt.where(User.role == role)
    if q:
        stmt = stmt.where(
            or_(User.email.startswith(q.lower(), autoescape=True),
                User.name.startswith(q, autoescape=True))
        )  # fmt: skip
    columns = [ACCOUNT_SORTS[sort.key], User.id]
    nullable = sort.key == "last_login"  # never signed in: listed last either way
    return keyset_page(stmt, columns, cursor, size, sort.descending, nulls_last=nullable)


def api_page(user: User, status, ipr_type, cursor: str | None, size: int) -> Page:
    """The API's list: what a holder or agent may open, all for staff."""
    stmt, branches = select(Application), []
    if user.is_agent:
        branches = agency_branches(user, Application.agency_id, Application.holder_org_id)
    elif user.role == Role.HOLDER:
        stmt = stmt.where(Application.holder_org_id == user.organisation_id)
    if status is not None:
        stmt = stmt.where(Application.status == status)
    if ipr_type is not None:
        stmt = stmt.where(Application.ipr_type == ipr_type)
    stmt = stmt.options(*API_LOADS)
    columns = [Application.created_at, Application.id]
    return keyset_page(stmt, columns, cursor, size, descending=True, branches=branches, strict=True)


# Everything the API's serialiser (api.applications.to_api) reads, loaded with the page: the
# one-to-one relations joined into the page's own query, each list in one query for the page
# (not one per application: 231 statements for a page of 25 before).
_LISTS = ("goods", "licensees", "traders", "ports", "infringers", "information_requests")
API_LOADS = (
    joinedload(Application.right),
    joinedload(Application.recordation),
    joinedload(Application.decision),
    *(selectinload(getattr(Application, name)) for name in _LISTS),
)


def count_by_status() -> dict[Status, capped.Capped]:
    """Applications per status, each counted up to capped.CAP on the status index."""
    return capped.counts({s: select(Application).where(Application.status == s) for s in Status})
