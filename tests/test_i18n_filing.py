"""The holder's side in both languages (issue 15): the application form and its validation,
flashes, the application page and its history, the documents panel, the certificate, the API's
messages; the English names of licensees, traders and infringers (`name_en`) through the form,
the API and a renewal's copy, and which of a party's two names comes first."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from html import unescape
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from ipr_apps.db import db
from ipr_apps.i18n import format_day, in_language
from ipr_apps.models import Application, Licensee, Role
from ipr_apps.services import changes, fact_diff, filing, review
from ipr_apps.services.content import holder_dict
from tests.api_helpers import API, bearer, token_for
from tests.change_helpers import decide, on, payload, with_documents
from tests.factories import add_required_documents, complete_payload
from tests.test_filing_pages import _form_data

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}
ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "ipr_apps/translations/zh_Hans/LC_MESSAGES/messages.po"

HOLDER = {"name_local": "光明照明有限公司", "name_en": "Brightlight Lighting Co"}
LICENSEE = {"name": "光明欧洲有限公司", "name_en": "Bright EU GmbH", "country": "DE"}
TRADER = {"role": "exporter", "name": "深圳光明出口公司", "name_en": "Shenzhen Bright Export",
          "country": "CN"}  # fmt: skip
INFRINGER = {"name": "假灯有限公司", "name_en": "Fake Lights Co", "country": "CN"}


def text_of(html: str) -> str:
    """The page's visible text, roughly: no scripts, styles or tags, entities decoded."""
    body = html[html.find("<body") :]
    body = re.sub(r"<(script|style|template)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def untranslated(page_text: str) -> list[str]:
    """Catalogue messages (of two words or more) shown in English on a Chinese page."""
    with CATALOGUE.open("rb") as file:
        catalogue = read_po(file)
    found = []
    for message in catalogue:
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        if not msgid or "%(" in msgid or len(msgid.split()) < 2:
            continue
        if msgid in page_text:
            found.append(msgid)
    return found


def two_scripts_payload() -> dict:
    data = complete_payload()
    data["holder"] = HOLDER
    data["licensees"] = [LICENSEE]
    data["traders"] = [TRADER]
    data["infringers"] = [INFRINGER]
    return data


@pytest.fixture
def holder(make_user, login):
    user = make_user(Role.HOLDER)
    login(user)
    return user


@pytest.fixture
def approved(holder, make_user) -> Application:
    draft = filing.create_draft(holder, "trademark", two_scripts_payload())
    add_required_documents(draft)
    filing.submit(holder, draft.id)
    reviewer = make_user(Role.REVIEWER)
    review.claim(reviewer, draft.id)
    review.approve(reviewer, draft.id)
    db.session.expire_all()
    return db.session.get(Application, draft.id)


# --- the form ------------------------------------------------------------------------------


def test_new_application_and_the_form_in_chinese(client, holder):
    page = client.get("/applications/new", headers=ZH).get_data(True)
    assert "新建备案申请" in page and "权利类型" in page and "专利 — 实用新型" in page
    assert "New application" not in page and "Type of right" not in page

    response = client.post("/applications/new", data={"ipr_type": "trademark"}, headers=ZH)
    assert response.status_code == 302
    form = client.get(response.headers["Location"], headers=ZH).get_data(True)
    draft = db.session.query(Application).one()
    assert f"草稿 {draft.reference} 已创建" in form  # the flash, in the language of the POST
    for heading in (
        "1. 权利人",
        "2. 权利 — 商标",
        "3. 被许可人",
        "4. 正品货物",
        "5. 已知侵权嫌疑方",
    ):
        assert heading in form
    assert "商标注册号" in form and "英文名称" in form and "保存草稿" in form
    assert '<option value="exporter">出口商</option>' in form  # a trader's role, translated
    for english in ("Save draft", "Genuine goods", "Licensee name", "Name in English"):
        assert english not in text_of(form)
    assert untranslated(text_of(form)) == []


def test_a_validation_error_and_its_flash_in_chinese(client, holder):
    draft = filing.create_draft(holder, "trademark")
    data = _form_data({"holder": holder_dict(draft)}, action="submit")
    response = client.post(f"/applications/{draft.id}/edit", data=data, headers=ZH)
    assert response.status_code == 422
    page = response.get_data(True)
    assert "提交前请更正以下问题" in page and "此项为必填项。" in page
    assert "请至少填写一种正品货物。" in page and "请上传知识产权证明。" in page
    assert "权利：商标注册号" in page  # the summary names the group and the field
    assert "申请尚不完整" in page  # the flash
    assert "This field is required." not in page and "problems" not in page
    assert untranslated(text_of(page)) == []


def test_a_format_error_of_wtforms_is_shown_in_chinese(client, holder):
    draft = filing.create_draft(holder, "trademark")
    data = _form_data({"holder": holder_dict(draft)}, **{"right-expiry_date": "31/02/2030"})
    response = client.post(f"/applications/{draft.id}/edit", data=data, headers=ZH)
    assert response.status_code == 422
    page = response.get_data(True)
    assert "部分字段格式不正确" in page
    assert "Not a valid date value." not in page  # WTForms' own message, translated by it


def test_the_same_error_reads_in_english(client, holder):
    draft = filing.create_draft(holder, "trademark")
    data = _form_data({"holder": holder_dict(draft)}, action="submit")
    page = client.post(f"/applications/{draft.id}/edit", data=data, headers=EN).get_data(True)
    assert "This field is required." in page and "Right: Trademark registration number" in page
    assert "此项为必填项" not in page


def test_an_upload_refusal_is_flashed_in_chinese(client, holder):
    draft = filing.create_draft(holder, "trademark")
    data = {"doc_type": "identity_proof", "file": (io.BytesIO(b""), "empty.pdf")}
    response = client.post(
        f"/applications/{draft.id}/documents", data=data, headers=ZH,
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 302
    page = client.get(response.headers["Location"], headers=ZH).get_data(True)
    assert "文件为空。" in page and "The file is empty." not in page


# --- the application page, its history and the certificate -------------------------------


def test_application_page_in_chinese(client, approved):
    page = client.get(f"/applications/{approved.id}", headers=ZH).get_data(True)
    decided = approved.decision.decided_on
    assert f"决定：于{decided.year}年{decided.month}月{decided.day}日核准" in page
    assert "已核准" in page and "办理记录" in page and "您提交了申请。" in page
    assert "海关核准了申请：备案号" in page  # the history: customs, not the officer, for holders
    assert "¥" not in page and "10.00元" in page  # the price range of goods sold in yuan
    assert "… – …" not in page  # a licence without a term says so, not with two ellipses
    code = approved.holder_country
    assert code and f"（{code}）" in page and f" ({code})" not in page  # "中国（CN）"
    assert untranslated(text_of(page)) == []


def test_the_reviewers_history_puts_statuses_in_full_width_brackets(
    client, login, make_user, approved
):
    login(make_user(Role.REVIEWER))
    page = client.get(f"/review/{approved.id}", headers=ZH).get_data(True)
    assert "提交了申请。（草稿 → 已提交）" in re.sub(r"<[^>]+>", "", page)  # no space before it
    assert "（已提交 → 审核中）" in page
    assert "(草稿" not in page
    assert f"（{approved.holder_country}）" in page.split("</h1>", 1)[1].split("</p>", 1)[0]
    english = client.get(f"/review/{approved.id}", headers=EN).get_data(True)
    assert "submitted the application. (Draft → Submitted)" in re.sub(r"<[^>]+>", "", english)


@pytest.mark.parametrize(
    ("term", "chinese", "english"),
    [
        ({}, "<td>—</td></tr>", "<td>—</td></tr>"),
        ({"term_until": date(2030, 6, 30)}, "至2030年6月30日", "until 30 Jun 2030"),
        ({"term_from": date(2021, 7, 1)}, "自2021年7月1日起", "from 1 Jul 2021"),
        ({"term_from": date(2021, 7, 1), "term_until": date(2030, 6, 30)},
         "2021年7月1日至2030年6月30日", "1 Jul 2021 to 30 Jun 2030"),
    ],
)  # fmt: skip
def test_a_licence_term_reads_as_far_as_it_is_known(client, approved, term, chinese, english):
    licensee = approved.licensees[0]
    for name, value in term.items():
        setattr(licensee, name, value)
    db.session.commit()
    row = re.compile(r'<td data-testid="licensee-name">.*?</tr>', re.S)
    zh = row.search(client.get(f"/applications/{approved.id}", headers=ZH).get_data(True))[0]
    assert chinese in zh and "…" not in zh
    en = row.search(client.get(f"/applications/{approved.id}", headers=EN).get_data(True))[0]
    assert english in en and "…" not in en


def test_certificate_in_chinese(client, approved):
    page = client.get(f"/applications/{approved.id}/certificate", headers=ZH).get_data(True)
    rec = approved.recordation
    assert "<title>知识产权海关保护备案证明 " in page or "知识产权海关保护备案证明" in page
    assert "Recordation certificate" not in page and "Right holder" not in page
    start, end = (f"{d.year}年{d.month}月{d.day}日" for d in (rec.valid_from, rec.valid_until))
    validity = re.search(r'data-testid="validity">(.*?)</dd>', page, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", validity) == f"{start}至{end}"
    assert "光明照明有限公司（Brightlight Lighting Co）" in page  # the reader's script first
    assert "光明欧洲有限公司（Bright EU GmbH）" in page
    assert untranslated(text_of(page)) == []


def test_certificate_in_english(client, approved):
    page = client.get(f"/applications/{approved.id}/certificate", headers=EN).get_data(True)
    rec = approved.recordation
    assert "Recordation certificate" in page and "知识产权海关保护备案证明" not in page
    validity = re.search(r'data-testid="validity">(.*?)</dd>', page, re.S).group(1)
    expected = f"{format_day(rec.valid_from)} to {format_day(rec.valid_until)}"
    assert re.sub(r"<[^>]+>", "", validity) == expected
    assert re.fullmatch(r"\d{1,2} \w{3,4} \d{4} to \d{1,2} \w{3,4} \d{4}", expected)
    assert "Brightlight Lighting Co (光明照明有限公司)" in page
    assert "Bright EU GmbH (光明欧洲有限公司)" in page


def test_my_applications_in_chinese(client, approved):
    page = client.get("/applications/", headers=ZH).get_data(True)
    created = approved.created_at
    assert "我的申请" in page and "新建备案申请" in page and "已核准" in page
    assert f"{created.year}年{created.month}月{created.day}日" in page
    assert untranslated(text_of(page)) == []


# --- names in two scripts --------------------------------------------------------------------


def test_name_en_round_trip_through_the_form(client, holder):
    draft = filing.create_draft(holder, "trademark")
    data = _form_data(
        {"holder": holder_dict(draft), "licensees": [LICENSEE], "traders": [TRADER],
         "infringers": [INFRINGER]},
        action="save",
    )  # fmt: skip
    assert client.post(f"/applications/{draft.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Application, draft.id)
    assert [r.name_en for r in (*saved.licensees, *saved.traders, *saved.infringers)] == [
        "Bright EU GmbH", "Shenzhen Bright Export", "Fake Lights Co",
    ]  # fmt: skip
    form = client.get(f"/applications/{draft.id}/edit").get_data(True)
    for group, value in (("licensees", "Bright EU GmbH"), ("traders", "Shenzhen Bright Export"),
                         ("infringers", "Fake Lights Co")):  # fmt: skip
        assert re.search(rf'name="{group}-0-name_en"[^>]*value="{value}"', form)
    zh = client.get(f"/applications/{draft.id}", headers=ZH).get_data(True)
    en = client.get(f"/applications/{draft.id}", headers=EN).get_data(True)
    assert (
        "深圳光明出口公司（Shenzhen Bright Export）" in zh
        and "假灯有限公司（Fake Lights Co）" in zh
    )
    assert (
        "Shenzhen Bright Export (深圳光明出口公司)" in en and "Fake Lights Co (假灯有限公司)" in en
    )


def test_name_en_round_trip_through_the_api(client, holder):
    headers = {**bearer(token_for(holder)), "Content-Type": "application/json"}
    body = {"ipr_type": "trademark", "licensees": [LICENSEE], "infringers": [INFRINGER]}
    created = client.post(f"{API}/applications", data=json.dumps(body), headers=headers)
    assert created.status_code == 201
    item = created.get_json()
    assert item["licensees"][0]["name_en"] == "Bright EU GmbH"
    assert item["infringers"][0]["name_en"] == "Fake Lights Co"
    patch = {"traders": [TRADER], "licensees": [{**LICENSEE, "name_en": None}]}
    url = f"{API}/applications/{item['id']}"
    changed = client.patch(url, data=json.dumps(patch), headers=headers).get_json()
    assert changed["traders"][0]["name_en"] == "Shenzhen Bright Export"
    assert changed["licensees"][0]["name_en"] is None
    assert client.get(url, headers=headers).get_json()["traders"][0]["name_en"] == (
        "Shenzhen Bright Export"
    )


def test_a_renewal_copies_the_english_names_and_an_amendment_compares_them(make_user):
    owner, reviewer = make_user(), make_user(Role.REVIEWER)
    with on(date(2016, 3, 1)):
        data = {**payload(date(2060, 12, 31)), "licensees": [LICENSEE], "traders": [TRADER],
                "infringers": [INFRINGER]}  # fmt: skip
        draft = filing.create_draft(owner, "trademark", data)
        with_documents(owner, draft.id)
        filing.submit(owner, draft.id)
        recordation = decide(reviewer, draft.id).recordation
    with on(date(2025, 10, 1)):  # inside the renewal window
        renewal = changes.start_renewal(owner, recordation.id)
    copied = [r.name_en for r in (*renewal.licensees, *renewal.traders, *renewal.infringers)]
    assert copied == ["Bright EU GmbH", "Shenzhen Bright Export", "Fake Lights Co"]
    filing.withdraw(owner, renewal.id)

    amendment = changes.start_amendment(owner, recordation.id)
    rows = [{**LICENSEE, "name_en": "Bright Europe GmbH"}]
    filing.update_draft(owner, amendment.id, {"licensees": rows})
    [change] = fact_diff.compare(amendment).groups["licensees"]
    assert [(f.field, f.old, f.new) for f in change.fields] == [
        ("name_en", "Bright EU GmbH", "Bright Europe GmbH"),
    ]  # fmt: skip


def test_reader_name_puts_the_reader_language_first(app):
    licensee = Licensee(name="光明欧洲有限公司", name_en="Bright EU GmbH")
    with in_language("zh_Hans"):
        assert licensee.reader_name == "光明欧洲有限公司（Bright EU GmbH）"
    with in_language("en"):
        assert licensee.reader_name == "Bright EU GmbH (光明欧洲有限公司)"
        assert Licensee(name="Solo Ltd").reader_name == "Solo Ltd"


# --- the API's messages ----------------------------------------------------------------------


def test_api_messages_follow_accept_language_codes_and_keys_do_not(client, holder):
    draft = filing.create_draft(holder, "trademark")
    auth = bearer(token_for(holder))
    url = f"{API}/applications/{draft.id}/submit"
    zh = client.post(url, headers={**auth, **ZH}).get_json()["error"]
    en = client.post(url, headers={**auth, **EN}).get_json()["error"]
    assert zh["code"] == en["code"] == "validation_error"
    assert sorted(zh["fields"]) == sorted(en["fields"])
    assert zh["message"].startswith("申请尚不完整") and en["message"].startswith("The application")
    assert zh["fields"]["right-title"] == ["此项为必填项。"]
    assert en["fields"]["right-title"] == ["This field is required."]

    bad = {"licensees": [{"name": "X", "country": "C1"}]}
    patch = f"{API}/applications/{draft.id}"
    headers = {**auth, "Content-Type": "application/json"}
    zh = client.patch(patch, data=json.dumps(bad), headers={**headers, **ZH}).get_json()
    assert "必须为 2 个字母。" in json.dumps(zh, ensure_ascii=False)
    en = client.patch(patch, data=json.dumps(bad), headers={**headers, **EN}).get_json()
    assert "Must be 2 letters." in json.dumps(en)
