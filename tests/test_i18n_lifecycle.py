"""Recordations, the public register and risk screening in Chinese and English: pages,
flashes and errors by Accept-Language, dates and money in the reader's format, two-script
holder names in the reader's language first, hit reasons worded again per reader, and the
contracts that never change (export columns, JSON keys, error codes, upload column names)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.i18n import in_language
from ipr_apps.models import (
    Goods,
    Infringer,
    JobStatus,
    RecordationEvent,
    RecordationStatus,
    Role,
    ScreeningHit,
    ScreeningRun,
    Status,
    Trader,
    TraderRole,
    today,
)
from ipr_apps.screening import rules
from ipr_apps.screening.reasons import localise
from ipr_apps.services import job_runs, jobs, lifecycle, screening_batches
from ipr_apps.services.screening_results import COLUMNS
from tests.factories import recordation_row

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
LABELS = {
    RecordationStatus.ACTIVE: "有效",
    RecordationStatus.EXPIRED: "已期满",
    RecordationStatus.LAPSED: "权利失效",
    RecordationStatus.CANCELLED: "已注销",
    RecordationStatus.REVOKED: "已撤销",
}
EN = {"Accept-Language": "en-GB,en;q=0.9"}
LOCAL, ENGLISH = "深圳光明电子有限公司", "Shenzhen Brightlight Electronics Co., Ltd."
HEADER = (
    "declaration_number,line_number,port,direction,hs_code,description,brand,consignor,"
    "consignee,country_of_origin,quantity,declared_value"
)
LINES = "\n".join([
    HEADER,
    "531620261000001,1,Huangpu,import,9405.21,LED desk lamps,BRIGHTSTAR,"
    "Fake Lights Co. Ltd,Retail Imports GmbH,CN,500,12000.50",
    "531620261000001,2,Huangpu,import,9405.21,BRIGHTSTAR lamps,,Brightstar Factory,"
    "Bright Imp Ltd,CN,100,9000",
]) + "\n"  # fmt: skip


def text_of(response) -> str:
    """The page's own content, without the navbar and footer (shared, tested elsewhere)."""
    html = response.get_data(as_text=True)
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def recorded(make_user, make_application, owner=None, **kw):
    """BRIGHTSTAR of a holder with names in both scripts, valid until 30 June 2031."""
    owner = owner or make_user()
    application = make_application(owner, Status.APPROVED)
    application.holder_name_local, application.holder_name_en = LOCAL, ENGLISH
    application.right.title = "BRIGHTSTAR"
    row = recordation_row(application, valid_from=date(2021, 7, 1),
                          valid_until=kw.get("valid_until", date(2031, 6, 30)))  # fmt: skip
    db.session.flush()
    db.session.add(RecordationEvent(
        recordation_id=row.id, action="create", to_status="active",
        application_id=application.id, valid_until=row.valid_until,
    ))  # fmt: skip
    db.session.commit()
    return row


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER)


@pytest.fixture
def screened_recordation(make_user, make_application):
    """BRIGHTSTAR with its HS code, a legitimate importer and a known infringer."""
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


# --------------------------------------------------------------------------- recordations


def test_the_recordation_page_in_chinese(client, login, make_user, make_application):
    holder = make_user()
    row = recorded(make_user, make_application, holder)
    login(holder)
    page = text_of(client.get(f"/recordations/{row.id}", headers=ZH))
    assert "有效" in page and "续展" in page and "备案信息" in page
    assert "2031年6月30日" in page and "2021年7月1日" in page
    assert f"{LOCAL}（{ENGLISH}）" in page  # the reader's script first
    assert "备案已生成，有效期至2031年6月30日。" in page  # the history's sentence
    assert '<time datetime="2031-06-30">' in page  # machines still read ISO
    for english in ("Valid until", "Renewal", "History of the recordation", "Recorded facts"):
        assert english not in page


def test_the_recordation_page_in_english_puts_the_english_name_first(
    client, login, make_user, make_application
):
    holder = make_user()
    row = recorded(make_user, make_application, holder)
    login(holder)
    page = text_of(client.get(f"/recordations/{row.id}", headers=EN))
    assert f"{ENGLISH} ({LOCAL})" in page and "30 Jun 2031" in page
    assert "the recordation was created, valid until 30 Jun 2031." in page


def test_an_open_renewal_window_is_one_sentence_pair_in_each_language(
    client, login, make_user, make_application
):
    holder = make_user()
    row = recorded(make_user, make_application, holder, valid_until=today() + timedelta(days=40))
    login(holder)
    page = text_of(client.get(f"/recordations/{row.id}", headers=ZH))
    assert "<strong>现在可以申请续展。</strong>续展申请期为" in page  # no space after 。
    english = text_of(client.get(f"/recordations/{row.id}", headers=EN))
    assert "<strong>The renewal window is open now.</strong> It runs from" in english


