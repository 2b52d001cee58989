"""The public register's pages and search service: search by every public field, every
status, paging, the verification page, the search keys, the query plan, and the rate limit
(shared with the API, per client address) under its own setting."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select, text

from ipr_apps import create_app
from ipr_apps.config import Defaults
from ipr_apps.db import db
from ipr_apps.models import Recordation, RecordationStatus, Role, today
from ipr_apps.models.recordations import SEARCH_KEYS, search_key
from ipr_apps.services import register
from tests.conftest import make_app
from tests.factories import make_application, make_user, recordation_row

ROW = re.compile(r'data-testid="register-row" data-number="([^"]+)"')


def recorded(
    number: str,
    title: str = "BRIGHTLIGHT",
    right_number: str | None = None,
    name_local: str = "深圳光明电子有限公司",
    name_en: str | None = "Shenzhen Brightlight Electronics Co., Ltd.",
    status: RecordationStatus = RecordationStatus.ACTIVE,
    valid_until: date = date(2029, 1, 1),
) -> Recordation:
    """An approved application's recordation with these public facts (committed)."""
    owner = make_user(Role.HOLDER)
    application = make_application(owner, "approved", registration_number=right_number)
    application.holder_name_local, application.holder_name_en = name_local, name_en
    application.right.title = title
    recordation = recordation_row(application, number=number, status=status,
                                  valid_until=valid_until)  # fmt: skip
    db.session.commit()
    return recordation


def numbers(response) -> list[str]:
    assert response.status_code == 200
    return ROW.findall(response.get_data(as_text=True))


def found(text: str | None) -> set[str]:
    return {r.number for r in register.search(text, size=100).items}


# --- search ------------------------------------------------------------------------------


def test_search_finds_by_each_public_field_case_insensitively(app):
    mark = recorded("T2019-000123", title="BrightLight", right_number="TM-32145876")
    other = recorded("C2020-000007", title="Moonbeam firmware", right_number="ZX-1",
                     name_local="Oslo Lys AS", name_en=None)  # fmt: skip
    assert found("T2019-000123") == found("t2019-000") == {mark.number}
    assert found("tm-3214") == found("TM-32145876") == {mark.number}
    assert found("brightl") == found("BRIGHTLIGHT") == {mark.number}
    assert found("SHENZHEN bright") == {mark.number}  # the name in the other script
    assert found("深圳光明") == {mark.number}  # the local name
    assert found("oslo lys") == {other.number}
    assert found("ＢＲＩＧＨＴ") == {mark.number}  # full-width input, as typed on CJK keyboards
    assert found("  Shenzhen   Brightlight ") == {mark.number}  # spaces collapse
    # A prefix of a field, not any substring; a match of two fields is listed once.
    assert found("light") == set()
    assert found("t") == {mark.number}
    assert len(register.search("t", size=100).items) == 1


def test_search_page_lists_the_public_columns(app, client):
    mark = recorded("T2019-000123", right_number="TM-32145876")
    response = client.get("/register/", query_string={"q": "brightlight"})
    assert numbers(response) == [mark.number]
    html = response.get_data(as_text=True)
    for shown in ("T2019-000123", "BRIGHTLIGHT", "TM-32145876", "深圳光明电子有限公司",
                  "Shenzhen Brightlight Electronics Co., Ltd.", "China", "2019-01-01",
                  "2029-01-01", 'data-status="active"', "Trademark"):  # fmt: skip
        assert shown in html
    assert 'href="/register/T2019-000123"' in html


def test_every_status_is_in_the_register(app, client):
    for sequence, status in enumerate(RecordationStatus, start=1):
        recorded(f"T2015-{sequence:06d}", status=status)
    response = client.get("/register/", query_string={"q": "T2015-"})
    assert numbers(response) == [f"T2015-{n:06d}" for n in range(1, len(RecordationStatus) + 1)]
    html = response.get_data(as_text=True)
    for status in RecordationStatus:
        assert f'data-status="{status.value}"' in html


