"""Staging tables of a recordation import: validated rows wait here until one short swap."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ipr_apps.db import db


class ImportStagingRow(db.Model):
    """One valid row of an import under way, written in short batches (nothing visible).

    The import's final transaction copies the run's rows into the real tables with
    INSERT ... SELECT; then they are deleted. Rows of a crashed import are purged later.
    Values are stored as the real tables store them (enum values, midnight timestamps).
    """

    __tablename__ = "import_staging"
    __table_args__ = (Index("ix_import_staging_created_at", "created_at"),)

    run_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    line: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40))
    ipr_type: Mapped[str] = mapped_column(String(30))
    right_number: Mapped[str | None] = mapped_column(String(64))
    right_title: Mapped[str] = mapped_column(String(500))
    holder_key: Mapped[int]  # the run's number for (holder_name, holder_country)
    holder_name: Mapped[str] = mapped_column(String(300))
    holder_country: Mapped[str] = mapped_column(String(2))
    submitted_at: Mapped[datetime]
    decided_on: Mapped[date]
    decided_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(20))
    working_days: Mapped[int]
    recordation_number: Mapped[str | None] = mapped_column(String(40))
    recordation_prefix: Mapped[str | None] = mapped_column(String(1))
    recordation_year: Mapped[int | None]  # set when the number is in our own format
    recordation_sequence: Mapped[int | None]
    own_prefix: Mapped[str | None] = mapped_column(String(1))  # any own-format number's letter
    own_year: Mapped[int | None]
    own_sequence: Mapped[int | None]
    valid_until: Mapped[date | None]
    # The recordation's search keys (models.recordations.SEARCH_KEYS), computed while staging
    # so the swap writes each recordation once, keys and all.
    number_key: Mapped[str | None] = mapped_column(String(80))
    right_number_key: Mapped[str | None] = mapped_column(String(128))
    right_title_key: Mapped[str | None] = mapped_column(String(500))
    holder_name_key: Mapped[str | None] = mapped_column(String(300))
    skipped: Mapped[bool] = mapped_column(default=False)  # reference already in the database
    created_at: Mapped[datetime]


class ImportStagingHolder(db.Model):
    """The organisation each holder key of a run maps to; written by the swap itself."""

    __tablename__ = "import_staging_holders"

    run_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder_key: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int]
    created_at: Mapped[datetime]
