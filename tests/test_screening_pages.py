"""The officers' screening pages: lines pasted or uploaded (CSV, XLSX) and screened, the run's
results with their reasons and a score filter, errors that store nothing, a large file handed
to the batch, and a case opened from a hit with the declared line's values."""

from __future__ import annotations

import re
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from werkzeug.test import encode_multipart

from ipr_apps.db import db
from ipr_apps.models import (
    DetentionCase,
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
from ipr_apps.services import screening, screening_batches
from tests.factories import recordation_row

HEADER = (
    "declaration_number,line_number,port,direction,hs_code,description,brand,consignor,"
    "consignee,country_of_origin,quantity,declared_value"
)
INFRINGING = (
    "531620261000001,1,Huangpu,import,9405.21,LED desk lamps,BRIGHTSTAR,"
    "Fake Lights Co. Ltd,Retail Imports GmbH,CN,500,12000.50"
)
GENUINE = (
    "531620261000001,2,Huangpu,import,9405.21,BRIGHTSTAR lamps,,Brightstar Factory,"
    "Bright Imp Ltd,CN,100,9000"
)
UNRELATED = "531620261000001,3,Huangpu,import,6912.00,Ceramic cups,,Cup Co,Cafe Ltd,CN,50,300"
CSV = "\n".join([HEADER, INFRINGING, GENUINE, UNRELATED]) + "\n"


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER)


@pytest.fixture
def recorded(make_user, make_application):
    """BRIGHTSTAR recorded with its HS code, a legitimate importer and a known infringer."""
    application = make_application(make_user(), Status.APPROVED)
    application.right.title = "BRIGHTSTAR"
    db.session.add_all([
        Goods(application_id=application.id, position=0, name="Lamp", hs_code="9405"),
        Trader(application_id=application.id, role=TraderRole.IMPORTER, name="Bright Imp Ltd"),
        Infringer(application_id=application.id, name="Fake Lights Co", ports="Huangpu"),
    ])  # fmt: skip
    row = recordation_row(application)
    db.session.commit()
    return row


def run_count() -> int:
    return db.session.execute(select(func.count()).select_from(ScreeningRun)).scalar_one()


def hit_count() -> int:
    return db.session.execute(select(func.count()).select_from(ScreeningHit)).scalar_one()


def _post(client, **data):
    return client.post("/screening/", data={"threshold": "50", **data})


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- the form


def test_the_page_lists_the_columns_the_example_and_an_empty_state(client, login, officer):
    login(officer)
    html = client.get("/screening/").get_data(as_text=True)
    assert 'data-testid="screen-form"' in html and 'name="threshold"' in html
    assert re.search(r'id="threshold"[^>]*value="50"', html)
    assert "declaration_number, line_number, port, direction, hs_code" in html
    assert 'href="/screening/example.csv"' in html
    assert "You have not screened any declarations yet." in html
    assert 'href="/screening/"' in html  # the navbar link


def test_the_example_file_has_the_columns_and_screens_cleanly(client, login, officer):
    login(officer)
    response = client.get("/screening/example.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8-sig")
    assert text.splitlines()[0] == HEADER
    response = _post(client, file=(BytesIO(response.get_data()), "example.csv"))
    assert response.status_code == 303
    assert db.session.execute(select(ScreeningRun.line_count)).scalar_one() == 4


def test_pasted_lines_are_screened_and_the_run_page_shows_the_hit_and_its_reasons(
    client, login, officer, recorded
):
    login(officer)
    response = _post(client, lines=CSV)
    run = db.session.execute(select(ScreeningRun)).scalar_one()
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/screening/runs/{run.id}")
    assert (run.source, run.line_count, run.hit_lines, run.created_by_id) == (
        RunSource.PASTE, 3, 1, officer.id
    )  # fmt: skip
    (hit,) = db.session.scalars(select(ScreeningHit)).all()
    assert (hit.line_number, hit.recordation_id) == (1, recorded.id)

    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert html.count('data-testid="hit"') == 1
    assert 'data-declaration="531620261000001" data-line="1"' in html
    assert f'href="/recordations/{recorded.id}"' in html and recorded.number in html
    assert f"Score {hit.score}" in html
    assert "The brand contains the recorded mark “BRIGHTSTAR”." in html
    assert "matches the recorded infringer “Fake Lights Co”" in html
    assert "LED desk lamps" in html and "Retail Imports GmbH" in html
    assert f"/cases/new?recordation_id={recorded.id}&amp;hit_id={hit.id}" in html
    assert 'data-line="2"' not in html  # the recorded legitimate importer's line