@pytest.mark.parametrize("query", ["", "   ", None])
def test_an_empty_query_shows_nothing(app, client, query):
    recorded("T2019-000001")
    assert register.search(query).items == []
    response = client.get("/register/", query_string={} if query is None else {"q": query})
    assert numbers(response) == []
    assert 'data-testid="empty-state"' in response.get_data(as_text=True)


def test_no_match_has_an_empty_state(app, client):
    recorded("T2019-000001")
    response = client.get("/register/", query_string={"q": "nothing like it"})
    assert numbers(response) == []
    assert 'data-testid="empty-state"' in response.get_data(as_text=True)


def test_search_pages_by_number_without_gaps_or_repeats(app, client):
    for n in range(1, 31):
        recorded(f"P2021-{n:06d}", title=f"Lamp {n}")
    recorded("P2022-000001", title="Unrelated", name_local="Other", name_en=None)
    first = client.get("/register/", query_string={"q": "P2021"})
    assert numbers(first) == [f"P2021-{n:06d}" for n in range(1, 26)]
    cursor = re.search(r'rel="next"\s+href="[^"]*cursor=([^"&]+)', first.get_data(as_text=True))
    assert cursor
    second = client.get("/register/", query_string={"q": "P2021", "cursor": cursor.group(1)})
    assert numbers(second) == [f"P2021-{n:06d}" for n in range(26, 31)]
    assert 'rel="next"' not in second.get_data(as_text=True)
    # A forged cursor is the first page, never an error.
    assert numbers(client.get("/register/?q=P2021&cursor=!!")) == numbers(first)


def test_a_record_matching_on_several_fields_is_listed_once_in_order(app):
    made = [
        recorded("A2019-000001", title="ALPHA", name_local="Alpha Holding", name_en="Beta"),
        recorded("B2019-000002", title="ALPINE", name_local="Zeta", name_en="Al Amin"),
        recorded("A2019-000003", title="GAMMA", name_local="Alpaca", name_en=None),
        recorded("C2019-000004", title="AZURE", name_local="Alpha Holding", name_en="Alpha"),
        recorded("D2019-000005", title="DELTA", name_local="Delta", name_en=None),
    ]
    for n in range(6, 12):
        made.append(recorded(f"A2019-0000{n:02d}", title=f"A{n}", name_local=f"A{n} Ltd",
                             name_en=f"a{n} co"))  # fmt: skip

    def position(r):
        keys = [search_key(getattr(r, source)) for source in SEARCH_KEYS.values()]
        return min(k for k in keys if k and k.startswith("a")), r.id

    expected = [r.number for r in sorted((r for r in made if r.number != "D2019-000005"),
                                          key=position)]  # fmt: skip
    for size in (1, 2, 3, 25):
        seen, cursor = [], None
        while True:
            page = register.search("A", cursor, size=size)
            seen += [r.number for r in page.items]
            if not page.has_next:
                break
            cursor = page.next_cursor
        assert seen == expected, size


def test_search_keys_follow_the_facts_when_they_change(app):
    mark = recorded("T2019-000123", title="OLDMARK")
    mark.right_title, mark.holder_name = "NEWMARK", "Renamed Holder Ltd"
    db.session.commit()
    assert found("newmark") == found("renamed holder") == {mark.number}
    assert found("oldmark") == set()


def test_a_long_query_is_cut_not_refused(app, client):
    assert client.get("/register/", query_string={"q": "x" * 5000}).status_code == 200


# --- the query plan: indexed at any size -------------------------------------------------


def _plans(run) -> list[str]:
    """The query plan of every statement `run` sends to the database."""
    statements = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    connection = db.session.connection()
    plans = []
    for statement, parameters in statements:
        if connection.dialect.name == "sqlite":
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            plans.append("\n".join(row[-1] for row in rows))
        else:
            # A tiny table, whose statistics (autovacuum's, whenever it last ran) can make a
            # bitmap scan and a sort look cheaper: the question is whether the index serves
            # the range in order, as it must at a million rows.
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
            rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters)
            plans.append("\n".join(row[0] for row in rows))
    db.session.rollback()
    return plans


