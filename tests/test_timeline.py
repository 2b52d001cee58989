"""The history on the application pages: holders read plain sentences with "Customs" as the
actor and only the notes meant for them; staff keep officers' names and every note."""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape
from types import SimpleNamespace

import pytest
from flask import render_template_string
from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.i18n import in_language
from ipr_apps.models import Role, StatusEvent
from ipr_apps.services import filing, review
from ipr_apps.workflow import TRANSITIONS, Action
from tests.factories import add_required_documents, complete_payload, grant_mandate

ZHAO, LI = "Officer Zhao", "Officer Li"
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}
RAW_VERBS = re.compile(r"\b(request_info|request info|claim \(|release \(|reassign|approve \()")


def _text(html: str) -> str:
    """The text as read: an inline span (a reference kept on one line) adds no space."""
    html = re.sub(r"</?span[^>]*>", "", html)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _history(html: str) -> str:
    """The text of the history list, tags dropped, whitespace collapsed."""
    match = re.search(r'<ol[^>]*data-testid="timeline".*?</ol>', html, re.S)
    assert match, "no history on the page"
    return _text(match.group(0))


def _entries(html: str) -> list[str]:
    """Each line of the history without its time stamp."""
    items = re.findall(r'<li[^>]*data-testid="timeline-entry">(.*?)</li>', html, re.S)
    return [_text(item).split(" UTC · ", 1)[1] for item in items]


@pytest.fixture
def people(make_user):
    owner = make_user(Role.HOLDER, name="Holder Wang")
    agent = make_user(Role.HOLDER, agency=True, name="Agent Chen")
    grant_mandate(agent, owner)
    return SimpleNamespace(
        owner=owner,
        agent=agent,
        zhao=make_user(Role.REVIEWER, name=ZHAO),
        li=make_user(Role.REVIEWER, name=LI),
        admin=make_user(Role.ADMIN, name="Admin Sun"),
    )


@pytest.fixture
def approved(people):
    """Filed by the agent, submitted by the holder, claimed (next), information requested and
    answered, claimed, reassigned, released, claimed again and approved by Officer Zhao."""
    draft = filing.create_draft(
        people.agent, "trademark", complete_payload(), people.owner.organisation_id
    )
    add_required_documents(draft)
    app_id = draft.id
    filing.submit(people.owner, app_id)
    review.claim_next(people.zhao)
    review.request_info(people.zhao, app_id, "Send the licence contract.")
    filing.submit(people.owner, app_id, response="Licence contract attached.")
    review.claim(people.zhao, app_id)
    review.reassign(people.admin, app_id, people.li.id)
    review.release(people.li, app_id)
    review.claim(people.zhao, app_id)
    return review.approve(people.zhao, app_id)


def test_holder_reads_customs_not_officers(client, login, people, approved):
    login(people.owner)
    page = client.get(f"/applications/{approved.id}").get_data(as_text=True)
    history = _history(page)
    assert ZHAO not in page and LI not in page and "Admin Sun" not in page
    assert not RAW_VERBS.search(history), history
    number = approved.recordation.number
    assert _entries(page) == [
        "Agent Chen created the draft.",
        "You submitted the application.",
        "Customs started reviewing the application.",
        "Customs asked for more information. Send the licence contract.",
        "You answered the request for information and resubmitted the application.",
        "Customs started reviewing the application.",
        "Customs put the application back in the review queue.",
        "Customs started reviewing the application.",
        f"Customs approved the application: recordation {number}.",
    ]
    # customs' internal notes and the reassignment stay with staff
    assert "claim next" not in history and "another officer" not in history
    assert "Licence contract attached." not in history  # shown with the request, not twice
    assert "valid until" not in history


def test_agent_reads_you_for_itself_and_the_holders_name(client, login, people, approved):
    login(people.agent)
    page = client.get(f"/applications/{approved.id}").get_data(as_text=True)
    history = _history(page)
    assert ZHAO not in page and LI not in page
    assert "You created the draft." in history
    assert "Holder Wang submitted the application." in history
    assert "Customs started reviewing the application." in history


