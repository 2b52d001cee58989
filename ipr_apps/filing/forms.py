"""The application form: five content groups, repeating groups as FieldLists.

These forms check only shape (lengths, dates, numbers); completeness is checked by
services.completeness when the holder submits, so a draft can always be saved.
"""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from ipr_apps.forms import AppForm, SubForm, choices, country_field
from ipr_apps.models import IprType, PortDirection, TraderRole


def _text(label: str, max_length: int, **kwargs) -> StringField:
    return StringField(label, validators=[Optional(), Length(max=max_length)], **kwargs)


def _area(label: str, max_length: int = 5000, **kwargs) -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), Length(max=max_length)], **kwargs)


def _date(label: str, **kwargs) -> DateField:
    return DateField(label, validators=[Optional()], **kwargs)


class HolderForm(SubForm):
    name_local = _text("Name (local language)", 300)
    name_en = _text("Name (English)", 300)
    country = country_field()
    registration_number = _text("Registration / licence number", 100)
    address = _text("Address", 500)
    legal_representative = _text("Legal representative", 200)
    contact_person = _text("Contact person", 200)
    # Formats (e-mail, HS code, Nice classes...) are completeness rules: checked at submit,
    # all in one pass, so a draft with a half-typed address can still be saved.
    email = EmailField("Contact email", validators=[Optional(), Length(max=254)])
    phone = _text("Phone", 50)


class RightForm(SubForm):
    registration_number = _text("Registration number", 64)
    title = _text("Title", 500)
    nice_classes = _text(
        "Nice classes", 200, description="Class numbers 1–45, separated by commas, e.g. 9, 25."
    )
    goods_services = _area("Goods / services covered by the registration")
    work_type = _text("Type of work", 100, description="e.g. software, literary, artistic, film.")
    first_publication_country = country_field("Country of first publication")
    abstract = _area("Abstract")
    filing_date = _date("Filing date")
    registration_date = _date("Registration date")
    expiry_date = _date("Expiry date")

    LABELS = {
        IprType.TRADEMARK: ("Trademark registration number", "Mark text"),
        IprType.COPYRIGHT: ("Copyright registration number (optional)", "Title of the work"),
        "patent": ("Patent grant number", "Title of the invention or design"),
    }

    def adapt_to(self, ipr_type: IprType) -> None:
        number, title = self.LABELS.get(ipr_type, self.LABELS["patent"])
        self.registration_number.label.text = number
        self.title.label.text = title
        if ipr_type == IprType.COPYRIGHT:
            self.registration_number.description = (
                "Without a registration, attach evidence of ownership as the IPR certificate."
            )


class GoodsForm(SubForm):
    name = _text("Goods name", 300)
    hs_code = _text("HS code", 20, description="6 to 10 digits (dots and spaces are ignored).")
    place_of_manufacture = _text("Place of manufacture", 300)
    main_features = _area("Main features (how to tell genuine goods)", 2000)
    price_min = DecimalField("Lowest price", places=2, validators=[Optional()])
    price_max = DecimalField("Highest price", places=2, validators=[Optional()])
    currency = _text("Currency", 3, description="ISO 4217, e.g. CNY.")


class LicenseeForm(SubForm):
    name = _text("Licensee name", 300)
    country = country_field()
    scope = _area("Scope of the licence", 2000)
    exclusive = BooleanField("Exclusive licence")
    term_from = _date("Term from")
    term_until = _date("Term until")


class TraderForm(SubForm):
    role = SelectField("Role", choices=choices((r.value, r.value.capitalize()) for r in TraderRole))
    name = _text("Name", 300)
    country = country_field()
    customs_code = _text("Customs code", 50)


class PortForm(SubForm):
    name = _text("Customs port", 200)
    code = _text("Port code", 20)
    direction = SelectField(
        "Direction", choices=choices((d.value, d.value.capitalize()) for d in PortDirection)
    )


class InfringerForm(SubForm):
    name = _text("Name", 300)
    role = _text("Role", 100, description="e.g. manufacturer, exporter, seller.")
    country = country_field()
    address = _text("Address", 500)
    ports = _text("Ports used", 500)
    description = _area("Suspected goods", 2000)


