"""Detention cases and holders' requests for detention in Chinese (Accept-Language: zh-CN): the
officer's case page and new-case form, a validation error, the holder's request pages, flashes
and refusals, and the locale's dates, numbers and money (English pages keep ¥1,234.50)."""

from __future__ import annotations

import re
from decimal import Decimal
from io import BytesIO

import pytest
from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.models import DetentionCase, DetentionRequest, Role
from ipr_apps.services import detention_requests as requests_service
from tests import files
from tests.case_helpers import detain, open_case, recordation_with_goods
from tests.factories import make_district
from tests.test_detention_requests import fields, pdf

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}
CHINESE_DAY = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")


def zh_day(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def holder(make_user):
    make_district("5301")
    return make_user(Role.HOLDER)


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER, district="5301")


@pytest.fixture
def recordation(holder):
    return recordation_with_goods(holder, "Brightlight", goods=[("LED torch", "851310")])


@pytest.fixture
def case(officer, recordation):
    return open_case(officer, recordation, consignor="Fake Lights Co")


def test_the_officer_reads_the_case_page_in_chinese(client, login, officer, case, holder):
    page = text(login(officer).get(f"/cases/{case.id}", headers=ZH))
    for words in ("扣留案件", "待权利人确认", "依职权", "商标", "快件", "进口", "申报货值",
                  "权利人须在", "个工作日", "扣留货物并立案", "案件记录"):  # fmt: skip
        assert words in page, words
    english = ("Detention case", "Awaiting holder", "Ex officio", "Declared value",
               "The holder must confirm", "detained the goods", "History of the case")  # fmt: skip
    for words in english:
        assert words not in page, words
    # The locale's formats: money in yuan after the figure, grouped numbers, Chinese dates.
    assert re.search(r'data-testid="case-value">36,000.50元<', page)
    assert re.search(r'data-testid="case-items">1,200<', page)
    assert zh_day(case.opened_on) in page and zh_day(case.confirm_by) in page
    assert case.opened_on.isoformat() not in re.sub(r'datetime="[^"]*"', "", page)
    # The holder's two names, Chinese first (the consignor stays as typed).
    org = holder.organisation
    assert f"{org.name_local}（{org.name_en}）" in page and "Fake Lights Co" in page


def test_the_same_case_page_in_english_keeps_its_formats(client, login, officer, case, holder):
    page = text(login(officer).get(f"/cases/{case.id}", headers=EN))
    assert "Detention case" in page and "Awaiting holder" in page and "扣留" not in page
    assert re.search(r'data-testid="case-value">¥36,000.50<', page)
    assert f"{case.opened_on.day} {case.opened_on:%b %Y}" in page
    org = holder.organisation
    assert f"{org.name_en} ({org.name_local})" in page


def test_the_new_case_form_and_its_errors_in_chinese(client, login, officer, recordation):
    url = f"/cases/new?recordation_id={recordation.id}"
    page = text(login(officer).get(url, headers=ZH))
    chinese = ("依职权扣留立案", "渠道", "跨境电商", "邮递", "货运", "进出境方向", "出口",
               "申报货值（元）", "发货人", "收货人", "立案并通知权利人", "有效期至")  # fmt: skip
    for words in chinese:
        assert words in page, words
    assert "Open an ex officio case" not in page and "Cross-border e-commerce" not in page
    english = text(client.get(url, headers={"Accept-Language": "en"}))
    assert "Cross-border e-commerce" in english  # hyphenated, as the trade writes it
    data = {"channel": "express", "direction": "import", "goods": "", "items": "many",
            "value_cny": "10"}  # fmt: skip
    response = client.post(url, data=data, headers=ZH)
    assert response.status_code == 422
    page = text(response)
    assert "请更正以下内容：" in page and "请描述货物。" in page
    assert "Describe the goods." not in page and "Not a valid integer value." not in page
    assert db.session.scalar(select(DetentionCase.id)) is None


def test_opening_a_case_flashes_in_chinese_with_a_chinese_date(client, login, officer, recordation):
    data = {"channel": "post", "direction": "import", "goods": "LED torches", "items": "5",
            "value_cny": "100"}  # fmt: skip
    url = f"/cases/new?recordation_id={recordation.id}"
    response = login(officer).post(url, data=data, headers=ZH, follow_redirects=True)
    case = db.session.scalars(select(DetentionCase)).one()
    page = text(response)
    assert f"案件{case.case_number}已立案。权利人须在{zh_day(case.confirm_by)}前确认扣留" in page
    assert "is open. The holder has until" not in page


