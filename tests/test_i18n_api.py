"""The API answers in the language of Accept-Language: the same request in Chinese and in
English gives the same status, code and keys, and its messages in each language."""

from __future__ import annotations

import re

import pytest

from ipr_apps.models import Role
from tests.api_helpers import API, assert_error, bearer, token_for

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en-US,en;q=0.9"}
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def holder_token(make_user) -> str:
    return token_for(make_user(Role.HOLDER))


def keys(value):
    """The shape of a body: its keys all the way down (messages left out)."""
    if isinstance(value, dict):
        return {key: keys(inner) for key, inner in value.items() if key != "message"}
    if isinstance(value, list):
        return ["…" for _item in value]
    return "…"


def both(client, method: str, url: str, headers: dict | None = None, **kwargs):
    """The same request with a Chinese and an English Accept-Language."""
    send = getattr(client, method)
    return (
        send(url, headers={**(headers or {}), **ZH}, **kwargs),
        send(url, headers={**(headers or {}), **EN}, **kwargs),
    )


def messages_of(error: dict) -> list[str]:
    found = [error["message"]]

    def walk(value):
        if isinstance(value, dict):
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)
        elif isinstance(value, str):
            found.append(value)

    walk(error["fields"])
    return found


def assert_same_but_translated(zh, en, status: int) -> tuple[dict, dict]:
    assert zh.status_code == en.status_code == status
    zh_error, en_error = assert_error(zh.get_json(), status), assert_error(en.get_json(), status)
    assert zh_error["code"] == en_error["code"]
    assert keys(zh_error) == keys(en_error)
    assert all(CJK.search(m) for m in messages_of(zh_error)), zh_error
    assert not any(CJK.search(m) for m in messages_of(en_error)), en_error
    assert zh.headers["Content-Language"] == "zh-Hans" and en.headers["Content-Language"] == "en"
    assert "Accept-Language" in zh.headers["Vary"]
    return zh_error, en_error


def test_no_token(client):
    zh, en = both(client, "get", f"{API}/applications")
    zh_error, en_error = assert_same_but_translated(zh, en, 401)
    assert zh_error["message"] == "请发送有效的 API 令牌：Authorization: Bearer <token>。"
    assert en_error["message"] == "Send a valid API token: Authorization: Bearer <token>."


def test_wrong_role(client, make_user):
    token = token_for(make_user(Role.OFFICER))
    zh, en = both(client, "post", f"{API}/applications", bearer(token), json={})
    zh_error, en_error = assert_same_but_translated(zh, en, 403)
    # The role's code stays (the API's word), after the reader's word for it.
    assert zh_error["message"] == "此操作需要以下角色：权利人 (holder)。"
    assert en_error["message"] == "This needs the role Rights holder (holder)."


def test_marshmallow_messages_are_translated(client, holder_token):
    body = {"holder": {"country": "China", "name_local": "光明\x00"}, "bogus": 1}
    zh, en = both(client, "post", f"{API}/applications", bearer(holder_token), json=body)
    zh_error, en_error = assert_same_but_translated(zh, en, 422)
    assert zh_error["code"] == "validation_error"
    assert zh_error["fields"] == {
        "bogus": ["未知字段。"],
        "holder": {"country": ["必须为 2 个字母。"], "name_local": ["文本不得包含 NUL 字符。"]},
        "ipr_type": ["必填字段缺少数据。"],
    }
    assert en_error["fields"]["ipr_type"] == ["Missing data for required field."]
    assert (zh_error["message"], en_error["message"]) == ("输入无效。", "Invalid input.")


def test_query_messages_keep_their_values(client, holder_token):
    zh, en = both(client, "get", f"{API}/applications?limit=500&status=nope", bearer(holder_token))
    zh_error, en_error = assert_same_but_translated(zh, en, 422)
    assert zh_error["fields"]["limit"] == ["必须大于或等于 1 且小于或等于 100。"]
    assert zh_error["fields"]["status"][0].startswith("必须是以下之一：draft, submitted")
    assert en_error["fields"]["limit"] == [
        "Must be greater than or equal to 1 and less than or equal to 100."
    ]


def test_bad_json_and_not_found_and_method(client, holder_token):
    headers = {**bearer(holder_token), "Content-Type": "application/json"}
    zh, en = both(client, "post", f"{API}/applications", headers, data="{not json")
    zh_error, _en_error = assert_same_but_translated(zh, en, 400)
    assert zh_error["fields"] == {"_": ["JSON 请求体无效。"]}
    zh, en = both(client, "get", f"{API}/no-such-thing", bearer(holder_token))
    assert assert_same_but_translated(zh, en, 404)[0]["message"] == "未找到（或不属于您）。"
    zh, en = both(client, "delete", f"{API}/applications", bearer(holder_token))
    assert_same_but_translated(zh, en, 405)


def test_too_deep_json(client, holder_token):
    body = "[" * 40 + "]" * 40
    headers = {**bearer(holder_token), "Content-Type": "application/json"}
    zh, en = both(client, "post", f"{API}/applications", headers, data=body)
    zh_error, en_error = assert_same_but_translated(zh, en, 400)
    assert "嵌套过深" in zh_error["message"] and "nested too deeply" in en_error["message"]


def test_without_accept_language_the_instance_default_answers(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "DEFAULT_LOCALE", "zh_Hans")
    response = client.get(f"{API}/applications")
    assert response.headers["Content-Language"] == "zh-Hans"
    assert CJK.search(response.get_json()["error"]["message"])


def test_a_cookie_or_saved_choice_does_not_change_the_api(client, make_user):
    """The API follows Accept-Language only (a client has no navbar)."""
    client.set_cookie("locale", "zh_Hans")
    response = client.get(f"{API}/applications", headers=EN)
    assert response.headers["Content-Language"] == "en"


def test_success_bodies_are_the_same_in_both_languages(client, holder_token):
    zh, en = both(client, "get", f"{API}/applications", bearer(holder_token))
    assert zh.status_code == en.status_code == 200
    assert zh.get_json() == en.get_json()
    assert zh.headers["Content-Language"] == "zh-Hans"
