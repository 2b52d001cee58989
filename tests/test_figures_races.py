"""Figure: races on 200 applications, 0 double decisions, gap-free recordation numbers.

Against a live gunicorn with 4 workers (SQLite; PostgreSQL too with IPR_TEST_DATABASE_URL):
six reviewers empty a queue of 200 applications with "claim next" at the same time; then each
reviewer approves its applications in one tab while rejecting the same ones in another, and a
colleague tries to approve them too, all at once. Every application is claimed once and
decided once, by its claimant; the approvals are numbered 1..N without a gap.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from ipr_apps.db import db
from ipr_apps.models import (
    Application,
    Decision,
    Outcome,
    RejectReason,
    Role,
    Status,
    StatusEvent,
    today,
)
from tests.factories import make_application, make_user
from tests.test_concurrency import (  # noqa: F401  (server, data_app, live: the fixtures)
    Session,
    data_app,
    live,
    reviewers,
    server,
    signed_in,
)

pytestmark = pytest.mark.live

APPLICATIONS = 200  # the figure
REVIEWERS = 6
REJECT = {"reason_codes": [RejectReason.FALSE_INFORMATION.value], "message": "Forged.",
          "confirm": "1"}  # fmt: skip


def _in_threads(jobs: list[Callable[[], None]]) -> None:
    """Run every job in its own thread, all released together; re-raise the first error."""
    barrier, errors = threading.Barrier(len(jobs)), []

    def run(job):
        try:
            barrier.wait(timeout=60)
            job()
        except BaseException as error:  # re-raised in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not any(t.is_alive() for t in threads), "a client thread hung"
    if errors:
        raise errors[0]


def _claim_until_empty(session: Session, claimed: list[int], statuses: list[int]) -> None:
    while True:
        response = session.post("/review/claim-next")
        statuses.append(response.status)
        match = re.fullmatch(r"/review/(\d+)", response.location)
        if not match:
            assert response.location == "/review/", (response.status, response.location)
            return
        claimed.append(int(match.group(1)))


def _post_each(session: Session, ids: list[int], action: str, statuses: list[int]) -> None:
    form = REJECT if action == "reject" else {}
    for application_id in ids:
        statuses.append(session.post(f"/review/{application_id}/{action}", form).status)


def _count(*where) -> int:
    return db.session.scalar(select(func.count()).select_from(StatusEvent).where(*where))


def test_races_on_200_applications(live, capsys) -> None:  # noqa: F811
    holder = make_user(Role.HOLDER)
    ids = {make_application(holder, Status.SUBMITTED).id for _ in range(APPLICATIONS)}
    users = reviewers(REVIEWERS)
    tabs = signed_in(live, users)
    second_tabs = signed_in(live, users)
    claimed: list[list[int]] = [[] for _ in users]
    statuses: list[list[int]] = [[] for _ in range(4 * REVIEWERS)]

    # 1. Six reviewers take from the queue at once until it is empty.
    _in_threads([lambda i=i: _claim_until_empty(tabs[i], claimed[i], statuses[i])
                 for i in range(REVIEWERS)])  # fmt: skip
    every = [a for mine in claimed for a in mine]
    assert len(every) == len(set(every)) == APPLICATIONS and set(every) == ids

    # 2. Approve in one tab, reject in another, a colleague approves too: all at once.
    jobs = []
    for i in range(REVIEWERS):
        mine, colleague = claimed[i], tabs[(i + 1) % REVIEWERS]
        jobs += [
            lambda s=tabs[i], m=mine, r=statuses[REVIEWERS + i]: _post_each(s, m, "approve", r),
            lambda s=second_tabs[i], m=mine, r=statuses[2 * REVIEWERS + i]: _post_each(
                s, m, "reject", r
            ),
            lambda s=colleague, m=mine, r=statuses[3 * REVIEWERS + i]: _post_each(
                s, m, "approve", r
            ),
        ]
    _in_threads(jobs)
    assert all(status < 500 for answers in statuses for status in answers)

    db.session.expire_all()
    claimant = {a: users[i].id for i, mine in enumerate(claimed) for a in mine}
    decisions = list(db.session.execute(select(Decision)).scalars())
    assert sorted(d.application_id for d in decisions) == sorted(ids)  # one each, no double
    assert all(d.decided_by_id == claimant[d.application_id] for d in decisions)
    approved = [d.application_id for d in decisions if d.outcome == Outcome.APPROVED]
    assert _count(StatusEvent.action.in_(["approve", "reject"])) == APPLICATIONS
    assert _count(StatusEvent.action == "claim") == APPLICATIONS
    applications = db.session.execute(select(Application).where(Application.id.in_(ids)))
    numbers = []
    for application in applications.scalars():
        if application.id in approved:
            assert application.status == Status.APPROVED
            numbers.append(application.recordation.number)
        else:
            assert application.status == Status.REJECTED and application.recordation is None
    prefix = f"{application.ipr_type.prefix}{today().year}-"
    assert sorted(numbers) == [f"{prefix}{n:06d}" for n in range(1, len(approved) + 1)]
    with capsys.disabled():
        print(f"\n[figure] races: {APPLICATIONS} applications, {sum(map(len, statuses))} "
              f"racing requests, {len(decisions)} decisions ({len(approved)} approved, "
              f"numbers 1..{len(numbers)} gap-free), double decisions: 0")  # fmt: skip
