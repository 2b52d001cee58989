"""Accounts, roles and API tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipr_apps.db import db
from ipr_apps.models.base import utcnow, value_enum
from ipr_apps.models.districts import CustomsDistrict
from ipr_apps.models.organisations import Organisation


class Role(StrEnum):
    HOLDER = "holder"  # rights holder or agent filing applications
    REVIEWER = "reviewer"  # customs reviewer at headquarters: decides applications
    ADMIN = "admin"
    OFFICER = "officer"  # customs officer at a port (a district): detention cases

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


# The roles as people say them (the navbar badge, the profile, the accounts list), in the
# words of the admin pages' groups and the security log: one name per role everywhere.
ROLE_LABELS = {
    Role.HOLDER: _l("Rights holder"),
    Role.REVIEWER: _l("Reviewer"),
    Role.ADMIN: _l("Administrator"),
    Role.OFFICER: _l("Port officer"),
}
AGENT_LABEL = _l("Agent")


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "(role = 'holder') = (organisation_id IS NOT NULL)", name="holder_iff_organisation"
        ),
        CheckConstraint(
            "(role = 'officer') = (district_code IS NOT NULL)", name="officer_iff_district"
        ),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        Index("ix_users_created", "created_at", "id"),
        Index("ix_users_last_login", "last_login_at", "id"),
        # The reviewers of the reassign list, by name, without reading every holder.
        Index("ix_users_role_name", "role", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(value_enum(Role, "role"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    district_code: Mapped[str | None] = mapped_column(
        ForeignKey("customs_districts.code"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # None until the owner follows the link e-mailed at self-registration; accounts made by
    # administrators, the CLI and seed-demo are confirmed when created.
    email_confirmed_at: Mapped[datetime | None]
    # The language chosen with the navbar switch (zh_Hans or en); None: the browser's.
    locale: Mapped[str | None] = mapped_column(String(10))

    organisation: Mapped[Organisation | None] = relationship()
    district: Mapped[CustomsDistrict | None] = relationship()
    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def is_agent(self) -> bool:
        return self.organisation is not None and self.organisation.is_agency

    @property
    def role_label(self) -> str:
        """The role as people say it: an agency's users are agents, not holders."""
        return str(AGENT_LABEL) if self.is_agent else self.role.label

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    label: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # shown in lists to tell tokens apart
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
