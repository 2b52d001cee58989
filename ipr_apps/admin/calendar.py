"""Admin views of the working-day calendar (routes on the admin blueprint)."""

from __future__ import annotations

from datetime import MAXYEAR, MINYEAR

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ipr_apps import official_calendar
from ipr_apps.admin.calendar_forms import HolidayForm
from ipr_apps.admin.views import bp
from ipr_apps.case_workflow import CONFIRM_WORKING_DAYS
from ipr_apps.errors import DomainError
from ipr_apps.forms import apply_errors
from ipr_apps.i18n import format_day, locale_code
from ipr_apps.models import Role, today
from ipr_apps.security import role_required
from ipr_apps.services import calendar, calendar_view
from ipr_apps.workflow import DECISION_WORKING_DAYS, REPLY_WORKING_DAYS


@bp.app_template_global()
def deadline_calendar(stored: str | None) -> str:
    """Which calendar computed a stored deadline, for the application and case pages."""
    return official_calendar.describe(stored)


def _year() -> int:
    year = request.args.get("year", type=int) or today().year
    if not MINYEAR < year < MAXYEAR:  # so that both neighbouring years exist
        abort(404)
    return year


@bp.route("/holidays", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def holidays():
    year = _year()
    form = HolidayForm()
    if form.validate_on_submit():
        try:
            holiday = calendar.add_holiday(
                current_user, form.day.data, form.name.data, form.working.data == "working"
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            flash(_("%(day)s (%(name)s) added to the calendar.",
                    day=format_day(holiday.day), name=holiday.name), "success")  # fmt: skip
            return redirect(url_for("admin.holidays", year=holiday.day.year))
    return render_template(
        "admin/holidays.html",
        form=form,
        year=year,
        view=calendar_view.year_view(year, locale_code()),
        Source=calendar_view.Source,
        month_title=calendar_view.month_title,
        weekday_name=calendar_view.weekday_name,
        weekdays=calendar_view.weekday_headers(),
        version=official_calendar.version(),
        decision_days=DECISION_WORKING_DAYS,
        reply_days=REPLY_WORKING_DAYS,
        confirm_days=CONFIRM_WORKING_DAYS,
    )


@bp.post("/holidays/<string:day>/delete")
@role_required(Role.ADMIN)
def delete_holiday(day: str):
    parsed = calendar.parse_day(day) or abort(404)
    try:
        calendar.remove_holiday(current_user, parsed)
    except DomainError as error:
        flash(error.message, "danger")  # e.g. another admin removed it a moment ago
    else:
        flash(_("%(day)s removed from the calendar.", day=format_day(parsed)), "success")
    return redirect(url_for("admin.holidays", year=parsed.year))


@bp.post("/holidays/<string:day>/override")
@role_required(Role.ADMIN)
def override_holiday(day: str):
    """Turn an official day the other way: an official holiday worked, a make-up day closed."""
    parsed = calendar.parse_day(day) or abort(404)
    official = official_calendar.names(parsed.year, locale_code()).get(parsed)
    name = _("Override: %(name)s", name=official or _("Weekend day worked in lieu"))
    try:
        calendar.override_official(current_user, parsed, name[: calendar.NAME_MAX])
    except DomainError as error:
        flash(error.message, "danger")
    else:
        flash(_("%(day)s overridden in the calendar.", day=format_day(parsed)), "success")
    return redirect(url_for("admin.holidays", year=parsed.year))
