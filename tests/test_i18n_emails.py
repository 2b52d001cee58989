"""E-mails and in-app notifications in the recipient's language: the user's saved choice, else
the instance default, never the language of the request that caused them; rendered once, when
queued (delivery sends the stored text); subjects, dates and numbers in that language too."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from email import message_from_bytes, policy
from pathlib import Path
from types import SimpleNamespace as NS

import pytest
from flask import render_template_string
from sqlalchemy import select

from ipr_apps import emails, i18n
from ipr_apps.db import db, unit_of_work
from ipr_apps.errors import PermissionDenied
from ipr_apps.models import (
    Application,
    CaseOutcome,
    Channel,
    Direction,
    IprType,
    Kind,
    Notification,
    OutboxMessage,
    Recordation,
    Role,
    User,
)
from ipr_apps.services import filing, notifications, outbox, review
from ipr_apps.services.digest import Section
from tests.factories import add_required_documents, complete_payload
from tests.i18n_scan import TEMPLATES, template_findings

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}
CJK = re.compile(r"[\u4e00-\u9fff]")
# Three English words in a row: a sentence left untranslated (the test data has none).
ENGLISH_RUN = re.compile(r"\b[A-Za-z]{2,}(?: [A-Za-z]{2,}){2,}\b")


# --------------------------------------------------------------------------- every template


class Org:
    name_local, name_en = "光明照明", "BrightStar"

    @property
    def reader_name(self) -> str:
        return i18n.two_names(self.name_local, self.name_en)


RECORDATION = NS(
    number="T2024-000045", valid_from=date(2024, 7, 1), valid_until=date(2034, 6, 30),
    right_title="光明", ipr_type=IprType.TRADEMARK, ended_on=date(2024, 9, 2),
)  # fmt: skip
APPLICATION = NS(reference="IPR-2024-000123", right_title="光明", kind=Kind.NEW)
CASE = NS(
    case_number="D2024-5301-000007", recordation_number=RECORDATION.number, port_code="5301",
    goods="LED", items=1200, value_cny=Decimal("78730000"), bond_cny=Decimal("20000.50"),
    on_general_guarantee=False, confirm_by=date(2024, 9, 13), opened_on=date(2024, 9, 2),
    outcome=CaseOutcome.CONFISCATED, outcome_on=date(2024, 10, 8), direction=Direction.IMPORT,
    channel=Channel.FREIGHT,
)  # fmt: skip
REQUEST = NS(
    reference="R2024-000009", recordation=RECORDATION, port_code="5301", goods="LED",
    holder_org=Org(), direction=Direction.EXPORT, channel=Channel.POST,
    expected_from=date(2024, 9, 1), expected_until=date(2024, 9, 30),
)  # fmt: skip
ROW = NS(
    reference="IPR-2024-000123", ipr_type=IprType.TRADEMARK, right_title="光明",
    holder_local="光明照明", holder_en="BrightStar", due_on=date(2024, 6, 3), days_left=-2,
    link="http://localhost/review/1",
)  # fmt: skip
LINK = "http://localhost/x"
# template: (context, what the Chinese e-mail must say: filled placeholders, locale formats)
CASES = {
    "application_approved": (
        {"application": APPLICATION, "recordation": RECORDATION},
        ["T2024-000045", "2024年7月1日", "2034年6月30日", "核准"],
    ),
    "application_info_requested": (
        {
            "application": APPLICATION,
            "message": "请补充注册证。",
            "reply_by": date(2024, 8, 30),
            "decision_days": 30,
        },
        ["2024年8月30日", "30个工作日", "补正", "请补充注册证。"],
    ),
    "application_rejected": (
        {"application": APPLICATION, "reasons": ["材料不全"], "message": "证书无法辨认。"},
        ["驳回", "- 材料不全", "证书无法辨认。"],
    ),
    "case_closed": ({"case": CASE, "note": "已没收"}, ["2024年10月8日", "2024年9月2日", "已没收"]),
    "case_confirmed": ({"case": CASE}, ["1,200件", "78,730,000.00元", "20,000.50元", "担保"]),
    "case_opened": ({"case": CASE}, ["5301海关", "2024年9月13日", "货值", "T2024-000045"]),
    "case_released": (
        {"case": CASE, "reason": "正品", "by_officer": True},
        ["2024年10月8日", "原因：正品"],
    ),
    "case_withdrawn": ({"case": CASE, "reason": "和解"}, ["权利人", "撤回", "原因：和解"]),
    "confirm_email": ({"link": LINK, "hours": 48}, ["48小时", LINK]),
    "password_changed": ({"via": "reset", "link": LINK}, ["wang@example.com", "密码重置链接"]),
    "password_reset": ({"link": LINK, "hours": 1}, ["1小时", LINK]),
    "recordation_cancelled": (
        {"recordation": RECORDATION, "reason": "不再生产"},
        ["注销", "2024年9月2日", "原因：不再生产"],
    ),
    "recordation_expired": (
        {"recordation": RECORDATION, "valid_until": date(2024, 9, 1)},
        ["期满", "2024年9月1日", "2024年9月2日"],
    ),
    "recordation_lapsed": (
        {"recordation": RECORDATION, "right_expiry": date(2024, 9, 1)},
        ["失效", "2024年9月1日"],
    ),
    "recordation_reminder": (
        {
            "recordation": RECORDATION,
            "kind": "1_month",
            "months": 1,
            "valid_until": date(2034, 6, 30),
            "ends_on": date(2034, 7, 1),
            "renewal_opens": date(2034, 1, 1),
            "right_caps": True,
            "right_expiry": date(2034, 6, 30),
            "renewal": None,
            "renewal_filed": False,
        },
        ["2034年6月30日", "2034年7月1日", "2034年1月1日", "续展", "一个月"],
    ),
    "recordation_revoked": ({"recordation": RECORDATION, "reason": "伪造"}, ["撤销", "伪造"]),
    "registration_attempt": (
        {"login_link": LINK + "/login", "reset_link": LINK + "/reset"},
        [LINK + "/login", LINK + "/reset", "登录"],
    ),
    "request_accepted": ({"request": REQUEST, "case": CASE}, ["受理", "2024年9月13日"]),
    "request_filed": (
        {"request": REQUEST},
        ["光明照明（BrightStar）", "2024年9月1日至2024年9月30日", "扣留", "备案号 T2024-000045"],
    ),
    "request_refused": ({"request": REQUEST, "reason": "证据不足"}, ["不予受理", "证据不足"]),
    "request_withdrawn": ({"request": REQUEST}, ["撤回", "R2024-000009"]),
    "reviewer_digest": (
        {
            "mine": Section([ROW], 3),
            "unclaimed": Section([], 0),
            "day": date(2024, 6, 5),
            "until": date(2024, 6, 12),
            "horizon": 5,
            "queue_link": LINK,
        },
        [
            "审核队列（2024年6月5日）：3件申请",
            "由您认领（3）",
            "已逾期2个工作日",
            "光明照明（BrightStar）",
            "……另有2件",
            "2024年6月3日",
        ],
    ),
}


def _someone(locale: str | None, role: Role = Role.HOLDER) -> NS:
    return NS(name="王芳", email="wang@example.com", locale=locale, role=role)


def test_every_email_template_has_a_case():
    names = {p.stem for p in (TEMPLATES / "emails").glob("*.txt") if not p.stem.startswith("_")}
    assert names == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_email_in_chinese(app, name):
    context, expected = CASES[name]
    subject, body, message = emails.render_notice(
        name, user=_someone("zh_Hans"), **{"link": LINK, **context}
    )
    assert CJK.search(subject) and "\n" not in subject
    assert body.startswith("尊敬的王芳：\n\n")
    assert "\n-- \n知识产权海关保护备案\n您收到此邮件，是因为" in body
    for text in expected:
        assert text in subject + body, text
    assert LINK in body
    assert not ENGLISH_RUN.findall(subject + body)
    assert not re.search(r"\d{4}-\d\d-\d\d", body)  # no ISO dates left in the text
    if message:  # what the in-app notification shows: the same language
        assert message in body and CJK.search(message)


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_email_in_english(app, name):
    context, _expected = CASES[name]
    subject, body, _message = emails.render_notice(
        name, user=_someone("en"), **{"link": LINK, **context}
    )
    assert not CJK.search(subject)
    assert body.startswith("Dear 王芳,\n\n") and "\n-- \nIPR Customs Recordation\n" in body
    assert "\nYou receive this e-mail " in body


def test_english_formats_dates_and_money(app):
    context, _ = CASES["case_confirmed"]
    _subject, body, _ = emails.render_notice(
        "case_confirmed", user=_someone("en"), **{"link": LINK, **context}
    )
    assert "1,200 items, declared value ¥78,730,000.00) and posted a bond of ¥20,000.50" in body
    context, _ = CASES["application_approved"]
    _subject, body, _ = emails.render_notice(
        "application_approved", user=_someone(None), **{"link": LINK, **context}
    )
    assert "Valid from 1 Jul 2024 until 30 Jun 2034." in body  # tests' DEFAULT_LOCALE is en


def test_officers_are_told_why_in_their_language(app):
    _s, body, _m = emails.render_notice(
        "request_filed", user=_someone("zh_Hans", Role.OFFICER), request=REQUEST, link=LINK
    )
    assert "您是5301关区的口岸关员" in body


def test_the_request_language_is_restored_after_an_email(app):
    with app.test_request_context("/", headers=EN):
        emails.render("password_reset", user=_someone("zh_Hans"), link=LINK, hours=2)
        assert i18n.locale_code() == "en" and i18n.format_day(date(2024, 6, 5)) == "5 Jun 2024"


# --------------------------------------------------------------------------- real recipients


@pytest.fixture
def holder(make_user):
    return make_user(Role.HOLDER)


@pytest.fixture
def reviewer(make_user, login):
    user = make_user(Role.REVIEWER)
    login(user)
    return user


def _colleague(of: User, locale: str | None) -> User:
    user = User(
        email=f"colleague-{locale}-{of.id}@example.com".lower(), password_hash="-",
        name="Colleague", role=Role.HOLDER, organisation_id=of.organisation_id, locale=locale,
    )  # fmt: skip
    db.session.add(user)
    db.session.commit()
    return user


def _set_locale(user: User, locale: str | None) -> None:
    with unit_of_work() as session:
        session.get(User, user.id).locale = locale


def _submitted(holder: User) -> Application:
    application = filing.create_draft(holder, "trademark", complete_payload("trademark", "TM-9"))
    add_required_documents(application)
    application = filing.submit(holder, application.id).application
    return application


def _approve_through_the_page(client, reviewer: User, application: Application, headers):
    review.claim(reviewer, application.id)
    response = client.post(f"/review/{application.id}/approve", headers=headers)
    assert response.status_code == 302
    db.session.expire_all()
    return db.session.get(Application, application.id)


def _told(user: User) -> tuple[Notification, OutboxMessage]:
    note = db.session.execute(select(Notification).where(Notification.user_id == user.id))
    mail = db.session.execute(select(OutboxMessage).where(OutboxMessage.to_address == user.email))
    return note.scalar_one(), mail.scalar_one()


def _day(value: date, locale: str) -> str:
    with i18n.in_language(locale):
        return i18n.format_day(value)


def test_each_recipient_reads_the_approval_in_their_own_language(client, reviewer, holder):
    _set_locale(holder, "zh_Hans")
    _set_locale(reviewer, "en")
    english = _colleague(holder, "en")
    application = _approve_through_the_page(client, reviewer, _submitted(holder), EN)
    recordation = db.session.get(Recordation, application.recordation.id)
    number, until = recordation.number, recordation.valid_until

    note, mail = _told(holder)
    assert note.subject == mail.subject == f"{application.reference} 已核准：备案号 {number}"
    assert mail.body.startswith(f"尊敬的{holder.name}：")
    assert f"备案号：{number}" in note.body and f"至{_day(until, 'zh_Hans')}。" in note.body
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", note.body)
    assert "approved" not in mail.body and "Valid from" not in mail.body
    assert note.body in mail.body

    note, mail = _told(english)
    assert note.subject == mail.subject == f"{application.reference} approved: recordation {number}"
    assert f"until {_day(until, 'en')}." in note.body and not CJK.search(mail.body)


def test_an_english_holder_gets_english_from_a_chinese_reviewer(client, reviewer, holder):
    _set_locale(holder, "en")
    _set_locale(reviewer, "zh_Hans")
    application = _approve_through_the_page(client, reviewer, _submitted(holder), ZH)
    note, mail = _told(holder)
    assert note.subject.endswith("approved: recordation " + application.recordation.number)
    assert mail.body.startswith("Dear ") and not CJK.search(mail.body + note.body)


@pytest.mark.parametrize(("default", "greeting"), [("zh_Hans", "尊敬的"), ("en", "Dear ")])
def test_without_a_saved_choice_the_instance_default(app, monkeypatch, holder, make_user,
                                                     default, greeting):  # fmt: skip
    monkeypatch.setitem(app.config, "DEFAULT_LOCALE", default)
    reviewer = make_user(Role.REVIEWER)
    application = _submitted(holder)
    review.claim(reviewer, application.id)
    with app.test_request_context("/", headers=EN if default == "zh_Hans" else ZH):
        review.request_info(reviewer, application.id, "请补充注册证。")
    note, mail = _told(holder)
    assert mail.body.startswith(greeting) and note.subject == mail.subject
    assert bool(CJK.search(note.subject)) == (default == "zh_Hans")


def test_delivery_sends_the_text_written_when_queued(app, monkeypatch, tmp_path, holder):
    monkeypatch.setitem(app.config, "OUTBOX_FOLDER", str(tmp_path))
    _set_locale(holder, "zh_Hans")
    application = _submitted(holder)
    with app.test_request_context("/", headers=EN), unit_of_work():
        notifications.notify_application(
            application, "application_info_requested", message="请补充注册证。",
            reply_by=date(2030, 1, 31), decision_days=30,
        )  # fmt: skip
    [eml] = list(Path(tmp_path).glob("*.eml"))  # delivered after commit (JOBS_IMMEDIATE)
    sent = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert sent["Subject"] == f"海关要求补正：{application.reference}"
    text = sent.get_content()
    assert "2030年1月31日" in text and "30个工作日" in text and "Customs ask" not in text


def test_reminder_notices_follow_each_recipient(app, holder):
    """The nightly job has no request at all: each holder still gets their own language."""
    _set_locale(holder, "zh_Hans")
    english = _colleague(holder, "en")
    application = _submitted(holder)
    reviewer = User(email="r@example.com", password_hash="-", name="R", role=Role.REVIEWER)
    db.session.add(reviewer)
    db.session.commit()
    review.claim(reviewer, application.id)
    review.approve(reviewer, application.id)
    recordation = db.session.get(Application, application.id).recordation
    with unit_of_work():
        notifications.notify_recordation(
            recordation, "recordation_revoked", reason="Forged licence"
        )
    notes = db.session.execute(
        select(Notification).where(Notification.recordation_id == recordation.id)
    ).scalars()
    by_user = {n.user_id: n for n in notes}
    assert by_user[holder.id].subject == f"备案 {recordation.number} 已被海关撤销"
    assert by_user[english.id].subject == f"Recordation {recordation.number} revoked by customs"


# --------------------------------------------------------------------------- the rest


def test_job_progress_in_chinese(app):
    job = NS(status=NS(value="running"), phase="export", total=12345, done=1234, percent=10)
    source = (
        '{% from "_job_progress.html" import job_progress %}'
        "{{ job_progress(job, '/s', '/p', {'export': '{done} / {total}', 'started': '…'}) }}"
    )
    with app.test_request_context("/", headers=ZH):
        html = render_template_string(source, job=job)
    assert '<h2 class="h5" id="progress-title">进度</h2>' in html
    assert "1,234 / 12,345" in html and "您可以离开本页面" in html
    assert 'JavaScript 时本页面不会自动更新：请<a href="/p">重新加载本页面</a>' in html
    assert "Progress" not in html and "You can leave" not in html


def test_outbox_errors_in_the_readers_language(app, make_user):
    holder = make_user(Role.HOLDER)
    with app.test_request_context("/", headers=ZH), pytest.raises(PermissionDenied) as error:
        outbox.retry(holder, 1)
    assert error.value.message == "只有管理员可以重新发送邮件。"


def test_no_english_left_unwrapped_in_the_emails(app):
    paths = [*sorted((TEMPLATES / "emails").glob("*.txt")), TEMPLATES / "_job_progress.html"]
    assert [f for path in paths for f in template_findings(app.jinja_env, path)] == []


def test_a_notification_reads_in_the_language_of_the_page(client, login, reviewer, holder, app):
    """Worded for an English reader when it is sent (the e-mail stays English), and worded
    again in every other language with it: when that holder later reads Chinese pages, the
    notification is in Chinese too, not left in the language of the day it was sent."""
    _set_locale(holder, "en")
    application = _approve_through_the_page(client, reviewer, _submitted(holder), EN)
    note, mail = _told(holder)
    assert note.locale == "en" and "approved" in mail.subject
    _set_locale(holder, "zh_Hans")
    holder_client = app.test_client()
    login(holder, to=holder_client)
    page = holder_client.get("/notifications/").get_data(as_text=True)
    assert '<html lang="zh-Hans">' in page and '<div lang="en">' not in page
    recordation = application.recordation
    seen = " ".join(re.sub(r"<[^>]+>", "", page).split())  # the reference is wrapped in a span
    assert f"{application.reference} 已核准：备案号 {recordation.number}" in seen
    assert "approved" not in page.split('data-testid="notification-list"')[1]
    _set_locale(holder, "en")
    page = holder_client.get("/notifications/").get_data(as_text=True)
    assert note.subject in " ".join(re.sub(r"<[^>]+>", "", page).split())
    assert '<div lang="en">' not in page  # the page is English itself


def test_a_notification_from_before_translations_keeps_its_words_and_is_marked(
    client, login, holder, app
):
    """A notification written before it was worded in every language (no translations kept)
    is shown as it was written, and marked lang="en" on a Chinese page."""
    with unit_of_work() as session:
        session.add(Notification(user_id=holder.id, subject="Old news", body="Written in English.",
                                 locale="en"))  # fmt: skip
    _set_locale(holder, "zh_Hans")
    login(holder)
    page = client.get("/notifications/").get_data(as_text=True)
    assert re.search(r'<div lang="en">\s*<p class="fw-semibold', page) and "Old news" in page
