"""Demo data for a first start: accounts for every role, a decision history and applications
(all idempotent)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from ipr_apps.db import db, unit_of_work
from ipr_apps.errors import ValidationError
from ipr_apps.models import AgentMandate, OrgKind, Role
from ipr_apps.services import users
from ipr_apps.services.passwords import generate_password, password_problem
from ipr_apps.services.users import OrganisationDetails

PASSWORD_FILE = "demo_password"  # noqa: S105 (a file name in the instance folder)

HOLDERS = [
    (
        "holder@example.com",
        "Li Wei",
        OrganisationDetails(
            kind=OrgKind.HOLDER, name_local="深圳光明电子有限公司",
            name_en="Shenzhen Brightlight Electronics Co., Ltd.", country="CN",
            registration_number="91440300MA5DXXXX1K", address="88 Keji Road, Nanshan, Shenzhen",
            legal_representative="Zhang Min", contact_person="Li Wei",
            email="ip@brightlight.example", phone="+86 755 0000 0001",
        ),
    ),
    (
        "holder2@example.com",
        "Anna Keller",
        OrganisationDetails(
            kind=OrgKind.HOLDER, name_local="Aurora Sportswear GmbH",
            name_en="Aurora Sportswear GmbH", country="DE", registration_number="HRB 123456",
            address="Leopoldstraße 10, 80802 München", legal_representative="Jonas Weber",
            contact_person="Anna Keller", email="legal@aurora.example", phone="+49 89 000000",
        ),
    ),
    (
        "agent@example.com",
        "Chen Jing",
        OrganisationDetails(
            kind=OrgKind.AGENCY, name_local="华信知识产权代理有限公司",
            name_en="Huaxin IP Agency Ltd.", country="CN", registration_number="91110000AGENCY01",
            address="1 Jianguomen Avenue, Beijing", legal_representative="Wang Fang",
            contact_person="Chen Jing", email="filing@huaxin.example", phone="+86 10 0000 0002",
        ),
    ),
]  # fmt: skip
STAFF = [
    ("admin@example.com", "Demo Admin", Role.ADMIN),
    ("reviewer@example.com", "Officer Zhao", Role.REVIEWER),
    ("reviewer2@example.com", "Officer Qian", Role.REVIEWER),
]


@dataclass
class DemoAccount:
    role: str
    email: str
    password_note: str


def seed() -> list[DemoAccount]:
    """Create whatever demo accounts are missing; never touches existing ones."""
    password = demo_password()
    accounts = [_staff(email, name, role, password) for email, name, role in STAFF]
    accounts += [_holder(email, name, details, password) for email, name, details in HOLDERS]
    _mandates()
    accounts += _border_side(password)
    return accounts


def _border_side(password: str) -> list[DemoAccount]:
    """Customs districts, the port officers in them, the demo holder's general guarantee."""
    from ipr_apps.services import demo_districts

    demo_districts.seed_districts()
    officers = demo_districts.seed_officers(password)
    demo_districts.seed_guarantee()
    return [DemoAccount("officer", email, _note(made, password)) for email, made in officers]


def demo_password() -> str:
    """DEMO_PASSWORD (IPR_DEMO_PASSWORD) when set, if it passes the password policy; else one
    random password kept in instance/demo_password, so that every run prints the same one."""
    configured = current_app.config.get("DEMO_PASSWORD")
    if configured:
        problem = password_problem(configured)
        if problem:
            raise ValidationError(f"IPR_DEMO_PASSWORD is not accepted: {problem}")
        return configured
    return _instance_password(Path(current_app.instance_path) / PASSWORD_FILE)


def _instance_password(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    password = generate_password()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process wrote it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(password)
    return password


def seed_cases() -> int:
    """Import the demo detention-case history (2018 up to last month); returns cases imported."""
    from ipr_apps.services import demo_cases

    return demo_cases.seed()


def seed_history() -> int:
    """Import the demo decision history (2018 up to last month); returns rows imported."""
    from ipr_apps.services import demo_history

    return demo_history.seed().imported


def seed_applications() -> int:
    from ipr_apps.services import demo_applications

    return demo_applications.seed()


def seed_recordations() -> int:
    """Recordations across their life (renewal window, renewed, expired, lapsed, cancelled,
    revoked, an amendment in the queue); after seed_applications, whose LUMINA it amends."""
    from ipr_apps.services import demo_recordations

    return demo_recordations.seed()


def seed_border() -> int:
    """Live detention cases and requests (after seed_recordations, whose recordations they
    rest on); returns the cases opened."""
    from ipr_apps.services import demo_border

    return demo_border.seed()


def _note(created: bool, password: str) -> str:
    return f"password: {password}" if created else "already existed (password unchanged)"


def _staff(email: str, name: str, role: Role, password: str) -> DemoAccount:
    created = users.get_by_email(email) is None
    if created:
        users.create_user(email, password, role, name)
    return DemoAccount(role.value, email, _note(created, password))


def _holder(email: str, name: str, details: OrganisationDetails, password: str) -> DemoAccount:
    created = users.get_by_email(email) is None
    if created:
        users.register_holder(email, password, name, details)
    label = "agent" if details.kind == OrgKind.AGENCY else "holder"
    return DemoAccount(label, email, _note(created, password))


def _mandates() -> None:
    """The demo agency represents both demo holders."""
    agent = users.get_by_email("agent@example.com")
    holders = [users.get_by_email(email) for email, _, d in HOLDERS if d.kind == OrgKind.HOLDER]
    with unit_of_work() as session:
        for holder in holders:
            if holder is None or agent is None:
                continue
            exists = session.execute(
                select(AgentMandate.id).where(
                    AgentMandate.agency_id == agent.organisation_id,
                    AgentMandate.holder_id == holder.organisation_id,
                )
            ).first()
            if not exists:
                db.session.add(
                    AgentMandate(agency_id=agent.organisation_id, holder_id=holder.organisation_id)
                )
