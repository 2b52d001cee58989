"""E-mail wording lives in templates/emails/*.txt, beside the pages it will be translated with:
a template extends emails/_layout.txt and fills its `subject` and `body` blocks."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, render_template, url_for


def render(name: str, **context) -> tuple[str, str]:
    """The subject (one line) and the body of templates/emails/<name>.txt."""
    template_name = f"emails/{name}.txt"
    body = render_template(template_name, **context)
    template = current_app.jinja_env.get_template(template_name)
    subject = "".join(template.blocks["subject"](template.new_context(context)))
    return " ".join(subject.split()), body


def link(endpoint: str, **values) -> str:
    """An absolute URL when the host is known (a request, SERVER_NAME, or PUBLIC_URL such as
    https://ipr.example.gov, for the worker, which has no request to take it from), else the
    path."""
    if has_request_context() or current_app.config.get("SERVER_NAME"):
        return url_for(endpoint, _external=True, **values)
    public = urlsplit(current_app.config.get("PUBLIC_URL") or "")
    if not public.netloc:
        return current_app.url_map.bind("localhost").build(endpoint, values)
    adapter = current_app.url_map.bind(
        public.netloc, script_name=public.path or "/", url_scheme=public.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)
