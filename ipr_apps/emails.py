"""E-mail wording lives in templates/emails/*.txt, beside the pages it will be translated with:
a template extends emails/_layout.txt and fills its `subject` and `body` blocks."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, render_template

from ipr_apps.config import base_url


def render(name: str, **context) -> tuple[str, str]:
    """The subject (one line) and the body of templates/emails/<name>.txt."""
    template_name = f"emails/{name}.txt"
    body = render_template(template_name, **context)
    subject = render_block(name, "subject", **context)
    return " ".join(subject.split()), body


def render_block(name: str, block: str, **context) -> str:
    """One block of templates/emails/<name>.txt on its own (the subject; the message that an
    in-app notification shows without greeting and signature)."""
    template = current_app.jinja_env.get_template(f"emails/{name}.txt")
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
