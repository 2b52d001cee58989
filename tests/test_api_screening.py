"""POST /api/v1/screening: each rule through the API, validation, roles, what is kept, the
documented example, and the same hits as a file screened on the page."""

from __future__ import annotations

import copy
import csv
import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from ipr_apps.db import db
from ipr_apps.models import (
    Goods,
    Infringer,
    Role,
    RunSource,
    ScreeningHit,
    ScreeningRun,
    Status,
    Trader,
    TraderRole,
)
from ipr_apps.screening import current
from ipr_apps.screening.lines import parse_file
from ipr_apps.services import screening
from tests.api_helpers import API, assert_error, bearer, token_for
from tests.factories import recordation_row
from tests.test_api import openapi

URL = f"{API}/screening"
DECLARATION = "531620260000000001"


def record(make_application, holder, title, number=None, hs=(), traders=(), infringers=()):
    """An active recordation of the mark `title` with its genuine goods' HS codes, legitimate
    traders (role, name) and known infringers (name, ports)."""
    application = make_application(holder, Status.APPROVED)
    application.right.title = title
    db.session.add_all(
        [Goods(application_id=application.id, position=i, name="Goods", hs_code=code)
         for i, code in enumerate(hs)]
        + [Trader(application_id=application.id, position=i, role=role, name=name)
           for i, (role, name) in enumerate(traders)]
        + [Infringer(application_id=application.id, position=i, name=name, ports=ports)
           for i, (name, ports) in enumerate(infringers)]
    )  # fmt: skip
    row = recordation_row(application, number=number)
    db.session.commit()
    return row


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER)


@pytest.fixture
def headers(officer) -> dict[str, str]:
    return bearer(token_for(officer))


@pytest.fixture
def recorded(make_user, make_application) -> dict:
    """BRIGHTSTAR (HS 8539.52, a legitimate importer, a known infringer and its ports) and the
    Traditional-script mark 光明燈 (HS 9405, no traders)."""
    holder = make_user()
    bright = record(
        make_application, holder, "BRIGHTSTAR", hs=["8539.52"],
        traders=[(TraderRole.IMPORTER, "Bright Imports Ltd.")],
        infringers=[("Fake Lights Company Limited", "Shenzhen Bay; Huangpu")],
    )  # fmt: skip
    lamp = record(make_application, holder, "光明燈", hs=["9405"])
    return {"BRIGHTSTAR": bright.number, "光明燈": lamp.number}


def line(number: int = 1, **fields) -> dict:
    return {"declaration_number": DECLARATION, "line_number": number, **fields}


def post(client, headers, lines: list[dict], **body):
    return client.post(URL, json={"lines": lines, **body}, headers=headers)


