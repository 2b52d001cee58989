"""Every registered route × every role: anonymous → login, wrong role → 403, right role → served.

A new route that is not listed in ACCESS fails this suite until someone decides who may use it.
"""

from __future__ import annotations

import pytest
from werkzeug.routing import Rule

from ipr_apps.models import Role
from ipr_apps.services import tokens

PUBLIC = "public"
TOKEN = "token"  # JSON API: a bearer token or 401, whatever session cookie is sent
SIGNED_IN = frozenset({"holder", "reviewer", "admin", "officer"})
FILING = frozenset({"holder", "reviewer", "admin"})  # applications, their documents
HOLDER = frozenset({"holder"})
STAFF = frozenset({"reviewer", "admin"})
ADMIN = frozenset({"admin"})
REVIEWER = frozenset({"reviewer"})
OFFICER = frozenset({"officer"})
CASES = frozenset({"holder", "officer", "admin"})  # detention cases and requests

ACCESS: dict[str, str | frozenset[str]] = {
    "api-docs.openapi_json": PUBLIC,
    "api_docs.index": PUBLIC,
    "api_docs.asset": PUBLIC,
    **{
        f"applications.{name}": TOKEN
        for name in (
            "create",
            "list_applications",
            "get",
            "patch",
            "upload",
            "list_documents",
            "submit",
            "withdraw",
            "claim",
            "release",
            "decide",
            "revise",
        )
    },
    "statistics.get_stats": TOKEN,
    "screening.screen": TOKEN,
    "static": PUBLIC,
    "bootstrap.static": PUBLIC,
    "main.index": PUBLIC,
    "main.home": SIGNED_IN,
    "main.set_locale": PUBLIC,  # the language switch (a cookie; saved for a signed-in user)
    "auth.login": PUBLIC,
    "auth.register": PUBLIC,
    "auth.logout": SIGNED_IN,
    "auth.profile": SIGNED_IN,
    "auth.set_language": SIGNED_IN,  # the profile's saved language
    "auth.organisation": HOLDER,
    "auth.api_tokens": SIGNED_IN,
    "auth.revoke_token": SIGNED_IN,
    "account.confirm": PUBLIC,
    "account.resend_confirmation": PUBLIC,
    "account.forgot_password": PUBLIC,
    "account.reset_password": PUBLIC,
    "auth.end_session": SIGNED_IN,
    "auth.end_other_sessions": SIGNED_IN,
    "filing.index": HOLDER,
    "filing.new": HOLDER,
    "filing.show": FILING,
    "filing.edit": HOLDER,
    "filing.withdraw": HOLDER,
    "filing.revise": HOLDER,
    "documents.upload": FILING,
    "documents.mark_image": FILING,
    "documents.download": SIGNED_IN,
    "documents.delete": FILING,
    "review.index": STAFF,
    "review.show": STAFF,
    "review.claim_next": REVIEWER,
    "review.claim": REVIEWER,
    "review.release": STAFF,
    "review.reassign": ADMIN,
    "review.request_info": REVIEWER,
    "review.approve": REVIEWER,
    "review.reject": REVIEWER,
    "review.add_note": STAFF,
    "filing.certificate": FILING,
    "recordations.show": SIGNED_IN,
    "recordations.index": SIGNED_IN,
    "recordations.cancel": HOLDER,
    "recordations.revoke": ADMIN,
    "recordations.renew": HOLDER,
    "recordations.amend": HOLDER,
    "admin.index": ADMIN,
    "admin.user_list": ADMIN,
    "admin.new_user": ADMIN,
    "admin.deactivate_user": ADMIN,
    "admin.activate_user": ADMIN,
    "admin.holidays": ADMIN,
    "admin.delete_holiday": ADMIN,
    "admin.override_holiday": ADMIN,
    "admin.mail_list": ADMIN,
    "admin.mail_retry": ADMIN,
    "admin.job_list": ADMIN,
    "admin.job_import": ADMIN,
    "admin.job_show": ADMIN,
    "admin.job_status": ADMIN,
    "admin.job_result": ADMIN,
    "admin.job_rerun": ADMIN,
    "admin.job_import_cases": ADMIN,
    "admin.security_log_list": ADMIN,
    "notifications.index": SIGNED_IN,
    "notifications.read": SIGNED_IN,
    "notifications.read_all": SIGNED_IN,
    "stats.index": STAFF,
    "stats.export": ADMIN,
    "stats.export_job": ADMIN,
    "stats.chart": STAFF,
    "register.search": PUBLIC,
    "register.verify": PUBLIC,
    "public_register.search": PUBLIC,
    "public_register.verify": PUBLIC,
    "cases.show": CASES,
    "cases.index": CASES,
    "admin.district_list": ADMIN,
    "admin.new_district": ADMIN,
    "admin.edit_district": ADMIN,
    "admin.deactivate_district": ADMIN,
    "admin.activate_district": ADMIN,
    "admin.guarantee_list": ADMIN,
    "admin.edit_guarantee": ADMIN,
    "admin.clear_guarantee": ADMIN,
    "cases.find": OFFICER,
    "cases.new": OFFICER,
    "cases.outcome": OFFICER,
    "cases.confirm": HOLDER,
    "cases.withdraw": HOLDER,
    "cases.release": OFFICER,
    "screenings.progress": OFFICER,
    "screenings.hits_csv": OFFICER,
    "screenings.hits_xlsx": OFFICER,
    "detention_requests.index": CASES,
    "detention_requests.show": CASES,
    "detention_requests.evidence": CASES,
    "detention_requests.new": HOLDER,
    "detention_requests.withdraw": HOLDER,
    "detention_requests.accept": OFFICER,
    "detention_requests.refuse": OFFICER,
    "screenings.index": OFFICER,
    "screenings.example": OFFICER,
    "screenings.run": OFFICER,
    "screenings.holder_hits": HOLDER,
}
ROLES = ["anonymous", "holder", "reviewer", "admin", "officer"]


