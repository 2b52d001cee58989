"""Accounts: registration, staff creation, login checks, passwords, activation."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ipr_apps import emails
from ipr_apps.db import db, unit_of_work
from ipr_apps.errors import (
    ConflictError,
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from ipr_apps.models import (
    CustomsDistrict,
    EndReason,
    Organisation,
    OrgKind,
    Role,
    SecurityAction,
    User,
    utcnow,
)
from ipr_apps.services import outbox, security_log, sessions
from ipr_apps.services.passwords import (
    check_policy,
    hash_password,
    personal_words,
    verify_password,
)


class EmailNotConfirmed(DomainError):
    """Right credentials, but the owner has not followed the confirmation link yet."""

    http_status = 403
    code = "email_not_confirmed"

    def __init__(self, user: User):
        super().__init__(_("Confirm your e-mail address first: follow the link we sent you."))
        self.user = user


@dataclass
class OrganisationDetails:
    """Group 1 of an application: who the holder (or agency) is."""

    name_local: str
    kind: OrgKind = OrgKind.HOLDER
    name_en: str | None = None
    country: str | None = None
    registration_number: str | None = None
    address: str | None = None
    legal_representative: str | None = None
    contact_person: str | None = None
    email: str | None = None
    phone: str | None = None

    def apply_to(self, org: Organisation) -> None:
        for field in Organisation.PROFILE_FIELDS:
            value = getattr(self, field)
            setattr(org, field, value.strip() or None if isinstance(value, str) else value)
        if org.country:
            org.country = org.country.upper()


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254 or " " in email:
        raise ValidationError.on("email", _("Enter a valid email address."))
    return email


def get_by_email(email: str) -> User | None:
    return db.session.execute(
        select(User).where(User.email == email.strip().lower())
    ).scalar_one_or_none()


def _new_user(
    email: str,
    password: str,
    role: Role,
    name: str,
    org: Organisation | None,
    confirmed: bool = True,
    district_code: str | None = None,
) -> User:
    email = normalise_email(email)
    if get_by_email(email) is not None:
        raise ConflictError(_("An account with the email %(email)s already exists.", email=email))
    org_name = org.name_local if org else ""
    check_policy(password, personal_words(email, name, org_name or ""))
    user = User(
        email=email, name=name.strip() or email, role=role, organisation=org,
        district_code=district_code,
    )  # fmt: skip
    user.password_hash = hash_password(password)
    user.email_confirmed_at = utcnow() if confirmed else None
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError as exc:  # lost a race with another sign-up for the same email
        raise ConflictError(
            _("An account with the email %(email)s already exists.", email=email)
        ) from exc
    return user


def register_holder(
    email: str, password: str, name: str, details: OrganisationDetails, confirmed: bool = True
) -> User:
    """A rights holder's or an agency's account with its organisation, confirmed (seed-demo,
    tests); self-registration goes through services.registration."""
    with unit_of_work():
        return add_holder(email, password, name, details, confirmed)


def add_holder(
    email: str, password: str, name: str, details: OrganisationDetails, confirmed: bool
) -> User:
    """The holder account and its organisation, in the caller's transaction (never commits)."""
    if not (details.name_local or "").strip():
        raise ValidationError.on("name_local", _("Organisation name is required."))
    org = Organisation(kind=details.kind, name_local=details.name_local)
    details.apply_to(org)
    user = _new_user(email, password, Role.HOLDER, name, org, confirmed)
    org.email = org.email or user.email
    security_log.record(SecurityAction.ACCOUNT_CREATED, user, user, {"role": "holder"})
    return user


def create_user(
    email: str,
    password: str,
    role: Role,
    name: str | None = None,
    actor: User | None = None,
    district_code: str | None = None,
) -> User:
    """Create any account (admin page or CLI; the CLI passes actor=None as the operator).

    A holder created this way gets an organisation named after it, to complete later; an
    officer belongs to an active customs district (and only officers have one).
    """
    if actor is not None and actor.role != Role.ADMIN:
        raise PermissionDenied(_("Only administrators create accounts."))
    role = Role(role)
    display = (name or "").strip() or email.strip().lower()
    with unit_of_work():
        district = _district_for(role, district_code)
        org = Organisation(kind=OrgKind.HOLDER, name_local=display) if role == Role.HOLDER else None
        user = _new_user(email, password, role, display, org, district_code=district)
        detail = {"role": role.value} | ({"district": district} if district else {})
        security_log.record(SecurityAction.ACCOUNT_CREATED, actor, user, detail)
        return user


