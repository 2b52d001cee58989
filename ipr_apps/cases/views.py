"""Detention-case pages: the list, and the page of one case (facts, deadline, event log)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from ipr_apps.errors import DomainError
from ipr_apps.forms import enum_arg
from ipr_apps.models import CaseIprType, CaseStatus, Mode, Role, today
from ipr_apps.security import role_required
from ipr_apps.services import case_access

bp = Blueprint("cases", __name__, url_prefix="/cases")
VIEWERS = (Role.HOLDER, Role.OFFICER, Role.ADMIN)


def _visible(case_id: int):
    try:
        return case_access.get_case(current_user, case_id)
    except DomainError:
        abort(404)


@bp.get("/")
@role_required(*VIEWERS)
def index():
    size = current_app.config["PAGE_SIZE"]
    query = _case_query(request.args)
    page = case_access.cases_of(current_user, request.args.get("cursor"), size, query)
    return render_template(
        "cases/index.html", page=page, query=query, args=_query_args(query),
        CaseStatus=CaseStatus, Mode=Mode, CaseIprType=CaseIprType, today=today(),
    )  # fmt: skip


def _case_query(args) -> case_access.CaseQuery:
    return case_access.CaseQuery(
        status=enum_arg(CaseStatus, args.get("status")),
        mode=enum_arg(Mode, args.get("mode")),
        ipr_type=enum_arg(CaseIprType, args.get("ipr_type")),
        overdue=args.get("overdue") == "1",
        q=args.get("q", "").strip()[:40] or None,
    )


def _query_args(query: case_access.CaseQuery) -> dict:
    """The filters as URL arguments (for the next page's link)."""
    return {
        "status": query.status.value if query.status else None,
        "mode": query.mode.value if query.mode else None,
        "ipr_type": query.ipr_type.value if query.ipr_type else None,
        "overdue": "1" if query.overdue else None, "q": query.q,
    }  # fmt: skip


@bp.get("/<int:case_id>")
@role_required(*VIEWERS)
def show(case_id: int):
    return render_template("cases/show.html", case=_visible(case_id), today=today())


# Routes of the other sides of a case live beside this module and add to `bp`.
from ipr_apps.cases import deadline_views, holder_views, officer_views  # noqa: E402, F401
