"""Long work started from the web (imports, large exports): one row per job, run by the worker,
with its progress, a heartbeat while it runs, and its result kept for a week."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipr_apps.db import db
from ipr_apps.models.base import utcnow, value_enum

if TYPE_CHECKING:
    from ipr_apps.models.users import User


class JobKind(StrEnum):
    IMPORT_RECORDATIONS = "import_recordations"
    EXPORT_STATS = "export_stats"
    IMPORT_CASES = "import_cases"  # detention cases (`flask ipr import-cases`)
    EXPORT_ENFORCEMENT = "export_enforcement"  # `flask ipr export-enforcement-stats`
    SCREEN_DECLARATIONS = "screen_declarations"  # an officer's large file of declaration lines

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


class JobStatus(StrEnum):
    QUEUED = "queued"  # waiting for a worker
    RUNNING = "running"  # claimed by one worker, which beats its heartbeat
    DONE = "done"
    FAILED = "failed"  # an error report, or the worker died (stale heartbeat); may be re-run

    @property
    def finished(self) -> bool:
        return self in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


KIND_LABELS = {
    JobKind.IMPORT_RECORDATIONS: _l("Import of recordations"),
    JobKind.EXPORT_STATS: _l("Statistics export"),
    JobKind.IMPORT_CASES: _l("Import of detention cases"),
    JobKind.EXPORT_ENFORCEMENT: _l("Enforcement statistics export"),
    JobKind.SCREEN_DECLARATIONS: _l("Screening of declarations"),
}
STATUS_LABELS = {
    JobStatus.QUEUED: _l("queued"),
    JobStatus.RUNNING: _l("running"),
    JobStatus.DONE: _l("done"),
    JobStatus.FAILED: _l("failed"),
}


# Share of the progress bar each phase fills: an import reads the file twice (check, write).
PHASE_SPANS = {"check": (0, 50), "import": (50, 100), "saved": (100, 100), "export": (0, 100)}
PHASE_SPANS["cases"] = (0, 100)  # a case import checks and stages each line in one pass
# A screening batch checks every line first (quick), then screens and stores them.
PHASE_SPANS["read"] = (0, 10)
PHASE_SPANS["screen"] = (10, 100)


class Job(db.Model):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("done >= 0 AND (total IS NULL OR total >= 0)", name="progress_counts"),
        CheckConstraint(
            "(status IN ('done', 'failed')) = (finished_at IS NOT NULL)", name="finished_iff"
        ),
        CheckConstraint(
            "status = 'queued' OR started_at IS NOT NULL", name="started_unless_queued"
        ),
        Index("ix_jobs_status_heartbeat", "status", "heartbeat_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[JobKind] = mapped_column(value_enum(JobKind, "job_kind"))
    status: Mapped[JobStatus] = mapped_column(
        value_enum(JobStatus, "job_status"), default=JobStatus.QUEUED
    )
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    runs: Mapped[int] = mapped_column(default=0)  # how many times a worker claimed it
    phase: Mapped[str | None] = mapped_column(String(20))
    done: Mapped[int] = mapped_column(default=0)  # units of the current phase (file lines, rows)
    total: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)  # created or re-run
    started_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
    input_file: Mapped[str | None] = mapped_column(String(80))  # under the jobs folder
    input_name: Mapped[str | None] = mapped_column(String(255))  # as uploaded
    result_file: Mapped[str | None] = mapped_column(String(80))
    result_name: Mapped[str | None] = mapped_column(String(255))  # the download's file name
    # e.g. {"imported": 3, "skipped": 0} or {"rows": 12}
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    error: Mapped[str | None] = mapped_column(Text)
    # the error report: "line N, column C: reason" lines
    error_lines: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))

    started_by: Mapped[User] = relationship()

    @property
    def percent(self) -> int:
        """0–100 over all phases (an import's check fills the first half, its write the rest)."""
        if self.status == JobStatus.DONE:
            return 100
        low, high = PHASE_SPANS.get(self.phase or "", (0, 100))
        share = min(self.done / self.total, 1) if self.total else 0
        return int(low + (high - low) * share)

    @property
    def duration_seconds(self) -> int | None:
        if self.started_at is None:
            return None
        end = self.finished_at or utcnow()
        return max(int((end - self.started_at).total_seconds()), 0)

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= utcnow()

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.status}>"