def test_the_list_in_chinese_with_its_filters_and_days(client, login, make_user, make_application):
    holder = make_user()
    recorded(make_user, make_application, holder, valid_until=today() - timedelta(days=2))
    login(holder)
    page = text_of(client.get("/recordations/", headers=ZH))
    assert "我的备案" in page and "全部状态" in page and "已于2天前届满" in page
    assert "12个月内" in page  # "expiring within 12 months"
    assert "My recordations" not in page and "Any status" not in page


def test_cancelling_in_chinese_a_missing_reason_and_the_flash(
    client, login, make_user, make_application
):
    holder = make_user()
    row = recorded(make_user, make_application, holder)
    login(holder)
    form = text_of(client.get(f"/recordations/{row.id}/cancel", headers=ZH))
    assert f'注销备案<span class="ref">{row.number}</span>？' in form and "注销后无法恢复。" in form
    refused = client.post(f"/recordations/{row.id}/cancel", data={"reason": ""}, headers=ZH)
    assert refused.status_code == 422 and "请填写理由。" in refused.get_data(as_text=True)
    done = client.post(f"/recordations/{row.id}/cancel", data={"reason": "权利已转让"},
                       headers=ZH, follow_redirects=True)  # fmt: skip
    page = text_of(done)
    assert f"备案{row.number}已注销，已通知权利人。" in page
    assert "已注销" in page and "您注销了本备案。" in page and "权利已转让" in page
    assert "（有效 → 已注销）" in page  # full-width brackets around the change of status
    english = text_of(client.get(f"/recordations/{row.id}", headers=EN))
    assert "(Active → Cancelled)" in english


def test_a_revoked_recordation_says_so_to_its_holder_in_chinese(
    client, login, make_user, make_application
):
    holder, admin = make_user(), make_user(Role.ADMIN)
    row = recorded(make_user, make_application, holder)
    lifecycle.revoke(admin, row.id, "Forged licence")
    login(holder)
    page = text_of(client.get(f"/recordations/{row.id}", headers=ZH))
    assert "海关撤销了本备案。" in page and "已撤销" in page
    assert "续展申请期已结束：备案状态为“已撤销”。" in page


# --------------------------------------------------------------------------- public register


def test_an_anonymous_visitor_searches_the_register_in_chinese(client, make_user, make_application):
    row = recorded(make_user, make_application)
    page = text_of(client.get("/register/?q=bright", headers=ZH))
    assert "知识产权海关保护备案公开查询" in page and "查询到的备案" in page
    assert "有效" in page and "2031年6月30日" in page
    assert f"{LOCAL}（{ENGLISH}）" in page and row.number in page
    assert "Public register of recordations" not in page and "Valid until" not in page
    empty = text_of(client.get("/register/?q=zzzz", headers=ZH))
    assert "没有备案号、权利编号、名称或权利人名称以“zzzz”开头的备案。" in empty


@pytest.mark.parametrize(
    ("status", "sentence"),
    [
        (RecordationStatus.ACTIVE, "本备案<strong>有效</strong>，有效期至2031年6月30日。"),
        (RecordationStatus.EXPIRED, "本备案已于2031年6月30日<strong>期满</strong>"),
        (RecordationStatus.LAPSED, "本备案已于2031年6月30日<strong>权利失效</strong>"),
        (RecordationStatus.CANCELLED, "<strong>注销</strong>。本备案不再有效。"),
        (RecordationStatus.REVOKED, "本备案已由海关于2031年6月30日<strong>撤销</strong>。"),
    ],
)
def test_the_verification_page_in_chinese(client, make_user, make_application, status, sentence):
    row = recorded(make_user, make_application)
    row.status = status
    row.ended_on = None if status.in_force else date(2031, 6, 30)
    db.session.commit()
    response = client.get(f"/register/{row.number}", headers=ZH)
    page = text_of(response)
    assert sentence in page
    assert LABELS[status] in page and "权利人所在国家（地区）" in page
    assert row.holder_country and f"（{row.holder_country}）" in page  # "中国（CN）"
    assert f'data-status="{status.value}"' in page  # the contract for scripts stays


def test_an_unknown_number_is_a_chinese_404_page_and_api_message(client):
    page = client.get("/register/T1999-999999", headers=ZH)
    assert page.status_code == 404
    assert "公开查询中没有备案号为" in text_of(page)
    zh = client.get("/api/v1/register/T1999-999999", headers=ZH)
    en = client.get("/api/v1/register/T1999-999999", headers=EN)
    assert zh.status_code == en.status_code == 404
    assert zh.json["error"]["code"] == en.json["error"]["code"] == "not_found"
    assert zh.json["error"]["message"] == "没有此备案号的备案。"
    assert en.json["error"]["message"] == "No recordation has this number."


