"""Accounts, the landing page, error pages and notifications in Chinese (and English): the
reader's language, the saved preference on the profile, locale dates and money, countries."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import select

from ipr_apps import i18n
from ipr_apps.db import db
from ipr_apps.models import Notification, Role, User
from ipr_apps.services import guarantees
from ipr_apps.services.countries import country_choices, country_name, is_country
from ipr_apps.services.passwords import password_problem
from ipr_apps.services.sessions import device_label
from tests.factories import PASSWORD

ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0"


def text(response) -> str:
    """What a reader sees: the page without its tags, scripts and attributes."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    html = re.sub(r"</?(a|strong|time|span|code|em)\b[^>]*>", "", html)  # inline: no gap
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


@pytest.mark.parametrize(
    ("url", "chinese", "english"),
    [
        ("/", ["向海关备案您的知识产权", "30 个工作日", "经核准的申请成为备案"],
         ["Record your intellectual-property rights", "working days", "Who uses this service"]),
        ("/auth/login", ["电子邮箱", "忘记密码？", "海关工作人员的账户由管理员创建。"],
         ["Forgot your password?", "No account yet?", "Email"]),
        ("/auth/register", ["以权利人或代理人身份注册", "为本单位申请备案的权利人", "中国（CN）",
                            "请选择国家或地区"],
         ["Register as a rights holder", "Your organisation", "Choose a country", "China"]),
        ("/auth/password/forgot", ["忘记密码？", "我们会向您发送设置新密码的链接"],
         ["Enter the e-mail"]),
        ("/api/v1/docs/", ["API 参考文档", "其他系统（代理人的案件管理系统、海关系统）"],
         ["Other systems", "machine-readable"]),
    ],
)  # fmt: skip
def test_public_pages_are_chinese_for_a_chinese_browser(client, url, chinese, english):
    response = client.get(url, headers=ZH)
    assert response.status_code == 200
    assert html_lang(response) == "zh-Hans"
    assert response.headers["Content-Language"] == "zh-Hans"
    page = text(response)
    assert [c for c in chinese if c not in page] == []
    assert [e for e in english if e in page] == []


def test_the_same_pages_stay_english_for_an_english_browser(client):
    page = text(client.get("/auth/login", headers=EN))
    assert "Forgot your password?" in page and "忘记密码" not in page
    assert client.get("/", headers=EN).headers["Content-Language"] == "en"


def test_form_errors_and_flashes_are_chinese(client, make_user):
    page = text(client.post("/auth/login", data={"email": "", "password": ""}, headers=ZH))
    assert (
        "请更正以下内容：" in page and "该字段是必填字段。" in page
    )  # WTForms' own, via Flask-WTF
    assert "This field is required." not in page
    user = make_user(Role.HOLDER)
    wrong = {"email": user.email, "password": "not-the-password"}
    page = text(client.post("/auth/login", data=wrong, headers=ZH))
    assert "电子邮箱或密码不正确。" in page and "not correct" not in page
    right = {"email": user.email, "password": PASSWORD}
    page = text(client.post("/auth/login", data=right, headers=ZH, follow_redirects=True))
    assert f"已以 {user.email} 的身份登录。" in page
    assert "权利人" in page  # the navbar's role badge


def test_registration_errors_are_chinese_and_the_country_is_checked_by_code(client):
    form = {
        "kind": "holder", "name": "张伟", "email": "zhang@example.com", "password": "short",
        "confirm": "other", "name_local": "", "country": "Narnia",
    }  # fmt: skip
    page = text(client.post("/auth/register", data=form, headers=ZH))
    assert "两次输入的密码不一致。" in page and "请填写单位名称。" in page
    assert "不是有效的选择。" in page  # WTForms' own check of the choice, in Chinese
    assert db.session.execute(select(User).where(User.email == "zhang@example.com")).first() is None
    form |= {"password": "lantern tea mountain river", "confirm": "lantern tea mountain river",
             "name_local": "光明照明", "country": "CN"}  # fmt: skip
    page = text(client.post("/auth/register", data=form, headers=ZH))
    assert "请查收电子邮件" in page and "zhang@example.com" in page
    user = db.session.execute(select(User).where(User.email == "zhang@example.com")).scalar_one()
    assert user.organisation.country == "CN"