def test_tab_separated_cells_from_a_spreadsheet_are_read(client, login, officer, recorded):
    login(officer)
    pasted = "\n".join(line.replace(",", "\t") for line in CSV.splitlines())
    assert _post(client, lines=pasted).status_code == 303
    assert db.session.execute(select(ScreeningRun.hit_lines)).scalar_one() == 1


def test_a_csv_file_is_screened(client, login, officer, recorded):
    login(officer)
    response = _post(client, file=(BytesIO(CSV.encode()), "declarations.csv"))
    assert response.status_code == 303
    run = db.session.execute(select(ScreeningRun)).scalar_one()
    assert (run.source, run.input_name, run.line_count, run.hit_lines) == (
        RunSource.UPLOAD, "declarations.csv", 3, 1
    )  # fmt: skip
    listing = client.get("/screening/").get_data(as_text=True)
    assert 'data-testid="run-row"' in listing and "declarations.csv" in listing
    assert f'href="/screening/runs/{run.id}"' in listing


def test_an_xlsx_file_is_screened(client, login, officer, recorded):
    login(officer)
    rows = [line.split(",") for line in CSV.splitlines()]
    rows[1][1], rows[1][4] = 1, 9405.21  # numbers as a spreadsheet keeps them
    response = _post(client, file=(BytesIO(_xlsx(rows)), "declarations.xlsx"))
    assert response.status_code == 303
    run = db.session.execute(select(ScreeningRun)).scalar_one()
    assert (run.source, run.line_count, run.hit_lines) == (RunSource.UPLOAD, 3, 1)
    hit = db.session.execute(select(ScreeningHit)).scalar_one()
    assert (hit.line_number, hit.rules[0]) == (1, "mark")


def test_errors_are_listed_the_text_kept_and_nothing_stored(client, login, officer, recorded):
    login(officer)
    bad = CSV + "531620261000001,x,,,,Cups,,,,,,\n531620261000001,4,,sideways,,Cups,,,,,,\n"
    response = _post(client, lines=bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (run_count(), hit_count()) == (0, 0)
    assert 'data-testid="line-errors"' in html
    assert "line 5, column line_number: Write a whole number from 1." in html
    assert "line 6, column direction: Write import or export (or leave it blank)." in html
    assert "LED desk lamps" in html and "sideways" in html  # the pasted text is kept


def test_beyond_fifty_errors_the_rest_are_counted(client, login, officer):
    login(officer)
    text = HEADER + "\n" + "\n".join(f"D{i},x" for i in range(60))
    html = _post(client, lines=text).get_data(as_text=True)
    assert html.count("column line_number") == 50 and "and 10 more." in html
    assert run_count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"lines": ""}, "Paste the lines with their header row, or choose a file."),
        ({"lines": CSV, "file": (BytesIO(CSV.encode()), "a.csv")}, "not both"),
        ({"file": (BytesIO(b"%PDF-1.4 ..."), "a.pdf")}, "Upload a CSV or XLSX file"),
        ({"file": (BytesIO(CSV.encode()), "a.xlsx")}, "not a readable XLSX workbook"),
        ({"file": (BytesIO(b"PK\x03\x04garbage"), "a.xlsx")}, "not a readable XLSX workbook"),
        ({"file": (BytesIO(b"PK\x03\x04garbage"), "a.csv")}, "not a CSV text file"),
        ({"file": (BytesIO(b""), "a.csv")}, "The file is empty."),
        ({"lines": CSV, "threshold": "501"}, "Give a threshold from 0 to 500."),
        ({"lines": "port,hs_code\nA,1\n"}, "missing: declaration_number, line_number"),
    ],
)
def test_refused_input_stores_nothing(client, login, officer, data, message):
    login(officer)
    response = client.post("/screening/", data={"threshold": "50", **data})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert run_count() == 0


