"""The statistics summary: monthly sums of the counted facts (services/stats_summary.py)."""

from datetime import date

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from ipr_apps.db import db

# Every reporting period (month, quarter, half, year) is a whole number of months and every
# figure covers whole periods, so a month is the finest key any statistic needs: the tables
# stay ~30× smaller than per day. `month` is the month's first day. Enumerations are kept as
# their plain values; a holder country never recorded is '' (a key cannot be NULL).


class MonthlyApplications(db.Model):
    """received (by first submission), decisions by outcome, approved renewals."""

    __tablename__ = "stats_monthly_applications"

    month: Mapped[date] = mapped_column(primary_key=True)
    ipr_type: Mapped[str] = mapped_column(String(30), primary_key=True)
    holder_country: Mapped[str] = mapped_column(String(2), primary_key=True)
    received: Mapped[int] = mapped_column(default=0)
    approved: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    renewals_approved: Mapped[int] = mapped_column(default=0)


class MonthlyProcessing(db.Model):
    """Decisions per month and working days to the decision (-1: not recorded)."""

    __tablename__ = "stats_monthly_processing"

    month: Mapped[date] = mapped_column(primary_key=True)
    working_days: Mapped[int] = mapped_column(primary_key=True)
    decisions: Mapped[int] = mapped_column(default=0)


class MonthlyRecordations(db.Model):
    """Recordations starting / stopping being in force, and expiries, per month."""

    __tablename__ = "stats_monthly_recordations"

    month: Mapped[date] = mapped_column(primary_key=True)
    ipr_type: Mapped[str] = mapped_column(String(30), primary_key=True)
    holder_country: Mapped[str] = mapped_column(String(2), primary_key=True)
    starts: Mapped[int] = mapped_column(default=0)
    stops: Mapped[int] = mapped_column(default=0)
    expiries: Mapped[int] = mapped_column(default=0)


class MonthlyCases(db.Model):
    """Detention cases opened per month: batches, items, value in whole fen."""

    __tablename__ = "stats_monthly_cases"

    month: Mapped[date] = mapped_column(primary_key=True)
    ipr_type: Mapped[str] = mapped_column(String(30), primary_key=True)
    channel: Mapped[str] = mapped_column(String(30), primary_key=True)
    mode: Mapped[str] = mapped_column(String(30), primary_key=True)
    direction: Mapped[str] = mapped_column(String(30), primary_key=True)
    port_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    batches: Mapped[int] = mapped_column(default=0)
    items: Mapped[int] = mapped_column(BigInteger, default=0)
    value_fen: Mapped[int] = mapped_column(BigInteger, default=0)
