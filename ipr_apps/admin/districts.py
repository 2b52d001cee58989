"""Admin views of the customs districts officers belong to (routes on the admin blueprint)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ipr_apps.admin.district_forms import DistrictNamesForm, NewDistrictForm
from ipr_apps.admin.views import bp
from ipr_apps.errors import DomainError, NotFound
from ipr_apps.forms import apply_errors
from ipr_apps.models import CustomsDistrict, Role
from ipr_apps.security import role_required
from ipr_apps.services import districts


def _district(code: str) -> CustomsDistrict:
    try:
        return districts.get(code)
    except NotFound:
        abort(404)


@bp.get("/districts")
@role_required(Role.ADMIN)
def district_list():
    page = districts.page(request.args.get("cursor"), current_app.config["PAGE_SIZE"])
    counts = districts.officer_counts([d.code for d in page.items])
    return render_template("admin/districts.html", page=page, counts=counts)


@bp.route("/districts/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_district():
    form = NewDistrictForm()
    if form.validate_on_submit():
        try:
            district = districts.add_district(
                current_user, form.code.data, form.name_local.data, form.name_en.data
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            message = _("Customs district %(code)s %(name)s added.", code=district.code,
                        name=district.reader_name)  # fmt: skip
            flash(message, "success")
            return redirect(url_for("admin.district_list"))
    return render_template("admin/district_form.html", form=form, district=None)


@bp.route("/districts/<district_code>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_district(district_code: str):
    district = _district(district_code)
    form = DistrictNamesForm(obj=district)
    if form.validate_on_submit():
        try:
            districts.rename_district(
                current_user, district.code, form.name_local.data, form.name_en.data
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            flash(_("Customs district %(code)s saved.", code=district.code), "success")
            return redirect(url_for("admin.district_list"))
    return render_template("admin/district_form.html", form=form, district=district)


@bp.route("/districts/<district_code>/deactivate", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def deactivate_district(district_code: str):
    """GET asks for confirmation; POST deactivates."""
    return _set_active(_district(district_code), False)


@bp.route("/districts/<district_code>/activate", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def activate_district(district_code: str):
    """GET asks for confirmation; POST reactivates."""
    return _set_active(_district(district_code), True)


def _set_active(district: CustomsDistrict, active: bool):
    if request.method == "POST":
        try:
            districts.set_active(current_user, district.code, active)
        except DomainError as error:
            flash(error.message, "danger")  # e.g. another admin did it a moment ago
        else:
            if active:
                message = _("Customs district %(code)s reactivated.", code=district.code)
            else:
                message = _("Customs district %(code)s deactivated.", code=district.code)
            flash(message, "success")
        return redirect(url_for("admin.district_list"))
    officers = districts.officer_counts([district.code]).get(district.code, 0)
    return render_template(
        "admin/confirm_district.html", district=district, active=active, officers=officers
    )