def test_the_register_api_keys_do_not_change_with_the_language(client, make_user, make_application):
    row = recorded(make_user, make_application)
    zh = client.get(f"/api/v1/register/{row.number}", headers=ZH).json
    en = client.get(f"/api/v1/register/{row.number}", headers=EN).json
    assert zh == en and zh["status"] == "active" and zh["valid_until"] == "2031-06-30"


# --------------------------------------------------------------------------- screening


def _screen(client, headers):
    response = client.post("/screening/", data={"threshold": "50", "lines": LINES},
                           headers=headers)  # fmt: skip
    assert response.status_code == 303
    return response.headers["Location"]


def test_a_screening_run_page_with_its_reasons_in_chinese(
    client, login, officer, screened_recordation
):
    login(officer)
    page = text_of(client.get(_screen(client, ZH), headers=ZH))
    assert "筛查结果" in page and "粘贴的数据行" in page
    assert "品牌中含有备案商标“BRIGHTSTAR”。" in page
    assert "商品编码（HS编码）9405.21归入正品备案的商品编码9405项下。" in page
    assert "发货人“Fake Lights Co. Ltd”与备案的已知侵权嫌疑方“Fake Lights Co”相符。" in page
    assert "口岸“Huangpu”是备案的已知侵权嫌疑方“Fake Lights Co”使用的口岸。" in page
    assert "12,000.50元" in page and "Huangpu（进口）" in page and "1（命中1次）" in page
    for english in ("contains the recorded mark", "Screening results", "Why", "Goods as declared"):
        assert english not in page
    # Kept once, in the engine's English: the reader's language is chosen when it is shown.
    hit = db.session.execute(select(ScreeningHit)).scalar_one()
    assert hit.reasons[0] == "The brand contains the recorded mark “BRIGHTSTAR”."


def test_a_legitimate_importer_reason_in_both_languages(app):
    stored = rules.LEGITIMATE_TRADER.reason.format(
        party="consignee", name="Bright Imp Ltd", role="importer", trader="Bright Imp Ltd"
    )
    with in_language("zh_Hans"):
        assert localise("legitimate_trader", stored) == (
            "收货人“Bright Imp Ltd”即备案的合法进口商“Bright Imp Ltd”。"
        )
    with in_language("en"):
        assert localise("legitimate_trader", stored) == stored


@pytest.mark.parametrize(
    ("rule", "values"),
    [
        (rules.MARK, {"field": "description", "mark": "光明 “X”"}),
        (rules.HS_CODE, {"code": "9405.21", "recorded": "9405"}),
        (rules.INFRINGER, {"party": "consignor", "name": "A, B", "infringer": "A B Ltd"}),
        (rules.UNLISTED_TRADER, {}),
        (rules.INFRINGER_PORT, {"port": "Huangpu Port", "infringer": "Fake"}),
        (
            rules.LEGITIMATE_TRADER,
            {"party": "consignor", "name": "M", "role": "licensee", "trader": "M Co"},
        ),
    ],
)
def test_every_reason_reads_back_the_same_in_english(app, rule, values):
    stored = rule.reason.format(**values)
    with in_language("en"):
        assert localise(rule.name, stored) == stored
    with in_language("zh_Hans"):
        chinese = localise(rule.name, stored)
        assert chinese != stored and chinese.endswith("。")
        assert all(value in chinese for key, value in values.items()
                   if key not in ("field", "party", "role"))  # fmt: skip


def test_a_reason_the_page_cannot_read_is_shown_as_stored(app):
    with in_language("zh_Hans"):
        assert localise("mark", "Something else.") == "Something else."
        assert localise("no_such_rule", "Anything.") == "Anything."


def test_the_download_keeps_its_columns_and_words_the_reasons_for_the_reader(
    client, login, officer, screened_recordation
):
    login(officer)
    run_url = _screen(client, ZH)
    response = client.get(f"{run_url}/hits.csv", headers=ZH)
    data = response.get_data()
    response.close()  # sent from an open temporary file
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == COLUMNS  # the contract: never translated
    assert "品牌中含有备案商标“BRIGHTSTAR”。" in rows[1][COLUMNS.index("reasons")]
    assert rows[1][COLUMNS.index("rules")].startswith("mark;")  # rule names stay


