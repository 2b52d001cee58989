"""Form pieces shared by several blueprints."""

from __future__ import annotations

from flask import flash
from wtforms import EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from ipr_apps.errors import DomainError
from ipr_apps.services.countries import country_choices


def choices(pairs) -> list[SelectChoice]:
    """WTForms 3.3+ wants SelectChoice objects rather than tuples."""
    return [SelectChoice(value, label) for value, label in pairs]


def country_field(label: str = "Country", **kwargs) -> SelectField:
    validators = kwargs.pop("validators", [Optional()])
    return SelectField(label, choices=choices(country_choices()), validators=validators, **kwargs)


class OrganisationFieldsMixin:
    """Group 1 of an application: the holder's (or agency's) identity, as on its licence."""

    name_local = StringField(
        "Name (local language)",
        validators=[DataRequired("Enter the organisation's name."), Length(max=300)],
        description="As written on the business licence or registration certificate.",
    )
    name_en = StringField("Name (English)", validators=[Optional(), Length(max=300)])
    country = country_field(
        validators=[DataRequired("Choose a country.")],
        description="Country of registration (ISO 3166).",
    )
    registration_number = StringField(
        "Registration / licence number", validators=[Optional(), Length(max=100)]
    )
    address = StringField("Address", validators=[Optional(), Length(max=500)])
    legal_representative = StringField(
        "Legal representative", validators=[Optional(), Length(max=200)]
    )
    contact_person = StringField("Contact person", validators=[Optional(), Length(max=200)])
    org_email = EmailField("Contact email", validators=[Optional(), Email(), Length(max=254)])
    phone = StringField("Phone", validators=[Optional(), Length(max=50)])

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


def attach_field_errors(form, fields: dict[str, list[str]]) -> dict[str, list[str]]:
    """Put a service's errors beside the matching fields; return those with no field."""
    by_id = leaf_fields(form)
    general: dict[str, list[str]] = {}
    for key, messages in fields.items():
        field = by_id.get(key)
        if field is None:
            general.setdefault(key, []).extend(messages)
        else:
            field.errors = [*field.errors, *messages]
    return general


def error_summary(form, general: dict[str, list[str]] | None = None) -> list[tuple[str, str, str]]:
    """(field id, label, message) for every error, in form order; for the summary box."""
    rows = [
        (key, key.replace("_", " ").capitalize(), message)
        for key, messages in (general or {}).items()
        for message in messages
    ]
    for field_id, field in leaf_fields(form).items():
        rows += [(field_id, _label(field_id, field), m) for m in field.errors]
    return rows


def _label(field_id: str, field) -> str:
    parts = field_id.split("-")
    if len(parts) == 3:  # goods-0-hs_code → "Goods 1: HS code"
        return f"{parts[0].capitalize()} {int(parts[1]) + 1}: {field.label.text}"
    if len(parts) == 2:
        return f"{parts[0].capitalize()}: {field.label.text}"
    return field.label.text
