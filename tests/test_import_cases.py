"""The historical detention-case contract: `flask ipr import-cases FILE.csv` (issue 13)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from ipr_apps.db import db
from ipr_apps.errors import ConflictError, ValidationError
from ipr_apps.models import (
    CaseIprType,
    CaseOutcome,
    CaseStatus,
    Channel,
    DetentionCase,
    Direction,
    Mode,
    Status,
)
from ipr_apps.services import case_imports
from ipr_apps.services.case_rows import HEADER
from tests import import_files
from tests.factories import recordation_row

LINE_1 = ",".join(HEADER)


def case(number: str = "D-1", **values: str) -> dict[str, str]:
    base = {
        "case_number": number, "opened_on": "2019-03-04", "port_code": "5301",
        "channel": "express", "direction": "import", "mode": "ex_officio",
        "ipr_type": "trademark", "recordation_number": "T2019-000005",
        "goods": "Sports shoes", "hs_code": "6404.11", "items": "1200",
        "value_cny": "35600.50", "outcome": "confiscated",
    }  # fmt: skip
    return base | values


def write_csv(path, rows, header=HEADER, **options):
    return import_files.write_csv(path, rows, header=header, columns=HEADER, **options)


def run(runner, path):
    return runner.invoke(args=["ipr", "import-cases", str(path)])


def stored() -> int:
    return db.session.scalar(select(func.count()).select_from(DetentionCase))


def one(number: str) -> DetentionCase:
    stmt = select(DetentionCase).where(DetentionCase.case_number == number)
    return db.session.execute(stmt).scalar_one()


def text_of(*rows: dict[str, str]) -> str:
    return "\n".join([LINE_1, *(",".join(r[c] for c in HEADER) for r in rows)]) + "\n"


def test_valid_file_stores_every_column(runner, tmp_path):
    rows = [
        case("D-1"),
        case("5301-2019-000777", channel="cross_border_ecommerce", direction="export",
             mode="on_application", ipr_type="patent", recordation_number="", hs_code="",
             items="0", value_cny="0", outcome=""),
        case("D-3", ipr_type="copyright", value_cny="7", outcome="transferred_to_police",
             port_code="Port, not listed", recordation_number="OLD/77"),
    ]  # fmt: skip
    result = run(runner, write_csv(tmp_path / "f.csv", rows))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Imported 3 cases; skipped 0 already present."
    assert result.stderr == ""
    first = one("D-1")
    assert (first.opened_on, first.port_code, first.channel, first.direction) == (
        date(2019, 3, 4), "5301", Channel.EXPRESS, Direction.IMPORT,
    )  # fmt: skip
    assert (first.mode, first.ipr_type, first.goods, first.hs_code) == (
        Mode.EX_OFFICIO, CaseIprType.TRADEMARK, "Sports shoes", "6404.11",
    )  # fmt: skip
    assert (first.items, first.value_cny) == (1200, Decimal("35600.50"))
    assert first.imported and first.status == CaseStatus.CLOSED
    assert (first.outcome, first.outcome_on) == (CaseOutcome.CONFISCATED, date(2019, 3, 4))
    assert first.recordation_number == "T2019-000005" and first.recordation_id is None
    assert first.opened_by_id is None and first.confirm_by is None
    second = one("5301-2019-000777")
    assert second.status == CaseStatus.DETAINED
    assert (second.outcome, second.outcome_on) == (None, None)
    assert (second.recordation_number, second.hs_code) == (None, None)
    assert (second.items, second.value_cny, second.ipr_type) == (0, 0, CaseIprType.PATENT)
    third = one("D-3")
    assert third.port_code == "Port, not listed" and third.value_cny == Decimal("7")
    assert third.recordation_number == "OLD/77" and third.recordation_id is None


def test_a_known_recordation_number_links_the_case_and_its_holder(
    runner, tmp_path, make_user, make_application
):
    approved = make_application(make_user(), Status.APPROVED)
    recordation = recordation_row(approved, "T2019-000005", sequence=5)
    db.session.commit()
    rows = [case("D-1"), case("D-2", recordation_number="T2019-000006")]
    assert run(runner, write_csv(tmp_path / "f.csv", rows)).exit_code == 0
    linked, unknown = one("D-1"), one("D-2")
    assert linked.recordation_id == recordation.id
    assert linked.holder_org_id == recordation.holder_org_id is not None
    assert unknown.recordation_id is None and unknown.holder_org_id is None
    assert unknown.recordation_number == "T2019-000006"


LONG = "x" * 41
INVALID_ROWS = [
    ({"case_number": ""}, "case_number", "required"),
    ({"case_number": LONG}, "case_number", "longer than 40 characters"),
    ({"case_number": "D-1"}, "case_number", "D-1 is already on line 2"),
    ({"case_number": " D-1 "}, "case_number", "D-1 is already on line 2"),
    ({"opened_on": ""}, "opened_on", "required (YYYY-MM-DD)"),
    ({"opened_on": "2019-02-29"}, "opened_on", "2019-02-29 is not a date (YYYY-MM-DD)"),
    ({"opened_on": "04/03/2019"}, "opened_on", "04/03/2019 is not a date (YYYY-MM-DD)"),
    ({"opened_on": "2019-3-4"}, "opened_on", "2019-3-4 is not a date (YYYY-MM-DD)"),
    ({"opened_on": "20190304"}, "opened_on", "20190304 is not a date (YYYY-MM-DD)"),
    ({"port_code": ""}, "port_code", "required"),
    ({"port_code": "p" * 21}, "port_code", "longer than 20 characters"),
    ({"channel": "sea"}, "channel",
     "sea is not one of freight, post, express, cross_border_ecommerce, passenger, other"),
    ({"channel": ""}, "channel", "an empty cell is not one of freight, post"),
    ({"channel": "Freight"}, "channel", "Freight is not one of freight"),
    ({"direction": "transit"}, "direction", "transit is not one of import, export"),
    ({"mode": "ex officio"}, "mode", "ex officio is not one of ex_officio, on_application"),
    ({"ipr_type": "patent_invention"}, "ipr_type",
     "patent_invention is not one of trademark, copyright, patent"),
    ({"ipr_type": ""}, "ipr_type", "an empty cell is not one of trademark, copyright, patent"),
    ({"recordation_number": "N" * 41}, "recordation_number", "longer than 40 characters"),
    ({"goods": " "}, "goods", "required"),
    ({"hs_code": "1" * 21}, "hs_code", "longer than 20 characters"),
    ({"items": ""}, "items", "an empty cell is not a whole number of 0 or more"),
    ({"items": "-1"}, "items", "-1 is not a whole number of 0 or more"),
    ({"items": "1.5"}, "items", "1.5 is not a whole number of 0 or more"),
    ({"items": "1,200"}, "items", "1,200 is not a whole number of 0 or more"),
    ({"items": "2147483648"}, "items", "2147483648 is larger than 2147483647"),
    ({"value_cny": ""}, "value_cny", "an empty cell is not an amount of 0 or more with at"),
    ({"value_cny": "-0.01"}, "value_cny", "-0.01 is not an amount of 0 or more with at most"),
    ({"value_cny": "1.005"}, "value_cny", "1.005 is not an amount of 0 or more with at most two"),
    ({"value_cny": "1e3"}, "value_cny", "1e3 is not an amount"),
    ({"value_cny": "12."}, "value_cny", "12. is not an amount"),
    ({"value_cny": "NaN"}, "value_cny", "NaN is not an amount"),
    ({"value_cny": "100000000000000.00"}, "value_cny",
     "100000000000000.00 is larger than 99999999999999.99"),
    ({"outcome": "seized"}, "outcome", "seized is not one of confiscated, released, "
     "transferred_to_police, court_order, withdrawn_by_holder"),
]  # fmt: skip


@pytest.mark.parametrize(("values", "column", "reason"), INVALID_ROWS)
def test_each_rule_names_line_column_and_reason(runner, tmp_path, values, column, reason):
    bad = case("D-2") | values
    path = write_csv(tmp_path / "f.csv", [case("D-1"), bad, case("D-3")])
    result = run(runner, path)
    assert result.exit_code == 1
    assert f"line 3, column {column}: {reason}" in result.stderr, result.stderr
    assert result.stderr.splitlines()[0] == "Error: 1 invalid row; nothing was imported."
    assert len(result.stderr.splitlines()) == 2
    assert result.stdout == "" and "Traceback" not in result.output
    assert stored() == 0


@pytest.mark.parametrize(
    ("values", "column"),
    [
        ({"items": "0"}, "items"), ({"value_cny": "0"}, "value_cny"),
        ({"value_cny": "0.5"}, "value_cny"), ({"value_cny": "9999999999.99"}, "value_cny"),
        ({"items": "2147483647"}, "items"), ({"opened_on": "2020-02-29"}, "opened_on"),
        ({"port_code": "p" * 20}, "port_code"), ({"case_number": "c" * 40}, "case_number"),
        ({"hs_code": "1" * 20}, "hs_code"), ({"outcome": "withdrawn_by_holder"}, "outcome"),
        ({"channel": "passenger"}, "channel"), ({"goods": "g" * 5000}, "goods"),
    ],
)  # fmt: skip
def test_edge_values_are_accepted(runner, tmp_path, values, column):
    result = run(runner, write_csv(tmp_path / "f.csv", [case("D-1") | values]))
    assert result.exit_code == 0, result.output
    stored_case = one(values.get("case_number", "D-1"))
    value = getattr(stored_case, column)
    assert (Decimal(values[column]) if column == "value_cny" else values[column]) == (
        value if column == "value_cny" else str(value)
    )


def test_the_largest_amount_the_column_holds_is_accepted(runner, tmp_path):
    """NUMERIC(16, 2)'s largest value (SQLite keeps NUMERIC as a double: close, not exact)."""
    path = write_csv(tmp_path / "f.csv", [case("D-1", value_cny="99999999999999.99")])
    assert run(runner, path).exit_code == 0
    assert abs(one("D-1").value_cny - Decimal("99999999999999.99")) < Decimal("0.05")


