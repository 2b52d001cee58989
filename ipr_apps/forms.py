"""Form pieces shared by several blueprints."""

from __future__ import annotations

from flask import flash, redirect
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, Form, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from ipr_apps.errors import DomainError, ValidationError
from ipr_apps.services.countries import country_choices


class _LengthCounterMeta:
    """Render a Length(max=...) limit as data-maxlength, not maxlength.

    A maxlength attribute makes the browser cut pasted text silently; app.js shows a counter
    from data-maxlength instead, and the Length validator refuses what is too long.
    """

    def render_field(self, field, render_kw):
        limit = getattr(field.flags, "maxlength", None)
        if limit:
            render_kw = {"data_maxlength": limit, "maxlength": False, **render_kw}
        return super().render_field(field, render_kw)


class AppForm(FlaskForm):
    """The base of every page's form (CSRF from Flask-WTF, length counters)."""

    Meta = _LengthCounterMeta


class SubForm(Form):
    """The base of forms nested in another (FormField / FieldList rows)."""

    Meta = _LengthCounterMeta


def enum_arg(enum, raw: str | None, default=None):
    """A query-string value as a member of `enum`, or `default` when it is not one."""
    return enum(raw) if raw in {member.value for member in enum} else default


def choices(pairs) -> list[SelectChoice]:
    """WTForms 3.3+ wants SelectChoice objects rather than tuples."""
    return [SelectChoice(value, label) for value, label in pairs]


def country_field(label: str | None = None, **kwargs) -> SelectField:
    """A country by its ISO code; the names are the reader's (choices made per request)."""
    validators = kwargs.pop("validators", [Optional()])
    return SelectField(
        label if label is not None else _l("Country"),
        choices=lambda: choices(country_choices()),
        validators=validators,
        **kwargs,
    )


class OrganisationFieldsMixin:
    """Group 1 of an application: the holder's (or agency's) identity, as on its licence."""

    name_local = StringField(
        _l("Name (local language)"),
        validators=[DataRequired(_l("Enter the organisation's name.")), Length(max=300)],
        description=_l("As written on the business licence or registration certificate."),
    )
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=300)])
    country = country_field(
        validators=[DataRequired(_l("Choose a country."))],
        description=_l("Country of registration (ISO 3166)."),
    )
    registration_number = StringField(
        _l("Registration / licence number"), validators=[Optional(), Length(max=100)]
    )
    address = StringField(_l("Address"), validators=[Optional(), Length(max=500)])
    legal_representative = StringField(
        _l("Legal representative"), validators=[Optional(), Length(max=200)]
    )
    contact_person = StringField(_l("Contact person"), validators=[Optional(), Length(max=200)])
    org_email = EmailField(_l("Contact email"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=50)])

    def organisation_data(self) -> dict:
        names = (
            "name_local", "name_en", "country", "registration_number", "address",
            "legal_representative", "contact_person", "phone",
        )  # fmt: skip
        data = {name: getattr(self, name).data for name in names}
        data["email"] = self.org_email.data
        return data


def apply_errors(form, error: DomainError) -> None:
    """Show a service's field errors beside the fields; anything else as a flash."""
    fields = getattr(error, "fields", {}) or {}
    shown = False
    for name, messages in fields.items():
        if name in form:
            form[name].errors = [*form[name].errors, *messages]
            shown = True
    if not shown:
        flash(error.message, "danger")


def leaf_fields(form) -> dict[str, object]:
    """Every input field of a form, FormFields and FieldLists included, by its HTML id."""
    found = {}
    for field in form:
        if field.type == "FormField":
            found.update(leaf_fields(field.form))
        elif field.type == "FieldList":
            for entry in field.entries:
                found.update(leaf_fields(entry.form) if entry.type == "FormField" else {})
        else:
            found[field.id] = field
    return found


def attach_field_errors(
    form, fields: dict[str, list[str]], keep_first: bool = False
) -> dict[str, list[str]]:
    """Put a service's errors beside the matching fields; return those with no field.

    With keep_first, a field that already shows an error (its format) gets no more.
    """
    by_id = leaf_fields(form)
    general: dict[str, list[str]] = {}
    for key, messages in fields.items():
        field = by_id.get(key)
        if field is None:
            general.setdefault(key, []).extend(messages)
        elif not (keep_first and field.errors):
            field.errors = [*field.errors, *messages]
    return general


def error_summary(form, general: dict[str, list[str]] | None = None) -> list[tuple[str, str, str]]:
    """(field id, label, message) for every error, in page order; for the summary box.

    Read from the fields themselves: a FieldList's own `errors` is computed once by
    validate() and misses what a service reports later. An error of a whole group
    (`goods`: none described) comes before the group's fields; `documents` comes last.
    """
    pending = dict(general or {})
    rows: list[tuple[str, str, str]] = []
    for field_id, field in leaf_fields(form).items():
        group = field_id.split("-")[0]
        rows += _general_rows(group, pending.pop(group, []))
        rows += [(field_id, _label(field_id, field), m) for m in field.errors]
    for key, messages in pending.items():
        rows += _general_rows(key, messages)
    return rows


# The application form's groups as the error summary names them.
GROUP_LABELS = {
    "holder": _l("Holder"),
    "right": _l("Right"),
    "licensees": _l("Licensees"),
    "goods": _l("Goods"),
    "traders": _l("Traders"),
    "ports": _l("Ports"),
    "infringers": _l("Infringers"),
    "documents": _l("Documents"),
}


def _group_label(key: str) -> str:
    return str(GROUP_LABELS.get(key) or key.replace("_", " ").capitalize())


def _general_rows(key: str, messages: list[str]) -> list[tuple[str, str, str]]:
    return [(key, _group_label(key), message) for message in messages]


def _label(field_id: str, field) -> str:
    parts = field_id.split("-")
    if len(parts) == 3:  # goods-0-hs_code → "Goods 1: HS code"
        return _(
            "%(group)s %(number)s: %(field)s",
            group=_group_label(parts[0]), number=int(parts[1]) + 1, field=field.label.text,
        )  # fmt: skip
    if len(parts) == 2:
        return _("%(group)s: %(field)s", group=_group_label(parts[0]), field=field.label.text)
    return field.label.text


def submit_reason(form, call, back: str, done: str):
    """The POST of a confirmation page with a reason (cancel, revoke, withdraw, release):
    `call(reason)` runs the service; on success flash `done` and go `back`; a bad reason is
    shown beside the field (None: render the page again); any other refusal is flashed and
    goes back. None also when the form was not submitted or not valid."""
    if not form.validate_on_submit():
        return None
    try:
        call(form.reason.data)
    except ValidationError as error:
        form.reason.errors = [*form.reason.errors, *error.fields.get("reason", [error.message])]
        return None
    except DomainError as error:
        flash(error.message, "danger")
        return redirect(back)
    flash(done, "success")
    return redirect(back)
