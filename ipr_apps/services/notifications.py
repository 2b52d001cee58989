"""Telling holders about their applications: in-app notifications, and e-mails queued in the
outbox in the same transaction (delivered by a task after commit)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select, select, update

from ipr_apps import emails, i18n
from ipr_apps.db import db, unit_of_work
from ipr_apps.errors import NotFound
from ipr_apps.models import (
    Application,
    DetentionCase,
    DetentionRequest,
    Notification,
    Recordation,
    Role,
    User,
    utcnow,
)
from ipr_apps.pagination import Page, keyset_page
from ipr_apps.services import capped, outbox


def notify_application(application: Application, template: str, **context) -> None:
    """Tell the holder (and the filing agency) about its application: an in-app notification
    and an e-mail per active user, worded by templates/emails/<template>.txt, which extends
    emails/_application.txt and fills its `subject` and `message` blocks (given `application`,
    `user`, `link` and `context`). Inside the caller's transaction; never commits."""
    link = emails.link("filing.show", application_id=application.id)
    for user in recipients_of(application):
        values = {"application": application, "user": user, "link": link, **context}
        _notify(user, template, values, application_id=application.id)


def _notify(user: User, template: str, values: dict, **about) -> None:
    """The notification and the e-mail, both in the recipient's language (not the actor's),
    worded now: the outbox and the notifications table keep the finished text. The
    notification keeps its other languages' wording too, for when the reader switches."""
    subject, body, message = emails.render_notice(template, **values)
    locale = i18n.of_user(user)
    others = emails.wordings(template, locale, **values)
    db.session.add(
        Notification(user_id=user.id, subject=subject, body=message, locale=locale,
                     translations=others, **about)
    )  # fmt: skip
    outbox.queue(user.email, subject, body)


def notify_recordation(recordation: Recordation, template: str, **context) -> None:
    """Tell the holder (and the agency of its recorded facts) about its recordation: an in-app
    notification and an e-mail per active user, worded by templates/emails/<template>.txt, which
    extends emails/_recordation.txt and fills its `subject` and `message` blocks (given
    `recordation`, `user`, `link` and `context`). Inside the caller's transaction."""
    link = emails.link("recordations.show", recordation_id=recordation.id)
    for user in _users_of({recordation.holder_org_id, recordation.agency_id}):
        values = {"recordation": recordation, "user": user, "link": link, **context}
        _notify(user, template, values, recordation_id=recordation.id)


def notify_case(case: DetentionCase, template: str, **context) -> None:
    """Tell the holder (and the agency of the recordation the case rests on) about a detention
    case: worded by templates/emails/<template>.txt, which extends emails/_case.txt and fills
    its `subject` and `message` blocks (given `case`, `user`, `link` and `context`)."""
    link = emails.link("cases.show", case_id=case.id)
    agency = case.recordation.agency_id if case.recordation is not None else None
    for user in _users_of({case.holder_org_id, agency}):
        values = {"case": case, "user": user, "link": link, **context}
        _notify(user, template, values, case_id=case.id)


def notify_case_officers(case: DetentionCase, template: str, **context) -> None:
    """Tell the officers of the case's district (active users with role officer whose
    district is the case's port) about a detention case, like `notify_case`: worded by
    templates/emails/<template>.txt extending emails/_case.txt. Inside the caller's
    transaction."""
    link = emails.link("cases.show", case_id=case.id)
    for user in _officers_of(case.port_code):
        values = {"case": case, "user": user, "link": link, **context}
        _notify(user, template, values, case_id=case.id)


def notify_request(request: DetentionRequest, template: str, **context) -> None:
    """Tell the holder (and the agency of the recordation it was filed on) about its request
    for detention: worded by templates/emails/<template>.txt, which extends
    emails/_request.txt and fills its `subject` and `message` blocks (given `request`, `user`,
    `link` and `context`). The in-app notice points at the recordation (and the case, if any)."""
    link = emails.link("detention_requests.show", request_id=request.id)
    agency = request.recordation.agency_id if request.recordation is not None else None
    case = context.get("case")
    about = {"recordation_id": request.recordation_id, "case_id": case.id if case else None}
    for user in _users_of({request.holder_org_id, agency}):
        values = {"request": request, "user": user, "link": link, **context}
        _notify(user, template, values, **about)


def notify_district(port_code: str, template: str, **context) -> None:
    """Tell the active officers of a customs district: an in-app notification and an e-mail
    each, worded by templates/emails/<template>.txt (given `user`, `link` and `context`)."""
    request = context.get("request")
    link = emails.link("detention_requests.show", request_id=request.id) if request else None
    for user in _officers_of(port_code):
        _notify(user, template, {"user": user, "link": link, **context})


def _officers_of(port_code: str) -> list[User]:
    """The active officers of a customs district."""
    stmt = (
        select(User)
        .where(User.role == Role.OFFICER, User.district_code == port_code, User.active.is_(True))
        .order_by(User.id)
    )
    return list(db.session.execute(stmt).scalars())


def recipients_of(application: Application) -> list[User]:
    """Active users of the holder organisation and of the agency that filed, each once."""
    return _users_of({application.holder_org_id, application.agency_id})


def _users_of(org_ids: set[int | None]) -> list[User]:
    org_ids = org_ids - {None}
    stmt = (
        select(User)
        .where(User.organisation_id.in_(org_ids), User.active.is_(True))
        .order_by(User.id)
    )
    return list(db.session.execute(stmt).scalars())


def unread(user: User) -> Select:
    """The user's unread notifications."""
    return unread_of(user.id)


def unread_of(user_id: int) -> Select:
    """`unread` by the user's id (read before the user is loaded)."""
    return select(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )


def unread_count(user: User) -> int:
    """The navigation bar's badge: counted up to capped.CAP ("999+"), on every page."""
    return capped.counts({"unread": unread(user)})["unread"]


def list_for(user: User, cursor: str | None, size: int) -> Page:
    """The user's notifications, newest first."""
    stmt = select(Notification).where(Notification.user_id == user.id)
    return keyset_page(stmt, [Notification.id], cursor, size, descending=True)


def mark_read(user: User, notification_id: int) -> Notification:
    """Mark one of the user's own notifications read; anybody else's is NotFound."""
    with unit_of_work() as session:
        notification = session.get(Notification, notification_id)
        if notification is None or notification.user_id != user.id:
            raise NotFound(_("No such notification."))
        if notification.read_at is None:
            notification.read_at = utcnow()
    return notification


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the user read; returns how many were unread."""
    stmt = (
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    with unit_of_work() as session:
        count = session.execute(stmt).rowcount
    return count
