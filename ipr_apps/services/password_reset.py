"""Forgotten passwords: a single-use, one-hour link e-mailed to the account's address; the
request answers the same whether or not the address has an account."""

from __future__ import annotations

from flask import current_app

from ipr_apps import emails
from ipr_apps.db import unit_of_work
from ipr_apps.errors import ValidationError
from ipr_apps.models import EndReason, SecurityAction, User, utcnow
from ipr_apps.services import account_links, outbox, security_log, sessions, users
from ipr_apps.services.passwords import check_policy, hash_password
from ipr_apps.services.registration import INVALID_LINK


def request_reset(email: str) -> None:
    """E-mail a reset link if an active account has this address; otherwise do nothing."""
    try:
        email = users.normalise_email(email)
    except ValidationError:
        return
    with unit_of_work():
        user = users.get_by_email(email)
        if user is None or not user.active:
            return
        link = emails.link("account.reset_password", token=account_links.reset_token(user))
        hours = max(1, current_app.config["PASSWORD_RESET_MAX_AGE"] // 3600)
        subject, body = emails.render("password_reset", user=user, link=link, hours=hours)
        outbox.queue(user.email, subject, body)


def resettable_user(token: str) -> User | None:
    """The account a reset link belongs to, if the link is still valid."""
    return account_links.user_for_reset_token(token)


def reset_password(token: str, new_password: str) -> User:
    """Set the new password (the policy applies); the link dies with the old hash. Following
    the link proves the address, so an unconfirmed account becomes confirmed. Every session
    of the account ends: whoever knew the old password is signed out."""
    with unit_of_work() as session:
        user = account_links.user_for_reset_token(token)
        if user is None:
            raise ValidationError(str(INVALID_LINK))
        check_policy(new_password, users.personal_words_of(user), field="new_password")
        user.password_hash = hash_password(new_password)
        sessions.revoke_all(session, user, None, EndReason.PASSWORD_RESET, actor=user)
        detail = {"changed": "password", "via": "reset"}
        security_log.record(SecurityAction.ACCOUNT_CHANGED, user, user, detail)
        users.notify_password_changed(user, via="reset")
        if not user.email_confirmed:
            user.email_confirmed_at = utcnow()
        return user