def check_district(role: Role, code: str | None) -> str | None:
    """The district an account of `role` would get, or the ValidationError create_user raises
    (the CLI checks it before asking for the password)."""
    return _district_for(Role(role), code)


def _district_for(role: Role, code: str | None) -> str | None:
    """The district code an account of `role` gets, checked against the districts list."""
    code = (code or "").strip() or None
    if role != Role.OFFICER:
        if code is not None:
            raise ValidationError.on("district", _("Only officers belong to a customs district."))
        return None
    if code is None:
        raise ValidationError.on(
            "district", _("An officer belongs to a customs district: give its code.")
        )
    district = db.session.get(CustomsDistrict, code)
    if district is None or not district.active:
        raise ValidationError.on(
            "district", _("%(code)s is not an active customs district.", code=code)
        )
    return code


def personal_words_of(user: User) -> list[str]:
    """The user's own data a password must not contain."""
    org_name = user.organisation.name_local if user.organisation else ""
    return personal_words(user.email, user.name, org_name)


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None (the same, in answer and time, for an unknown
    email, a bad password and an inactive account); EmailNotConfirmed when the credentials are
    right but the address has not been confirmed yet."""
    user = get_by_email(email or "")
    ok = verify_password(user.password_hash if user else None, password or "")
    if not ok or user is None or not user.active:
        security_log.record_now(SecurityAction.SIGNIN_FAILED, target=user, email=email)
        return None
    if not user.email_confirmed:
        raise EmailNotConfirmed(user)
    with unit_of_work():
        user.last_login_at = utcnow()
        security_log.record(SecurityAction.SIGNIN_SUCCEEDED, user, user)
    return user


def change_password(user: User, current: str, new: str, keep_session: int | None = None) -> None:
    """Set a new password and end every other session of the user (`keep_session`: this one)."""
    if not verify_password(user.password_hash, current):
        raise ValidationError.on("current_password", _("Your current password is not correct."))
    check_policy(new, personal_words_of(user), field="new_password")
    with unit_of_work() as session:
        user.password_hash = hash_password(new)
        sessions.revoke_all(session, user, keep_session, EndReason.PASSWORD_CHANGED, actor=user)
        security_log.record(SecurityAction.ACCOUNT_CHANGED, user, user, {"changed": "password"})
        notify_password_changed(user, via="profile")


def notify_password_changed(user: User, via: str) -> None:
    """Tell the owner (ASVS 2.2.3): if it was not them, the e-mail says how to take it back."""
    link = emails.link("account.forgot_password")
    subject, body = emails.render("password_changed", user=user, via=via, link=link)
    outbox.queue(user.email, subject, body)


def set_active(actor: User, user_id: int, active: bool) -> User:
    if actor.role != Role.ADMIN:
        raise PermissionDenied(_("Only administrators change accounts."))
    with unit_of_work() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(_("No such account."))
        if user.id == actor.id and not active:
            raise ValidationError(_("You cannot deactivate your own account."))
        if user.active != active:
            user.active = active
            security_log.record(_ACTIVATION[active], actor, user)
        if not active:
            sessions.revoke_all(session, user, None, EndReason.DEACTIVATED, actor=actor)
        return user


_ACTIVATION = {True: SecurityAction.ACCOUNT_ACTIVATED, False: SecurityAction.ACCOUNT_DEACTIVATED}


def update_organisation(user: User, details: OrganisationDetails) -> Organisation:
    """A holder (or agent) completes or corrects its own organisation profile."""
    if user.organisation is None:
        raise PermissionDenied(_("Only holders have an organisation profile."))
    if not (details.name_local or "").strip():
        raise ValidationError.on("name_local", _("Organisation name is required."))
    with unit_of_work():
        details.kind = user.organisation.kind
        details.apply_to(user.organisation)
        return user.organisation


def count_by_role() -> dict[Role, int]:
    rows = db.session.execute(select(User.role, func.count()).group_by(User.role)).all()
    counts = dict.fromkeys(Role, 0)
    counts.update(dict(rows))
    return counts


def set_locale(user: User, locale: str | None) -> None:
    """Save the language the user chose (the navbar switch, the profile page); e-mails follow
    it too. None (or a language we do not have): no choice, the browser's language decides."""
    from ipr_apps.i18n import known

    with unit_of_work() as session:
        session.get(User, user.id).locale = known(locale)
