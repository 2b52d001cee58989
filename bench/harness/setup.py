"""Run in the database's environment: bench accounts, fresh API tokens, the ids the pages need.

python bench/harness/setup.py      # prints one JSON object (DATABASE_URL chosen by the caller)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

PASSWORD = "Quartz-Meadow-4917-lantern-Sx"  # noqa: S105 (bench accounts on bench databases)
ROLES = ("reviewer", "admin", "officer", "holder")


def _one(sql: str, **params):
    from sqlalchemy import text

    from ipr_apps.db import db

    return db.session.execute(text(sql), params).first()


def _account(role: str, district: str | None):
    from ipr_apps.models import Role
    from ipr_apps.services import users

    email = f"bench-{role}@bench.example"
    user = users.get_by_email(email)
    if user is None:
        role_of = Role.HOLDER if role == "agent" else Role(role)
        user = users.create_user(email, PASSWORD, role_of, f"Bench {role}",
                                 district_code=district if role == "officer" else None)  # fmt: skip
    return user


def _attach_holder(user) -> int | None:
    """The bench holder speaks for the organisation with the most applications (a realistic
    'my applications' list); a bench-only write, the generator knows no bench accounts."""
    from sqlalchemy import text

    from ipr_apps.db import db

    busiest = _one("SELECT holder_org_id FROM applications GROUP BY holder_org_id "
                   "ORDER BY count(*) DESC, holder_org_id LIMIT 1")  # fmt: skip
    if busiest and user.organisation_id != busiest[0]:
        db.session.execute(text("UPDATE users SET organisation_id = :org WHERE id = :id"),
                           {"org": busiest[0], "id": user.id})  # fmt: skip
        db.session.commit()
    return busiest[0] if busiest else None


def _agent(district: str | None):
    """The bench agent works for the agency with the most applications (a holder account
    moved into that agency: an agent is a holder-role user of an agency organisation)."""
    from sqlalchemy import text

    from ipr_apps.db import db

    busiest = _one("SELECT agency_id FROM applications WHERE agency_id IS NOT NULL "
                   "GROUP BY agency_id ORDER BY count(*) DESC, agency_id LIMIT 1")  # fmt: skip
    if busiest is None:
        return None
    user = _account("agent", district)
    if user.organisation_id != busiest[0]:
        db.session.execute(text("UPDATE users SET organisation_id = :org WHERE id = :id"),
                           {"org": busiest[0], "id": user.id})  # fmt: skip
        db.session.commit()
    return user


def _ids(org_id: int | None) -> dict:
    # A waiting application for a new recordation (any decided one on a database with none
    # waiting): the same kind of page at every size (a renewal's or an amendment's review
    # page also reads the version it changes, eight statements more).
    sql = ("SELECT id, reference, holder_name_local FROM applications "
           "WHERE kind = 'new' AND status {} ORDER BY id")  # fmt: skip
    waiting = _one(sql.format("= 'submitted'") + " LIMIT 1") or _one(
        sql.format("<> 'draft'") + " LIMIT 1"
    )
    own = _one("SELECT id FROM applications WHERE holder_org_id = :org ORDER BY id LIMIT 1",
               org=org_id)  # fmt: skip
    recordation = _one("SELECT id, number, holder_name FROM recordations ORDER BY id LIMIT 1")
    case = _one("SELECT id FROM detention_cases ORDER BY id LIMIT 1")
    return {
        "application_id": waiting[0] if waiting else None,
        "reference": waiting[1] if waiting else None,
        "holder_name": waiting[2] if waiting else None,
        "own_application_id": own[0] if own else None,
        "recordation_id": recordation[0] if recordation else None,
        "register_q": (recordation[2] or "")[:8].strip() if recordation else None,
        "case_id": case[0] if case else None,
    }


def _busiest_district() -> str | None:
    """The active district with the most cases (its officer's list is the one with full
    pages at every size), the first by code when there are none."""
    row = _one(
        "SELECT d.code FROM customs_districts d LEFT JOIN detention_cases c ON c.port_code = d.code"
        " WHERE d.active GROUP BY d.code ORDER BY count(c.id) DESC, d.code LIMIT 1"
    )
    return row[0] if row else None


def main() -> None:
    from ipr_apps import create_app
    from ipr_apps.services import tokens

    app = create_app()
    with app.app_context():
        district = _busiest_district()
        roles = [r for r in ROLES if r != "officer" or district]
        accounts = {role: _account(role, district) for role in roles}
        org_id = _attach_holder(accounts["holder"])
        agent = _agent(district)
        if agent is not None:
            accounts["agent"] = agent
        raw = {role: tokens.create_token(accounts[role], "bench", by_operator=True)[1]
               for role in ("reviewer", "holder", "agent") if role in accounts}  # fmt: skip
        info = {"password": PASSWORD, "emails": {r: u.email for r, u in accounts.items()},
                "tokens": raw, "holder_org_id": org_id, **_ids(org_id)}  # fmt: skip
    print(json.dumps(info))


if __name__ == "__main__":
    main()