def test_each_page_is_one_index_range_per_field(app):
    for n in range(1, 4):
        recorded(f"T2019-00012{n}")
    first = register.search("t2019", size=1)
    plans = _plans(lambda: register.search("t2019", first.next_cursor, size=1))
    assert len(plans) == len(SEARCH_KEYS)
    for key, plan in zip(SEARCH_KEYS, plans, strict=True):
        assert f"ix_recordations_{key}" in plan, plan
        assert "Seq Scan" not in plan and "Sort" not in plan, plan  # PostgreSQL
        assert not re.search(r"SCAN recordations$|TEMP B-TREE", plan, re.M), plan  # SQLite


# --- the verification page ---------------------------------------------------------------

SENTENCES = {
    RecordationStatus.ACTIVE: "in force",
    RecordationStatus.EXPIRED: "expired",
    RecordationStatus.LAPSED: "lapsed",
    RecordationStatus.CANCELLED: "cancelled",
    RecordationStatus.REVOKED: "revoked",
}


def english_day(day: date) -> str:
    """A date as the English pages write it (i18n.format_day): 1 May 2024."""
    return f"{day.day} {day:%b %Y}"


@pytest.mark.parametrize("status", list(RecordationStatus))
def test_verification_page_says_the_status_in_words(app, client, status):
    until = today() + timedelta(days=400) if status.in_force else date(2024, 5, 1)
    recordation = recorded("T2014-000042", status=status, valid_until=until)
    response = client.get("/register/T2014-000042")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    sentence = re.search(r'data-testid="register-status-sentence">(.*?)</p>', html, re.S).group(1)
    assert SENTENCES[status] in sentence
    assert f'data-status="{status.value}"' in html
    if status.in_force:
        assert english_day(until) in sentence
    else:
        assert english_day(recordation.ended_on) in sentence
        assert "no longer in force" in sentence.lower()


def test_an_active_recordation_past_its_end_is_not_called_in_force(app, client):
    recorded("T2010-000001", valid_until=today() - timedelta(days=1))
    html = client.get("/register/T2010-000001").get_data(as_text=True)
    sentence = re.search(r'data-testid="register-status-sentence">(.*?)</p>', html, re.S).group(1)
    assert "no longer in force" in sentence and "is <strong>in force" not in sentence


def test_unknown_number_is_a_404_page(app, client):
    recorded("T2019-000123")
    response = client.get("/register/T2019-999999")
    assert response.status_code == 404
    assert "T2019-999999" in response.get_data(as_text=True)
    assert client.get("/register/" + "9" * 300).status_code == 404


@pytest.mark.parametrize("number", ["GZ/2001/0017", "HK-TM-88/B", "0000451", "tm2003a"])
def test_imported_number_formats_route(app, client, number):
    recorded(number)
    response = client.get(f"/register/{number}")
    assert response.status_code == 200
    assert f'data-testid="register-number">{number}<' in response.get_data(as_text=True)
    assert numbers(client.get("/register/", query_string={"q": number})) == [number]


def test_a_number_typed_in_another_case_goes_to_the_canonical_page(app, client):
    recorded("T2019-000123")
    response = client.get("/register/t2019-000123")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/register/T2019-000123")


def test_the_navbar_links_the_register_for_everyone(app, client, login):
    assert 'href="/register/"' in client.get("/auth/login").get_data(as_text=True)
    login(make_user(Role.ADMIN))
    assert 'href="/register/"' in client.get("/register/").get_data(as_text=True)


# --- the rate limit ----------------------------------------------------------------------


@pytest.fixture
def limited(app, config):
    """The real app with throttling on, sharing the test database."""
    limits = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
              "REGISTER_RATE_LIMIT": "3 per minute"}  # fmt: skip
    limited_app = make_app({**config, **limits})
    yield limited_app
    with limited_app.app_context():
        db.engine.dispose()


def test_the_register_has_its_own_limit_setting_and_sign_ups_theirs():
    assert Defaults.REGISTER_RATE_LIMIT == "60 per minute"
    assert Defaults.SIGNUP_RATE_LIMIT == "10 per hour"


