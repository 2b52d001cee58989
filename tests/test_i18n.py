"""Which language a page is in (saved choice → cookie → Accept-Language → instance default),
the navbar switch, <html lang>, and the locale's dates, numbers, money and two-script names."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from ipr_apps import i18n
from ipr_apps.db import db
from ipr_apps.models import Role, User

ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


@pytest.fixture
def chinese_default(app, monkeypatch):
    monkeypatch.setitem(app.config, "DEFAULT_LOCALE", "zh_Hans")


def test_instance_default_is_chinese_when_the_browser_says_nothing(client, chinese_default):
    response = client.get("/")
    assert html_lang(response) == "zh-Hans"
    assert "公开查询" in response.get_data(as_text=True)  # the navbar's "Public register"


def test_instance_default_can_be_english(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "DEFAULT_LOCALE", "en")
    assert html_lang(client.get("/")) == "en"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zh-CN,zh;q=0.9", "zh-Hans"),
        ("zh-TW", "zh-Hans"),
        ("zh-Hans-CN", "zh-Hans"),
        ("en-US,en;q=0.9", "en"),
        ("fr-FR,en;q=0.5,zh;q=0.4", "en"),  # the best language we have, by quality
        ("de-DE,fr;q=0.9", "zh-Hans"),  # none we have: the instance default
    ],
)
def test_accept_language_picks_the_language(client, chinese_default, header, expected):
    assert html_lang(client.get("/", headers={"Accept-Language": header})) == expected


def test_switch_sets_a_cookie_that_beats_accept_language(client, chinese_default):
    response = client.post("/locale", data={"locale": "en", "next": "/register/"}, headers=ZH)
    assert response.status_code == 302
    assert response.headers["Location"] == "/register/"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("locale=en;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert html_lang(client.get("/", headers=ZH)) == "en"
    client.post("/locale", data={"locale": "zh_Hans", "next": "/"}, headers=EN)
    assert html_lang(client.get("/", headers=EN)) == "zh-Hans"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "", "/\\evil"])
def test_switch_never_redirects_off_site(client, target):
    response = client.post("/locale", data={"locale": "en", "next": target})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("locale", ["fr", "", "zh_Hans<script>"])
def test_switch_refuses_a_language_we_do_not_have(client, locale):
    assert client.post("/locale", data={"locale": locale}).status_code == 400


def test_switch_needs_the_csrf_token(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = app.test_client().post("/locale", data={"locale": "en"})
    assert response.status_code == 400
    assert "Set-Cookie" not in response.headers or "locale=" not in response.headers["Set-Cookie"]


def test_signed_in_users_choice_is_saved_and_beats_cookie_and_browser(
    client, login, make_user, chinese_default
):
    user = make_user(role=Role.HOLDER)
    login(user)
    client.post("/locale", data={"locale": "en", "next": "/"}, headers=ZH)
    assert db.session.execute(select(User.locale).where(User.id == user.id)).scalar() == "en"
    client.set_cookie("locale", "zh_Hans")  # another device's cookie
    assert html_lang(client.get("/", headers=ZH)) == "en"


def test_known_maps_tags_to_our_locales():
    assert [i18n.known(t) for t in ("zh", "zh-CN", "ZH_hans", "en-GB", "EN", "fr", None, "")] == [
        "zh_Hans", "zh_Hans", "zh_Hans", "en", "en", None, None, None,
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("zh_Hans", ["2019年6月30日", "2019年6月30日 14:05", "5,501", "7,873万元", "1,234.50元",
                     "12.8%", "光明照明（BrightStar Lighting）"]),
        ("en", ["30 Jun 2019", "30 Jun 2019, 14:05", "5,501", "¥78.73 million", "¥1,234.50",
                "12.8%", "BrightStar Lighting (光明照明)"]),
    ],
)  # fmt: skip
def test_formats_follow_the_locale(app, locale, expected):
    with app.test_request_context(), i18n.in_language(locale):
        assert [
            i18n.format_day(date(2019, 6, 30)),
            i18n.format_moment(datetime(2019, 6, 30, 14, 5)),
            i18n.format_number(5501),
            i18n.format_money(Decimal("78730000")),
            i18n.format_money(Decimal("1234.5")),
            i18n.format_pct(Decimal("12.8")),
            i18n.two_names("光明照明", "BrightStar Lighting"),
        ] == expected


def test_two_names_with_one_name_or_the_same_twice(app):
    with app.test_request_context(), i18n.in_language("zh_Hans"):
        assert i18n.two_names("Siemens AG", "Siemens AG") == "Siemens AG"
        assert i18n.two_names(None, "Acme") == "Acme"
        assert i18n.two_names("光明", "") == "光明"


def test_small_chinese_sums_keep_their_decimals(app):
    with app.test_request_context(), i18n.in_language("zh_Hans"):
        assert i18n.format_money(Decimal("12500")) == "1.25万元"
        assert i18n.format_money(Decimal("78730000"), scale="exact") == "78,730,000.00元"


def test_switch_returns_to_the_same_search(client):
    page = client.get("/register/?q=BRIGHTSTAR", headers=EN).get_data(as_text=True)
    assert 'name="next" value="/register/?q=BRIGHTSTAR"' in page
    response = client.post("/locale", data={"locale": "zh_Hans", "next": "/register/?q=BRIGHTSTAR"})
    assert response.headers["Location"] == "/register/?q=BRIGHTSTAR"


def test_references_in_text_are_kept_on_one_line_and_the_text_escaped():
    from ipr_apps.i18n import references_in

    html = references_in("新备案IPR-2016-000001的内容 <b> T2017-000001, D2026-5301-000005; 5,501")
    assert str(html) == (
        '新备案<span class="ref">IPR-2016-000001</span>的内容 &lt;b&gt; '
        '<span class="ref">T2017-000001</span>, <span class="ref">D2026-5301-000005</span>; 5,501'
    )
    assert str(references_in(None)) == ""


def test_templates_follow_a_language_forced_in_the_middle_of_a_page(app):
    """The templates' catalogue is cached per request (i18n._current), keyed by the locale in
    force: an e-mail in its recipient's language, then the page again in the reader's."""
    from flask import render_template_string

    source = "{{ _('Submitted') }} {{ locale_code() }} {{ _('%(n)s+', n='<b>') }}"
    headers = {"Accept-Language": "en"}
    with app.test_request_context(headers=headers):
        assert render_template_string(source) == "Submitted en &lt;b&gt;+"
        with i18n.in_language("zh_Hans"):
            assert render_template_string(source).startswith("已提交 zh_Hans")
        assert render_template_string(source) == "Submitted en &lt;b&gt;+"


PLURAL = (
    "{% trans count=n %}{{ count }} working day overdue{% pluralize %}"
    "{{ count }} working days overdue{% endtrans %}"
)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en", "1,926 working days overdue"), ("zh_Hans", "已超期1,926个工作日")],
)
def test_a_plural_messages_count_is_formatted_for_the_locale(app, locale, expected):
    """A count in a {% trans count=… %} block reads like every other number (1,926, not
    1926): an application overdue for years said "1926 working days overdue"."""
    with app.test_request_context(), i18n.force_locale(locale):
        assert app.jinja_env.from_string(PLURAL).render(n=1926) == expected


def test_a_plural_message_formats_only_its_count(app):
    template = (
        "{% trans count=n, year=y %}{{ count }} day in {{ year }}{% pluralize %}"
        "{{ count }} days in {{ year }}{% endtrans %}"
    )
    with app.test_request_context(), i18n.force_locale("en"):
        assert app.jinja_env.from_string(template).render(n=1200, y=2019) == "1,200 days in 2019"


def test_a_plural_message_with_a_decimal_placeholder_formats_its_count(app, client):
    """`ngettext('Expired %(num)d days ago.', …)` in a template: a formatted count made `%d`
    fail (a recordation expired 2,530 days ago was a 500); it reads like the others."""
    template = "{{ ngettext('Expired %(num)d day ago.', 'Expired %(num)d days ago.', n) }}"
    with app.test_request_context(), i18n.force_locale("en"):
        assert app.jinja_env.from_string(template).render(n=2530) == "Expired 2,530 days ago."
        assert app.jinja_env.from_string(template).render(n=1) == "Expired 1 day ago."


def test_python_side_plural_messages_format_their_count_too(app):
    """A flash or error worded in Python (flask_babel's ngettext left "%(num)d" bare) shows its
    count like the pages do: 1,204 in English, 1,204 in Chinese."""
    from ipr_apps.i18n import ngettext

    with app.test_request_context("/"):
        for locale, expected in (("en", "1,204 notifications marked as read."),
                                 ("zh_Hans", "已将 1,204 条通知标记为已读。")):  # fmt: skip
            with i18n.in_language(locale):
                message = ngettext("%(num)d notification marked as read.",
                                   "%(num)d notifications marked as read.", 1204)  # fmt: skip
                assert message == expected
                one = ngettext("%(num)s session", "%(num)s sessions", 1)
                assert one == {"en": "1 session", "zh_Hans": "1 个会话"}[locale]


def test_python_code_takes_ngettext_from_i18n():
    """flask_babel's own ngettext would leave a count bare again (see the test above)."""
    root = Path(__file__).resolve().parents[1] / "ipr_apps"
    bare = [p.name for p in root.rglob("*.py") if re.search(
        r"from flask_babel import [^\n]*\bngettext\b", p.read_text(encoding="utf-8"))]  # fmt: skip
    assert bare == []