def screened(client, headers, *lines: dict, **body) -> list[list[dict]]:
    response = post(client, headers, list(lines), **body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return [entry["hits"] for entry in response.get_json()["lines"]]


def stored(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --------------------------------------------------------------------------- each rule


RULE_CASES = {
    "mark in the description": (
        {"description": "LED bulbs, Bright-Star brand"}, "BRIGHTSTAR", ["mark"], 50,
    ),
    "mark in full-width forms": (
        {"brand": "ＢＲＩＧＨＴ ＳＴＡＲ", "description": "bulbs"}, "BRIGHTSTAR", ["mark"], 50,
    ),
    "traditional mark, simplified line": (
        {"description": "光明灯 台灯", "hs_code": "9405.21.00"}, "光明燈", ["mark", "hs_code"], 75,
    ),
    "hs code prefix and unlisted trader": (
        {"description": "BRIGHTSTAR bulbs", "hs_code": "8539520000", "consignee": "X Ltd"},
        "BRIGHTSTAR", ["mark", "hs_code", "unlisted_trader"], 90,
    ),
    "hs code of another heading": (
        {"description": "BRIGHTSTAR bulbs", "hs_code": "853951", "consignee": "X Ltd"},
        "BRIGHTSTAR", ["mark", "unlisted_trader"], 65,
    ),
    "infringer with a legal-form suffix": (
        {"consignor": "FAKE LIGHTS CO., LTD", "hs_code": "853952", "description": "bulbs"},
        "BRIGHTSTAR", ["infringer", "hs_code", "unlisted_trader"], 80,
    ),
    "infringer at its port": (
        {"consignee": "Fake Lights Ltd", "description": "shoes", "port": "HUANGPU"},
        "BRIGHTSTAR", ["infringer", "infringer_port"], 50,
    ),
}  # fmt: skip


@pytest.mark.parametrize(("fields", "mark", "rules", "score"), RULE_CASES.values(), ids=RULE_CASES)
def test_each_rule_through_the_api(client, headers, recorded, fields, mark, rules, score):
    ((hit,),) = screened(client, headers, line(**fields))
    assert hit["recordation_number"] == recorded[mark]
    assert (hit["rules"], hit["score"]) == (rules, score)
    assert len(hit["reasons"]) == len(rules) and all(r.endswith(".") for r in hit["reasons"])


def test_the_reasons_are_in_plain_words(client, headers, recorded):
    ((hit,),) = screened(client, headers, line(consignor="FAKE LIGHTS CO., LTD", port="Huangpu"))
    assert hit["reasons"] == [
        "The consignor “FAKE LIGHTS CO., LTD” matches the recorded infringer "
        "“Fake Lights Company Limited”.",
        "The port “Huangpu” is one the recorded infringer “Fake Lights Company Limited” uses.",
    ]


@pytest.mark.parametrize("threshold", [None, 0])
def test_the_recorded_legitimate_importer_is_never_a_hit(client, headers, recorded, threshold):
    genuine = line(
        description="BRIGHTSTAR LED bulbs", brand="BrightStar", hs_code="8539520000",
        consignee="BRIGHT IMPORTS LIMITED", port="Shenzhen Bay",
    )  # fmt: skip
    body = {} if threshold is None else {"threshold": threshold}
    assert screened(client, headers, genuine, **body) == [[]]


def test_the_infringer_alone_or_the_hs_code_alone_is_not_a_hit(client, headers, recorded):
    lines = [line(1, consignee="Fake Lights Ltd", description="shoes"), line(2, hs_code="853952")]
    assert screened(client, headers, *lines) == [[], []]


def test_every_line_in_input_order_hits_highest_score_first(client, headers, recorded):
    lines = [
        line(7, description="cotton socks"),
        line(3, description="BRIGHTSTAR and 光明燈 lamps", hs_code="853952", consignor="Y Ltd"),
        line(5, description="光明燈"),
    ]
    response = post(client, headers, lines)
    body = response.get_json()
    assert [(e["line_number"], e["declaration_number"]) for e in body["lines"]] == [
        (7, DECLARATION), (3, DECLARATION), (5, DECLARATION),
    ]  # fmt: skip
    first, second, third = (entry["hits"] for entry in body["lines"])
    assert first == []
    assert [(h["recordation_number"], h["score"]) for h in second] == [
        (recorded["BRIGHTSTAR"], 90), (recorded["光明燈"], 50),
    ]  # fmt: skip
    assert [h["recordation_number"] for h in third] == [recorded["光明燈"]]


def test_the_threshold_filters_and_is_answered(client, headers, recorded):
    both = line(description="BRIGHTSTAR and 光明燈 lamps", hs_code="853952", consignor="Y Ltd")
    response = post(client, headers, [both], threshold=60)
    body = response.get_json()
    assert body["threshold"] == 60
    assert [h["score"] for h in body["lines"][0]["hits"]] == [90]
    assert post(client, headers, [both]).get_json()["threshold"] == 50


# --------------------------------------------------------------------------- what is kept


def test_the_run_and_its_hits_are_stored(client, headers, officer, recorded):
    lines = [line(1, description="cotton socks"), line(2, brand="BRIGHTSTAR", consignee="Q Co")]
    body = post(client, headers, lines).get_json()
    run = db.session.get(ScreeningRun, body["run_id"])
    assert (run.created_by_id, run.source, run.threshold) == (officer.id, RunSource.API, 50)
    assert (run.line_count, run.hit_lines, run.hits) == (2, 1, 1)
    assert run.finished_at is not None
    assert run.index_version == body["index_version"] == current.current().version
    (hit,) = db.session.scalars(select(ScreeningHit)).all()
    api_hit = body["lines"][1]["hits"][0]
    assert (hit.run_id, hit.position, hit.line_number, hit.brand, hit.consignee) == (
        run.id, 2, 2, "BRIGHTSTAR", "Q Co",
    )  # fmt: skip
    assert (hit.recordation_id, hit.recordation_number, hit.score) == (
        api_hit["recordation_id"], api_hit["recordation_number"], api_hit["score"],
    )  # fmt: skip
    assert (hit.rules, hit.reasons) == (api_hit["rules"], api_hit["reasons"])


# --------------------------------------------------------------------------- validation


def assert_refused(response, status: int = 422) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = assert_error(response.get_json())
    assert stored(ScreeningRun) == stored(ScreeningHit) == 0
    return error


def test_errors_name_the_line_index_and_field_and_nothing_is_kept(client, headers, recorded):
    lines = [
        line(1, description="BRIGHTSTAR"),
        line(2, direction="sideways"),
        {"declaration_number": DECLARATION, "brand": "BRIGHTSTAR"},
        line(4, colour="red"),
        line(5, country_of_origin="C1", declared_value="12,00x"),
        line(0),
        line(7, hs_code="8" * 21),
        line(8, quantity=True),
        line(9, declaration_number="  "),
    ]
    error = assert_refused(post(client, headers, lines))
    assert error["code"] == "validation_error"
    fields = error["fields"]["lines"]
    assert set(fields) == {"1", "2", "3", "4", "5", "6", "7", "8"}
    assert fields["1"] == {"direction": ["Write import or export (or leave it blank)."]}
    assert set(fields["2"]) == {"line_number"}
    assert set(fields["3"]) == {"colour"}
    assert set(fields["4"]) == {"country_of_origin"}  # the first error of a line
    assert fields["5"] == {"line_number": ["Write a whole number from 1."]}
    assert set(fields["6"]) == {"hs_code"}
    assert fields["7"] == {"quantity": ["Write text or a number here."]}
    assert fields["8"] == {"declaration_number": ["This column is required."]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lines": []}, "lines"),
        ({}, "lines"),
        ({"lines": "D1,1"}, "lines"),
        ({"lines": [line()], "threshold": 501}, "threshold"),
        ({"lines": [line()], "threshold": -1}, "threshold"),
        ({"lines": [line()], "colour": "red"}, "colour"),
    ],
)
def test_the_body_is_checked(client, headers, body, field):
    error = assert_refused(client.post(URL, json=body, headers=headers))
    assert field in error["fields"]


def test_more_lines_than_a_page_points_to_the_batch_upload(client, headers):
    lines = [line(n) for n in range(1, screening.INLINE_LINES + 2)]
    error = assert_refused(post(client, headers, lines))
    (message,) = error["fields"]["lines"]
    assert "2,000" in message and "batch" in message and "/screening/" in message


def test_as_many_lines_as_a_page_are_screened(client, headers, recorded):
    lines = [line(n, description="BRIGHTSTAR" if n % 2 else "socks") for n in range(1, 2001)]
    body = post(client, headers, lines).get_json()
    assert len(body["lines"]) == screening.INLINE_LINES
    run = db.session.get(ScreeningRun, body["run_id"])
    assert (run.line_count, run.hit_lines) == (2000, 1000)


def test_a_body_that_is_not_json_is_refused(client, headers):
    response = client.post(URL, data="{", content_type="application/json", headers=headers)
    assert_refused(response, 400)


# --------------------------------------------------------------------------- roles


@pytest.mark.parametrize("role", [Role.HOLDER, Role.REVIEWER, Role.ADMIN])
def test_other_roles_are_refused(client, make_user, recorded, role):
    headers = bearer(token_for(make_user(role)))
    error = assert_refused(post(client, headers, [line(brand="BRIGHTSTAR")]), 403)
    assert error["code"] == "forbidden"
    assert_refused(post(client, headers, [line(direction="sideways")]), 403)


@pytest.mark.parametrize("headers", [{}, bearer("ipr_" + "x" * 43), {"Authorization": "Basic x"}])
def test_no_valid_token_is_401(client, recorded, headers):
    response = post(client, headers, [line(brand="BRIGHTSTAR")])
    assert assert_refused(response, 401)["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_officer_creates_a_token_on_the_tokens_page_and_screens_with_it(
    client, login, officer, recorded
):
    login(officer)
    page = client.post("/auth/tokens", data={"label": "Port system"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    raw = html.split('<p class="token-value mb-0">', 1)[1].split("<", 1)[0].strip()
    assert raw.startswith("ipr_")
    api = client.application.test_client()  # no session cookie: the token alone
    assert screened(api, bearer(raw), line(brand="BRIGHTSTAR"))[0][0]["score"] == 50


# --------------------------------------------------------------------------- the document


def test_the_operation_is_documented_with_its_examples(client):
    operation = openapi(client)["paths"][URL]["post"]
    request = operation["requestBody"]["content"]["application/json"]
    assert request["schema"] == {"$ref": "#/components/schemas/ScreeningRequest"}
    assert len(request["example"]["lines"]) == 3
    assert set(operation["responses"]) == {"200", "400", "401", "403", "413", "422"}
    answer = operation["responses"]["200"]["content"]["application/json"]
    assert [len(line["hits"]) for line in answer["example"]["lines"]] == [1, 1, 0]
    assert "Traditional/Simplified" in operation["description"]


def test_the_documented_example_gives_the_documented_answer(
    client, headers, make_user, make_application
):
    """The request example against the recordation it describes answers the response example
    (but for the ids): a Traditional-script mark, an infringer, the holder's own exporter."""
    lamp = record(
        make_application, make_user(), "光明灯", number="T2021-000456", hs=["8539.52"],
        traders=[(TraderRole.EXPORTER, "Shenzhen Brightlight Electronics Co., Ltd.")],
        infringers=[("Fake Lights Co", "Shenzhen Bay, Huangpu")],
    )  # fmt: skip
    operation = openapi(client)["paths"][URL]["post"]
    request = operation["requestBody"]["content"]["application/json"]["example"]
    expected = copy.deepcopy(operation["responses"]["200"]["content"]["application/json"])
    expected = expected["example"]
    body = client.post(URL, json=request, headers=headers).get_json()
    expected.update(run_id=body["run_id"], index_version=body["index_version"])
    for entry in expected["lines"]:
        for hit in entry["hits"]:
            hit["recordation_id"] = lamp.id
    assert body == expected


# --------------------------------------------------------------------------- page and API

FILE = """declaration_number,line_number,port,direction,hs_code,description,brand,consignor,consignee,country_of_origin,quantity,declared_value
D100,1,Huangpu,export,8539.52.00,LED bulbs,ＢＲＩＧＨＴＳＴＡＲ,Shenzhen Maker Co,Acme GmbH,CN,100,"1,200.00"
D100,2,Huangpu,export,940521,台灯,光明灯,Shenzhen Maker Co,Acme GmbH,CN,50,800
D100,3,Shenzhen Bay,export,853952,LED bulbs,,"FAKE LIGHTS CO., LTD.",Acme GmbH,CN,1000,5000
D101,1,Shenzhen Bay,import,8539520000,BrightStar LED bulbs,BRIGHTSTAR,Bright Star Factory,BRIGHT IMPORTS LIMITED,CN,10,90
D101,2,Ningbo,import,6115,cotton socks,,Socks Ltd,Retail Ltd,CN,10,20
D102,1,Huangpu,export,853952,BRIGHTSTAR 光明燈 bulbs,,Y Ltd,Z Ltd,CN,,
"""  # noqa: E501


def hit_set(pairs) -> set[tuple]:
    return {(d, n, rid, score, tuple(rules)) for d, n, rid, score, rules in pairs}


def xlsx(text: str) -> bytes:
    """The CSV as a workbook, numbers as numbers (as a spreadsheet keeps them)."""
    workbook = Workbook()
    for row in csv.reader(io.StringIO(text)):
        workbook.active.append([float(c) if c.isdigit() else c for c in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize("name", ["lines.csv", "lines.xlsx"])
def test_the_same_file_through_the_page_and_the_api_gives_the_same_hits(
    client, headers, officer, recorded, name
):
    data = xlsx(FILE) if name.endswith(".xlsx") else FILE.encode()
    parsed = parse_file(data, name, limit=screening.INLINE_LINES)
    assert parsed.errors == []
    page_run, _ = screening.screen_lines(officer, parsed.lines, None, RunSource.UPLOAD, name)
    page_hits = db.session.execute(
        select(ScreeningHit.declaration_number, ScreeningHit.line_number,
               ScreeningHit.recordation_id, ScreeningHit.score, ScreeningHit.rules)
        .where(ScreeningHit.run_id == page_run.id)
    ).all()  # fmt: skip

    rows = list(csv.DictReader(io.StringIO(FILE)))
    body = post(client, headers, rows).get_json()
    api_hits = [
        (entry["declaration_number"], entry["line_number"], hit["recordation_id"],
         hit["score"], hit["rules"])
        for entry in body["lines"] for hit in entry["hits"]
    ]  # fmt: skip

    assert hit_set(api_hits) == hit_set(page_hits)
    assert len(page_hits) == 5  # two marks, a Simplified mark, the infringer, both marks
    assert {(d, n) for d, n, *_ in api_hits} == {
        ("D100", 1), ("D100", 2), ("D100", 3), ("D102", 1),
    }  # fmt: skip
    api_run = db.session.get(ScreeningRun, body["run_id"])
    assert (api_run.line_count, api_run.hit_lines, api_run.hits) == (
        page_run.line_count, page_run.hit_lines, page_run.hits,
    )  # fmt: skip


def test_a_nul_character_in_a_file_is_a_line_error_not_a_database_error(officer, recorded):
    """PostgreSQL refuses NUL in text: a CSV cell with one is refused where it is read."""
    parsed = parse_file(b"declaration_number,line_number,brand\nD1,1,BRIGHT\x00STAR\n", "a.csv")
    assert parsed.lines == []
    assert parsed.errors == [
        "line 2, column brand: Remove the NUL character (code 0) from this cell."
    ]
