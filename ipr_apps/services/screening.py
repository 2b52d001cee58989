"""Screening declaration lines: every write of a screening run and its hits, and who may read
them. Officers screen; a run and its hits are its officer's own (another's is a 404)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict

from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ipr_apps.db import db, unit_of_work
from ipr_apps.errors import NotFound, PermissionDenied, ValidationError
from ipr_apps.models import (
    DetentionCase,
    Role,
    RunSource,
    ScreeningHit,
    ScreeningRun,
    User,
    utcnow,
)
from ipr_apps.pagination import Page, keyset_page
from ipr_apps.screening import current, rules
from ipr_apps.screening.engine import DeclarationLine, LineResult, screen

MAX_THRESHOLD = 500
INSERT_CHUNK = 1000  # hits written per INSERT
INLINE_LINES = 2_000  # lines screened while the officer (or API client) waits; more: a batch


def require_screener(actor: User) -> None:
    if actor.role != Role.OFFICER:
        raise PermissionDenied(_("Only customs officers screen declarations."))


def check_threshold(threshold: int | None) -> int:
    if threshold is None:
        return rules.DEFAULT_THRESHOLD
    if not 0 <= threshold <= MAX_THRESHOLD:
        raise ValidationError.on(
            "threshold", _("Choose a score from 0 to %(most)s.", most=MAX_THRESHOLD)
        )
    return threshold


def screen_lines(
    actor: User,
    lines: list[DeclarationLine],
    threshold: int | None = None,
    source: RunSource = RunSource.PASTE,
    input_name: str | None = None,
) -> tuple[ScreeningRun, list[LineResult]]:
    """Screen `lines` now against the active recordations; the run and its hits are kept
    (for the officer's results page and the holders' hit counts)."""
    require_screener(actor)
    threshold = check_threshold(threshold)
    if not lines:
        raise ValidationError.on("lines", _("Give at least one declaration line."))
    in_use = current.current()
    results = screen(in_use.index, lines, threshold)
    with unit_of_work() as session:
        run = ScreeningRun(
            created_by_id=actor.id, source=source, input_name=(input_name or None) and
            input_name[:255], threshold=threshold, index_version=in_use.version,
        )  # fmt: skip
        session.add(run)
        session.flush()
        add_results(session, run, results, first_position=1)
        run.finished_at = utcnow()
    return run, results


def add_results(
    session: Session, run: ScreeningRun, results: Iterable[LineResult], first_position: int
) -> None:
    """Write the hits of `results` (lines from `first_position` on) and count them on `run`."""
    rows = []
    for position, result in enumerate(results, start=first_position):
        run.line_count += 1
        if result.hits:
            run.hit_lines += 1
        for hit in result.hits:
            rows.append(_hit_row(run.id, position, result.line, hit))
    for start in range(0, len(rows), INSERT_CHUNK):
        session.execute(insert(ScreeningHit), rows[start : start + INSERT_CHUNK])
    run.hits += len(rows)


def _hit_row(run_id: int, position: int, line: DeclarationLine, hit) -> dict:
    return {
        **asdict(line), "run_id": run_id, "position": position,
        "recordation_id": hit.recordation_id, "recordation_number": hit.number,
        "score": hit.score, "rules": list(hit.rules), "reasons": list(hit.reasons),
    }  # fmt: skip


# --------------------------------------------------------------------------- reading


def get_run(actor: User, run_id: int) -> ScreeningRun:
    """The run if it is `actor`'s own; otherwise NotFound (never 'forbidden')."""
    run = db.session.get(ScreeningRun, run_id)
    if run is None or run.created_by_id != actor.id:
        raise NotFound(_("No such screening."))
    return run


def get_hit(actor: User, hit_id: int) -> ScreeningHit:
    """A hit of one of `actor`'s own runs; otherwise NotFound."""
    hit = db.session.get(ScreeningHit, hit_id)
    if hit is None or hit.run.created_by_id != actor.id:
        raise NotFound(_("No such screening hit."))
    return hit


def hit_for_case(actor: User, hit_id: int, recordation_id: int) -> ScreeningHit:
    """A hit of `actor`'s own run on the recordation a case is opened on; otherwise NotFound."""
    hit = get_hit(actor, hit_id)
    if hit.recordation_id != recordation_id:
        raise NotFound(_("No such screening hit."))
    return hit


def cases_of_hits(hit_ids: list[int]) -> dict[int, DetentionCase]:
    """The case opened from each of these hits (at most one each), by hit id."""
    if not hit_ids:
        return {}
    stmt = select(DetentionCase).where(DetentionCase.screening_hit_id.in_(hit_ids))
    return {case.screening_hit_id: case for case in db.session.scalars(stmt)}


def runs_page(actor: User, cursor: str | None, size: int) -> Page:
    """`actor`'s runs, newest first."""
    stmt = select(ScreeningRun).where(ScreeningRun.created_by_id == actor.id)
    return keyset_page(stmt, [ScreeningRun.id], cursor, size, descending=True)


def hits_page(run: ScreeningRun, min_score: int | None, cursor: str | None, size: int) -> Page:
    """The run's hits with at least `min_score`, highest score first."""
    stmt = select(ScreeningHit).where(ScreeningHit.run_id == run.id)
    if min_score is not None:
        stmt = stmt.where(ScreeningHit.score >= min_score)
    return keyset_page(stmt, [ScreeningHit.score, ScreeningHit.id], cursor, size, descending=True)
