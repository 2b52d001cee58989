"""The browser checks' detector of English left on Chinese pages (tests/browser/untranslated.py),
on a small catalogue of its own and on the real one."""

from __future__ import annotations

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from tests.browser.untranslated import catalogue_phrases, phrases_of, untranslated


def _catalogue(tmp_path, messages: dict) -> frozenset[str]:
    catalog = Catalog(locale="zh_Hans")
    for msgid, msgstr in messages.items():
        catalog.add(msgid, msgstr)
    path = tmp_path / "messages.po"
    with path.open("wb") as handle:
        write_po(handle, catalog)
    return catalogue_phrases(path)


def test_phrases_are_cut_at_placeholders_and_must_tell():
    assert phrases_of("Signed in as %(email)s.") == ["Signed in as"]
    assert phrases_of("%(amount)s, valid until %(until)s") == ["valid until"]
    assert phrases_of("{left} character(s) left") == ["character(s) left"]
    assert phrases_of("Statistics") == ["Statistics"]  # one word of eight letters
    assert phrases_of("New") == [] and phrases_of("Email") == []  # too short to tell
    assert phrases_of("JSON API") == []  # the same in both languages


def test_finds_english_of_the_catalogue_and_nothing_else(tmp_path):
    phrases = _catalogue(
        tmp_path,
        {
            "Sign out all other sessions": "退出所有其他会话",
            "Signed in as %(email)s.": "已以 %(email)s 的身份登录。",
            ("%(num)d notification", "%(num)d notifications"): ("%(num)d 条通知",),
            "Statistics": "统计",
            "New": "新",
            "Not yet translated": "",
            "ipr_apps admin": "ipr_apps admin",  # the same in Chinese: not a sign
        },
    )
    page = "个人资料\n退出所有其他会话  Sign out all\nother sessions  已以 a@b.cn 的身份登录。"
    assert untranslated(page, phrases) == ["Sign out all other sessions"]
    assert untranslated("Signed in as a@b.cn. 3 notifications", phrases) == [
        "Signed in as", "notifications"
    ]  # fmt: skip
    assert untranslated("New 新 StatisticsReport Not yet translated ipr_apps admin", phrases) == []
    assert untranslated("HTTP-Statistics 统计Statistics", phrases) == ["Statistics"]
    assert untranslated("已以 a@b.cn 的身份登录。统计", phrases) == []
    # An e-mail address is data: statistics@example.com, reports.statistics@x.cn
    assert untranslated("statistics@example.com reports.statistics@x.cn", phrases) == []


def test_the_real_catalogue_knows_the_navbar():
    """base.html's messages are translated on main: their English is found, the Chinese not."""
    assert untranslated("跳到正文 公开查询 退出登录") == []
    assert untranslated("Skip to content · 公开查询") == ["Skip to content"]