def test_the_limit_is_set_by_the_environment(config, monkeypatch):
    monkeypatch.setenv("IPR_REGISTER_RATE_LIMIT", "7 per second")
    assert create_app(config).config["REGISTER_RATE_LIMIT"] == "7 per second"


def test_pages_and_api_share_the_limit_per_address(limited):
    client = limited.test_client()
    here, there = {"REMOTE_ADDR": "10.9.0.1"}, {"REMOTE_ADDR": "10.9.0.2"}
    statuses = [
        client.get("/register/?q=a", environ_base=here).status_code,
        client.get("/api/v1/register?q=a", environ_base=here).status_code,
        client.get("/register/T1-1", environ_base=here).status_code,
    ]
    assert statuses == [200, 200, 404]
    page = client.get("/register/?q=a", environ_base=here)
    assert page.status_code == 429
    assert int(page.headers["Retry-After"]) >= 1
    assert page.mimetype == "text/html"
    api = client.get("/api/v1/register/T1-1", environ_base=here)
    assert api.status_code == 429
    assert int(api.headers["Retry-After"]) >= 1
    assert api.json["error"]["code"] == "too_many_requests"
    # Another address has its own count; sign-in pages are not counted against the register.
    assert client.get("/register/", environ_base=there).status_code == 200
    assert client.get("/auth/login", environ_base=here).status_code == 200


def test_the_default_limit_is_60_per_minute(app, config):
    default_app = make_app({**config, "RATELIMIT_ENABLED": True,
                            "RATELIMIT_STORAGE_URI": "memory://"})  # fmt: skip
    try:
        client = default_app.test_client()
        address = {"REMOTE_ADDR": "10.9.1.1"}
        statuses = [client.get("/api/v1/register?q=", environ_base=address).status_code
                    for _ in range(61)]  # fmt: skip
        assert statuses == [200] * 60 + [429]
    finally:
        with default_app.app_context():
            db.engine.dispose()


def test_search_does_not_read_applications(app):
    """The register's rows come from the recordations table alone (the facts are copies)."""
    mark = recorded("T2019-000123")
    mark.facts_application.holder_name_en = "Changed in the application only"
    db.session.commit()
    assert found("changed in") == set()
    assert db.session.scalar(select(Recordation.number)) == "T2019-000123"


def test_the_migration_gives_existing_recordations_their_keys(config, tmp_path):
    """Recordations made before the register existed are found after the upgrade."""
    from flask_migrate import downgrade, upgrade

    url = f"sqlite:///{tmp_path / 'keys.db'}"
    fresh = make_app({**config, "SQLALCHEMY_DATABASE_URI": url})
    with fresh.app_context():
        upgrade()
        recorded("T2019-000123", title="Ｂright Light", name_en="Shenzhen  BRIGHT")
        db.session.remove()
        downgrade(revision="ab63fc8a8b85")
        upgrade()
        keys = db.session.execute(
            text("SELECT number_key, right_title_key, holder_name_other_key FROM recordations")
        ).one()
        assert tuple(keys) == ("t2019-000123", "bright light", "shenzhen bright")
        assert found("bright l") == {"T2019-000123"}
        db.session.remove()
        db.engine.dispose()


def test_imported_recordations_are_found_in_the_register(app, runner, tmp_path):
    """The import writes with INSERT ... SELECT, past the ORM events that fill the keys."""
    from tests.import_files import row, run, write_csv

    path = write_csv(
        tmp_path / "old.csv",
        [
            row("OLD-1", recordation_number="GZ/2009/0001", right_title="Ｌｕｍｅｎ Lamp",
                holder_name="Acme 株式会社", right_number="TM-777"),
            row("OLD-2", recordation_number="T2019-000002", holder_name="Beta Works"),
        ],
    )  # fmt: skip
    assert run(runner, path).exit_code == 0
    for query, number in [
        ("gz/2009", "GZ/2009/0001"), ("lumen", "GZ/2009/0001"), ("acme", "GZ/2009/0001"),
        ("tm-777", "GZ/2009/0001"), ("beta", "T2019-000002"), ("t2019-0000", "T2019-000002"),
    ]:  # fmt: skip
        found = [r.number for r in register.search(query).items]
        assert found == [number], (query, found)
