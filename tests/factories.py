"""Test factories: real rows created through the services where a service exists."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from ipr_apps.db import db
from ipr_apps.models import (
    AgentMandate,
    Application,
    CustomsDistrict,
    DocType,
    Document,
    IpRight,
    IprType,
    OrgKind,
    Recordation,
    RecordationStatus,
    Role,
    Status,
    User,
    utcnow,
)
from ipr_apps.screening.current import changed as screening_changed
from ipr_apps.services import recordations, users
from ipr_apps.services.users import OrganisationDetails

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)


def make_user(
    role: Role | str = Role.HOLDER,
    email: str | None = None,
    password: str = PASSWORD,
    name: str | None = None,
    agency: bool = False,
    country: str = "CN",
    district: str = "5301",
) -> User:
    n = next(_seq)
    role = Role(role)
    email = email or f"{role.value}{n}@example.com"
    if role == Role.OFFICER:
        make_district(district)
        display = name or f"Officer {n}"
        return users.create_user(email, password, role, display, district_code=district)
    if role != Role.HOLDER:
        return users.create_user(email, password, role, name or f"{role.value.title()} {n}")
    details = OrganisationDetails(
        kind=OrgKind.AGENCY if agency else OrgKind.HOLDER,
        name_local=f"Organisation {n}",
        name_en=f"Organisation {n} Ltd.",
        country=country,
        registration_number=f"REG-{n:05d}",
        address=f"{n} Test Road",
        legal_representative="Legal Rep",
        contact_person="Contact Person",
        email=email,
        phone="+86 000",
    )
    return users.register_holder(email, password, name or f"Holder {n}", details)


def grant_mandate(agent: User, holder: User) -> AgentMandate:
    mandate = AgentMandate(agency_id=agent.organisation_id, holder_id=holder.organisation_id)
    db.session.add(mandate)
    db.session.commit()
    return mandate


def make_application(
    owner: User,
    status: Status | str = Status.DRAFT,
    ipr_type: IprType | str = IprType.TRADEMARK,
    claimed_by: User | None = None,
    registration_number: str | None = None,
) -> Application:
    """An application already in `status`, with just the columns its state requires."""
    n = next(_seq)
    status = Status(status)
    org = owner.organisation
    now = utcnow()
    app = Application(
        reference=f"TEST-{n:06d}",
        ipr_type=IprType(ipr_type),
        status=status,
        holder_org_id=org.id,
        filed_by_id=owner.id,
        holder_name_local=org.name_local,
        holder_name_en=org.name_en,
        holder_country=org.country,
    )
    app.right = IpRight(
        registration_number=registration_number or f"R{n:07d}",
        title=f"Mark {n}",
        expiry_date=date.today() + timedelta(days=3650),
    )
    if status not in (Status.DRAFT, Status.WITHDRAWN):
        app.first_submitted_at = app.submitted_at = now
        app.due_on = date.today() + timedelta(days=42)
    if status == Status.UNDER_REVIEW:
        app.claimed_by_id = claimed_by.id if claimed_by else None
        app.claimed_at = now
    if status in (Status.APPROVED, Status.REJECTED):
        app.decided_at = now
    db.session.add(app)
    db.session.commit()
    return app


def complete_payload(
    ipr_type: IprType | str = IprType.TRADEMARK, number: str = "TM-1000001"
) -> dict:
    """A payload that passes full validation for `ipr_type` (documents aside)."""
    ipr_type = IprType(ipr_type)
    right = {
        IprType.TRADEMARK: {
            "registration_number": number, "title": "BRIGHTLIGHT", "nice_classes": "9, 11",
            "goods_services": "Lamps; LED bulbs", "registration_date": date(2020, 1, 1),
            "expiry_date": date.today() + timedelta(days=2000),
        },
        IprType.COPYRIGHT: {
            "title": "Brightlight firmware", "work_type": "software",
            "first_publication_country": "CN",
        },
    }.get(ipr_type, {
        "registration_number": number, "title": "LED driver circuit", "abstract": "A driver.",
        "filing_date": date(2019, 5, 1), "expiry_date": date.today() + timedelta(days=3000),
    })  # fmt: skip
    return {
        "right": right,
        "goods": [
            {"name": "LED bulb", "hs_code": "853952", "place_of_manufacture": "Shenzhen",
             "main_features": "Logo on base", "price_min": "10", "price_max": "20",
             "currency": "CNY"},
            {"name": "Desk lamp", "hs_code": "9405.21.00", "place_of_manufacture": "Dongguan",
             "main_features": "Engraved serial"},
        ],
        "licensees": [{"name": "Bright EU GmbH", "country": "DE", "exclusive": True}],
        "infringers": [{"name": "Fake Lights Co", "country": "CN", "role": "manufacturer"}],
    }  # fmt: skip


def add_document(application: Application, doc_type: DocType | str) -> Document:
    """A document row (the file itself is not needed by the filing rules)."""
    n = next(_seq)
    doc = Document(
        application_id=application.id, doc_type=DocType(doc_type), original_name=f"doc{n}.pdf",
        stored_name=f"test-{n:08d}.pdf", content_type="application/pdf", size_bytes=100,
        sha256="0" * 64,
    )  # fmt: skip
    db.session.add(doc)
    db.session.commit()
    return doc


def add_required_documents(application: Application) -> None:
    add_document(application, DocType.IPR_CERTIFICATE)
    add_document(application, DocType.IDENTITY_PROOF)
    if application.agency_id:
        add_document(application, DocType.POWER_OF_ATTORNEY)


def make_district(code: str = "5301", name_en: str | None = None) -> CustomsDistrict:
    """The customs district `code`, created (committed) if it does not exist yet."""
    district = db.session.get(CustomsDistrict, code)
    if district is None:
        name = name_en or f"District {code}"
        district = CustomsDistrict(code=code, name_local=f"{name} 海关", name_en=name)
        db.session.add(district)
        db.session.commit()
    return district


def recordation_row(
    application: Application,
    number: str | None = None,
    valid_from: date = date(2019, 1, 1),
    valid_until: date = date(2029, 1, 1),
    sequence: int | None = None,
    status: RecordationStatus = RecordationStatus.ACTIVE,
) -> Recordation:
    """A recordation of an approved `application` added to the session (not committed), with
    its facts copied the way the approval copies them. No event: tests that need the
    history go through review.approve."""
    n = sequence or next(_seq)
    prefix = application.ipr_type.prefix
    recordation = Recordation(
        number=number or f"{prefix}{valid_from.year}-{n:06d}", application_id=application.id,
        prefix=prefix, year=valid_from.year, sequence=n, valid_from=valid_from,
        valid_until=valid_until, status=status, ipr_type=application.ipr_type,
        holder_org_id=application.holder_org_id,
        ended_on=None if status == RecordationStatus.ACTIVE else valid_until,
    )  # fmt: skip
    recordations.copy_facts(recordation, application)
    db.session.add(recordation)
    application.recordation = recordation
    screening_changed(db.session)  # as every real change of a recordation does
    return recordation