def test_reviewer_keeps_names_changes_and_notes(client, login, people, approved):
    login(people.li)
    page = client.get(f"/review/{approved.id}").get_data(as_text=True)
    history = _history(page)
    assert f"{ZHAO} claimed the application and started reviewing it." in history
    assert f"{ZHAO} asked the holder for more information." in history
    reassigned = "Admin Sun gave the review to another officer."
    assert f"{reassigned} Reassigned from {ZHAO} to {LI}" in history
    assert "(Under review → Under review)" not in history
    assert f"{LI} put the application back in the review queue." in history
    assert f"{ZHAO} approved the application: recordation {approved.recordation.number}." in history
    assert "Claimed as the next application in the queue" in history
    assert "(Submitted → Under review)" in history
    assert "Holder Wang answered the request for information" in history
    assert "Licence contract attached." in history


def test_the_systems_notes_are_worded_in_the_readers_language(client, login, people, approved):
    """Notes the system wrote (the reassignment, claim-next, the recordation an approval made)
    read in the reader's language, whatever the language of the one who acted."""
    number, until = approved.recordation.number, approved.recordation.valid_until
    login(people.li)
    zh = _history(client.get(f"/review/{approved.id}", headers=ZH).get_data(as_text=True))
    assert f"审核工作由{ZHAO}改派给{LI}" in zh and "按队列顺序认领的下一份申请" in zh
    assert f"备案号 {number}，有效期至{until.year}年{until.month}月{until.day}日" in zh
    assert "Reassigned" not in zh and "valid until" not in zh and "claim next" not in zh
    en = _history(client.get(f"/review/{approved.id}", headers=EN).get_data(as_text=True))
    assert f"Recordation {number}, valid until {until.day} {until:%b %Y}" in en


def _same_right_twice(people, make_user):
    """The owner's submitted application and another holder's complete draft of the same
    right: submitting the draft finds the first as a possible duplicate."""
    first = filing.create_draft(people.owner, "trademark", complete_payload(number="TM-77"))
    add_required_documents(first)
    filing.submit(people.owner, first.id)
    other = make_user(Role.HOLDER, name="Other Holder")
    second = filing.create_draft(other, "trademark", complete_payload(number="TM-77"))
    add_required_documents(second)
    return first, second, other


def test_a_note_written_in_chinese_reads_in_english(client, login, people, make_user):
    first, second, other = _same_right_twice(people, make_user)
    with client.application.test_request_context("/"), in_language("zh_Hans"):
        assert filing.submit(other, second.id).duplicates  # the holder works in Chinese
    event = db.session.scalars(
        select(StatusEvent).filter_by(application_id=second.id, action="submit")
    ).one()
    assert event.note == f"Possible duplicate of {first.reference}"  # English in the table
    assert event.note_words == {"key": "duplicate", "references": first.reference}
    login(people.zhao)
    page = client.get(f"/review/{second.id}", headers=EN).get_data(as_text=True)
    assert f"Possible duplicate of {first.reference}" in _history(page)
    page = client.get(f"/review/{second.id}", headers=ZH).get_data(as_text=True)
    assert f"可能与 {first.reference} 重复" in _history(page)


def test_admin_on_the_application_page_keeps_names(client, login, people, approved):
    login(people.admin)
    history = _history(client.get(f"/applications/{approved.id}").get_data(as_text=True))
    assert f"{ZHAO} approved the application" in history and LI in history


def test_duplicate_check_note_is_not_shown_to_holders(client, login, people, make_user):
    first, second, other = _same_right_twice(people, make_user)
    assert filing.submit(other, second.id).duplicates
    login(other)
    history = _history(client.get(f"/applications/{second.id}").get_data(as_text=True))
    assert "You submitted the application." in history
    assert "duplicate" not in history.lower() and first.reference not in history
    login(people.zhao)
    history = _history(client.get(f"/review/{second.id}").get_data(as_text=True))
    assert f"Possible duplicate of {first.reference}" in history


def test_rejection_message_and_withdrawal_reason_are_shown_to_holders(client, login, people):
    rejected = filing.create_draft(people.owner, "trademark", complete_payload(number="TM-1"))
    add_required_documents(rejected)
    filing.submit(people.owner, rejected.id)
    review.claim(people.zhao, rejected.id)
    review.reject(people.zhao, rejected.id, ["right_not_protected"], "The mark has lapsed.")
    withdrawn = filing.create_draft(people.owner, "trademark")
    filing.withdraw(people.owner, withdrawn.id, "Filed twice by mistake.")
    login(people.owner)
    history = _history(client.get(f"/applications/{rejected.id}").get_data(as_text=True))
    assert "Customs rejected the application. The mark has lapsed." in history
    assert ZHAO not in history
    history = _history(client.get(f"/applications/{withdrawn.id}").get_data(as_text=True))
    assert "You withdrew the application. Filed twice by mistake." in history