def _routes(app) -> list[tuple[Rule, str]]:
    return [
        (rule, method)
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]


def test_every_route_has_a_declared_access_rule(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - ACCESS.keys() == set(), "declare who may use the new route in ACCESS"
    assert ACCESS.keys() - endpoints == set(), "ACCESS lists a route that no longer exists"


def _url_args(rule: Rule, fixtures: dict) -> dict:
    values = {
        "filename": "js/app.js" if rule.endpoint == "static" else "css/bootstrap.min.css",
        "user_id": fixtures["target"].id,
        "token_id": fixtures["token_id"],
        "application_id": fixtures["application"].id,
        "document_id": 0,  # no such document: allowed roles get 404 from the service
        "day": "2000-01-01",  # not in the holiday calendar: admins are told so
        "notification_id": 0,  # no such notification: allowed roles get 404
        "message_id": 0,  # no such e-mail: admins get 404
        "job_id": 0,  # no such job: admins get 404
        "session_id": 0,  # no such sign-in session: signed-in users get 404
        "recordation_id": 0,  # no such recordation: allowed roles get 404
        "case_id": 0,  # no such detention case: allowed roles get 404
        "district_code": "0000",  # no such customs district: admins get 404
        "organisation_id": 0,  # no such holder organisation: admins get 404
        "request_id": 0,  # no such request for detention: allowed roles get 404
        "doc_id": 0,  # no such evidence file: allowed roles get 404
        "run_id": 0,  # no such screening run: officers get 404
        "fmt": "csv",
        "name": "approvals",
        "token": "not-a-valid-token",  # e-mailed account links: everybody gets 400
        "number": "T1999-000000",  # no such recordation: everybody gets the register's 404
    }
    return {arg: values[arg] for arg in rule.arguments}


@pytest.fixture
def fixtures(users_by_role, make_user, make_application):
    target = make_user(Role.HOLDER)
    token, _ = tokens.create_token(users_by_role["holder"], "matrix")
    application = make_application(users_by_role["holder"], "draft")
    return {"target": target, "token_id": token.id, "application": application}


@pytest.mark.parametrize("role", ROLES)
def test_role_route_matrix(app, client, login, users_by_role, fixtures, role):
    user = users_by_role[role]
    failures = []
    for rule, method in _routes(app):
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **_url_args(rule, fixtures))
        test_client = app.test_client()
        if user is not None:
            login(user, to=test_client)
        response = test_client.open(url, method=method)
        response.close()  # static files are streamed from open handles
        failure = _check(ACCESS[rule.endpoint], role, response)
        if failure:
            failures.append(f"{method} {url} as {role}: {failure} (got {response.status_code})")
    assert failures == [], "\n".join(failures)


def _check(access, role: str, response) -> str | None:
    status = response.status_code
    if status >= 500:
        return "server error"
    goes_to_login = status == 302 and "/auth/login" in response.headers.get("Location", "")
    if access == PUBLIC:
        return "public route refused" if status in (401, 403) or goes_to_login else None
    if access == TOKEN:
        return None if status == 401 else "API route answered without a bearer token"
    if role == "anonymous":
        return None if goes_to_login else "anonymous not sent to login"
    if role not in access:
        return None if status == 403 else "wrong role not refused with 403"
    return "allowed role refused" if status == 403 or goes_to_login else None
