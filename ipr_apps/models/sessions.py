"""Signed-in browser sessions, revocable on the server; only a SHA-256 of the id is stored."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipr_apps.db import db
from ipr_apps.models.base import utcnow, value_enum
from ipr_apps.models.users import User


class EndReason(StrEnum):
    """Why a session was ended before it expired (kept for the security log)."""

    LOGOUT = "logout"  # the user signed out in that browser
    ENDED_BY_USER = "ended_by_user"  # from the profile's list of sessions
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 (a reason, not a secret)
    PASSWORD_RESET = "password_reset"  # noqa: S105
    DEACTIVATED = "deactivated"


class UserSession(db.Model):
    """One sign-in: lives until ended, idle for too long or too old (see services.sessions)."""

    __tablename__ = "user_sessions"
    __table_args__ = (
        CheckConstraint("(revoked_at IS NULL) = (revoked_reason IS NULL)", name="revoked_iff"),
        Index("ix_user_sessions_user_live", "user_id", "revoked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[EndReason | None] = mapped_column(value_enum(EndReason, "end_reason"))
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(255))

    user: Mapped[User] = relationship()

    def ends_at(self, idle: timedelta, max_age: timedelta) -> datetime:
        """When this session stops working: revoked, idle for `idle`, or `max_age` old."""
        limits = [self.last_seen_at + idle, self.created_at + max_age]
        return min([*limits, self.revoked_at] if self.revoked_at else limits)

    def revoke(self, reason: EndReason, now: datetime) -> None:
        if self.revoked_at is None:
            self.revoked_at, self.revoked_reason = now, reason

    def __repr__(self) -> str:
        return f"<UserSession {self.id} user={self.user_id}>"
