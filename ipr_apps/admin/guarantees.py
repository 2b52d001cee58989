"""Admin views of holders' general guarantees (routes on the admin blueprint)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ipr_apps.admin.guarantee_forms import GuaranteeForm
from ipr_apps.admin.views import bp
from ipr_apps.errors import DomainError, NotFound
from ipr_apps.forms import apply_errors
from ipr_apps.models import Organisation, Role, today
from ipr_apps.security import role_required
from ipr_apps.services import guarantees


def _holder(organisation_id: int) -> Organisation:
    try:
        return guarantees.get_holder(organisation_id)
    except NotFound:
        abort(404)


@bp.get("/guarantees")
@role_required(Role.ADMIN)
def guarantee_list():
    q = request.args.get("q", "").strip()[:100] or None
    size = current_app.config["PAGE_SIZE"]
    page = guarantees.holders_page(q, request.args.get("cursor"), size)
    return render_template("admin/guarantees.html", page=page, q=q, today=today())


@bp.route("/guarantees/<int:organisation_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_guarantee(organisation_id: int):
    org = _holder(organisation_id)
    form = GuaranteeForm(
        amount=f"{org.general_guarantee_cny:.2f}" if org.general_guarantee_cny else None,
        until=org.general_guarantee_until,
    )
    if form.validate_on_submit():
        try:
            guarantees.set_guarantee(current_user, org.id, form.amount.data, form.until.data)
        except DomainError as error:
            apply_errors(form, error)
        else:
            flash(_("General guarantee of %(holder)s saved.", holder=org.reader_name), "success")
            return redirect(url_for("admin.guarantee_list", q=request.args.get("q")))
    return render_template("admin/guarantee_form.html", form=form, org=org, today=today())


@bp.route("/guarantees/<int:organisation_id>/clear", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def clear_guarantee(organisation_id: int):
    """GET asks for confirmation; POST clears."""
    org = _holder(organisation_id)
    if request.method == "POST":
        try:
            guarantees.clear_guarantee(current_user, org.id)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            message = _("General guarantee of %(holder)s cleared.", holder=org.reader_name)
            flash(message, "success")
        return redirect(url_for("admin.edit_guarantee", organisation_id=org.id))
    return render_template("admin/confirm_clear_guarantee.html", org=org)
