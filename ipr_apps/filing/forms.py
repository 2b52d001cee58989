"""The application form: five content groups, repeating groups as FieldLists.

These forms check only shape (lengths, dates, numbers); completeness is checked by
services.completeness when the holder submits, so a draft can always be saved.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.i18n import translations as wtforms_translations
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

from ipr_apps.forms import AppForm, SubForm, choices, country_field, error_summary, leaf_fields
from ipr_apps.models import IprType
from ipr_apps.models.children import PORT_DIRECTION_LABELS, TRADER_ROLE_LABELS


def _text(label: str, max_length: int, **kwargs) -> StringField:
    return StringField(label, validators=[Optional(), Length(max=max_length)], **kwargs)


def _area(label: str, max_length: int = 5000, **kwargs) -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), Length(max=max_length)], **kwargs)


def _date(label: str, **kwargs) -> DateField:
    return DateField(label, validators=[Optional()], **kwargs)


class _TranslatedMeta:
    """WTForms' own messages ("Not a valid date value.") in the reader's language, as
    FlaskForm has them: nested forms are plain WTForms forms and would stay in English."""

    def get_translations(self, form):
        if not current_app.config.get("WTF_I18N_ENABLED", True):
            return super().get_translations(form)
        return wtforms_translations


class Group(SubForm):
    """The base of the form's groups and rows."""

    Meta = _TranslatedMeta


class HolderForm(Group):
    name_local = _text(_l("Name (local language)"), 300)
    name_en = _text(_l("Name (English)"), 300)
    country = country_field()
    registration_number = _text(_l("Registration / licence number"), 100)
    address = _text(_l("Address"), 500)
    legal_representative = _text(_l("Legal representative"), 200)
    contact_person = _text(_l("Contact person"), 200)
    # Formats (e-mail, HS code, Nice classes...) are completeness rules: checked at submit,
    # all in one pass, so a draft with a half-typed address can still be saved.
    email = EmailField(_l("Contact email"), validators=[Optional(), Length(max=254)])
    phone = _text(_l("Phone"), 50)


class RightForm(Group):
    registration_number = _text(_l("Registration number"), 64)
    title = _text(_l("Title"), 500)
    nice_classes = _text(
        _l("Nice classes"),
        200,
        description=_l("Class numbers 1–45, separated by commas, e.g. 9, 25."),
    )
    goods_services = _area(_l("Goods / services covered by the registration"))
    work_type = _text(
        _l("Type of work"), 100, description=_l("e.g. software, literary, artistic, film.")
    )
    first_publication_country = country_field(_l("Country of first publication"))
    abstract = _area(_l("Abstract"))
    filing_date = _date(_l("Filing date"))
    registration_date = _date(_l("Registration date"))
    expiry_date = _date(_l("Expiry date"))

    LABELS = {
        IprType.TRADEMARK: (_l("Trademark registration number"), _l("Mark text")),
        IprType.COPYRIGHT: (
            _l("Copyright registration number (optional)"),
            _l("Title of the work"),
        ),
        "patent": (_l("Patent grant number"), _l("Title of the invention or design")),
    }

    def adapt_to(self, ipr_type: IprType) -> None:
        number, title = self.LABELS.get(ipr_type, self.LABELS["patent"])
        self.registration_number.label.text = number
        self.title.label.text = title
        if ipr_type == IprType.COPYRIGHT:
            self.registration_number.description = _l(
                "Without a registration, attach evidence of ownership as the IPR certificate."
            )


class GoodsForm(Group):
    name = _text(_l("Goods name"), 300)
    hs_code = _text(
        _l("HS code"), 20, description=_l("6 to 10 digits (dots and spaces are ignored).")
    )
    place_of_manufacture = _text(_l("Place of manufacture"), 300)
    main_features = _area(_l("Main features (how to tell genuine goods)"), 2000)
    price_min = DecimalField(_l("Lowest price"), places=2, validators=[Optional()])
    price_max = DecimalField(_l("Highest price"), places=2, validators=[Optional()])
    currency = _text(_l("Currency"), 3, description=_l("ISO 4217, e.g. CNY."))


