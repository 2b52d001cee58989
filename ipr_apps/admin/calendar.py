"""Admin views of the customs holiday calendar (routes on the admin blueprint)."""

from __future__ import annotations

from datetime import MAXYEAR, MINYEAR

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ipr_apps.admin.calendar_forms import HolidayForm
from ipr_apps.admin.views import bp
from ipr_apps.errors import DomainError
from ipr_apps.forms import apply_errors
from ipr_apps.models import Role, today
from ipr_apps.security import role_required
from ipr_apps.services import calendar
from ipr_apps.workflow import DECISION_WORKING_DAYS, REPLY_WORKING_DAYS


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
            holiday = calendar.add_holiday(current_user, form.day.data, form.name.data)
        except DomainError as error:
            apply_errors(form, error)
        else:
            flash(f"{holiday.day.isoformat()} ({holiday.name}) added to the calendar.", "success")
            return redirect(url_for("admin.holidays", year=holiday.day.year))
    return render_template(
        "admin/holidays.html",
        form=form,
        year=year,
        holidays=calendar.holidays_in_year(year),
        decision_days=DECISION_WORKING_DAYS,
        reply_days=REPLY_WORKING_DAYS,
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
        flash(f"{parsed.isoformat()} removed from the calendar.", "success")
    return redirect(url_for("admin.holidays", year=parsed.year))
