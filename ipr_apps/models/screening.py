"""Screening runs and their hits: declaration lines screened against the recorded facts.

A run is one officer's screening of a set of lines (pasted, uploaded, sent through the API, or a
large file run on the job queue). Each line that scores at least the run's threshold against an
active recordation is kept as a hit, with the line's own fields (so a case can be opened from
it) and the reasons in plain words. Holders see how often their recordations were hit, never
the declarations themselves.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipr_apps.db import db
from ipr_apps.models.base import utcnow, value_enum

if TYPE_CHECKING:
    from ipr_apps.models.jobs import Job
    from ipr_apps.models.recordations import Recordation
    from ipr_apps.models.users import User


class RunSource(StrEnum):
    PASTE = "paste"  # lines pasted into the page
    UPLOAD = "upload"  # a CSV/XLSX file screened while the officer waits
    API = "api"  # POST /api/v1/screening
    BATCH = "batch"  # a large file run on the job queue

    @property
    def label(self) -> str:
        """Where the lines came from, in the reader's language."""
        return str(SOURCE_LABELS[self])


SOURCE_LABELS = {
    RunSource.PASTE: _l("Pasted lines"),
    RunSource.UPLOAD: _l("Uploaded file"),
    RunSource.API: _l("Through the API"),
    RunSource.BATCH: _l("Batch file"),
}


class ScreeningRun(db.Model):
    __tablename__ = "screening_runs"
    __table_args__ = (
        CheckConstraint("threshold >= 0", name="threshold_non_negative"),
        CheckConstraint("line_count >= 0 AND hit_lines >= 0 AND hits >= 0", name="counts"),
        Index("ix_screening_runs_user", "created_by_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[RunSource] = mapped_column(value_enum(RunSource, "screening_source"))
    input_name: Mapped[str | None] = mapped_column(String(255))  # the file as uploaded
    threshold: Mapped[int]
    # The screening index's version (recordation changes counted) the lines were screened with.
    index_version: Mapped[int | None]
    line_count: Mapped[int] = mapped_column(default=0)
    hit_lines: Mapped[int] = mapped_column(default=0)  # lines with at least one hit
    hits: Mapped[int] = mapped_column(default=0)  # (line, recordation) pairs
    finished_at: Mapped[datetime | None]  # None while a batch job is still screening
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), unique=True)

    created_by: Mapped[User] = relationship()
    job: Mapped[Job | None] = relationship()


class ScreeningHit(db.Model):
    """One declaration line that may infringe one recordation: the line as declared, the score
    and the reasons (parallel lists: the rule names and the sentences shown)."""

    __tablename__ = "screening_hits"
    __table_args__ = (
        Index("ix_screening_hits_run_score", "run_id", "score", "id"),
        Index("ix_screening_hits_recordation", "recordation_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("screening_runs.id", ondelete="CASCADE"))
    position: Mapped[int]  # the line's place in the run's input, from 1
    recordation_id: Mapped[int] = mapped_column(ForeignKey("recordations.id"))
    recordation_number: Mapped[str] = mapped_column(String(40))
    score: Mapped[int]
    rules: Mapped[list[str]] = mapped_column(JSON)
    reasons: Mapped[list[str]] = mapped_column(JSON)
    declaration_number: Mapped[str] = mapped_column(String(40))
    line_number: Mapped[int]
    port: Mapped[str | None] = mapped_column(String(100))
    direction: Mapped[str | None] = mapped_column(String(10))
    hs_code: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)
    brand: Mapped[str | None] = mapped_column(String(200))
    consignor: Mapped[str | None] = mapped_column(String(300))
    consignee: Mapped[str | None] = mapped_column(String(300))
    country_of_origin: Mapped[str | None] = mapped_column(String(2))
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(18, 3))
    declared_value: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))

    run: Mapped[ScreeningRun] = relationship()
    recordation: Mapped[Recordation] = relationship()

    @property
    def reader_reasons(self) -> list[str]:
        """The reasons in the reader's language (`reasons` keeps the engine's English)."""
        from ipr_apps.screening.reasons import localised

        return localised(self.rules, self.reasons)
