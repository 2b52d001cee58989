"""What is measured: every list page of every role, the API lists, the baselines."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote_plus


@dataclass(frozen=True)
class Probe:
    figure: str  # the row of the table
    who: str  # a key of the clients: reviewer, holder, admin, officer, anon, api-*, flask-admin
    path: str
    kind: str = "page"  # page, api (≤ 1.2, ≤ 10 SQL); detail (≤ 1.2); stats (+ < 500 ms); …
    revalidate: bool = False  # sent with the ETag of its warm-up answer (a browser's reload)


def _q(text: str | None) -> str:
    return quote_plus(text or "")


DEEP = "/review/ page 1,000 (keyset next links)"
FIRST = "/review/ page 1"
REVALIDATED = " — revalidated (304)"


def probes(info: dict, deep_path: str) -> list[Probe]:
    """The probes for one database; `deep_path`: the queue's page 1,000 (or its last page)."""
    found = [
        Probe(FIRST, "reviewer", "/review/"),
        Probe(DEEP, "reviewer", deep_path),
        Probe(FIRST + REVALIDATED, "reviewer", "/review/", revalidate=True),
        Probe(DEEP + REVALIDATED, "reviewer", deep_path, revalidate=True),
        Probe(
            "/review/ search by holder name", "reviewer", f"/review/?q={_q(info['holder_name'])}"
        ),
        Probe("/review/ search by reference", "reviewer", f"/review/?q={_q(info['reference'])}"),
        Probe(
            "/review/<id> (application)", "reviewer", f"/review/{info['application_id']}", "detail"
        ),
        Probe("/stats/ default view", "reviewer", "/stats/", "stats"),
        Probe("/recordations/ (reviewer)", "reviewer", "/recordations/"),
        Probe("/notifications/ (reviewer)", "reviewer", "/notifications/"),
        Probe("/applications/ (holder's)", "holder", "/applications/"),
        Probe(
            "/applications/<id> (holder)",
            "holder",
            f"/applications/{info['own_application_id']}",
            "detail",
        ),
        Probe("/recordations/ (holder)", "holder", "/recordations/"),
        Probe("/detention-requests/ (holder)", "holder", "/detention-requests/"),
        Probe("/screening/hits (holder)", "holder", "/screening/hits"),
        Probe("/notifications/ (holder)", "holder", "/notifications/"),
        Probe("/admin/users", "admin", "/admin/users"),
        Probe("/admin/jobs", "admin", "/admin/jobs"),
        Probe("/admin/security-log", "admin", "/admin/security-log"),
        Probe("/admin/holidays", "admin", "/admin/holidays"),
        Probe("/cases/ (admin)", "admin", "/cases/"),
        Probe("/register/ search", "anon", f"/register/?q={_q(info['register_q'])}"),
        Probe("API /api/v1/applications (reviewer)", "api-reviewer", "/api/v1/applications", "api"),
        Probe("API /api/v1/applications (holder)", "api-holder", "/api/v1/applications", "api"),
        Probe(
            "API /api/v1/register search",
            "anon",
            f"/api/v1/register?q={_q(info['register_q'])}",
            "api",
        ),
        Probe("Flask-Admin ModelView page 1", "flask-admin", "/admin/application/", "baseline"),
        Probe(
            "Flask-Admin ModelView page 1,000",
            "flask-admin",
            "/admin/application/?page=999",
            "baseline",
        ),
        Probe("/static/favicon.svg", "anon", "/static/favicon.svg", "static"),
    ]
    if "officer" in info["emails"]:
        found += [
            Probe("/cases/ (officer)", "officer", "/cases/"),
            Probe("/cases/find search", "officer", f"/cases/find?q={_q(info['register_q'])}"),
            Probe("/detention-requests/ (officer)", "officer", "/detention-requests/"),
            Probe("/screening/ (officer)", "officer", "/screening/"),
        ]
    if "agent" in info["emails"]:  # an agency's lists: what it filed, what its holders did
        found += [
            Probe("/applications/ (agent's filings)", "agent", "/applications/"),
            Probe("/applications/ (agent's holders)", "agent", "/applications/?scope=holders"),
            Probe("/recordations/ (agent)", "agent", "/recordations/"),
            Probe("API /api/v1/applications (agent)", "api-agent", "/api/v1/applications", "api"),
        ]
    if info.get("case_id"):
        found.append(Probe("/cases/<id> (admin)", "admin", f"/cases/{info['case_id']}", "detail"))
    if info.get("recordation_id"):
        found.append(Probe("/recordations/<id> (reviewer)", "reviewer",
                           f"/recordations/{info['recordation_id']}", "detail"))  # fmt: skip
    return found
