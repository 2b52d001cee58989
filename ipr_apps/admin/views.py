"""Admin views: overview and account management."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ipr_apps.admin.forms import StaffUserForm, district_choices
from ipr_apps.db import db
from ipr_apps.errors import DomainError, NotFound
from ipr_apps.forms import apply_errors, enum_arg
from ipr_apps.models import MailStatus, Role, User
from ipr_apps.pagination import Sort
from ipr_apps.security import role_required
from ipr_apps.services import districts, listings, outbox, users

bp = Blueprint("admin", __name__, url_prefix="/admin")

# The overview's accounts table: each role as a group of people.
ROLE_GROUPS = {
    Role.HOLDER: _l("Rights holders and agents"),
    Role.REVIEWER: _l("Reviewers"),
    Role.ADMIN: _l("Administrators"),
    Role.OFFICER: _l("Port officers"),
}


@bp.get("/")
@role_required(Role.ADMIN)
def index():
    return render_template(
        "admin/index.html",
        users_by_role=users.count_by_role(),
        role_groups=ROLE_GROUPS,
        apps_by_status=listings.count_by_status(),
    )


@bp.get("/users")
@role_required(Role.ADMIN)
def user_list():
    role = enum_arg(Role, request.args.get("role"))
    q = request.args.get("q", "").strip()[:100] or None
    sort = Sort.parse(request.args.get("sort"), listings.ACCOUNT_SORTS, "-created")
    size = current_app.config["PAGE_SIZE"]
    page = listings.accounts(role, q, sort, request.args.get("cursor"), size)
    return render_template(
        "admin/users.html", page=page, role=role, q=q, sort=sort, role_groups=ROLE_GROUPS
    )


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_user():
    form = StaffUserForm()
    form.district.choices = district_choices(districts.active_districts())
    if form.validate_on_submit():
        try:
            user = users.create_user(
                form.email.data, form.password.data, Role(form.role.data), form.name.data,
                actor=current_user, district_code=form.district.data,
            )  # fmt: skip
        except DomainError as error:
            apply_errors(form, error)
        else:
            message = _("Account %(email)s (%(role)s) created.", email=user.email,
                        role=user.role_label)  # fmt: skip
            flash(message, "success")
            return redirect(url_for("admin.user_list"))
    return render_template("admin/new_user.html", form=form)


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def deactivate_user(user_id: int):
    """GET asks for confirmation; POST deactivates."""
    user = db.session.get(User, user_id) or abort(404)
    if request.method == "POST":
        try:
            users.set_active(current_user, user_id, False)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(_("%(email)s can no longer sign in.", email=user.email), "success")
        return redirect(url_for("admin.user_list"))
    return render_template("admin/confirm_deactivate.html", user=user)


@bp.post("/users/<int:user_id>/activate")
@role_required(Role.ADMIN)
def activate_user(user_id: int):
    user = users.set_active(current_user, user_id, True)
    flash(_("%(email)s can sign in again.", email=user.email), "success")
    return redirect(url_for("admin.user_list"))


from ipr_apps.admin import calendar as _calendar  # noqa: E402,F401  (registers its routes on bp)
from ipr_apps.admin import districts as _districts  # noqa: E402,F401  (its routes)
from ipr_apps.admin import guarantees as _guarantees  # noqa: E402,F401  (its routes)
from ipr_apps.admin import jobs as _jobs  # noqa: E402,F401  (registers its routes on bp)
from ipr_apps.admin import security_log as _security_log  # noqa: E402,F401  (its routes)


@bp.get("/mail")
@role_required(Role.ADMIN)
def mail_list():
    """The e-mail outbox: what is waiting, sent or failed, with a retry for failures."""
    status = enum_arg(MailStatus, request.args.get("status"))
    size = current_app.config["PAGE_SIZE"]
    page = outbox.page(status, request.args.get("cursor"), size)
    return render_template(
        "admin/mail.html", page=page, status=status, counts=outbox.counts(), MailStatus=MailStatus
    )


@bp.post("/mail/<int:message_id>/retry")
@role_required(Role.ADMIN)
def mail_retry(message_id: int):
    try:
        message = outbox.retry(current_user, message_id)
    except NotFound:
        abort(404)
    flash(_("The e-mail to %(address)s is queued again.", address=message.to_address), "success")
    return redirect(url_for("admin.mail_list", status=request.args.get("status")))