def test_password_policy_speaks_chinese(app):
    with app.test_request_context(), i18n.in_language("zh_Hans"):
        assert password_problem("short") == "密码至少需要 12 个字符。"
        weak = password_problem("password1234")
        assert weak.startswith("密码太容易被猜到。") and "这是" in weak
        assert not re.search(r"[A-Za-z]{4,}", weak)  # zxcvbn's English feedback is mapped
    with app.test_request_context(), i18n.in_language("en"):
        assert password_problem("password1234").startswith("Password is too easy to guess. ")


def test_countries_follow_the_reader(app):
    with app.test_request_context(), i18n.in_language("zh_Hans"):
        assert country_name("de") == "德国" and country_name("TW") == "中国台湾"
        choices = country_choices()
        assert choices[0] == ("", "请选择国家或地区") and choices[1] == ("CN", "中国（CN）")
    with app.test_request_context(), i18n.in_language("en"):
        assert country_name("DE") == "Germany"
        names = [label for _code, label in country_choices()[1:]]
        assert names[:2] == ["Afghanistan (AF)", "Åland Islands (AX)"] or names == sorted(names)
    assert is_country("cn") and not is_country("XX") and not is_country("EU")


def test_profile_in_chinese_with_dates_sessions_and_role(client, login, make_user):
    user = make_user(Role.REVIEWER)
    from ipr_apps.services import sessions

    sessions.start(user, "10.0.0.9", FIREFOX)
    login(user)
    page = text(client.get("/auth/profile", headers=ZH))
    assert "个人资料" in page and "审核人员" in page and "已登录的会话" in page
    assert "Windows 上的 Firefox" in page
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d", page)
    assert "Your profile" not in page and "Signed-in sessions" not in page
    with client.application.test_request_context(), i18n.in_language("en"):
        assert device_label(FIREFOX) == "Firefox on Windows"


def _saved_locale(user: User) -> str | None:
    return db.session.execute(select(User.locale).where(User.id == user.id)).scalar()


def test_profile_saves_the_language_and_can_forget_it(client, login, make_user):
    user = make_user(Role.HOLDER)
    login(user)
    response = client.post("/auth/profile/language", data={"locale": "zh_Hans"}, headers=EN)
    assert response.status_code == 302 and response.headers["Location"].endswith("#language")
    assert _saved_locale(user) == "zh_Hans"
    assert "locale=zh_Hans" in response.headers["Set-Cookie"]
    page = client.get("/auth/profile", headers=EN)
    assert html_lang(page) == "zh-Hans" and "您的语言设置已保存。" in text(page)
    assert re.search(r'checked[^>]*value="zh_Hans"', page.get_data(as_text=True))
    # "Follow my browser": nothing saved, the cookie is dropped, Accept-Language decides.
    response = client.post("/auth/profile/language", data={"locale": ""}, headers=ZH)
    assert _saved_locale(user) is None
    assert re.search(
        r"locale=;.*(Expires=Thu, 01 Jan 1970|Max-Age=0)", response.headers["Set-Cookie"]
    )
    assert html_lang(client.get("/auth/profile", headers=EN)) == "en"
    assert html_lang(client.get("/auth/profile", headers=ZH)) == "zh-Hans"


@pytest.mark.parametrize("locale", ["fr", "zh_Hans<script>", "EN"])
def test_profile_refuses_a_language_we_do_not_have(client, login, make_user, locale):
    user = make_user(Role.HOLDER)
    login(user)
    response = client.post("/auth/profile/language", data={"locale": locale}, headers=ZH)
    assert response.status_code == 400
    assert _saved_locale(user) is None


def test_saved_language_follows_the_user_to_another_browser(app, make_user, login):
    user = make_user(Role.HOLDER)
    first = login(user, app.test_client())
    first.post("/auth/profile/language", data={"locale": "zh_Hans"}, headers=EN)
    other = login(user, app.test_client())  # a new browser: no cookie, English Accept-Language
    assert html_lang(other.get("/auth/profile", headers=EN)) == "zh-Hans"


@pytest.mark.parametrize(
    ("status", "url", "chinese"),
    [
        (404, "/no-such-page", ["未找到", "您请求的页面不存在，或您无权访问。", "前往首页"]),
        (403, "/admin/", ["无权访问", "您的账户无权打开此页面。"]),
        (405, "/auth/logout", ["不允许的请求方法", "此地址不接受这种请求。"]),
    ],
)
def test_error_pages_are_chinese(client, login, make_user, status, url, chinese):
    login(make_user(Role.HOLDER))
    response = client.get(url, headers=ZH)
    assert response.status_code == status
    page = text(response)
    assert [c for c in chinese if c not in page] == []
    assert "permission" not in page and "not found on the server" not in page