GROUPS = ("goods", "licensees", "traders", "ports", "infringers")


class ApplicationForm(AppForm):
    # Fields in page order: the answer to an information request sits at the top.
    response = _area("Your answer to the reviewer", 5000)
    holder = FormField(HolderForm)
    right = FormField(RightForm)
    licensees = FieldList(FormField(LicenseeForm), max_entries=50)
    goods = FieldList(FormField(GoodsForm), min_entries=1, max_entries=50)
    traders = FieldList(FormField(TraderForm), max_entries=50)
    ports = FieldList(FormField(PortForm), max_entries=50)
    infringers = FieldList(FormField(InfringerForm), max_entries=50)

    def payload(self, right_fields: tuple[str, ...]) -> dict:
        """What the services take: plain dicts, only the fields of this right type.

        A field whose value could not be read (a bad date, a number, too long) is left out
        as None, so the rest can still be checked.
        """
        right = _values(self.right.form, right_fields)
        data = {"holder": _values(self.holder.form), "right": right}
        for name in GROUPS:
            data[name] = [_values(entry.form) for entry in self[name].entries]
        data["response"] = None if self.response.errors else self.response.data
        return data

    def mark_required(self, required: dict[str, tuple[str, ...]]) -> None:
        """Flag the fields a submission needs (label marked, aria-required on the input)."""
        for group, names in required.items():
            field = self[group]
            entries = field.entries if field.type == "FieldList" else [field]
            for entry in entries:
                mark_required(entry.form, names)


def _values(form: Form, names: tuple[str, ...] | None = None) -> dict:
    names = names or tuple(name for name in form._fields if name != "csrf_token")
    return {name: None if form[name].errors else form[name].data for name in names}


def mark_required(form: Form, names: tuple[str, ...]) -> None:
    for name in names:
        if name in form:
            form[name].flags.required = True
            form[name].render_kw = {**(form[name].render_kw or {}), "aria-required": "true"}


def blank_rows(required: dict[str, tuple[str, ...]]) -> dict[str, Form]:
    """One empty row per repeating group, named `<group>-__INDEX__-<field>` for app.js."""
    forms = {
        "goods": GoodsForm, "licensees": LicenseeForm, "traders": TraderForm,
        "ports": PortForm, "infringers": InfringerForm,
    }  # fmt: skip
    blanks = {group: cls(prefix=f"{group}-__INDEX__-") for group, cls in forms.items()}
    for group, form in blanks.items():
        mark_required(form, required.get(group, ()))
    return blanks


class NewApplicationForm(AppForm):
    ipr_type = RadioField(
        "Type of right",
        choices=choices(
            [
                (IprType.TRADEMARK.value, "Trademark"),
                (IprType.COPYRIGHT.value, "Copyright"),
                (IprType.PATENT_INVENTION.value, "Patent — invention"),
                (IprType.PATENT_UTILITY_MODEL.value, "Patent — utility model"),
                (IprType.PATENT_DESIGN.value, "Patent — design"),
            ]
        ),
        default=IprType.TRADEMARK.value,
        description="One right per application. The type cannot be changed later.",
    )
    holder_org_id = SelectField("Holder", coerce=int, validate_choice=True)


class WithdrawForm(AppForm):
    reason = _area("Reason (optional)", 1000)


def lock(form: ApplicationForm, locked: dict[str, tuple[str, ...]]) -> None:
    """Show the fields a renewal or amendment may not change as read-only (still sent, so
    the service sees them unchanged); a select, which has no readonly, keeps only its
    recorded choice."""
    for group, names in locked.items():
        sub = form[group].form
        for name in (n for n in names if n in sub):
            field = sub[name]
            extra = {"aria-readonly": "true"}
            if isinstance(field, SelectField):
                field.choices = [c for c in field.choices if c.value == (field.data or "")]
            else:
                extra["readonly"] = True
            field.render_kw = {**(field.render_kw or {}), **extra}
