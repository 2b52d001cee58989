"""Radio buttons come in a fieldset whose legend names the group, so a screen reader says
"Language of pages and e-mails, group" before "English, radio button"; Bootstrap-Flask's
render_field gives the group a <label> that labels nothing. Every template renders fields
through the project's `render_field` (templates/_macros.html), which sends radio groups to
`radio_field`."""

from __future__ import annotations

import re
from pathlib import Path

from flask import render_template_string
from wtforms import RadioField

from ipr_apps.forms import AppForm
from ipr_apps.models import Role
from tests.test_bad_input import _subclasses

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
ORPHAN_LABEL = re.compile(r"<label(?![^>]*\bfor=)[^>]*>")


def radio_fields(app) -> list[tuple[str, str]]:
    """(form class, field name) of every radio group of every page's form."""
    found = []
    with app.test_request_context(method="POST"):
        for form_class in set(_subclasses(AppForm)):
            form = form_class()
            found += [(form_class.__name__, f.name) for f in form if isinstance(f, RadioField)]
    return sorted(found)


def test_only_the_macros_use_bootstrap_flasks_render_field():
    users = sorted(
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if "bootstrap5/form.html" in path.read_text(encoding="utf-8")
    )
    assert users == ["_macros.html"]


def test_every_radio_group_renders_as_a_fieldset_with_its_legend(app):
    found = radio_fields(app)
    assert len(found) >= 7  # the language, the filing type, the calendar day, the case forms…
    forms = {cls.__name__: cls for cls in _subclasses(AppForm)}
    for class_name, name in found:
        with app.test_request_context(method="POST"):
            form = forms[class_name]()
            field = form[name]
            field.validate(form)  # with no data: the group shows its error, if it has one
            html = render_template_string(
                "{% from '_macros.html' import render_field %}{{ render_field(field) }}",
                field=field,
            )
        where = f"{class_name}.{name}"
        required = " required" if field.flags.required else ""  # the legend's red "*" (app.css)
        assert re.search(rf'<fieldset class="mb-3{required}" id="{field.id}"', html), where
        assert f'<legend class="form-label fs-6">{field.label.text}</legend>' in html, where
        assert html.count('type="radio"') == len(field.choices), where
        assert ORPHAN_LABEL.search(html) is None, where
        if field.errors:  # announced with the group, and the summary's link lands on it
            assert f'aria-describedby="{field.id}-error' in html, where


def test_a_required_group_is_marked_like_the_other_required_fields(app):
    from ipr_apps.cases.officer_forms import OutcomeForm

    with app.test_request_context(method="POST"):
        html = render_template_string(
            "{% from '_macros.html' import render_field %}{{ render_field(f) }}",
            f=OutcomeForm().outcome,
        )
    assert '<fieldset class="mb-3 required" id="outcome"' in html
    css = (TEMPLATES.parent / "ipr_apps/static/css/app.css").read_text(encoding="utf-8")
    assert ".required > legend::after" in css


def test_the_profile_language_choice_is_a_group(client, login, make_user):
    login(make_user(Role.HOLDER))
    html = client.get("/auth/profile").get_data(as_text=True)
    section = html.split('id="language"', 1)[1].split("</section>", 1)[0]
    assert '<fieldset class="mb-3" id="locale">' in section
    assert '<legend class="form-label fs-6">Language of pages and e-mails</legend>' in section
    assert ORPHAN_LABEL.search(section) is None


def test_registering_with_no_kind_links_the_error_to_the_group(client):
    response = client.post("/auth/register", data={"name": "Mei", "kind": "bogus"})
    html = response.get_data(as_text=True)
    assert '<a href="#kind" class="alert-link">' in html  # the summary's link…
    assert '<fieldset class="mb-3" id="kind" aria-describedby="kind-error">' in html  # …lands
