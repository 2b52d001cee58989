"""Detention cases: one detained consignment (one batch) at a port, ex officio on a
recordation or on the holder's application; what the enforcement statistics count."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipr_apps.db import db
from ipr_apps.models.base import utcnow, value_enum

if TYPE_CHECKING:
    from ipr_apps.models.organisations import Organisation
    from ipr_apps.models.recordations import Recordation
    from ipr_apps.models.screening import ScreeningHit
    from ipr_apps.models.users import User


class _Labelled(StrEnum):
    @property
    def label(self) -> str:
        """The member's name in the reader's language (the stored value never changes)."""
        return str(self.lazy_label)

    @property
    def lazy_label(self):
        """The label translated when it is shown (for choices built at import time)."""
        return _LABELS[type(self)][self]


class Channel(_Labelled):
    FREIGHT = "freight"
    POST = "post"
    EXPRESS = "express"
    CROSS_BORDER_ECOMMERCE = "cross_border_ecommerce"
    PASSENGER = "passenger"
    OTHER = "other"


class Direction(_Labelled):
    IMPORT = "import"
    EXPORT = "export"


class Mode(_Labelled):
    EX_OFFICIO = "ex_officio"  # customs act on their own initiative, on a recordation
    ON_APPLICATION = "on_application"  # the holder applied for the detention


class CaseIprType(_Labelled):
    """The right infringed, as enforcement statistics count it (the patent kinds as one)."""

    TRADEMARK = "trademark"
    COPYRIGHT = "copyright"
    PATENT = "patent"


class CaseOutcome(_Labelled):
    CONFISCATED = "confiscated"
    RELEASED = "released"
    TRANSFERRED_TO_POLICE = "transferred_to_police"
    COURT_ORDER = "court_order"
    WITHDRAWN_BY_HOLDER = "withdrawn_by_holder"


class CaseStatus(_Labelled):
    """DESIGN §4: awaiting the holder (3 working days) → detained (confirmed, bond posted) or
    released (not confirmed) → closed with an outcome."""

    AWAITING_HOLDER = "awaiting_holder"
    DETAINED = "detained"
    RELEASED = "released"
    CLOSED = "closed"


# Keyed by class: "released" is both a status and an outcome.
_LABELS: dict[type[_Labelled], dict] = {
    Channel: {
        Channel.FREIGHT: _l("Freight"), Channel.POST: _l("Post"), Channel.EXPRESS: _l("Express"),
        Channel.CROSS_BORDER_ECOMMERCE: _l("Cross-border e-commerce"),
        Channel.PASSENGER: _l("Passenger"), Channel.OTHER: _l("Other"),
    },
    Direction: {Direction.IMPORT: _l("Import"), Direction.EXPORT: _l("Export")},
    Mode: {Mode.EX_OFFICIO: _l("Ex officio"), Mode.ON_APPLICATION: _l("On application")},
    CaseIprType: {
        CaseIprType.TRADEMARK: _l("Trademark"), CaseIprType.COPYRIGHT: _l("Copyright"),
        CaseIprType.PATENT: _l("Patent"),
    },
    CaseOutcome: {
        CaseOutcome.CONFISCATED: _l("Confiscated"), CaseOutcome.RELEASED: _l("Released"),
        CaseOutcome.TRANSFERRED_TO_POLICE: _l("Transferred to police"),
        CaseOutcome.COURT_ORDER: _l("Court order"),
        CaseOutcome.WITHDRAWN_BY_HOLDER: _l("Withdrawn by holder"),
    },
    CaseStatus: {
        CaseStatus.AWAITING_HOLDER: _l("Awaiting holder"), CaseStatus.DETAINED: _l("Detained"),
        CaseStatus.RELEASED: _l("Released"), CaseStatus.CLOSED: _l("Closed"),
    },
}  # fmt: skip


class DetentionCase(db.Model):
    """Numbered `D{year}-{port}-{seq:06d}` when opened here; imported numbers keep their form.

    `port_code` and `recordation_number` are kept as given (an imported code need not be in
    the districts list, an imported recordation need not be known here); `recordation_id`
    links the recordation when it is.
    """

    __tablename__ = "detention_cases"
    __table_args__ = (
        CheckConstraint("items >= 0", name="items_non_negative"),
        CheckConstraint("value_cny >= 0", name="value_non_negative"),
        CheckConstraint("bond_cny IS NULL OR bond_cny >= 0", name="bond_non_negative"),
        CheckConstraint("(outcome IS NULL) = (outcome_on IS NULL)", name="outcome_dated"),
        Index("ix_detention_cases_opened", "opened_on", "id"),
        Index("ix_detention_cases_port", "port_code", "opened_on"),
        Index("ix_detention_cases_holder", "holder_org_id", "opened_on", "id"),
        Index("ix_detention_cases_recordation", "recordation_id", "opened_on"),
        Index("ix_detention_cases_status", "status", "confirm_by", "id"),
        # A port's cases awaiting the holder (its officers' deadlines), newest first.
        Index("ix_detention_cases_port_status", "port_code", "status", "opened_on", "id"),
        # One case a hit. Partial: most cases come from no hit, and SQLite's statistics count
        # the NULLs as one value, so a full index looked useless and the hits' cases scanned.
        Index(
            "ix_detention_cases_screening_hit_id",
            "screening_hit_id",
            unique=True,
            sqlite_where=text("screening_hit_id IS NOT NULL"),
            postgresql_where=text("screening_hit_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(String(40), unique=True)
    opened_on: Mapped[date]
    port_code: Mapped[str] = mapped_column(String(20))
    channel: Mapped[Channel] = mapped_column(value_enum(Channel, "case_channel"))
    direction: Mapped[Direction] = mapped_column(value_enum(Direction, "case_direction"))
    mode: Mapped[Mode] = mapped_column(value_enum(Mode, "case_mode"))
    ipr_type: Mapped[CaseIprType] = mapped_column(value_enum(CaseIprType, "case_ipr_type"))
    status: Mapped[CaseStatus] = mapped_column(value_enum(CaseStatus, "case_status"))
    recordation_id: Mapped[int | None] = mapped_column(ForeignKey("recordations.id"))
    recordation_number: Mapped[str | None] = mapped_column(String(40))
    holder_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))

    goods: Mapped[str | None] = mapped_column(Text)
    goods_category: Mapped[str | None] = mapped_column(String(200))
    hs_code: Mapped[str | None] = mapped_column(String(20))
    items: Mapped[int] = mapped_column(default=0)
    value_cny: Mapped[Decimal] = mapped_column(Numeric(16, 2), default=Decimal("0"))
    consignor: Mapped[str | None] = mapped_column(String(300))
    consignee: Mapped[str | None] = mapped_column(String(300))
    country_of_origin: Mapped[str | None] = mapped_column(String(2))

    # The holder's side of an ex officio case: confirm within 3 working days, with a bond not
    # above the goods' value or on its yearly general guarantee.
    confirm_by: Mapped[date | None]
    confirm_calendar: Mapped[str | None] = mapped_column(String(40))  # as due_calendar
    confirmed_at: Mapped[datetime | None]
    bond_cny: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    on_general_guarantee: Mapped[bool] = mapped_column(default=False)

    outcome: Mapped[CaseOutcome | None] = mapped_column(value_enum(CaseOutcome, "case_outcome"))
    outcome_on: Mapped[date | None]
    imported: Mapped[bool] = mapped_column(default=False)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    # The holder's request this case was accepted from (mode on_application).
    request_id: Mapped[int | None] = mapped_column(ForeignKey("detention_requests.id"), unique=True)
    # The screening hit an officer opened this case from (ex officio), if any: one case a hit.
    screening_hit_id: Mapped[int | None] = mapped_column(ForeignKey("screening_hits.id"))
    # Optimistic lock: the holder's confirmation and the nightly release cannot both win.
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}

    recordation: Mapped[Recordation | None] = relationship()
    holder_org: Mapped[Organisation | None] = relationship()
    opened_by: Mapped[User | None] = relationship()
    screening_hit: Mapped[ScreeningHit | None] = relationship()
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="CaseEvent.id", viewonly=True
    )

    def can(self, action: str, user: User | None) -> bool:
        from ipr_apps import case_workflow

        return case_workflow.can(self, action, user)

    def __repr__(self) -> str:
        return f"<DetentionCase {self.case_number} {self.status}>"


# The case list's search by the start of the case or recordation number, in any case: an index
# on the lowered number (PostgreSQL: text_pattern_ops, so LIKE 'prefix%' reads a range).
for _name in ("case_number", "recordation_number"):
    _folded = func.lower(getattr(DetentionCase, _name)).label(f"{_name}_folded")
    Index(
        f"ix_detention_cases_{_name}_folded", _folded,
        postgresql_ops={f"{_name}_folded": "text_pattern_ops"},
    )  # fmt: skip


class CaseEvent(db.Model):
    """Append-only: every step of a detention case (opened, confirmed, released, closed...)."""

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_timeline", "case_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("detention_cases.id"))
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    case: Mapped[DetentionCase] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class RequestStatus(_Labelled):
    SUBMITTED = "submitted"  # waiting for an officer of the likely port's district
    ACCEPTED = "accepted"  # an officer opened a case from it
    REFUSED = "refused"  # an officer declined it, with the reason
    WITHDRAWN = "withdrawn"  # the holder took it back before a decision


_LABELS[RequestStatus] = {
    RequestStatus.SUBMITTED: _l("Submitted"), RequestStatus.ACCEPTED: _l("Accepted"),
    RequestStatus.REFUSED: _l("Refused"), RequestStatus.WITHDRAWN: _l("Withdrawn"),
}  # fmt: skip


class DetentionRequest(db.Model):
    """A holder's request for detention, filed from its recordation page: the consignment it
    expects (parties, goods, likely port and time) and its evidence. An officer of the likely
    port's district accepts it into a case or refuses it."""

    __tablename__ = "detention_requests"
    __table_args__ = (
        Index("ix_detention_requests_port", "port_code", "status", "id"),
        Index("ix_detention_requests_holder", "holder_org_id", "id"),
        # Admins' list: the few waiting ones first, newest first, however many were decided.
        Index("ix_detention_requests_status", "status", "id"),
        CheckConstraint(
            "expected_from IS NULL OR expected_until IS NULL OR expected_from <= expected_until",
            name="expected_ordered",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)  # R{year}-{seq:06d}
    recordation_id: Mapped[int | None] = mapped_column(ForeignKey("recordations.id"), index=True)
    holder_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[RequestStatus] = mapped_column(value_enum(RequestStatus, "request_status"))
    port_code: Mapped[str] = mapped_column(String(4))  # the likely port's district
    channel: Mapped[Channel] = mapped_column(value_enum(Channel, "request_channel"))
    direction: Mapped[Direction] = mapped_column(value_enum(Direction, "request_direction"))
    ipr_type: Mapped[CaseIprType] = mapped_column(value_enum(CaseIprType, "request_ipr_type"))
    consignor: Mapped[str | None] = mapped_column(String(300))
    consignee: Mapped[str | None] = mapped_column(String(300))
    goods: Mapped[str] = mapped_column(Text)
    hs_code: Mapped[str | None] = mapped_column(String(20))
    items: Mapped[int | None]
    value_cny: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    expected_from: Mapped[date | None]
    expected_until: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(Text)  # the holder's grounds
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    recordation: Mapped[Recordation | None] = relationship()
    holder_org: Mapped[Organisation] = relationship()
    filed_by: Mapped[User] = relationship(foreign_keys=[filed_by_id])
    evidence: Mapped[list[RequestDocument]] = relationship(
        back_populates="request", order_by="RequestDocument.id"
    )

    def __repr__(self) -> str:
        return f"<DetentionRequest {self.reference} {self.status}>"


class RequestDocument(db.Model):
    """An evidence file of a detention request; stored like application documents."""

    __tablename__ = "request_documents"
    __table_args__ = (
        CheckConstraint("size_bytes > 0", name="not_empty"),
        CheckConstraint("length(sha256) = 64", name="sha256_hex"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("detention_requests.id", ondelete="CASCADE"), index=True
    )
    original_name: Mapped[str] = mapped_column(String(255))  # for display only
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)  # random
    content_type: Mapped[str] = mapped_column(String(50))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[DetentionRequest] = relationship(back_populates="evidence")
