"""Applications for customs recordation and the goods they describe."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipr_apps.db import db
from ipr_apps.models.base import key_type, search_key, utcnow, value_enum
from ipr_apps.models.children import Goods, Infringer, Licensee, Port, Trader
from ipr_apps.models.rights import IpRight, IprType

if TYPE_CHECKING:
    from ipr_apps.models.audit import StatusEvent
    from ipr_apps.models.documents import Document
    from ipr_apps.models.organisations import Organisation
    from ipr_apps.models.recordations import Recordation
    from ipr_apps.models.review import Decision, InformationRequest
    from ipr_apps.models.users import User


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    INFO_REQUESTED = "info_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATES


# Lazy, for choices built at import time; `.label` is the text in the reader's language.
STATUS_LABELS = {
    Status.DRAFT: _l("Draft"),
    Status.SUBMITTED: _l("Submitted"),
    Status.UNDER_REVIEW: _l("Under review"),
    Status.INFO_REQUESTED: _l("Info requested"),
    Status.APPROVED: _l("Approved"),
    Status.REJECTED: _l("Rejected"),
    Status.WITHDRAWN: _l("Withdrawn"),
}


FINAL_STATES = frozenset({Status.APPROVED, Status.REJECTED, Status.WITHDRAWN})


class Kind(StrEnum):
    """What the application asks for: a new recordation, or a change to an existing one."""

    NEW = "new"
    RENEWAL = "renewal"
    AMENDMENT = "amendment"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


KIND_LABELS = {
    Kind.NEW: _l("New recordation"),
    Kind.RENEWAL: _l("Renewal"),
    Kind.AMENDMENT: _l("Amendment"),
}


KEY_LENGTH = 300  # as the names
# Each holder-name column and its search key.
NAME_KEYS = {"holder_name_local_key": "holder_name_local", "holder_name_en_key": "holder_name_en"}


def _key_from(context, source: str) -> str | None:
    return search_key(context.get_current_parameters().get(source), KEY_LENGTH)


_IN_QUEUE = "('submitted', 'under_review')"
_DECIDED = "('approved', 'rejected')"


_HOLDER_UPDATED = ("holder_org_id", "updated_at", "id")
_SELF_FILED = {
    "sqlite_where": text("agency_id IS NULL"),
    "postgresql_where": text("agency_id IS NULL"),
}


class Application(db.Model):
    """One right, five content groups; the holder section is a snapshot taken when filing."""

    __tablename__ = "applications"
    __table_args__ = (
        CheckConstraint(
            "(status = 'under_review') = (claimed_by_id IS NOT NULL)", name="claimed_iff_review"
        ),
        CheckConstraint(
            "status IN ('draft', 'withdrawn') OR first_submitted_at IS NOT NULL",
            name="submitted_has_date",
        ),
        CheckConstraint(f"status NOT IN {_IN_QUEUE} OR due_on IS NOT NULL", name="queue_has_due"),
        CheckConstraint(f"(status IN {_DECIDED}) = (decided_at IS NOT NULL)", name="decided_iff"),
        CheckConstraint("clock_days_used >= 0", name="clock_non_negative"),
        CheckConstraint(
            "kind = 'new' OR recordation_id IS NOT NULL", name="change_has_recordation"
        ),
        CheckConstraint(
            "holder_country IS NULL OR length(holder_country) = 2", name="holder_country_iso2"
        ),
        Index("ix_applications_queue", "status", "due_on", "id"),
        Index("ix_applications_holder_list", "holder_org_id", "created_at", "id"),
        Index("ix_applications_agency_list", "agency_id", "created_at", "id"),
        Index("ix_applications_claimant", "claimed_by_id", "due_on", "id"),
        # The lists' other sort orders (queue tabs by submission, holders' by last change).
        Index("ix_applications_submitted", "status", "first_submitted_at", "id"),
        Index("ix_applications_claimant_submitted", "claimed_by_id", "first_submitted_at", "id"),
        Index("ix_applications_holder_updated", "holder_org_id", "updated_at", "id"),
        Index("ix_applications_agency_updated", "agency_id", "updated_at", "id"),
        # An agency's "holders' own filings" (access.holders_own_branches): each holder's
        # rows filed by nobody else in the list's order (partial: the planners order by an
        # `IS NULL` range of a full index only after a sort), and those other agencies filed.
        Index("ix_applications_holder_own", "holder_org_id", "created_at", "id", **_SELF_FILED),
        Index("ix_applications_holder_own_updated", *_HOLDER_UPDATED, **_SELF_FILED),
        Index("ix_applications_holder_agency", "holder_org_id", "agency_id", "created_at", "id"),
        Index("ix_applications_decided", "decided_at", "id"),
        Index("ix_applications_created", "created_at", "id"),  # the API's staff list
        # The lists' search by holder name (services/listings.matching): a prefix of a key.
        Index("ix_applications_holder_name_local_key", "holder_name_local_key", "id"),
        Index("ix_applications_holder_name_en_key", "holder_name_en_key", "id"),
        Index("ix_applications_recordation", "recordation_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    ipr_type: Mapped[IprType] = mapped_column(value_enum(IprType, "ipr_type"), index=True)
    status: Mapped[Status] = mapped_column(value_enum(Status, "status"), default=Status.DRAFT)
    kind: Mapped[Kind] = mapped_column(value_enum(Kind, "application_kind"), default=Kind.NEW)
    # The recordation it renews or amends; for a new application, set when it is approved.
    recordation_id: Mapped[int | None] = mapped_column(
        ForeignKey("recordations.id", use_alter=True)
    )
    # The rejected or withdrawn application this one revises ("revise and file again").
    revises_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)

    holder_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    imported: Mapped[bool] = mapped_column(default=False)

    # Group 1: the holder as filed (pre-filled from the organisation profile).
    holder_name_local: Mapped[str | None] = mapped_column(String(300))
    holder_name_en: Mapped[str | None] = mapped_column(String(300))
    # The names folded by search_key() (NFKC, case-folded, spaces collapsed), for the lists'
    # prefix search. Kept in step by the ORM events below and, for bulk INSERTs that leave them
    # out (the generator, benchmarks), by the column default; import_swap fills its own.
    holder_name_local_key: Mapped[str | None] = mapped_column(
        key_type(KEY_LENGTH), default=lambda ctx: _key_from(ctx, "holder_name_local")
    )
    holder_name_en_key: Mapped[str | None] = mapped_column(
        key_type(KEY_LENGTH), default=lambda ctx: _key_from(ctx, "holder_name_en")
    )
    holder_country: Mapped[str | None] = mapped_column(String(2), index=True)
    holder_registration_number: Mapped[str | None] = mapped_column(String(100))
    holder_address: Mapped[str | None] = mapped_column(String(500))
    holder_legal_representative: Mapped[str | None] = mapped_column(String(200))
    holder_contact_person: Mapped[str | None] = mapped_column(String(200))
    holder_email: Mapped[str | None] = mapped_column(String(254))
    holder_phone: Mapped[str | None] = mapped_column(String(50))

    duplicate_flag: Mapped[bool] = mapped_column(default=False)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claimed_at: Mapped[datetime | None]

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    first_submitted_at: Mapped[datetime | None] = mapped_column(index=True)
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    # Decision clock in working days: paused while information is requested.
    clock_started_on: Mapped[date | None]
    clock_days_used: Mapped[int] = mapped_column(default=0)
    due_on: Mapped[date | None]
    # Which working-day calendar computed due_on (official_calendar.label(); NULL: before the
    # official calendar was adopted), so the page can say which one was in force.
    due_calendar: Mapped[str | None] = mapped_column(String(40))

    __mapper_args__ = {"version_id_col": version}

    right: Mapped[IpRight] = relationship(
        back_populates="application", cascade="all, delete-orphan", uselist=False
    )
    goods: Mapped[list[Goods]] = relationship(order_by=Goods.position, cascade="all, delete-orphan")
    licensees: Mapped[list[Licensee]] = relationship(
        order_by=Licensee.position, cascade="all, delete-orphan"
    )
    traders: Mapped[list[Trader]] = relationship(
        order_by=Trader.position, cascade="all, delete-orphan"
    )
    ports: Mapped[list[Port]] = relationship(order_by=Port.position, cascade="all, delete-orphan")
    infringers: Mapped[list[Infringer]] = relationship(
        order_by=Infringer.position, cascade="all, delete-orphan"
    )
    # The current documents; superseded versions are read through services.documents.
    documents: Mapped[list[Document]] = relationship(
        primaryjoin="and_(Application.id == Document.application_id, "
        "Document.superseded_at.is_(None))",
        order_by="Document.id",
        viewonly=True,
    )
    events: Mapped[list[StatusEvent]] = relationship(order_by="StatusEvent.id", viewonly=True)
    information_requests: Mapped[list[InformationRequest]] = relationship(
        order_by="InformationRequest.id", back_populates="application"
    )
    decision: Mapped[Decision | None] = relationship(back_populates="application", uselist=False)
    # post_update: the recordation also points at its original application (a row cycle).
    recordation: Mapped[Recordation | None] = relationship(
        foreign_keys=[recordation_id], post_update=True
    )
    revises: Mapped[Application | None] = relationship(remote_side=[id], foreign_keys=[revises_id])
    holder_org: Mapped[Organisation] = relationship(foreign_keys=[holder_org_id])
    agency: Mapped[Organisation | None] = relationship(foreign_keys=[agency_id])
    filed_by: Mapped[User | None] = relationship(foreign_keys=[filed_by_id])
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])

    @property
    def holder_display_name(self) -> str:
        return self.holder_name_en or self.holder_name_local or self.holder_org.display_name

    @property
    def holder_reader_name(self) -> str:
        """The holder's two names, the reader's language first (see i18n.two_names)."""
        from ipr_apps.i18n import two_names

        if not (self.holder_name_local or self.holder_name_en):
            return self.holder_org.reader_name
        return two_names(self.holder_name_local, self.holder_name_en)

    @property
    def open_request(self) -> InformationRequest | None:
        """The information request the holder has not answered yet, if any."""
        return next((r for r in self.information_requests if r.answered_at is None), None)

    @property
    def right_title(self) -> str:
        return (self.right.title if self.right else None) or str(_l("(untitled)"))

    @property
    def seen_by_customs(self) -> bool:
        """Submitted at least once (the date is set then and never cleared): from then on its
        documents are kept, a replaced or removed one as an earlier version."""
        return self.first_submitted_at is not None

    def editable_by(self, user: User) -> bool:
        """Whether `user` may change the content now; templates use it for "edit" links."""
        return self.can("edit", user)

    @property
    def clock_running(self) -> bool:
        """Whether the 30-working-day decision clock runs in the current state."""
        from ipr_apps import workflow

        return self.status in workflow.CLOCK_STATES

    @property
    def clock_paused(self) -> bool:
        """Whether the clock waits for the holder's answer to an information request."""
        from ipr_apps import workflow

        return self.status in workflow.PAUSED_STATES

    @property
    def clock_remaining(self) -> int:
        """Working days the decision clock has left when it runs again."""
        from ipr_apps import workflow

        return max(workflow.DECISION_WORKING_DAYS - self.clock_days_used, 0)

    @property
    def has_certificate(self) -> bool:
        """Approved, so its recordation (as this approval left it) can be certified."""
        return self.status == Status.APPROVED and self.recordation is not None

    def can(self, action: str, user: User) -> bool:
        """Whether `user` may perform `action` now; templates use it to show buttons."""
        from ipr_apps import workflow

        return workflow.can(self, action, user)

    def __repr__(self) -> str:
        return f"<Application {self.reference} {self.status}>"


@event.listens_for(Application, "before_insert")
@event.listens_for(Application, "before_update")
def _fill_name_keys(mapper, connection, application: Application) -> None:
    for key, source in NAME_KEYS.items():
        setattr(application, key, search_key(getattr(application, source), KEY_LENGTH))
