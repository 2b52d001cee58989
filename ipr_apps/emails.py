"""E-mail wording lives in templates/emails/*.txt, beside the pages it will be translated with:
a template extends emails/_layout.txt and fills its `subject` and `body` blocks.

Every e-mail (and in-app notification) is worded in its recipient's language, `user` in the
template's context: the user's saved choice, else the instance default (DEFAULT_LOCALE) —
never the language of the request that caused it (a reviewer reading English approves a
Chinese holder's application). It is rendered once, when it is queued: the outbox and the
notifications table keep the finished text, and delivery never renders it again. An in-app
notification is also worded in every other language then (`wordings`), so a reader who later
switches language reads it in the new one; an e-mail, once sent, stays as it was."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import current_app, render_template

from ipr_apps import i18n
from ipr_apps.config import base_url

if TYPE_CHECKING:
    from ipr_apps.models import User


def render(name: str, *, user: User, **context) -> tuple[str, str]:
    """The subject (one line) and the body of templates/emails/<name>.txt, written to `user`
    in their language."""
    subject, body, _message = render_notice(name, user=user, **context)
    return subject, body


def render_notice(name: str, *, user: User, **context) -> tuple[str, str, str]:
    """The subject, the body and the `message` block (what an in-app notification shows,
    without greeting and signature; empty if the template has none) of
    templates/emails/<name>.txt, all in `user`'s language."""
    context["user"] = user
    with i18n.in_language(user.locale):
        body = render_template(f"emails/{name}.txt", **context)
        subject, message = _notice(name, context)
    return subject, body, message


def wordings(name: str, skip: str, **context) -> dict[str, list[str]]:
    """The `subject` and `message` blocks of templates/emails/<name>.txt in every language
    but `skip` (the recipient's, worded by render_notice): {locale: [subject, message]}."""
    texts = {}
    for locale in i18n.LOCALES:
        if locale != skip:
            with i18n.in_language(locale):
                texts[locale] = list(_notice(name, context))
    return texts


def _notice(name: str, context: dict) -> tuple[str, str]:
    """The subject (one line) and the `message` block, in the language in force."""
    subject = " ".join(_block(name, "subject", context).split())
    return subject, _block(name, "message", context)


def render_block(name: str, block: str, *, user: User, **context) -> str:
    """One block of templates/emails/<name>.txt on its own, in `user`'s language."""
    with i18n.in_language(user.locale):
        return _block(name, block, {**context, "user": user})


def _block(name: str, block: str, context: dict) -> str:
    template = current_app.jinja_env.get_template(f"emails/{name}.txt")
    if block not in template.blocks:
        return ""
    return "".join(template.blocks[block](template.new_context(context))).strip()


def link(endpoint: str, **values) -> str:
    """An absolute URL under BASE_URL (e.g. https://ipr.example.gov; PUBLIC_URL is its older
    name), else the path. Never from the request's Host header, which the client chooses."""
    base = urlsplit(base_url(current_app.config) or "")
    if not base.netloc:
        return current_app.url_map.bind("localhost").build(endpoint, values)
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)
