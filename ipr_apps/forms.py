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
    return SelectField(label, choices=choices(country_choices()), **kwargs)


class OrganisationFieldsMixin:
    """Group 1 of an application: the holder's (or agency's) identity, as on its licence."""

    name_local = StringField(
        "Name (local language)",
        validators=[DataRequired("Enter the organisation's name."), Length(max=300)],
        description="As written on the business licence or registration certificate.",
    )
    name_en = StringField("Name (English)", validators=[Optional(), Length(max=300)])
    country = country_field(description="Country of registration (ISO 3166).")
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
