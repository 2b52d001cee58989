"""Marshmallow schemas of the API; the OpenAPI document is generated from them."""

from __future__ import annotations

from datetime import UTC

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, post_load, pre_load, validate

from ipr_apps.models import (
    DocType,
    IprType,
    Kind,
    PortDirection,
    RecordationStatus,
    RejectReason,
    Status,
    TraderRole,
)
from ipr_apps.screening.engine import DeclarationLine
from ipr_apps.screening.lines import COLUMNS, LineError, line_from
from ipr_apps.screening.rules import DEFAULT_THRESHOLD, RULES
from ipr_apps.services.screening import INLINE_LINES, MAX_THRESHOLD

S = fields.String


class UtcDateTime(fields.DateTime):
    """The database keeps naive UTC; send it with its zone, as OpenAPI's date-time
    (RFC 3339) requires: "2026-01-31T09:30:00+00:00"."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


def _no_nul(value: str) -> None:
    if "\x00" in value:
        raise ValidationError(_("Text may not contain NUL characters."))


def _utf8(value: str) -> None:
    """JSON lets "\ud800" (a lone surrogate) through; no database can store it (a 500)."""
    try:
        value.encode()
    except UnicodeEncodeError:
        raise ValidationError(_("Text must be valid Unicode (no lone surrogates).")) from None


def _text(length: int, **kwargs) -> fields.String:
    return S(allow_none=True, validate=[validate.Length(max=length), _no_nul, _utf8], **kwargs)


def _money() -> fields.Decimal:
    """Sent as a string ("10.00") to keep the cents exact; accepted as a string or a number.
    apispec documents every Decimal as a number, so the document is told what we send."""
    documented = {"type": "string", "format": "decimal", "example": "10.00"}
    return fields.Decimal(
        allow_none=True, places=2, as_string=True, allow_nan=False, metadata=documented
    )


class _Letters(validate.Regexp):
    """`count` ASCII letters; the message is worded when it is raised (reader's language)."""

    def __init__(self, count: int):
        super().__init__(f"^[A-Za-z]{{{count}}}$")
        self.count = count

    def _format_error(self, value) -> str:
        return _("Must be %(count)s letters.", count=self.count)


def _letters(count: int, **kwargs) -> fields.String:
    """An ISO code ("CN", "CNY"): ASCII letters only, as the service trims and upper-cases
    the value before storing it — a bare length check let " a" in (stored as "A") and
    "ßa" (stored as "SSA", too long for the column)."""
    return S(allow_none=True, validate=_Letters(count), **kwargs)


def _country(**kwargs) -> fields.String:
    return _letters(2, **kwargs)


class HolderSchema(Schema):
    """Group 1: the holder as filed (pre-filled from the holder's profile in the web form)."""

    name_local = _text(300)
    name_en = _text(300)
    country = _country(metadata={"description": "ISO 3166-1 alpha-2"})
    registration_number = _text(100)
    address = _text(500)
    legal_representative = _text(200)
    contact_person = _text(200)
    email = _text(254)
    phone = _text(50)


class RightSchema(Schema):
    """Group 2: fields that do not apply to the application's type are ignored."""

    registration_number = _text(64)
    title = _text(500)
    nice_classes = _text(200, metadata={"description": "trademarks: '9, 25'"})
    goods_services = _text(5000)
    work_type = _text(100)
    first_publication_country = _country()
    abstract = _text(5000)
    filing_date = fields.Date(allow_none=True)
    registration_date = fields.Date(allow_none=True)
    expiry_date = fields.Date(allow_none=True)


class GoodsSchema(Schema):
    name = _text(300)
    hs_code = _text(20, metadata={"description": "6 to 10 digits"})
    place_of_manufacture = _text(300)
    main_features = _text(2000)
    price_min = _money()
    price_max = _money()
    currency = _letters(3, metadata={"description": "ISO 4217, e.g. CNY"})


class LicenseeSchema(Schema):
    name = _text(300)
    name_en = _text(300, metadata={"description": "The name in English, if any"})
    country = _country()
    scope = _text(2000)
    exclusive = fields.Boolean(load_default=False)
    term_from = fields.Date(allow_none=True)
    term_until = fields.Date(allow_none=True)


class TraderSchema(Schema):
    role = fields.Enum(TraderRole, by_value=True, load_default=TraderRole.MANUFACTURER)
    name = _text(300)
    name_en = _text(300, metadata={"description": "The name in English, if any"})
    country = _country()
    customs_code = _text(50)


class PortSchema(Schema):
    name = _text(200)
    code = _text(20)
    direction = fields.Enum(PortDirection, by_value=True, load_default=PortDirection.BOTH)


class InfringerSchema(Schema):
    name = _text(300)
    name_en = _text(300, metadata={"description": "The name in English, if any"})
    role = _text(100)
    country = _country()
    address = _text(500)
    ports = _text(500)
    description = _text(2000)


def _rows(schema: type[Schema]) -> fields.List:
    return fields.List(fields.Nested(schema), validate=validate.Length(max=50))


class ContentSchema(Schema):
    holder = fields.Nested(HolderSchema)
    right = fields.Nested(RightSchema)
    goods = _rows(GoodsSchema)
    licensees = _rows(LicenseeSchema)
    traders = _rows(TraderSchema)
    ports = _rows(PortSchema)
    infringers = _rows(InfringerSchema)


class ApplicationCreateSchema(ContentSchema):
    ipr_type = fields.Enum(IprType, by_value=True, required=True)
    holder_org_id = fields.Integer(
        metadata={"description": "Agents only: the represented holder organisation."}
    )


class ApplicationPatchSchema(ContentSchema):
    """Only the groups present are replaced; the others stay as they are."""


class SubmitSchema(Schema):
    response = _text(5000, metadata={"description": "Answer to an information request"})


class DecisionInSchema(Schema):
    outcome = S(required=True, validate=validate.OneOf(["approve", "reject", "request_info"]))
    reason = _text(5000)
    reason_codes = fields.List(S(validate=validate.OneOf([r.value for r in RejectReason])))
    reply_by = fields.Date(allow_none=True, metadata={"description": "request_info only"})


class ListQuerySchema(Schema):
    status = fields.Enum(Status, by_value=True)
    ipr_type = fields.Enum(IprType, by_value=True)
    cursor = S(metadata={"description": "`next` of the previous page (another value: 422)"})
    limit = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


class DocumentSchema(Schema):
    id = fields.Integer()
    doc_type = fields.Enum(DocType, by_value=True)
    original_name = S()
    content_type = S()
    size_bytes = fields.Integer()
    sha256 = S()
    uploaded_at = UtcDateTime()


class UploadSchema(Schema):
    doc_type = fields.Enum(DocType, by_value=True, required=True)


class DecisionOutSchema(Schema):
    outcome = S(attribute="outcome.value")
    reason_codes = fields.Method("_codes")
    message = S(allow_none=True)
    decided_on = fields.Date()

    def _codes(self, decision) -> list[str]:
        return [r.value for r in decision.reasons]


class InfoRequestSchema(Schema):
    message = S()
    reply_by = fields.Date()
    created_at = UtcDateTime()
    answered_at = UtcDateTime(allow_none=True)
    response = S(allow_none=True)


class ApplicationSchema(Schema):
    id = fields.Integer()
    reference = S()
    ipr_type = fields.Enum(IprType, by_value=True)
    status = fields.Enum(Status, by_value=True)
    holder = fields.Nested(HolderSchema)
    right = fields.Nested(RightSchema)
    goods = fields.List(fields.Nested(GoodsSchema))
    licensees = fields.List(fields.Nested(LicenseeSchema))
    traders = fields.List(fields.Nested(TraderSchema))
    ports = fields.List(fields.Nested(PortSchema))
    infringers = fields.List(fields.Nested(InfringerSchema))
    duplicate_flag = fields.Boolean()
    created_at = UtcDateTime()
    first_submitted_at = UtcDateTime(allow_none=True)
    due_on = fields.Date(allow_none=True)
    decided_at = UtcDateTime(allow_none=True)
    revises_id = fields.Integer(
        allow_none=True,
        metadata={"description": "The rejected or withdrawn application this one revises"},
    )
    recordation_number = S(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    decision = fields.Nested(DecisionOutSchema, allow_none=True)
    information_requests = fields.List(fields.Nested(InfoRequestSchema))
    kind = fields.Enum(
        Kind, by_value=True,
        metadata={"description": "new, or renewal / amendment of `recordation_number`"},
    )  # fmt: skip


class ApplicationPageSchema(Schema):
    items = fields.List(fields.Nested(ApplicationSchema))
    next = S(allow_none=True, metadata={"description": "Cursor of the next page, or null"})


class StatsQuerySchema(Schema):
    by = S(required=True, validate=validate.OneOf(["month", "quarter", "half", "year"]))
    from_ = fields.Date(required=True, data_key="from")
    to = fields.Date(required=True)
    group_by = S(validate=validate.OneOf(["ipr_type", "country"]))


class StatsRowSchema(Schema):
    period = S()
    group = S()
    received = fields.Integer()
    approved = fields.Integer()
    rejected = fields.Integer()
    approved_prev_year = fields.Integer()
    approved_yoy_pct = fields.Float(allow_none=True)
    in_force_at_end = fields.Integer(
        metadata={"description": "Recordations in force on the last day of the period"}
    )
    renewals_approved = fields.Integer(
        metadata={"description": "Approvals dated in the period of applications to renew"}
    )
    expiries = fields.Integer(
        metadata={"description": "Recordations expired or lapsed whose last day in force is in it"}
    )


class ApiErrorBodySchema(Schema):
    code = S(required=True)
    message = S(required=True)
    fields = fields.Dict(
        required=True, metadata={"description": "Field name → messages; empty when none"}
    )


class ApiErrorSchema(Schema):
    error = fields.Nested(ApiErrorBodySchema, required=True)


def error_documenter(blp, descriptions: dict[int, str]):
    """`documented(*codes)`: a decorator that documents the error responses an endpoint of
    `blp` can give, each with its description here (all share the error schema)."""

    def documented(*codes: int):
        def decorator(view):
            for code in codes:
                view = blp.alt_response(
                    code, schema=ApiErrorSchema, description=descriptions[code]
                )(view)
            return view

        return decorator

    return documented


class RegisterQuerySchema(Schema):
    q = S(
        load_default="",
        validate=[validate.Length(max=100), _no_nul, _utf8],
        metadata={
            "description": "The beginning of a recordation number, right number, mark or "
            "title, or holder name (either script); case-insensitive. Empty: no results."
        },
    )
    cursor = S(metadata={"description": "`next` of the previous page (another value: 422)"})
    limit = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


class RegisterEntrySchema(Schema):
    """A recordation as the public register shows it: nothing else is public."""

    number = S(required=True)
    status = fields.Enum(RecordationStatus, by_value=True, required=True)
    ipr_type = fields.Enum(IprType, by_value=True, required=True)
    right_number = S(allow_none=True)
    right_title = S(allow_none=True)
    holder_name = S(required=True)
    holder_country = S(allow_none=True, metadata={"description": "ISO 3166-1 alpha-2"})
    valid_from = fields.Date(required=True)
    valid_until = fields.Date(required=True)


class RegisterPageSchema(Schema):
    items = fields.List(fields.Nested(RegisterEntrySchema))
    next = S(allow_none=True, metadata={"description": "Cursor of the next page, or null"})


# --------------------------------------------------------------------------- screening

NO_LINES = "Send at least one declaration line."
TOO_MANY_LINES = (
    "Send at most {max:,} declaration lines per request; screen a larger file as a batch "
    "upload on the screening page (/screening/)."
)


def _line_text(column: str, required: bool = False, **kwargs) -> fields.String:
    checks = [validate.Length(max=COLUMNS[column]), _no_nul, _utf8]
    return S(required=required, allow_none=not required, validate=checks, **kwargs)


def _line_amount(column: str, description: str) -> fields.Raw:
    """A string ("1200.50") or a number; `lines.line_from` reads and checks it."""
    documented = {
        "oneOf": [{"type": "string", "maxLength": COLUMNS[column]}, {"type": "number"}],
        "nullable": True, "example": "1200.50", "description": description,
    }  # fmt: skip
    return fields.Raw(allow_none=True, metadata=documented)


class DeclarationLineSchema(Schema):
    """One declaration line: the columns of a screening file (`screening.lines.COLUMNS`).
    Unknown keys are refused; `lines.line_from` reads and checks the values."""

    declaration_number = _line_text("declaration_number", required=True)
    line_number = fields.Integer(
        required=True, metadata={"minimum": 1, "maximum": 999_999, "example": 1}
    )
    port = _line_text("port", metadata={"description": "The customs port, e.g. Shenzhen Bay"})
    direction = _line_text("direction", metadata={"description": "import or export"})
    hs_code = _line_text("hs_code", metadata={"description": "Dots and spaces are ignored"})
    description = _line_text("description", metadata={"description": "The goods as declared"})
    brand = _line_text("brand", metadata={"description": "The brand or marks as declared"})
    consignor = _line_text("consignor")
    consignee = _line_text("consignee")
    country_of_origin = _line_text("country_of_origin", metadata={"description": "ISO 3166-1"})
    quantity = _line_amount("quantity", "Items declared")
    declared_value = _line_amount("declared_value", "The declared value")

    @post_load
    def _line(self, data: dict, **_kwargs) -> DeclarationLine:
        """The line read and checked as a file's lines are; an error names its field."""
        try:
            return line_from(data)
        except LineError as error:
            raise ValidationError(error.message, error.column) from None


class ScreeningRequestSchema(Schema):
    threshold = fields.Integer(
        load_default=DEFAULT_THRESHOLD,
        metadata={
            "minimum": 0, "maximum": MAX_THRESHOLD,
            "description": "A recordation is a hit for a line when its score reaches this.",
        },
    )  # fmt: skip
    lines = fields.List(
        fields.Nested(DeclarationLineSchema),
        required=True,
        validate=[
            validate.Length(min=1, error=NO_LINES),
            validate.Length(max=INLINE_LINES, error=TOO_MANY_LINES),
        ],
    )

    @pre_load
    def _not_too_many(self, data, **_kwargs):
        """Refuse an over-long list before each of its lines is read."""
        lines = data.get("lines") if isinstance(data, dict) else None
        if isinstance(lines, list) and len(lines) > INLINE_LINES:
            raise ValidationError(TOO_MANY_LINES.format(max=INLINE_LINES), "lines")
        return data


class ScreeningHitSchema(Schema):
    recordation_id = fields.Integer(required=True)
    recordation_number = S(required=True)
    score = fields.Integer(required=True, metadata={"description": "The rules' weights summed"})
    rules = fields.List(
        S(metadata={"enum": [rule.name for rule in RULES]}),
        required=True,
        metadata={"description": "The rules that matched, in the order of `reasons`"},
    )
    reasons = fields.List(S(), required=True, metadata={"description": "In plain words"})


class ScreenedLineSchema(Schema):
    declaration_number = S(required=True)
    line_number = fields.Integer(required=True)
    hits = fields.List(
        fields.Nested(ScreeningHitSchema),
        required=True,
        metadata={"description": "Highest score first; empty when no recordation reached it"},
    )


class ScreeningResultSchema(Schema):
    run_id = fields.Integer(required=True, metadata={"description": "The run kept for you"})
    threshold = fields.Integer(required=True)
    index_version = fields.Integer(
        required=True, allow_none=True,
        metadata={"description": "The version of the recorded facts screened against"},
    )  # fmt: skip
    lines = fields.List(
        fields.Nested(ScreenedLineSchema),
        required=True,
        metadata={"description": "One per line sent, in the same order"},
    )
