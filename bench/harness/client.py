"""HTTP clients on the standard library: timed requests with cookies, sign-in, req/s."""

from __future__ import annotations

import html
import http.client
import multiprocessing
import re
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit


@dataclass
class Reply:
    status: int
    body: bytes
    ms: float
    statements: int | None
    location: str | None
    etag: str | None = None


class Client:
    """One user agent: its cookies (a signed-in session) or a bearer token."""

    def __init__(self, port: int, token: str | None = None):
        self.port, self.cookies = port, {}
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def cookie_header(self) -> dict[str, str]:
        if not self.cookies:
            return {}
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    def request(
        self, method: str, path: str, form: dict | None = None, extra: dict | None = None
    ) -> Reply:
        headers = {**self.headers, **self.cookie_header(), "Accept-Language": "en", **(extra or {})}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        began = time.perf_counter()
        # A new connection each time: gunicorn's sync workers close it after every response.
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        ms = (time.perf_counter() - began) * 1000
        for raw in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(raw).items():
                self.cookies[name] = morsel.value
        sql = response.getheader("X-Bench-SQL")
        return Reply(response.status, data, ms, int(sql) if sql else None,
                     response.getheader("Location"), response.getheader("ETag"))  # fmt: skip

    def get(self, path: str, etag: str | None = None) -> Reply:
        """GET; with `etag`, as a browser revalidating its copy (If-None-Match)."""
        return self.request("GET", path, extra={"If-None-Match": etag} if etag else None)

    def login(self, email: str, password: str) -> None:
        page = self.get("/auth/login")
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page.body)
        if not token:
            raise RuntimeError(f"no CSRF token on the sign-in page (status {page.status})")
        form = {"email": email, "password": password, "csrf_token": token.group(1).decode()}
        reply = self.request("POST", "/auth/login", form)
        if reply.status != 302 or "/auth/login" in (reply.location or ""):
            raise RuntimeError(f"sign-in of {email} failed (status {reply.status})")


def next_link(body: bytes) -> str | None:
    """The href of the page's rel="next" link (keyset pagination), as a path."""
    found = re.search(rb'rel="next"\s+href="([^"]+)"', body) or re.search(
        rb'href="([^"]+)"[^>]*rel="next"', body
    )
    if not found:
        return None
    url = urlsplit(html.unescape(found.group(1).decode()))
    return url.path + (f"?{url.query}" if url.query else "")


def _hammer(args) -> tuple[int, int]:
    """One client process: GET the path again and again until the time is up."""
    port, path, headers, seconds = args
    done = failed = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            done += 1
            failed += response.status not in (200, 304)
        except OSError:
            failed += 1
        finally:
            conn.close()
    return done, failed


def rate(
    client: Client, path: str, clients: int, seconds: float, etag: str | None = None
) -> tuple[float, int]:
    """Requests per second with `clients` concurrent processes for `seconds`; and failures.
    With `etag`, every request revalidates that copy (If-None-Match), as a browser does."""
    headers = {**client.headers, **client.cookie_header()}
    if etag:
        headers["If-None-Match"] = etag
    with multiprocessing.get_context("fork").Pool(clients) as pool:
        began = time.perf_counter()
        results = pool.map(_hammer, [(client.port, path, headers, seconds)] * clients)
        elapsed = time.perf_counter() - began
    return sum(done for done, _ in results) / elapsed, sum(failed for _, failed in results)