def test_csrf_failure_page_is_chinese(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = text(app.test_client().post("/auth/login", data={"email": "a@b.cn"}, headers=ZH))
    assert "表单已过期，或并非从本网站提交。" in page and "form has expired" not in page


def test_sign_in_required_flash_is_chinese(client):
    page = text(client.get("/auth/profile", headers=ZH, follow_redirects=True))
    assert "请登录后继续。" in page and "Please sign in" not in page


def test_notifications_page_in_chinese(client, login, make_user):
    user = make_user(Role.HOLDER)
    db.session.add(
        Notification(user_id=user.id, subject="备案申请已核准", body="—",
                     created_at=datetime(2019, 6, 30, 14, 5))
    )  # fmt: skip
    db.session.commit()
    login(user)
    page = text(client.get("/notifications/", headers=ZH))
    assert "全部标记为已读" in page and "2019年6月30日 14:05 UTC" in page and "新" in page
    page = text(client.post("/notifications/read-all", headers=ZH, follow_redirects=True))
    assert "已将 1 条通知标记为已读。" in page


def test_organisation_page_formats_money_and_dates_for_the_reader(client, login, make_user):
    holder = make_user(Role.HOLDER)
    admin = make_user(Role.ADMIN)
    guarantees.set_guarantee(admin, holder.organisation_id, "500000", date(2099, 12, 31))
    login(holder)
    page = text(client.get("/auth/organisation", headers=ZH))
    assert "500,000.00元，有效期至2099年12月31日" in page  # an exact amount
    assert "总担保" in page and "General guarantee" not in page
    page = text(client.get("/auth/organisation", headers=EN))
    assert "¥500,000.00, valid until 31 Dec 2099" in page


def test_security_log_labels_and_roles_are_translated(app):
    from ipr_apps.models import SecurityAction

    with app.test_request_context(), i18n.in_language("zh_Hans"):
        assert SecurityAction.TOKEN_REVOKED.label == "已撤销 API 令牌"
        assert Role.OFFICER.label == "口岸关员"
    with app.test_request_context(), i18n.in_language("en"):
        assert SecurityAction.TOKEN_REVOKED.label == "API token revoked"


def test_signing_in_greets_in_the_accounts_saved_language(client, make_user):
    """The sign-in request starts in the browser's language; the flash after it is the user's."""
    user = make_user(Role.HOLDER)
    from ipr_apps.services import users

    users.set_locale(user, "zh_Hans")
    form = {"email": user.email, "password": PASSWORD}
    page = text(client.post("/auth/login", data=form, headers=EN, follow_redirects=True))
    assert f"已以 {user.email} 的身份登录。" in page and "Signed in as" not in page
    page = text(client.post("/auth/logout", headers=EN, follow_redirects=True))
    assert "You have signed out." in page  # nobody signed in: the browser's English


def test_session_ended_notice_is_chinese(client, login, make_user):
    from ipr_apps.services import sessions

    user = make_user(Role.HOLDER)
    login(user)
    sessions.end_all(user)
    page = text(client.get("/auth/profile", headers=ZH, follow_redirects=True))
    assert "您的会话已结束，请重新登录。" in page and "session has ended" not in page


@pytest.mark.parametrize(
    ("role", "agent", "english", "chinese"),
    [
        (Role.HOLDER, False, "Rights holder", "权利人"),
        (Role.HOLDER, True, "Agent", "代理人"),
        (Role.REVIEWER, False, "Reviewer", "审核人员"),
        (Role.ADMIN, False, "Administrator", "管理员"),
        (Role.OFFICER, False, "Port officer", "口岸关员"),
    ],
)
def test_a_role_has_one_name_everywhere(client, login, make_user, role, agent, english, chinese):
    """The navbar badge and the profile name the role the way the admin pages and the security
    log do (it said "holder" and "officer" beside "Rights holders" and "port officer")."""
    user = make_user(role, agency=agent)
    login(user)
    for headers, word in ((EN, english), (ZH, chinese)):
        html = client.get("/auth/profile", headers=headers).get_data(as_text=True)
        assert f'<span class="badge text-bg-light">{word}</span>' in html
        assert re.search(rf'data-testid="profile-role">{word}</dd>', html)
