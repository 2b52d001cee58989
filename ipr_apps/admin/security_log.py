"""Admin view of the security log: search and page through it (routes on the admin blueprint)."""

from __future__ import annotations

from flask import current_app, render_template, request

from ipr_apps.admin.views import bp
from ipr_apps.forms import enum_arg
from ipr_apps.models import Role, SecurityAction
from ipr_apps.security import role_required
from ipr_apps.services import calendar, security_log

TEXT_MAX = 254


@bp.get("/security-log")
@role_required(Role.ADMIN)
def security_log_list():
    """Admin and security actions, newest first, filtered by the query string."""
    args = request.args
    search = security_log.Search(
        action=enum_arg(SecurityAction, args.get("action")),
        actor=_text("actor"),
        target=_text("target"),
        start=calendar.parse_day(args.get("from", "")),
        end=calendar.parse_day(args.get("to", "")),
        text=_text("q"),
    )
    bad_dates = [n for n in ("from", "to") if args.get(n) and not calendar.parse_day(args[n])]
    page = security_log.page(search, args.get("cursor"), current_app.config["PAGE_SIZE"])
    return render_template(
        "admin/security_log.html",
        page=page,
        search=search,
        bad_dates=bad_dates,
        actions=list(SecurityAction),
        users=security_log.accounts_of(page.items),
    )


def _text(name: str) -> str | None:
    return request.args.get(name, "").replace("\x00", "").strip()[:TEXT_MAX] or None
