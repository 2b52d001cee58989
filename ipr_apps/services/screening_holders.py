"""What screening did for a holder's recordations: per recordation, how many declaration lines
were hit, in how many runs and when last; how many detention cases officers opened from those
hits; what came of all the recordation's cases; and which facts it lacks to be screened well.
Counts only, never the declarations (their traders and numbers are customs data), and never
another holder's recordations."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, false, func, or_, select

from ipr_apps.db import db
from ipr_apps.models import (
    CaseOutcome,
    CaseStatus,
    DetentionCase,
    Recordation,
    Role,
    ScreeningHit,
    ScreeningRun,
    User,
)
from ipr_apps.pagination import Page, keyset_page
from ipr_apps.screening import rules
from ipr_apps.services import case_access
from ipr_apps.services.screening_facts import Missing, thin_facts_of

# What came of a case, in the order shown: still open (by status), then ended (by outcome).
# A case that ended has an outcome (a release records "released"); a closed one without one
# (an imported case, say) counts as closed.
FATES = (CaseStatus.AWAITING_HOLDER, CaseStatus.DETAINED, *CaseOutcome, CaseStatus.CLOSED)


@dataclass
class RecordationHits:
    recordation: Recordation
    hits: int = 0  # declaration lines hit (a line hit once per run)
    runs: int = 0  # distinct screening runs with a hit
    last_hit_at: datetime | None = None  # when the last run with a hit was started
    cases: int = 0  # every detention case of the recordation
    cases_from_hits: int = 0  # those opened from a screening hit
    fates: Counter = field(default_factory=Counter)  # FATES member → cases
    # What its facts lack for screening (while in force; see screening_facts).
    missing: list[Missing] = field(default_factory=list)

    @property
    def fate_counts(self) -> list[tuple[CaseStatus | CaseOutcome, int]]:
        """(fate, cases) for each fate with at least one case, in FATES order."""
        return [(fate, self.fates[fate]) for fate in FATES if self.fates[fate]]


def owned_by(user: User) -> ColumnElement[bool]:
    """The recordations whose hits `user` may count: its organisation's, or those its agency
    filed (as recordation_workflow.is_owner, and the cases case_access lets it see)."""
    org = user.organisation_id
    if user.role != Role.HOLDER or org is None:
        return false()
    if not user.is_agent:  # only an agency files for others: one index range, in order
        return Recordation.holder_org_id == org
    return or_(Recordation.holder_org_id == org, Recordation.agency_id == org)


def hits_by_recordation(user: User, cursor: str | None, size: int) -> Page:
    """A page of `user`'s recordations (by number) as RecordationHits: four queries a page,
    however many recordations, hits or cases."""
    stmt = select(Recordation).where(owned_by(user))
    page = keyset_page(stmt, [Recordation.number], cursor, size)
    rows = {r.id: RecordationHits(r) for r in page.items}
    if rows:
        _count_hits(rows)
        _count_cases(rows, user)
        in_force = [rid for rid, row in rows.items() if row.recordation.status.in_force]
        for recordation_id, missing in thin_facts_of(in_force).items():
            rows[recordation_id].missing = missing
    return Page(list(rows.values()), page.next_cursor)


def _count_hits(rows: dict[int, RecordationHits]) -> None:
    stmt = (
        select(
            ScreeningHit.recordation_id,
            func.count(ScreeningHit.id),
            func.count(ScreeningHit.run_id.distinct()),
            func.max(ScreeningRun.created_at),
        )
        .join(ScreeningRun, ScreeningRun.id == ScreeningHit.run_id)
        .where(ScreeningHit.recordation_id.in_(list(rows)))
        # A hit as the default threshold defines it: an officer's exploratory run at a lower
        # threshold (an HS code alone, 25) keeps weaker matches, which are not counted here.
        .where(ScreeningHit.score >= rules.DEFAULT_THRESHOLD)
        .group_by(ScreeningHit.recordation_id)
    )
    for recordation_id, hits, runs, last in db.session.execute(stmt):
        row = rows[recordation_id]
        row.hits, row.runs, row.last_hit_at = hits, runs, last


def _count_cases(rows: dict[int, RecordationHits], user: User) -> None:
    stmt = (
        select(
            DetentionCase.recordation_id,
            DetentionCase.status,
            DetentionCase.outcome,
            func.count(DetentionCase.id),
            func.count(DetentionCase.screening_hit_id),
        )
        .where(DetentionCase.recordation_id.in_(list(rows)), case_access.visible(user))
        .group_by(DetentionCase.recordation_id, DetentionCase.status, DetentionCase.outcome)
    )
    for recordation_id, status, outcome, cases, from_hits in db.session.execute(stmt):
        row = rows[recordation_id]
        row.cases += cases
        row.cases_from_hits += from_hits
        row.fates[outcome or status] += cases