def test_the_holder_confirms_in_chinese_with_the_amounts_in_yuan(client, login, holder, case):
    page = text(login(holder).get(f"/cases/{case.id}/confirm", headers=ZH))
    assert f"确认案件{case.case_number}的扣留" in page and "担保金额（元）" in page
    assert "您须在" in page and "申报货值（36,000.50元）" in page
    assert "Confirm the detention" not in page
    # A bond above the goods' value: the service's message, in Chinese, beside the field.
    response = client.post(f"/cases/{case.id}/confirm", data={"bond_cny": "99999"}, headers=ZH)
    assert response.status_code == 422
    assert "担保金额不得高于货物的申报货值（36,000.50元）。" in text(response)


def test_the_event_log_shows_the_bond_in_the_readers_language(client, login, holder, officer, case):
    detained = detain(case, holder)
    with db.session.begin_nested():
        detained.bond_cny = Decimal("20000.00")
    db.session.commit()
    page = text(login(officer).get(f"/cases/{case.id}", headers=ZH))
    assert "确认了扣留申请" in page and "担保金额20,000.00元" in page and "已扣留" in page
    assert "（待权利人确认 → 已扣留）" in page  # full-width brackets around the change
    english = text(client.get(f"/cases/{case.id}", headers=EN))
    assert "Bond of ¥20,000.00" in english and "confirmed the request for detention" in english
    assert "(awaiting holder → detained)" in english


def test_the_case_list_in_chinese(client, login, officer, case):
    page = text(login(officer).get("/cases/", headers=ZH))
    assert "扣留案件" in page and "立案日期" in page and "全部状态" in page
    assert f"须在{zh_day(case.confirm_by)}前确认" in page
    assert "Any status" not in page and "confirm by" not in page


def test_a_refusal_of_the_workflow_reads_in_chinese(client, login, officer, holder, case):
    detain(case, holder)
    response = login(holder).get(f"/cases/{case.id}/confirm", headers=ZH, follow_redirects=True)
    assert f"案件{case.case_number}已不能确认。" in text(response)


# -- the holder's requests for detention ---------------------------------------------------


def test_the_holder_files_a_request_in_chinese(client, login, holder, recordation):
    url = f"/detention-requests/new?recordation_id={recordation.id}"
    page = text(login(holder).get(url, headers=ZH))
    for words in ("申请扣留货物", "口岸和时间", "可能进出境口岸（关区）", "证据文件",
                  "申请理由和证据", "提交申请", "请选择…"):  # fmt: skip
        assert words in page, words
    assert "Request detention of goods" not in page and "Evidence files" not in page
    response = client.post(url, data={"port_code": "5301", "goods": ""}, headers=ZH,
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 422
    page = text(response)
    assert "请描述货物。" in page and "请至少附上一个证据文件（PDF、JPEG或PNG）。" in page
    assert "请重新选择文件：" in page
    data = {
        "port_code": "5301", "channel": "cross_border_ecommerce", "direction": "import",
        "goods": "LED bulbs", "consignor": "Fake Lights Co", "items": "5000",
        "value_cny": "25000", "evidence": [(BytesIO(files.pdf()), "purchase.pdf")],
    }  # fmt: skip
    response = client.post(url, data=data, headers=ZH, content_type="multipart/form-data",
                           follow_redirects=True)  # fmt: skip
    filed = db.session.scalars(select(DetentionRequest)).one()
    assert f"申请{filed.reference}已提交，已通知海关5301的关员。" in text(response)


def test_the_request_page_and_list_in_chinese(client, login, holder, recordation):
    filed = requests_service.file(holder, recordation.id, fields(), [pdf()])
    page = text(login(holder).get(f"/detention-requests/{filed.id}", headers=ZH))
    for words in ("扣留申请", "已提交", "等待海关5301的关员", "撤回申请", "可能进出境口岸",
                  "货值", "证据"):  # fmt: skip
        assert words in page, words
    assert zh_day(filed.created_at) in page and "2026年11月10日至2026年11月30日" in page
    assert re.search(r'data-testid="request-value">25,000.00元<', page)
    assert re.search(r'data-testid="request-items">5,000<', page)
    assert "Request for detention" not in page and "Submitted" not in page
    listing = text(client.get("/detention-requests/", headers=ZH))
    assert "扣留申请" in listing and filed.reference in listing and "已提交" in listing
    assert "Requests for detention" not in listing
    none = text(client.get("/detention-requests/?status=refused", headers=ZH))
    assert "没有不予扣留的申请。" in none


def test_withdrawing_twice_is_refused_in_chinese(client, login, holder, recordation):
    filed = requests_service.file(holder, recordation.id, fields(), [pdf()])
    user = login(holder)
    first = user.post(f"/detention-requests/{filed.id}/withdraw", headers=ZH,
                      follow_redirects=True)  # fmt: skip
    assert f"申请{filed.reference}已撤回。" in text(first)
    second = user.post(f"/detention-requests/{filed.id}/withdraw", headers=ZH,
                       follow_redirects=True)  # fmt: skip
    assert f"申请{filed.reference}当前为“已撤回”状态，已不能撤回。" in text(second)
    assert "can no longer be withdrawn" not in text(second)