def test_line_errors_and_the_column_help_in_chinese(client, login, officer):
    login(officer)
    help_page = text_of(client.get("/screening/", headers=ZH))
    assert "<code>declaration_number</code>和<code>line_number</code>为必填列" in help_page
    assert "粘贴报关数据行" in help_page and "开始筛查" in help_page
    bad = HEADER + "\n531620261000001,x,Huangpu,import,9405,lamps,,,,CN,1,1\n"
    response = client.post("/screening/", data={"threshold": "50", "lines": bad}, headers=ZH)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "部分数据行无法读取，未进行任何筛查。" in page
    assert "第2行，line_number列：请填写从1开始的整数。" in page
    too_high = client.post("/screening/", data={"threshold": "900", "lines": LINES}, headers=ZH)
    assert "请填写0至500之间的阈值。" in too_high.get_data(as_text=True)


def test_the_screening_api_words_reasons_and_errors_per_request(
    client, officer, screened_recordation
):
    from ipr_apps.services import tokens

    _, token = tokens.create_token(officer, "i18n")
    auth = {"Authorization": f"Bearer {token}"}
    line = {"declaration_number": "D1", "line_number": 1, "description": "BRIGHTSTAR lamps"}
    zh = client.post("/api/v1/screening", json={"lines": [line]}, headers={**auth, **ZH}).json
    en = client.post("/api/v1/screening", json={"lines": [line]}, headers={**auth, **EN}).json
    (zh_hit,), (en_hit,) = zh["lines"][0]["hits"], en["lines"][0]["hits"]
    assert set(zh_hit) == set(en_hit) and zh_hit["rules"] == en_hit["rules"] == ["mark"]
    assert zh_hit["reasons"] == ["货物描述中含有备案商标“BRIGHTSTAR”。"]
    assert en_hit["reasons"] == ["The description contains the recorded mark “BRIGHTSTAR”."]


def test_a_batch_reports_in_the_language_it_was_started_in(app, officer, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "JOBS_FOLDER", str(tmp_path / "jobs"))
    monkeypatch.setattr(jobs, "_hand_to_worker", lambda job_id: None)
    data = (HEADER + "\nD1,one,,,,lamps,,,,,,\n").encode()
    with in_language("zh_Hans"):  # the officer's request, read in Chinese
        run = screening_batches.start_batch(officer, io.BytesIO(data), "lines.csv")
    job_id = run.job_id
    assert run.job.parameters["locale"] == "zh_Hans"
    job_runs.run(job_id)  # the worker: no request, so no Accept-Language
    db.session.expire_all()
    job = db.session.get(ScreeningRun, run.id).job
    assert job.status == JobStatus.FAILED
    assert job.error == "文件中部分数据行有误，未进行任何筛查。请更正后重新上传。"
    assert job.error_lines == ["第2行，line_number列：请填写从1开始的整数。"]


def test_the_holders_hits_page_in_chinese(client, login, make_user, make_application):
    holder = make_user()
    recorded(make_user, make_application, holder)
    login(holder)
    page = text_of(client.get("/screening/hits", headers=ZH))
    assert "风险筛查命中" in page and "缺少3项信息" in page
    assert re.search(r"得分不低于50（默认阈值）", page)
    assert "Screening hits" not in page


def test_traders_and_infringers_are_known_under_their_english_names(make_user, make_application):
    """Recorded in Chinese with a name in English: a declaration under either name is theirs."""
    from ipr_apps.screening.engine import DeclarationLine, screen
    from ipr_apps.screening.index import ScreeningIndex, facts_of_active

    application = make_application(make_user(), Status.APPROVED)
    application.right.title = "BRIGHTSTAR"
    db.session.add_all([
        Trader(application_id=application.id, role=TraderRole.IMPORTER, name="深圳光明贸易有限公司",
               name_en="Shenzhen Bright Trading Co., Ltd."),
        Infringer(application_id=application.id, name="东莞闪亮灯具有限公司",
                  name_en="Dongguan Shiny Lamps Co., Ltd.", ports="黄埔"),
    ])  # fmt: skip
    recordation_row(application)
    db.session.commit()
    index = ScreeningIndex(facts_of_active(db.session))
    genuine = DeclarationLine("D1", 1, description="BRIGHTSTAR lamps",
                              consignee="SHENZHEN BRIGHT TRADING CO LTD")  # fmt: skip
    fake = DeclarationLine("D1", 2, description="lamps", port="黄埔港",
                           consignor="Dongguan Shiny Lamps Co Ltd")  # fmt: skip
    (genuine_result, fake_result) = screen(index, [genuine, fake])
    assert genuine_result.hits == ()
    (hit,) = fake_result.hits
    assert hit.rules == ("infringer", "infringer_port")
    assert "“Dongguan Shiny Lamps Co., Ltd.”" in hit.reasons[0]  # the recorded name it matched