def test_every_problem_is_listed_in_line_order_and_nothing_is_stored(runner, tmp_path):
    path = write_csv(
        tmp_path / "f.csv",
        [
            case("D-1", goods="two\nlines"),  # lines 2-3
            [],  # line 4, blank: skipped
            case("D-2", opened_on="2019-13-01", items="x", outcome="lost"),  # line 5
            case("D-3"),  # line 6
            ["D-4", "2019-01-01"],  # line 7
            case("D-1", value_cny="1.001"),  # line 8
        ],
    )
    result = run(runner, path)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: 3 invalid rows; nothing was imported.",
        "line 5, column opened_on: 2019-13-01 is not a date (YYYY-MM-DD)",
        "line 5, column items: x is not a whole number of 0 or more",
        "line 5, column outcome: lost is not one of confiscated, released, "
        "transferred_to_police, court_order, withdrawn_by_holder",
        "line 7: expected 13 columns, found 2",
        "line 8, column case_number: D-1 is already on line 2",
        "line 8, column value_cny: 1.001 is not an amount of 0 or more with at most two "
        "decimals (e.g. 1234.50)",
    ]
    assert stored() == 0


def test_a_bad_row_after_many_staged_batches_stores_nothing(app, monkeypatch):
    monkeypatch.setattr(case_imports, "BATCH_ROWS", 2)
    rows = [case(f"D-{n}") for n in range(7)] + [case("D-9", items="-3")]
    with pytest.raises(ValidationError) as raised:
        case_imports.import_cases(lambda: io.StringIO(text_of(*rows)))
    assert raised.value.fields["rows"] == ["line 9, column items: -3 is not a whole number of 0 "
                                           "or more"]  # fmt: skip
    assert stored() == 0
    ok = case_imports.import_cases(lambda: io.StringIO(text_of(*rows[:-1])))
    assert (ok.imported, ok.skipped, stored()) == (7, 0, 7)


