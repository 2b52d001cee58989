"""The public register's API (no token): the contract's keys, paging, 404, the OpenAPI
document; and that neither the API nor the pages ever show a confidential field, checked
against every column of every row behind a recordation."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count

import pytest
from sqlalchemy import Boolean, Date, DateTime, Enum, Integer, Numeric, String, Text, update

from ipr_apps.db import db
from ipr_apps.models import RecordationStatus, Role
from ipr_apps.models.children import Goods, Infringer, Licensee, Port, Trader
from ipr_apps.models.documents import Document
from ipr_apps.services import register
from tests.factories import make_application, make_user, recordation_row
from tests.test_register import recorded

CONTRACT = {"number", "status", "ipr_type", "right_number", "right_title", "holder_name",
            "holder_country", "valid_from", "valid_until"}  # fmt: skip


def test_verify_returns_exactly_the_contract(app, client):
    recorded("T2019-000123", right_number="TM-32145876")
    response = client.get("/api/v1/register/T2019-000123")
    assert response.status_code == 200
    assert set(response.json) == CONTRACT
    assert response.json == {
        "number": "T2019-000123", "status": "active", "ipr_type": "trademark",
        "right_number": "TM-32145876", "right_title": "BRIGHTLIGHT",
        "holder_name": "深圳光明电子有限公司", "holder_country": "CN",
        "valid_from": "2019-01-01", "valid_until": "2029-01-01",
    }  # fmt: skip


def test_no_token_is_needed_and_a_session_changes_nothing(app, client, login):
    recorded("T2019-000123")
    login(make_user(Role.ADMIN))
    response = client.get("/api/v1/register/T2019-000123",
                          headers={"Authorization": "Bearer wrong"})  # fmt: skip
    assert response.status_code == 200 and set(response.json) == CONTRACT


def test_unknown_number_is_a_404_in_the_api_error_format(app, client):
    response = client.get("/api/v1/register/T2019-999999")
    assert response.status_code == 404
    assert response.json == {"error": {"code": "not_found", "fields": {},
                                        "message": "No recordation has this number."}}  # fmt: skip


def test_imported_number_with_slashes_and_other_case(app, client):
    recorded("GZ/2001/0017")
    assert client.get("/api/v1/register/GZ/2001/0017").json["number"] == "GZ/2001/0017"
    assert client.get("/api/v1/register/gz/2001/0017").json["number"] == "GZ/2001/0017"


def test_search_items_have_the_contract_and_every_status(app, client):
    for sequence, status in enumerate(RecordationStatus, start=1):
        recorded(f"T2015-{sequence:06d}", status=status)
    response = client.get("/api/v1/register", query_string={"q": "t2015"})
    assert response.status_code == 200
    assert set(response.json) == {"items", "next"}
    assert [set(item) for item in response.json["items"]] == [CONTRACT] * len(RecordationStatus)
    assert {item["status"] for item in response.json["items"]} == {s.value for s in
                                                                   RecordationStatus}  # fmt: skip
    assert response.json["next"] is None


def test_search_pages_with_cursor_and_limit(app, client):
    for n in range(1, 6):
        recorded(f"P2021-{n:06d}")
    seen, cursor = [], None
    while True:
        query = {"q": "p2021", "limit": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/v1/register", query_string=query).json
        seen += [item["number"] for item in body["items"]]
        cursor = body["next"]
        if cursor is None:
            break
    assert seen == [f"P2021-{n:06d}" for n in range(1, 6)]


@pytest.mark.parametrize("query", [{}, {"q": ""}, {"q": "   "}])
def test_an_empty_query_finds_nothing(app, client, query):
    recorded("T2019-000001")
    assert client.get("/api/v1/register", query_string=query).json == {"items": [], "next": None}


INVALID = [
    {"q": "x" * 101},
    {"q": "a", "limit": 0},
    {"q": "a", "limit": 101},
    {"q": "a", "limit": "x"},
]


@pytest.mark.parametrize("query", INVALID)
def test_invalid_queries_are_422(app, client, query):
    response = client.get("/api/v1/register", query_string=query)
    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_error"


def test_a_nul_in_the_query_is_refused_before_the_register(app, client):
    response = client.get("/api/v1/register", query_string={"q": "a\x00"})
    assert response.status_code == 400
    assert client.get("/register/", query_string={"q": "a\x00"}).status_code == 400


def test_both_operations_are_in_the_openapi_document_without_a_token(app, client):
    spec = client.get("/api/v1/openapi.json").json
    search = spec["paths"]["/api/v1/register"]["get"]
    verify = spec["paths"]["/api/v1/register/{number}"]["get"]
    for operation in (search, verify):
        assert operation["security"] == []
        assert "429" in operation["responses"]
    assert {"404", "200"} <= set(verify["responses"])
    example = verify["responses"]["200"]["content"]["application/json"]["example"]
    assert set(example) == CONTRACT
    assert search["responses"]["200"]["content"]["application/json"]["example"]["items"]
    assert {p["name"] for p in search["parameters"]} == {"q", "cursor", "limit"}
    entry = spec["components"]["schemas"]["RegisterEntry"]
    assert set(entry["properties"]) == CONTRACT


# --- nothing confidential, checked against every column ----------------------------------

# Where the public fields come from: these may (and do) appear.
PUBLIC_SOURCES = {
    ("applications", "holder_name_local"), ("applications", "holder_name_en"),
    ("applications", "holder_country"), ("applications", "ipr_type"),
    ("ip_rights", "registration_number"), ("ip_rights", "title"),
    # the holder names' search keys: folded copies of the public names above
    ("applications", "holder_name_local_key"), ("applications", "holder_name_en_key"),
}  # fmt: skip
CHILDREN = (Goods, Licensee, Trader, Port, Infringer, Document)
_marker = count(1)


def _marked(column, table: str):
    """A value of this column's type that appears nowhere else; None for what cannot carry
    one (keys, flags, enumerations, two- and three-letter codes)."""
    if column.primary_key or column.foreign_keys or isinstance(column.type, Enum | Boolean):
        return None
    n = next(_marker)
    if isinstance(column.type, String | Text):
        length = column.type.length
        if length is not None and length < 12:
            return None
        value = f"zq{n:03d}{table[:4]}{column.name[:6]}".replace("_", "")
        return value.ljust(length, "x") if column.name == "sha256" else value
    if isinstance(column.type, Numeric):
        return Decimal(f"735{n:02d}.37")
    if isinstance(column.type, DateTime):
        return datetime(1972, 1, 1, 3, 4, 5) + timedelta(days=n)
    if isinstance(column.type, Date):
        return date(1971, 1, 1) + timedelta(days=n)
    if isinstance(column.type, Integer):
        return 7_300_000 + n
    return None


def _mark_everything(obj) -> None:
    """Give every non-public column of obj's row a marker (a column added later too)."""
    table = obj.__table__
    values = {}
    for column in table.columns:
        if (table.name, column.name) not in PUBLIC_SOURCES:
            value = _marked(column, table.name)
            if value is not None:
                values[column.name] = value
    key = {c.name: getattr(obj, c.key) for c in table.primary_key.columns}
    where = [table.c[name] == value for name, value in key.items()]
    db.session.execute(update(table).where(*where).values(**values))


