"""The public register's pages: search, and one verification page per recordation number.

No sign-in. Both pages count against REGISTER_RATE_LIMIT per client address, shared with the
register's API (ipr_apps/api/register.py).
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from ipr_apps import throttle
from ipr_apps.models import today
from ipr_apps.services import register

bp = Blueprint("register", __name__, url_prefix="/register")
limited = throttle.register_limit


@bp.get("/")
@limited
def search():
    query = (request.args.get("q") or "").strip()[: register.MAX_QUERY_LENGTH]
    page = register.search(query, request.args.get("cursor"))
    return render_template(
        "register/search.html",
        query=query,
        searched=register.normalised_query(query) is not None,
        page=page,
        max_length=register.MAX_QUERY_LENGTH,
    )


@bp.get("/<path:number>")
@limited
def verify(number: str):
    recordation = register.find(number)
    if recordation is None:
        return render_template("register/not_found.html", number=number), 404
    if recordation.number != number:  # typed in another case or width: the canonical address
        return redirect(url_for("register.verify", number=recordation.number))
    return render_template("register/verify.html", recordation=recordation, today=today())
