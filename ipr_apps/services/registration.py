"""Self-registration that never tells whether an address has an account: both cases answer
alike and e-mail the address (a confirmation link, or a note to the existing owner)."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ipr_apps import emails
from ipr_apps.db import db, unit_of_work
from ipr_apps.errors import ConflictError, ValidationError
from ipr_apps.models import SecurityAction, User, utcnow
from ipr_apps.services import account_links, outbox, security_log, users
from ipr_apps.services.passwords import burn_hash, check_policy, personal_words
from ipr_apps.services.users import OrganisationDetails

INVALID_LINK = _l("This link is not valid or has expired.")


def register(
    email: str, password: str, name: str, details: OrganisationDetails, locale: str | None = None
) -> None:
    """Create an unconfirmed holder account and e-mail its confirmation link or, when the
    address has an account already, e-mail its owner instead; the caller cannot tell which.
    `locale`: the language the form was filled in, kept as the account's choice (its e-mails
    are worded in it; the profile can change it)."""
    email = users.normalise_email(email)
    if not (details.name_local or "").strip():
        raise ValidationError.on("name_local", _("Organisation name is required."))
    check_policy(password, personal_words(email, name, details.name_local))
    if users.get_by_email(email) is None:
        try:
            with unit_of_work():
                user = users.add_holder(email, password, name, details, confirmed=False)
                user.locale = locale
                queue_confirmation(user)
            return
        except ConflictError:  # another sign-up for this address won the race
            pass
    burn_hash(password)  # as long as the branch that stores a hash
    with unit_of_work():
        _queue_attempt_notice(users.get_by_email(email))


def queue_confirmation(user: User) -> None:
    """Queue the e-mail with the confirmation link (in the caller's transaction)."""
    link = emails.link("account.confirm", token=account_links.confirm_token(user))
    hours = max(1, current_app.config["EMAIL_CONFIRM_MAX_AGE"] // 3600)
    subject, body = emails.render("confirm_email", user=user, link=link, hours=hours)
    outbox.queue(user.email, subject, body)


def _queue_attempt_notice(user: User | None) -> None:
    if user is None:  # deleted in between: nobody to tell
        return
    subject, body = emails.render(
        "registration_attempt",
        user=user,
        login_link=emails.link("auth.login"),
        reset_link=emails.link("account.forgot_password"),
    )
    outbox.queue(user.email, subject, body)


def confirmable_user(token: str) -> User | None:
    """The account a confirmation link belongs to, if the link is valid."""
    return account_links.user_for_confirm_token(token)


def confirm_email(token: str) -> User:
    """Mark the address confirmed; a link works until it is used (or expires)."""
    with unit_of_work():
        user = account_links.user_for_confirm_token(token)
        if user is None or user.email_confirmed:
            raise ValidationError(str(INVALID_LINK))
        user.email_confirmed_at = utcnow()
        user.last_login_at = utcnow()  # the caller signs the owner in
        detail = {"changed": "email_confirmed"}
        security_log.record(SecurityAction.ACCOUNT_CHANGED, user, user, detail)
        return user


def resend_confirmation(user_id: int) -> None:
    """A new confirmation e-mail for an account still waiting for one (else nothing)."""
    with unit_of_work():
        user = db.session.get(User, user_id)
        if user is not None and user.active and not user.email_confirmed:
            queue_confirmation(user)