def test_a_file_over_the_size_limit_is_refused(app, client, login, officer, monkeypatch):
    monkeypatch.setitem(app.config, "SCREENING_MAX_BYTES", 1000)
    login(officer)
    body = (HEADER + "\n" + "D1,1,,,,cups,,,,,,\n" * 100).encode()
    response = _post(client, file=(BytesIO(body[:1500]), "big.csv"))
    assert response.status_code == 422 and "The file is larger than" in response.get_data(
        as_text=True
    )
    assert run_count() == 0


def test_a_file_over_the_inline_limit_goes_to_the_batch(
    client, login, officer, monkeypatch, make_user
):
    monkeypatch.setattr(screening, "INLINE_LINES", 3)
    started = {}

    def start_batch(actor, stream, filename, threshold=None):
        started.update(actor=actor.id, data=stream.read(), filename=filename, threshold=threshold)
        run = ScreeningRun(
            created_by_id=actor.id, source=RunSource.BATCH, input_name=filename, threshold=60
        )
        db.session.add(run)
        db.session.commit()
        return run

    monkeypatch.setattr(screening_batches, "start_batch", start_batch)
    login(officer)
    body = (HEADER + "\n" + "".join(f"D1,{i},,,,cups,,,,,,\n" for i in range(1, 5))).encode()
    response = _post(client, file=(BytesIO(body), "big.csv"), threshold="60")
    run = db.session.execute(select(ScreeningRun)).scalar_one()
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/screening/runs/{run.id}")
    assert started == {"actor": officer.id, "data": body, "filename": "big.csv", "threshold": 60}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "it is screened in the background" in page
    assert 'data-testid="hits"' not in page and "No line reached" not in page  # still running
    # pasted lines over the limit are not a batch: the officer is told to upload a file
    html = _post(client, lines=body.decode()).get_data(as_text=True)
    assert "More than 3 lines: screen them as a batch file." in html and run_count() == 1


# --------------------------------------------------------------------------- the run page


def _run_with_scores(officer, recorded, *descriptions):
    lines = [f"D1,{i},Huangpu,,{hs},{text},,,,,," for i, (text, hs) in enumerate(descriptions, 1)]
    from ipr_apps.screening.lines import parse_text

    parsed = parse_text(HEADER + "\n" + "\n".join(lines))
    run, _ = screening.screen_lines(officer, parsed.lines)
    return run


def test_the_score_filter_and_the_order(client, login, officer, recorded):
    run = _run_with_scores(
        officer, recorded, ("Brightstar lamps", ""), ("Brightstar lamps", "9405.21")
    )
    login(officer)
    html = client.get(f"/screening/runs/{run.id}").get_data(as_text=True)
    assert re.findall(r'data-line="(\d)"', html) == ["2", "1"]  # 75 before 50
    filtered = client.get(f"/screening/runs/{run.id}?min_score=60").get_data(as_text=True)
    assert re.findall(r'data-line="(\d)"', filtered) == ["2"]
    assert re.search(r'id="min_score"[^>]*value="60"', filtered)
    for bad in ("abc", "-5", "10", "9999999999999999999999", "²"):
        page = client.get(f"/screening/runs/{run.id}?min_score={bad}").get_data(as_text=True)
        assert re.findall(r'data-line="(\d)"', page) == ["2", "1"], bad
    none = client.get(f"/screening/runs/{run.id}?min_score=200").get_data(as_text=True)
    assert "No line reached a score of 200." in none


def test_a_run_without_hits_says_so(client, login, officer, recorded):
    run = _run_with_scores(officer, recorded, ("Ceramic cups", ""))
    login(officer)
    html = client.get(f"/screening/runs/{run.id}").get_data(as_text=True)
    assert "No line reached the threshold of 50" in html
    assert 'data-testid="hit"' not in html


