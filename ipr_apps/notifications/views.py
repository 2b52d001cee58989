"""Notification pages: the list, mark one read (and open its application), mark all read."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ipr_apps.i18n import ngettext
from ipr_apps.services import notifications

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.app_context_processor
def _unread_badge() -> dict[str, Callable[[], int]]:
    """A lazy count: only pages that show the navigation bar to a signed-in user pay for it."""
    return {"unread_notification_count": _unread_count}


def _unread_count() -> int:
    if not current_user.is_authenticated:
        return 0
    if "unread_notifications" not in g:
        g.unread_notifications = notifications.unread_count(current_user)
    return g.unread_notifications


@bp.get("/")
@login_required
def index():
    size = current_app.config["PAGE_SIZE"]
    page = notifications.list_for(current_user, request.args.get("cursor"), size)
    return render_template("notifications/index.html", page=page)


@bp.post("/<int:notification_id>/read")
@login_required
def read(notification_id: int):
    notification = notifications.mark_read(current_user, notification_id)
    if notification.application_id is not None:
        return redirect(url_for("filing.show", application_id=notification.application_id))
    if notification.recordation_id is not None:
        return redirect(url_for("recordations.show", recordation_id=notification.recordation_id))
    if notification.case_id is not None:
        return redirect(url_for("cases.show", case_id=notification.case_id))
    return redirect(url_for("notifications.index"))


@bp.post("/read-all")
@login_required
def read_all():
    count = notifications.mark_all_read(current_user)
    if count:
        message = ngettext(
            "%(num)d notification marked as read.", "%(num)d notifications marked as read.", count
        )
    else:
        message = _("Nothing was unread.")
    flash(message, "info")
    return redirect(url_for("notifications.index"))
