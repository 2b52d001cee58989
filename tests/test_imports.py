"""The historical import contract: `flask ipr import-recordations FILE.csv` writes every table."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from functools import partial

import pytest
from sqlalchemy import func, select

from ipr_apps.db import db, unit_of_work
from ipr_apps.errors import ConflictError
from ipr_apps.models import (
    Application,
    Counter,
    Decision,
    Holiday,
    IpRight,
    IprType,
    Organisation,
    OrgKind,
    Outcome,
    Recordation,
    Role,
    Status,
    StatusEvent,
)
from ipr_apps.services import import_check, imports, recordations
from ipr_apps.services.import_write import WorkingDays
from ipr_apps.workdays import working_days_between
from tests.factories import recordation_row
from tests.import_files import (
    application,
    count,
    counter,
    counts,
    csv_text,
    rejected,
    row,
    run,
    write_csv,
)


@pytest.fixture
def three(tmp_path):
    """An approval with our own number, one with an old-format number, a rejection."""
    return write_csv(
        tmp_path / "three.csv",
        [
            row("OLD-1"),
            row("OLD-2", ipr_type="copyright", right_number="", right_title="Firmware",
                recordation_number="HG/2018/77", submitted_on="2018-12-28",
                decided_on="2019-01-02", valid_until="2028-12-31"),
            rejected("OLD-3", ipr_type="patent_design", holder_country="de",
                     holder_name="Acme 株式会社"),
        ],
    )  # fmt: skip


def test_valid_file_fills_every_table(runner, three):
    db.session.add(Holiday(day=date(2019, 1, 1), name="New Year"))
    db.session.commit()
    result = run(runner, three)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Imported 3 recordations; skipped 0 already present."
    first = application("OLD-1")
    assert first.imported and first.status == Status.APPROVED and first.version == 1
    assert first.ipr_type == IprType.TRADEMARK and first.filed_by_id is None
    assert (first.holder_name_local, first.holder_country) == ("Acme 株式会社", "JP")
    assert first.first_submitted_at == first.submitted_at == datetime(2019, 3, 1)
    assert first.decided_at == datetime(2019, 3, 29)
    assert not first.duplicate_flag and first.clock_days_used == 0 and first.due_on is None
    assert first.created_at is not None and first.claimed_by_id is None
    assert (first.right.registration_number, first.right.title) == ("TM-100", "BRIGHTLIGHT")
    assert first.holder_org.kind == OrgKind.HOLDER and first.holder_org.country == "JP"


def test_decisions_recordations_and_events(runner, three):
    db.session.add(Holiday(day=date(2019, 1, 1), name="New Year"))
    db.session.commit()
    run(runner, three)
    decision = application("OLD-1").decision
    assert decision.imported and decision.outcome == Outcome.APPROVED
    assert decision.decided_on == date(2019, 3, 29) and decision.decided_by_id is None
    assert decision.reason_codes is None and decision.message is None
    assert decision.working_days == 20
    # 28 Dec 2018 (Fri) → 2 Jan 2019 (Wed): 31 Dec and 2 Jan; 1 Jan is a holiday.
    assert application("OLD-2").decision.working_days == 2
    own = application("OLD-1").recordation
    assert (own.number, own.prefix, own.year, own.sequence) == ("T2019-000005", "T", 2019, 5)
    assert own.imported and own.valid_from == date(2019, 3, 29)
    assert own.valid_until == date(2029, 3, 28)
    old = application("OLD-2").recordation
    assert (old.number, old.prefix, old.year, old.sequence) == ("HG/2018/77", "C", None, None)
    refused = application("OLD-3")
    assert refused.status == Status.REJECTED and refused.recordation is None
    assert refused.holder_country == "DE" and refused.decision.outcome == Outcome.REJECTED
    assert refused.right.registration_number == "TM-100"
    events = db.session.execute(select(StatusEvent).order_by(StatusEvent.id)).scalars().all()
    assert [(e.action, e.from_status, e.to_status, e.actor_id) for e in events] == [
        ("import", None, "approved", None), ("import", None, "approved", None),
        ("import", None, "rejected", None),
    ]  # fmt: skip
    assert {e.note for e in events} == {"Imported from the previous system"}


def test_holders_are_found_or_created_once_per_name_and_country(runner, three, make_user):
    existing = make_user(Role.HOLDER, country="JP").organisation
    existing.name_local = "Acme 株式会社"
    db.session.commit()
    run(runner, three)
    assert application("OLD-1").holder_org_id == existing.id
    assert application("OLD-2").holder_org_id == existing.id
    assert application("OLD-3").holder_org_id != existing.id  # same name, other country
    assert count(Organisation) == 2


def test_counters_move_past_imported_own_numbers(runner, tmp_path, make_user, make_application):
    path = write_csv(
        tmp_path / "f.csv",
        [row("OLD-1"), row("OLD-2", recordation_number="P2019-000007"),
         row("OLD-3", recordation_number="T2019-000002")],
    )  # fmt: skip
    assert run(runner, path).exit_code == 0
    assert counter("T", 2019) == 5
    assert counter("P", 2019) == 7  # a P number on a trademark: P2019-000007 must not recur
    assert application("OLD-2").recordation.year is None
    reviewer = make_user(Role.REVIEWER)
    pending = make_application(make_user(), Status.UNDER_REVIEW, claimed_by=reviewer)
    with unit_of_work():
        created = recordations.create_for(pending, date(2019, 5, 1), None)
    assert created.number == "T2019-000006"


def test_counters_are_never_moved_back(runner, tmp_path):
    db.session.add(Counter(scope=recordations.counter_scope("T", 2019), value=40))
    db.session.commit()
    path = write_csv(tmp_path / "f.csv", [row("OLD-1", recordation_number="T2019-000041")])
    assert run(runner, path).exit_code == 0
    assert counter("T", 2019) == 41
    path = write_csv(tmp_path / "g.csv", [row("OLD-2", recordation_number="T2019-000003")])
    assert run(runner, path).exit_code == 0
    assert counter("T", 2019) == 41


def test_own_format_number_used_by_the_app_is_refused(
    runner, tmp_path, make_user, make_application
):
    reviewer = make_user(Role.REVIEWER)
    pending = make_application(make_user(), Status.UNDER_REVIEW, claimed_by=reviewer)
    with unit_of_work():
        number = recordations.create_for(pending, date(2019, 5, 1), None).number
    path = write_csv(tmp_path / "f.csv", [row("OLD-1", recordation_number=number)])
    result = run(runner, path)
    assert result.exit_code == 1
    assert f"line 2, column recordation_number: {number} is already the recordation of" in (
        result.output
    )


def test_reimport_changes_nothing_and_says_skipped(runner, three):
    assert run(runner, three).exit_code == 0
    before = counts()
    result = run(runner, three)
    assert result.exit_code == 0
    assert result.output.strip() == "Imported 0 recordations; skipped 3 already present."
    assert counts() == before


def test_partially_overlapping_file_imports_only_new_rows(runner, tmp_path, three):
    run(runner, three)
    path = write_csv(
        tmp_path / "more.csv",
        [row("OLD-1"), row("OLD-4", recordation_number="T2019-000009"), rejected("OLD-3")],
    )
    result = run(runner, path)
    assert result.exit_code == 0
    assert result.output.strip() == "Imported 1 recordation; skipped 2 already present."
    assert count(Application) == 4 and count(Recordation) == 3 and count(StatusEvent) == 4
    assert count(Organisation) == 2  # the holders were found, not created again
    assert counter("T", 2019) == 9


def test_recordation_number_already_in_the_database(runner, tmp_path, three):
    run(runner, three)
    path = write_csv(
        tmp_path / "more.csv",
        [row("OLD-5", recordation_number="R-5"), row("OLD-6", recordation_number="HG/2018/77")],
    )
    result = run(runner, path)
    assert result.exit_code == 1
    assert result.output.splitlines()[1:] == [
        "line 3, column recordation_number: HG/2018/77 is already the recordation of OLD-2"
    ]
    assert count(Application) == 3


def test_bom_and_crlf_are_accepted(runner, tmp_path):
    path = write_csv(tmp_path / "f.csv", [row("OLD-1"), rejected("OLD-2")], bom=True,
                     newline="\r\n")  # fmt: skip
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") and b"\r\n" in path.read_bytes()
    result = run(runner, path)
    assert result.exit_code == 0, result.output
    assert application("OLD-2").right.title == "BRIGHTLIGHT"
    assert application("OLD-1").recordation.valid_until == date(2029, 3, 28)


def test_statistics_read_imported_rows_like_decisions_made_here(runner, three):
    from ipr_apps.services import stats

    run(runner, three)
    decided = select(
        func.min(Application.first_submitted_at), Decision.decided_on, Decision.outcome,
        Application.ipr_type, Application.holder_country, func.count(),
    ).join(Decision.application).group_by(
        Decision.decided_on, Decision.outcome, Application.ipr_type, Application.holder_country
    )  # fmt: skip
    # Sorted here: the databases order an enum column differently (PostgreSQL by declaration).
    rows = sorted((tuple(r) for r in db.session.execute(decided)), key=lambda r: (r[1], r[2].value))
    assert rows == [
        (datetime(2018, 12, 28), date(2019, 1, 2), Outcome.APPROVED, IprType.COPYRIGHT, "JP", 1),
        (datetime(2019, 3, 1), date(2019, 3, 29), Outcome.APPROVED, IprType.TRADEMARK, "JP", 1),
        (datetime(2019, 3, 1), date(2019, 3, 29), Outcome.REJECTED, IprType.PATENT_DESIGN, "DE", 1),
    ]  # fmt: skip
    year = stats.totals_by_period("year", date(2019, 1, 1), date(2019, 12, 31))["2019"]
    assert (year["received"], year["approved"], year["rejected"]) == (2, 2, 1)


def test_batches_and_query_chunks_span_many_rows(app, tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "BATCH_ROWS", 3)
    monkeypatch.setattr(import_check, "QUERY_CHUNK", 2)
    rows = [
        row(f"OLD-{n}", holder_name=f"Holder {n % 4}", recordation_number=f"T2019-{n:06d}")
        if n % 3 else rejected(f"OLD-{n}", holder_name=f"Holder {n % 4}")
        for n in range(1, 12)
    ]  # fmt: skip
    path = write_csv(tmp_path / "f.csv", rows)
    seen: list[tuple[str, int]] = []
    opener = partial(open, path, encoding="utf-8-sig", newline="")
    result = imports.import_recordations(opener, lambda *a: seen.append(a))
    assert result == imports.ImportResult(imported=11, skipped=0)
    assert count(Organisation) == 4 and count(Recordation) == 8 and count(Decision) == 11
    assert counter("T", 2019) == 11
    assert ("check", 12) in seen and ("import", 12) in seen and ("import", 4) in seen
    pairs = db.session.execute(
        select(Application.reference, Recordation.number, IpRight.title, Decision.outcome)
        .join(Recordation.application)
        .join(IpRight, IpRight.application_id == Application.id)
        .join(Decision, Decision.application_id == Application.id)
    )
    assert sorted((ref, number) for ref, number, _title, _outcome in pairs) == sorted(
        (f"OLD-{n}", f"T2019-{n:06d}") for n in range(1, 12) if n % 3
    )


def test_working_days_table_agrees_with_working_days_between(app):
    holidays = {date(2019, 1, 1), date(2019, 5, 1), date(2019, 10, 1), date(2019, 10, 2)}
    db.session.add_all(Holiday(day=day, name="Holiday") for day in holidays)
    db.session.commit()
    first, last = date(2018, 12, 20), date(2019, 12, 31)
    table = WorkingDays(first, last)
    for start in (first + timedelta(days=n) for n in range(0, 370, 17)):
        for span in (0, 1, 2, 6, 30, 200):
            end = min(start + timedelta(days=span), last)
            assert table.between(start, end) == working_days_between(start, end, holidays)


def test_number_taken_during_the_import_is_a_conflict(app, make_user, make_application):
    text = csv_text(rejected("OLD-0"), row("OLD-1"))

    def take_the_number():
        taken = make_application(make_user(), Status.APPROVED)
        recordation_row(taken, "T2019-000005", sequence=5)
        db.session.commit()
        return io.StringIO(text)

    openers = iter([lambda: io.StringIO(text), take_the_number])
    with pytest.raises(ConflictError):
        imports.import_recordations(lambda: next(openers)())
    assert count(Application) == 1 and count(Decision) == 0 and count(StatusEvent) == 0


def test_progress_bars_follow_the_passes(tmp_path, capsys):
    from ipr_apps.cli import _ProgressBars

    bars = _ProgressBars(str(write_csv(tmp_path / "f.csv", [row("OLD-1"), rejected("OLD-2")])))
    assert bars.total == 3
    for phase, line in (("check", 2), ("check", 3), ("import", 3)):
        bars(phase, line)
    bars.close()
    assert "Checking" in capsys.readouterr().out


def test_quotes_and_percent_signs_survive_the_lookups(runner, tmp_path):
    tricky = row("REF%'1", holder_name='O\'Brien 100% "Ltd"', recordation_number="N%'2")
    path = write_csv(tmp_path / "f.csv", [tricky, row("REF-2", holder_name="O'Brien 100% \"Ltd\"",
                                                      recordation_number="N-3")])  # fmt: skip
    assert run(runner, path).exit_code == 0
    assert count(Organisation) == 1
    assert application("REF%'1").recordation.number == "N%'2"
    again = run(runner, path)
    assert again.output.strip() == "Imported 0 recordations; skipped 2 already present."
    clash = write_csv(tmp_path / "g.csv", [row("REF-9", recordation_number="N%'2")])
    assert "N%'2 is already the recordation of REF%'1" in run(runner, clash).output
    later = write_csv(tmp_path / "h.csv", [row("REF-3", holder_name="O'Brien 100% \"Ltd\"",
                                               recordation_number="N-4")])  # fmt: skip
    assert run(runner, later).exit_code == 0
    assert count(Organisation) == 1
