"""Helpers of the renewal, amendment and diff tests: a recordation made the real way (filed,
submitted, claimed and approved through the services, on a chosen day)."""

from __future__ import annotations

import io
from contextlib import contextmanager
from datetime import date, datetime

from ipr_apps.db import db
from ipr_apps.models import Application, DocType, Recordation
from ipr_apps.models.base import clock_at
from ipr_apps.services import documents, filing, review
from tests.factories import complete_payload
from tests.files import pdf, png


@contextmanager
def on(day: date):
    """Run the services as if it were noon (UTC) on `day`."""
    with clock_at(datetime(day.year, day.month, day.day, 12)):
        yield


def with_documents(actor, application_id: int) -> None:
    kinds = [DocType.IPR_CERTIFICATE, DocType.IDENTITY_PROOF]
    if actor.is_agent:
        kinds.append(DocType.POWER_OF_ATTORNEY)
    for kind in kinds:
        documents.attach(actor, application_id, kind, io.BytesIO(pdf()), f"{kind.value}.pdf")
    documents.set_mark_image(actor, application_id, io.BytesIO(png()), "mark.png")


def payload(expiry: date) -> dict:
    data = complete_payload()
    data["right"] = {**data["right"], "registration_date": date(2010, 1, 1), "expiry_date": expiry}
    return data


def decide(reviewer, application_id: int) -> Application:
    """Claim and approve a submitted application."""
    review.claim(reviewer, application_id)
    return review.approve(reviewer, application_id)


def recorded(owner, reviewer, approved_on: date, expiry: date = date(2060, 12, 31)) -> Recordation:
    """An active recordation approved on `approved_on` (valid 10 years, capped by `expiry`)."""
    with on(approved_on):
        draft = filing.create_draft(owner, "trademark", payload(expiry))
        with_documents(owner, draft.id)
        filing.submit(owner, draft.id)
        application = decide(reviewer, draft.id)
    db.session.expire_all()
    return db.session.get(Application, application.id).recordation


def submit_change(owner, reviewer, application_id: int, day: date, approve: bool = True):
    """Submit a renewal or amendment draft on `day` and (by default) approve it."""
    with on(day):
        filing.submit(owner, application_id)
        if approve:
            decide(reviewer, application_id)
    db.session.expire_all()
    return db.session.get(Application, application_id)