# ------------------------------------------------- every action has a sentence, both ways


def _event(action: str, from_status, to_status, actor, note="internal note"):
    return SimpleNamespace(
        action=action, from_status=from_status, to_status=to_status, actor=actor,
        actor_id=actor.id if actor else None, note=note, note_words=None,
        created_at=datetime(2026, 1, 5, 9, 30),
    )  # fmt: skip


def _render(app, viewer, *events, number="T2026-000012") -> str:
    application = SimpleNamespace(
        events=list(events), recordation=SimpleNamespace(number=number) if number else None
    )
    with app.test_request_context():
        html = render_template_string(
            "{% include 'filing/_timeline.html' %}", application=application, current_user=viewer
        )
    return _history(html)


HOLDER_SIDE = {"create", Action.SUBMIT.value, Action.WITHDRAW.value}
EVERY_EVENT = [
    (action.value, state.value, transition.target.value)
    for (state, action), transition in TRANSITIONS.items()
    if transition.records and state is not None
] + [("create", None, "draft"), ("import", None, "approved"), ("import", None, "rejected")]


def test_every_action_and_every_audit_call_is_covered():
    """The matrix below covers the Action enum and the other actions services write."""
    import pathlib

    covered = {action for action, _from, _to in EVERY_EVENT}
    permissions = {a for (_s, a), t in TRANSITIONS.items() if not t.records}
    assert {a.value for a in Action} - permissions <= covered
    written = set()
    for path in (pathlib.Path(__file__).parents[1] / "ipr_apps").rglob("*.py"):
        source = path.read_text()
        applied = re.findall(r"workflow\.(?:apply|record)\(\s*\w+,\s*Action\.(\w+)", source)
        written |= {name.lower() for name in applied}
        written |= set(re.findall(r'"action": "(\w+)"', source))
    assert written and written <= covered, written - covered


@pytest.mark.parametrize(("action", "from_status", "to_status"), EVERY_EVENT)
def test_every_event_reads_as_a_sentence(app, people, action, from_status, to_status):
    holder_side = action in HOLDER_SIDE
    actor = None if action == "import" else (people.owner if holder_side else people.zhao)
    event = _event(action, from_status, to_status, actor)
    for viewer in (people.owner, people.agent, people.zhao, people.admin):
        text = _render(app, viewer, event)
        assert "The application is now" not in text, (viewer.name, text)  # a real sentence
        if viewer.role == Role.HOLDER:
            assert ZHAO not in text and not RAW_VERBS.search(text), text
            assert action == Action.REASSIGN or "Customs" in text or holder_side, text
            assert action != Action.REASSIGN or text == "No events yet.", text
        elif actor is not None:
            assert actor.name in text, text


def test_unknown_action_falls_back_to_the_new_status_without_details(app, people):
    event = _event("frobnicate", "under_review", "submitted", people.zhao, "secret")
    assert _render(app, people.owner, event).endswith("The application is now submitted.")
    staff = _render(app, people.admin, event)
    assert f"{ZHAO} moved the application to submitted. (Under review → Submitted)" in staff
    assert "secret" in staff


def test_holders_see_only_the_notes_meant_for_them(app, people):
    shown = {Action.REQUEST_INFO.value, Action.REJECT.value, Action.WITHDRAW.value}
    for action, from_status, to_status in EVERY_EVENT:
        actor = people.owner if action in HOLDER_SIDE else people.zhao
        text = _render(app, people.owner, _event(action, from_status, to_status, actor))
        assert ("internal note" in text) == (action in shown), (action, text)
        staff = _render(app, people.zhao, _event(action, from_status, to_status, actor))
        assert "internal note" in staff


def test_a_viewer_without_a_staff_role_gets_the_plain_view(app, people):
    from flask_login import AnonymousUserMixin

    event = _event(Action.CLAIM.value, "submitted", "under_review", people.zhao)
    text = _render(app, AnonymousUserMixin(), event)
    assert text.endswith("Customs started reviewing the application.") and ZHAO not in text