def test_hits_are_paged(app, client, login, officer, recorded, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    run = _run_with_scores(officer, recorded, *[("Brightstar lamps", "")] * 3)
    login(officer)
    html = client.get(f"/screening/runs/{run.id}").get_data(as_text=True)
    assert html.count('data-testid="hit"') == 2
    cursor = re.search(r'rel="next"\s+href="([^"]+)"', html).group(1).replace("&amp;", "&")
    rest = client.get(cursor).get_data(as_text=True)
    assert rest.count('data-testid="hit"') == 1


def test_another_officers_run_is_not_found(client, login, officer, recorded, make_user):
    run = _run_with_scores(officer, recorded, ("Brightstar lamps", ""))
    other = make_user(Role.OFFICER)
    login(other)
    assert client.get(f"/screening/runs/{run.id}").status_code == 404
    assert f"/screening/runs/{run.id}" not in client.get("/screening/").get_data(as_text=True)


# --------------------------------------------------------------------------- a case from a hit


def _hit(officer) -> ScreeningHit:
    return db.session.execute(
        select(ScreeningHit).join(ScreeningRun).where(ScreeningRun.created_by_id == officer.id)
    ).scalar_one()


def test_a_case_opened_from_a_hit_is_prefilled_and_keeps_the_hit(client, login, officer, recorded):
    login(officer)
    _post(client, lines=CSV)
    hit = _hit(officer)
    url = f"/cases/new?recordation_id={recorded.id}&hit_id={hit.id}"
    html = client.get(url).get_data(as_text=True)
    assert 'data-testid="from-hit"' in html and "declaration 531620261000001, line 1" in html
    assert re.search(r'id="goods"[^>]*>\s*LED desk lamps \(brand BRIGHTSTAR\)</textarea>', html)
    assert re.search(r'id="hs_code"[^>]*value="940521"', html)
    assert re.search(r'id="consignor"[^>]*value="Fake Lights Co. Ltd"', html)
    assert re.search(r'id="consignee"[^>]*value="Retail Imports GmbH"', html)
    assert re.search(r'id="items"[^>]*value="500"', html)
    assert re.search(r'id="value_cny"[^>]*value="12000.50"', html)
    assert re.search(r'value="import"[^>]*checked|checked[^>]*value="import"', html)
    assert re.search(r'<option[^>]*selected[^>]*value="CN"|<option value="CN" selected', html)
    assert re.search(rf'name="hit_id" type="hidden" value="{hit.id}"', html) or re.search(
        rf'type="hidden"[^>]*name="hit_id"[^>]*value="{hit.id}"', html
    )
    form = {
        "channel": "freight", "direction": "import", "goods": "LED desk lamps (brand BRIGHTSTAR)",
        "hs_code": "940521", "items": "500", "value_cny": "12000.50",
        "consignor": "Fake Lights Co. Ltd", "consignee": "Retail Imports GmbH",
        "country_of_origin": "CN", "hit_id": str(hit.id),
    }  # fmt: skip
    response = client.post(f"/cases/new?recordation_id={recorded.id}", data=form)
    assert response.status_code == 302
    case = db.session.execute(select(DetentionCase)).scalar_one()
    assert (case.screening_hit_id, case.recordation_id) == (hit.id, recorded.id)
    assert (case.goods, case.hs_code, case.items, case.value_cny) == (
        "LED desk lamps (brand BRIGHTSTAR)", "940521", 500, Decimal("12000.50")
    )  # fmt: skip
    assert (case.consignor, case.consignee, case.country_of_origin) == (
        "Fake Lights Co. Ltd", "Retail Imports GmbH", "CN"
    )  # fmt: skip


def test_without_a_hit_the_case_form_is_as_before(client, login, officer, recorded):
    login(officer)
    html = client.get(f"/cases/new?recordation_id={recorded.id}").get_data(as_text=True)
    assert 'data-testid="from-hit"' not in html
    assert re.search(r'id="goods"[^>]*>\s*Lamp</textarea>', html)
    form = {"channel": "freight", "direction": "import", "goods": "Lamps", "items": "1",
            "value_cny": "1", "hs_code": "940521"}  # fmt: skip
    response = client.post(f"/cases/new?recordation_id={recorded.id}", data=form)
    assert response.status_code == 302, re.findall(r"<li>.*?</li>", response.get_data(as_text=True))
    assert db.session.execute(select(DetentionCase.screening_hit_id)).scalar_one() is None


def test_a_hit_of_another_officers_run_or_another_recordation_is_not_found(
    client, login, officer, recorded, make_user, make_application
):
    login(officer)
    _post(client, lines=CSV)
    hit = _hit(officer)
    other = make_user(Role.OFFICER)
    login(other)
    url = f"/cases/new?recordation_id={recorded.id}&hit_id={hit.id}"
    assert client.get(url).status_code == 404
    form = {"channel": "freight", "direction": "import", "goods": "Lamps", "items": "1",
            "value_cny": "1", "hit_id": str(hit.id)}  # fmt: skip
    assert client.post(f"/cases/new?recordation_id={recorded.id}", data=form).status_code == 404
    login(officer)
    application = make_application(make_user(), Status.APPROVED)
    elsewhere = recordation_row(application)
    db.session.commit()
    assert (
        client.get(f"/cases/new?recordation_id={elsewhere.id}&hit_id={hit.id}").status_code == 404
    )
    for bad in ("x", "999999", "²"):
        assert (
            client.get(f"/cases/new?recordation_id={recorded.id}&hit_id={bad}").status_code == 404
        )
    assert db.session.execute(select(func.count()).select_from(DetentionCase)).scalar_one() == 0


@pytest.mark.parametrize("role", [Role.HOLDER, Role.REVIEWER, Role.ADMIN])
def test_other_roles_are_refused(client, login, make_user, role):
    login(make_user(role))
    assert client.get("/screening/").status_code == 403
    assert _post(client, lines=CSV).status_code == 403
    assert run_count() == 0


def test_a_large_paste_within_the_line_limit_is_screened(client, login, officer, recorded):
    """2,000 lines with long descriptions (about 1 MB, past Werkzeug's 500 kB default for a
    form field) are within what the page offers: screened, not a bare 413 page."""
    login(officer)
    long_line = INFRINGING.replace("LED", "LED " + "x" * 400, 1)
    text = "\n".join([HEADER, *[long_line] * 2000]) + "\n"
    assert len(text.encode()) > 800_000
    # As the browser sends the form: multipart (it has a file field), encoded in memory (the
    # test client would spool a body this large to a temporary file it never closes).
    boundary, body = encode_multipart({"threshold": "50", "lines": text})
    response = client.post(
        "/screening/", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 303, response.status_code
    assert db.session.execute(select(ScreeningRun.line_count)).scalar_one() == 2000


def test_a_hit_opens_one_case_and_then_links_to_it(client, login, officer, recorded):
    """A second case from the same hit is refused (the link leads to the first), the run page
    shows the case instead of the button, and the case page says the screening found it."""
    login(officer)
    _post(client, lines=CSV)
    hit = db.session.execute(select(ScreeningHit)).scalars().first()
    url = f"/cases/new?recordation_id={hit.recordation_id}&hit_id={hit.id}"
    assert client.get(url).status_code == 200
    data = {"hit_id": str(hit.id), "channel": "freight",
            "direction": "import", "goods": "LED desk lamps", "hs_code": "9405210000",
            "items": "500", "value_cny": "12000.50"}  # fmt: skip
    assert client.post(url, data=data).status_code == 302
    case = db.session.execute(select(DetentionCase)).scalar_one()
    again = client.post(url, data=data)
    assert again.status_code == 302 and again.headers["Location"] == f"/cases/{case.id}"
    assert db.session.execute(select(func.count()).select_from(DetentionCase)).scalar_one() == 1
    page = client.get(f"/screening/runs/{hit.run_id}").get_data(as_text=True)
    assert f'href="/cases/{case.id}"' in page and case.case_number in page
    shown = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'data-testid="case-screening"' in shown and f"line {hit.line_number}" in shown


def test_the_service_refuses_a_second_case_from_one_hit(officer, recorded):
    from ipr_apps.errors import ConflictError
    from ipr_apps.models import Channel, Direction
    from ipr_apps.screening.lines import parse_text
    from ipr_apps.services import cases
    from ipr_apps.services.cases import CaseFacts

    run, _ = screening.screen_lines(officer, parse_text(CSV).lines)
    hit = (
        db.session.execute(select(ScreeningHit).where(ScreeningHit.run_id == run.id))
        .scalars()
        .first()
    )
    facts = CaseFacts(channel=Channel.FREIGHT, direction=Direction.IMPORT, goods="Lamps",
                      items=1, value_cny=Decimal("10"))  # fmt: skip
    first = cases.open_ex_officio(officer, hit.recordation_id, facts, hit.id)
    with pytest.raises(ConflictError, match=first.case_number):
        cases.open_ex_officio(officer, hit.recordation_id, facts, hit.id)