class LicenseeForm(Group):
    name = _text(_l("Licensee name"), 300)
    name_en = _text(_l("Name in English"), 300)
    country = country_field()
    scope = _area(_l("Scope of the licence"), 2000)
    exclusive = BooleanField(_l("Exclusive licence"))
    term_from = _date(_l("Term from"))
    term_until = _date(_l("Term until"))


class TraderForm(Group):
    role = SelectField(
        _l("Role"), choices=choices((r.value, label) for r, label in TRADER_ROLE_LABELS.items())
    )
    name = _text(_l("Name"), 300)
    name_en = _text(_l("Name in English"), 300)
    country = country_field()
    customs_code = _text(_l("Customs code"), 50)


class PortForm(Group):
    name = _text(_l("Customs port"), 200)
    code = _text(_l("Port code"), 20)
    direction = SelectField(
        _l("Direction"),
        choices=choices((d.value, label) for d, label in PORT_DIRECTION_LABELS.items()),
    )


class InfringerForm(Group):
    name = _text(_l("Name"), 300)
    name_en = _text(_l("Name in English"), 300)
    role = _text(_l("Role"), 100, description=_l("e.g. manufacturer, exporter, seller."))
    country = country_field()
    address = _text(_l("Address"), 500)
    ports = _text(_l("Ports used"), 500)
    description = _area(_l("Suspected goods"), 2000)


GROUPS = ("goods", "licensees", "traders", "ports", "infringers")


class ApplicationForm(AppForm):
    # Fields in page order: the answer to an information request sits at the top.
    response = _area(_l("Your answer to the reviewer"), 5000)
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
        _l("Type of right"),
        choices=choices(
            [
                (IprType.TRADEMARK.value, _l("Trademark")),
                (IprType.COPYRIGHT.value, _l("Copyright")),
                (IprType.PATENT_INVENTION.value, _l("Patent — invention")),
                (IprType.PATENT_UTILITY_MODEL.value, _l("Patent — utility model")),
                (IprType.PATENT_DESIGN.value, _l("Patent — design")),
            ]
        ),
        default=IprType.TRADEMARK.value,
        description=_l("One right per application. The type cannot be changed later."),
    )
    holder_org_id = SelectField(_l("Holder"), coerce=int, validate_choice=True)


class WithdrawForm(AppForm):
    reason = _area(_l("Reason (optional)"), 1000)


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


# The error summary names a field by its group (and row): "Goods 1: HS code".
GROUP_NAMES = {
    "holder": _l("Holder"), "right": _l("Right"), "goods": _l("Goods"),
    "licensees": _l("Licensees"), "traders": _l("Traders"), "ports": _l("Ports"),
    "infringers": _l("Infringers"), "documents": _l("Documents"), "response": _l("Answer"),
    "recordation": _l("Recordation"), "changes": _l("Changes"), "application": _l("Application"),
}  # fmt: skip


def summary_rows(form: ApplicationForm, general=None) -> list[tuple[str, str, str]]:
    """forms.error_summary with each row named in the reader's language."""
    fields = leaf_fields(form)
    return [
        (key, _summary_label(key, fields.get(key), label), message)
        for key, label, message in error_summary(form, general)
    ]


def _summary_label(key: str, field, fallback: str) -> str:
    parts = key.split("-")
    group = GROUP_NAMES.get(parts[0])
    if group is None:
        return fallback
    if field is None:  # an error of a whole group ("documents", "goods")
        return str(group)
    if len(parts) == 3:
        return _(
            "%(group)s %(number)s: %(field)s",
            group=group, number=int(parts[1]) + 1, field=field.label.text,
        )  # fmt: skip
    if len(parts) == 2:
        return _("%(group)s: %(field)s", group=group, field=field.label.text)
    return str(field.label.text)