def _confidential_values(rows) -> list[tuple[str, str, str]]:
    """(table, column, text) for every non-public column value that could be recognised."""
    out = []
    for obj in rows:
        db.session.refresh(obj)
        table = obj.__table__
        for column in table.columns:
            value = getattr(obj, column.key)
            if (table.name, column.name) in PUBLIC_SOURCES or value is None:
                continue
            if column.primary_key or column.foreign_keys or isinstance(column.type, Boolean):
                continue
            shown = [str(value)]
            if isinstance(value, datetime):
                shown = [value.isoformat(), value.date().isoformat()]
            elif isinstance(value, date):
                shown = [value.isoformat()]
            elif isinstance(value, Decimal):
                shown = [f"{value:.2f}"]
            elif isinstance(column.type, Enum) or len(str(value)) < 5:
                continue  # "trademark", "CN", "both": not recognisable as a leak
            out += [(table.name, column.name, text) for text in shown]
    return out


@pytest.fixture
def confidential(app):
    """A recordation whose application holds everything a filing can hold, each value unique."""
    owner = make_user(Role.HOLDER)
    application = make_application(owner, "approved", registration_number="TM-55501")
    for model in CHILDREN:
        fields = {c.key: _required(c) for c in model.__table__.columns
                  if not c.nullable and not c.primary_key and c.default is None}  # fmt: skip
        db.session.add(model(**{**fields, "application_id": application.id}))
    db.session.commit()
    rows = [application, application.right, owner, owner.organisation]
    rows += [obj for model in CHILDREN for obj in db.session.query(model).filter_by(
        application_id=application.id)]  # fmt: skip
    for obj in rows:
        _mark_everything(obj)
    db.session.execute(update(application.__table__).where(
        application.__table__.c.id == application.id).values(
        holder_name_local="Brightlight Public Name", holder_name_en="光明公开名称",
        holder_country="CN"))  # fmt: skip
    db.session.commit()
    db.session.expire_all()
    recordation = recordation_row(application, number="T2019-000777")
    db.session.commit()
    return recordation, rows


