"""Customs districts (4-digit customs codes) maintained by admins: add, rename, deactivate
and reactivate, each written to the security log. Officers belong to an active district."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ipr_apps.db import db, unit_of_work
from ipr_apps.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from ipr_apps.models import CustomsDistrict, Role, SecurityAction, User
from ipr_apps.pagination import Page, keyset_page
from ipr_apps.services import security_log

NAME_MAX = 200
_CODE = re.compile(r"\d{4}")


def _require_admin(actor: User | None) -> None:
    """actor=None is the operator at the command line (or seed-demo)."""
    if actor is not None and actor.role != Role.ADMIN:
        raise PermissionDenied(_("Only administrators maintain the customs districts."))


def normal_code(code: str | None) -> str:
    """The code as stored, or a ValidationError: exactly four digits (e.g. 5301)."""
    code = (code or "").strip()
    if not _CODE.fullmatch(code) or not code.isascii():
        raise ValidationError.on("code", _("The customs code is exactly 4 digits, e.g. 5301."))
    return code


def _names(name_local: str | None, name_en: str | None) -> tuple[str, str | None]:
    local, english = (name_local or "").strip(), (name_en or "").strip() or None
    if not local:
        raise ValidationError.on("name_local", _("Enter the district's name in Chinese."))
    for field, value in (("name_local", local), ("name_en", english or "")):
        if len(value) > NAME_MAX:
            message = _("The name is longer than %(max)s characters.", max=NAME_MAX)
            raise ValidationError.on(field, message)
    return local, english


def get(code: str) -> CustomsDistrict:
    district = db.session.get(CustomsDistrict, (code or "").strip())
    if district is None:
        raise NotFound(_("No customs district %(code)s.", code=code))
    return district


def page(cursor: str | None, size: int) -> Page:
    """Every district by code, active or not."""
    stmt = select(CustomsDistrict)
    return keyset_page(stmt, [CustomsDistrict.code], cursor, size)


def officer_counts(codes: list[str]) -> dict[str, int]:
    """How many officer accounts (active or not) each of `codes` has, in one query."""
    if not codes:
        return {}
    stmt = (
        select(User.district_code, func.count())
        .where(User.district_code.in_(codes))
        .group_by(User.district_code)
    )
    return dict(db.session.execute(stmt).all())


def active_districts() -> list[CustomsDistrict]:
    """The districts new officers (and cases) may be placed in, by code."""
    stmt = select(CustomsDistrict).where(CustomsDistrict.active).order_by(CustomsDistrict.code)
    return list(db.session.execute(stmt).scalars())


def add_district(
    actor: User | None, code: str | None, name_local: str | None, name_en: str | None = None
) -> CustomsDistrict:
    _require_admin(actor)
    code = normal_code(code)
    local, english = _names(name_local, name_en)
    duplicate = ValidationError.on(
        "code", _("Customs district %(code)s exists already.", code=code)
    )
    with unit_of_work() as session:
        if session.get(CustomsDistrict, code) is not None:
            raise duplicate
        district = CustomsDistrict(code=code, name_local=local, name_en=english)
        session.add(district)
        try:
            session.flush()
        except IntegrityError as exc:  # another admin added the same code a moment ago
            raise duplicate from exc
        detail = {"name_local": local, "name_en": english}
        security_log.record(SecurityAction.DISTRICT_ADDED, actor, district, detail)
        return district


def add_or_keep(
    actor: User | None, code: str | None, name_local: str | None, name_en: str | None = None
) -> CustomsDistrict | None:
    """add_district, or None when the district exists already with exactly these names (so a
    provisioning script may run twice); a code that exists with other names is an error."""
    code = normal_code(code)
    local, english = _names(name_local, name_en)
    existing = db.session.get(CustomsDistrict, code)
    if existing is None:
        return add_district(actor, code, local, english)
    if (existing.name_local, existing.name_en) == (local, english):
        return None
    message = _(
        "Customs district %(code)s exists already, named %(name)s; rename it on the admin "
        "page Customs districts.",
        code=code, name=existing.name_local,
    )  # fmt: skip
    raise ValidationError.on("code", message)


def rename_district(
    actor: User | None, code: str, name_local: str | None, name_en: str | None
) -> CustomsDistrict:
    """New names for a district; its code never changes (cases and officers refer to it)."""
    _require_admin(actor)
    local, english = _names(name_local, name_en)
    with unit_of_work():
        district = get(code)
        before = {"name_local": district.name_local, "name_en": district.name_en}
        after = {"name_local": local, "name_en": english}
        if before != after:
            district.name_local, district.name_en = local, english
            detail = {"before": before, "after": after}
            security_log.record(SecurityAction.DISTRICT_CHANGED, actor, district, detail)
        return district


def set_active(actor: User | None, code: str, active: bool) -> CustomsDistrict:
    """Deactivate (officers and cases stay; no new ones) or reactivate a district."""
    _require_admin(actor)
    with unit_of_work():
        district = get(code)
        if district.active == active:
            if active:
                message = _("Customs district %(code)s is active already.", code=district.code)
            else:
                message = _("Customs district %(code)s is deactivated already.", code=district.code)
            raise ConflictError(message)
        district.active = active
        security_log.record(_ACTIVATION[active], actor, district)
        return district


_ACTIVATION = {True: SecurityAction.DISTRICT_ACTIVATED, False: SecurityAction.DISTRICT_DEACTIVATED}
