"""Documents uploaded with an application; files live in the upload folder."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipr_apps.db import db
from ipr_apps.models.base import utcnow, value_enum

if TYPE_CHECKING:
    from ipr_apps.models.applications import Application
    from ipr_apps.models.users import User


class DocType(StrEnum):
    IPR_CERTIFICATE = "ipr_certificate"
    IDENTITY_PROOF = "identity_proof"
    POWER_OF_ATTORNEY = "power_of_attorney"
    GOODS_PHOTO = "goods_photo"
    LICENCE_CONTRACT = "licence_contract"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(DOC_TYPE_LABELS[self])

    @property
    def in_sentence(self) -> str:
        """The label inside a sentence: 'identity proof', but 'IPR certificate' (Chinese
        labels have no case and stay as they are)."""
        label = self.label
        return label if label.split()[0].isupper() else label[0].lower() + label[1:]


# Lazy, for choices built at import time; `.label` is the text in the reader's language.
DOC_TYPE_LABELS = {
    DocType.IPR_CERTIFICATE: _l("IPR certificate"),
    DocType.IDENTITY_PROOF: _l("Identity proof"),
    DocType.POWER_OF_ATTORNEY: _l("Power of attorney"),
    DocType.GOODS_PHOTO: _l("Goods photo"),
    DocType.LICENCE_CONTRACT: _l("Licence contract"),
    DocType.OTHER: _l("Other"),
}


class Document(db.Model):
    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint("size_bytes > 0", name="not_empty"),
        CheckConstraint("length(sha256) = 64", name="sha256_hex"),
        CheckConstraint(
            "superseded_by_id IS NULL OR superseded_at IS NOT NULL", name="superseded_when"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    doc_type: Mapped[DocType] = mapped_column(value_enum(DocType, "doc_type"))
    original_name: Mapped[str] = mapped_column(String(255))  # for display only
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)  # random
    content_type: Mapped[str] = mapped_column(String(50))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Replaced or removed after customs had seen the application: the row and its file stay,
    # for staff only (services.documents decides who sees which).
    superseded_at: Mapped[datetime | None]
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # who did it

    application: Mapped[Application] = relationship(foreign_keys=[application_id])
    superseded_by: Mapped[User | None] = relationship(foreign_keys=[superseded_by_id])

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