def _required(column):
    if isinstance(column.type, Enum):
        return (
            next(iter(column.type.enum_class)) if column.type.enum_class else column.type.enums[0]
        )
    if column.foreign_keys:
        return None
    if isinstance(column.type, String):
        return ("0" * 64) if column.name == "sha256" else "required"
    if isinstance(column.type, Integer):
        return 1
    if isinstance(column.type, DateTime):
        return datetime(2020, 1, 1)
    if isinstance(column.type, Boolean):
        return False
    return None


def test_the_register_never_shows_a_confidential_field(app, client, confidential):
    _, rows = confidential
    tables = {obj.__table__.name for obj in rows}
    assert tables == {"applications", "ip_rights", "goods", "licensees", "traders", "ports",
                      "infringers", "documents", "organisations", "users"}  # fmt: skip
    secrets = _confidential_values(rows)
    marked = {(table, column) for table, column, _ in secrets}
    # Every text column long enough to carry a marker was checked (contacts, e-mail, prices…).
    for expected in [("applications", "holder_email"), ("applications", "holder_phone"),
                     ("applications", "holder_address"), ("applications", "holder_contact_person"),
                     ("goods", "price_min"), ("goods", "price_max"), ("infringers", "name"),
                     ("traders", "name"), ("licensees", "name"), ("documents", "original_name"),
                     ("organisations", "email"), ("users", "email"), ("ip_rights", "expiry_date"),
                     ("ports", "name"), ("users", "password_hash")]:  # fmt: skip
        assert expected in marked
    pages = []
    for query in ("T2019-000777", "brightlight public", "光明公开", "TM-55501", "Mark"):
        html = client.get("/register/", query_string={"q": query})
        api = client.get("/api/v1/register", query_string={"q": query})
        assert "T2019-000777" in html.get_data(as_text=True)
        assert [item["number"] for item in api.json["items"]] == ["T2019-000777"]
        pages += [html.get_data(as_text=True), json.dumps(api.json, ensure_ascii=False)]
    verify = client.get("/register/T2019-000777")
    assert verify.status_code == 200
    pages += [
        verify.get_data(as_text=True),
        json.dumps(client.get("/api/v1/register/T2019-000777").json, ensure_ascii=False),
    ]
    shown = "\n".join(pages)
    assert "Brightlight Public Name" in shown and "TM-55501" in shown
    leaks = [(table, column, value) for table, column, value in secrets if value in shown]
    assert leaks == []


def test_a_confidential_value_finds_nothing(app, client, confidential):
    _, rows = confidential
    texts = [value for _, _, value in _confidential_values(rows) if value.startswith("zq")]
    assert texts
    for value in texts:
        assert register.search(value).items == []
    assert client.get("/api/v1/register", query_string={"q": texts[0]}).json["items"] == []


@pytest.mark.parametrize("cursor", ["garbage", "e30", "WyJhIl0"])  # not ours: {} and ["a"] too
def test_a_cursor_we_did_not_give_is_422_not_the_first_page_again(client, cursor):
    """An integrator's client with a damaged cursor would otherwise re-read page 1 as if it
    were the next page."""
    response = client.get("/api/v1/register", query_string={"q": "t", "cursor": cursor})
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["cursor"]