def test_wrong_header_and_empty_file(runner, tmp_path):
    header = ["case", *HEADER[1:]]
    result = run(runner, write_csv(tmp_path / "f.csv", [case("D-1")], header=header))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1].startswith(f"line 1: expected the header {LINE_1}")
    empty = tmp_path / "e.csv"
    empty.write_text("")
    result = run(runner, empty)
    assert result.exit_code == 1 and "The file is empty" in result.stderr
    assert stored() == 0


def test_a_header_only_file_imports_nothing(runner, tmp_path):
    result = run(runner, write_csv(tmp_path / "f.csv", []))
    assert result.exit_code == 0
    assert result.stdout.strip() == "Imported 0 cases; skipped 0 already present."


def test_not_utf8_and_missing_file(runner, tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes((LINE_1 + "\n").encode() + "D-1,2019-03-04,5301,Güter".encode("latin-1"))
    result = run(runner, path)
    assert result.exit_code == 1 and "not UTF-8" in result.stderr
    assert run(runner, tmp_path / "missing.csv").exit_code == 2
    assert stored() == 0


def test_bom_and_crlf_are_accepted(runner, tmp_path):
    path = write_csv(tmp_path / "f.csv", [case("D-1"), case("D-2")], bom=True, newline="\r\n")
    result = run(runner, path)
    assert result.exit_code == 0, result.output
    assert one("D-2").outcome == CaseOutcome.CONFISCATED  # the last cell has no \r
    assert stored() == 2


def test_re_importing_the_same_file_adds_nothing(runner, tmp_path):
    path = write_csv(tmp_path / "f.csv", [case("D-1"), case("D-2", outcome="")])
    assert run(runner, path).exit_code == 0
    before = [(c.id, c.updated_at) for c in db.session.scalars(select(DetentionCase))]
    again = run(runner, path)
    assert again.exit_code == 0
    assert again.stdout.strip() == "Imported 0 cases; skipped 2 already present."
    db.session.expire_all()
    assert [(c.id, c.updated_at) for c in db.session.scalars(select(DetentionCase))] == before


def test_a_case_already_stored_is_skipped_not_changed(runner, tmp_path):
    assert run(runner, write_csv(tmp_path / "a.csv", [case("D-1", items="5")])).exit_code == 0
    both = write_csv(tmp_path / "b.csv", [case("D-1", items="99"), case("D-2")])
    result = run(runner, both)
    assert result.exit_code == 0
    assert result.stdout.strip() == "Imported 1 case; skipped 1 already present."
    assert one("D-1").items == 5 and stored() == 2


def test_a_case_number_stored_during_the_import_is_a_conflict(app, monkeypatch):
    """A number stored by another writer that the swap's NOT EXISTS does not see (PostgreSQL's
    READ COMMITTED: committed after the statement's snapshot) meets the unique constraint:
    nothing of this file is stored. Simulated by a NOT EXISTS that sees nothing."""
    text = text_of(case("D-1"), case("D-2"))
    original = case_imports._insert_new_cases

    def racing():
        with db.engine.begin() as other:
            other.execute(case_imports.CASES.insert(), [_stored_row("D-2")])
        return original()

    monkeypatch.setattr(case_imports, "_insert_new_cases", racing)
    monkeypatch.setattr(case_imports, "exists", lambda: _never())
    with pytest.raises(ConflictError):
        case_imports.import_cases(lambda: io.StringIO(text))
    assert [c.case_number for c in db.session.scalars(select(DetentionCase))] == ["D-2"]


def _never():
    from sqlalchemy import exists, false

    return exists().where(false())


def _stored_row(number: str) -> dict:
    from ipr_apps.models import utcnow

    return {
        "case_number": number, "opened_on": date(2019, 1, 1), "port_code": "5301",
        "channel": "post", "direction": "import", "mode": "ex_officio",
        "ipr_type": "trademark", "status": "detained", "items": 1, "value_cny": 1,
        "on_general_guarantee": False, "imported": True, "created_at": utcnow(),
        "updated_at": utcnow(),
    }  # fmt: skip


def test_the_staging_table_is_gone_afterwards(runner, tmp_path):
    """A temporary table of the import's own connection: dropped after success and failure."""
    assert run(runner, write_csv(tmp_path / "a.csv", [case("D-1")])).exit_code == 0
    assert run(runner, write_csv(tmp_path / "b.csv", [case("D-2", items="-1")])).exit_code == 1
    for _ in range(3):  # whichever pooled connection comes next can stage again
        assert case_imports.import_cases(lambda: io.StringIO(text_of(case("D-1")))).skipped == 1


def test_progress_is_reported_per_batch_and_at_the_end(app, monkeypatch):
    monkeypatch.setattr(case_imports, "BATCH_ROWS", 2)
    seen: list[tuple[str, int]] = []
    rows = [case(f"D-{n}") for n in range(5)]
    case_imports.import_cases(lambda: io.StringIO(text_of(*rows)), lambda *a: seen.append(a))
    assert seen == [("import", 3), ("import", 5), ("import", 6)]


def test_a_terminal_gets_a_progress_bar(app, tmp_path, monkeypatch):
    from ipr_apps import cli

    path = write_csv(tmp_path / "f.csv", [case("D-1"), case("D-2")])
    terminal = SimpleNamespace(stdout=SimpleNamespace(isatty=lambda: True))
    monkeypatch.setattr(cli, "sys", terminal)
    calls: list[tuple[str, int]] = []
    original = cli._ProgressBars.__call__
    monkeypatch.setattr(
        cli._ProgressBars, "__call__", lambda self, *a: (calls.append(a), original(self, *a))
    )
    result = app.test_cli_runner().invoke(args=["ipr", "import-cases", str(path)])
    assert result.exit_code == 0, result.output
    assert calls == [("import", 3)] and stored() == 2


def test_staging_holds_no_lock_on_the_shared_tables(app, monkeypatch):
    """While a batch is being staged (its transaction open), another writer writes at once."""
    written: list[int] = []

    def write_meanwhile(connection, batch, progress, line):
        connection.execute(case_imports.insert(case_imports.STAGING), batch)
        assert connection.in_transaction()
        with db.engine.connect() as other:
            if other.dialect.name == "sqlite":
                other.exec_driver_sql("PRAGMA busy_timeout=100")
            other.execute(case_imports.CASES.insert(), [_stored_row(f"OTHER-{line}")])
            other.commit()
        written.append(line)
        connection.commit()
        return len(batch)

    monkeypatch.setattr(case_imports, "_write", write_meanwhile)
    result = case_imports.import_cases(lambda: io.StringIO(text_of(case("D-1"), case("D-2"))))
    assert written == [3] and result.imported == 2 and stored() == 3
