"""The production recipe (deploy/): nginx in front of gunicorn keeps slow clients off the workers.

gunicorn runs with deploy/gunicorn.conf.py (4 sync workers, timeout 10 s here) and nginx with
deploy/nginx/ rendered for a free port (tests/nginx.py). Skipped without nginx unless
IPR_REQUIRE_NGINX is set (CI sets it).
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from ipr_apps.admin.jobs import IMPORT_MAX_BYTES
from ipr_apps.config import Defaults
from tests.live import PROJECT_ROOT, LiveServer, live_server, temporary_database
from tests.nginx import DEPLOY, SERVER_NAME, Nginx, require_nginx, running_nginx

WORKERS = 4
SLOW_CLIENTS = 6  # more than the workers
BODY_BYTES = 100_000
TRICKLE = (5, 0.5)  # bytes, every seconds: the body would take hours
FAST_ENOUGH = 2.0  # seconds for GET / while the slow clients trickle
STALLED = 3.0  # seconds without an answer that prove gunicorn alone is stalled

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[tuple[LiveServer, Nginx]]:
    require_nginx()
    tmp = tmp_path_factory.mktemp("deploy")
    with ExitStack() as stack:
        database = stack.enter_context(temporary_database("deploy", tmp))
        server = stack.enter_context(
            live_server(
                database, tmp / "instance", workers=WORKERS, with_worker=False,
                env={"IPR_PROXY_FIX_X_FOR": "1", "IPR_SECRET_KEY": "deploy-test",
                     "IPR_BASE_URL": f"https://{SERVER_NAME}"},
                # --timeout: a stalled worker is killed sooner; --preload: the app is imported
                # once, not by each of the four workers (a busy CI machine boots them slowly).
                gunicorn_args=("-c", str(PROJECT_ROOT / "deploy" / "gunicorn.conf.py"),
                               "--timeout", "10", "--preload"),
                app_target="tests.whoami_app:app",
            )
        )  # fmt: skip
        upstream = server.url.removeprefix("http://")
        yield server, stack.enter_context(running_nginx(upstream))


def send(
    port: int,
    method: str,
    path: str,
    host: str = SERVER_NAME,
    headers: dict | None = None,
    *,
    timeout: float = 10,
    source: str = "127.0.0.1",
    tls: ssl.SSLContext | None = None,
) -> http.client.HTTPResponse:
    """One request on a fresh connection (from `source`, optionally TLS with SNI `host`)."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    raw = socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0))
    with raw, tls.wrap_socket(raw, server_hostname=host) if tls else raw as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        response = http.client.HTTPResponse(sock, method=method)
        try:
            response.begin()
            response.body = response.read()
        finally:
            response.close()
    return response


def timed_get(port: int, timeout: float) -> float:
    started = time.monotonic()
    response = send(port, "GET", "/", timeout=timeout)
    assert response.status == 200
    return time.monotonic() - started


class Trickler(threading.Thread):
    """A client that sends a POST's head at once and then its 100 kB body a few bytes at a time."""

    def __init__(self, port: int, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.port, self.stop, self.sending = port, stop, threading.Event()

    def run(self) -> None:
        head = (
            f"POST /auth/login HTTP/1.1\r\nHost: {SERVER_NAME}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {BODY_BYTES}\r\n\r\n"
        )
        size, pause = TRICKLE
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
            sock.sendall(head.encode())
            self.sending.set()
            while not self.stop.wait(pause):
                try:
                    sock.sendall(b"x" * size)
                except OSError:
                    return


@contextmanager
def trickling(port: int) -> Iterator[None]:
    stop = threading.Event()
    clients = [Trickler(port, stop) for _ in range(SLOW_CLIENTS)]
    for client in clients:
        client.start()
    try:
        for client in clients:
            assert client.sending.wait(5), "a slow client could not connect"
        time.sleep(1.0)  # they are past their heads and into the body
        yield
    finally:
        stop.set()
        for client in clients:
            client.join(10)


def test_slow_clients_do_not_stall_get_behind_nginx(stack) -> None:
    server, nginx = stack
    for _ in range(WORKERS):  # every worker has served a page once (first requests are slower)
        timed_get(nginx.https_port, timeout=30)
    with trickling(nginx.https_port):
        times = [timed_get(nginx.https_port, timeout=10) for _ in range(3)]
    assert max(times) < FAST_ENOUGH, times
    gunicorn_port = int(server.url.rsplit(":", 1)[1])
    # The baseline: the same slow clients straight at gunicorn take all four sync workers.
    with trickling(gunicorn_port), pytest.raises(TimeoutError):
        send(gunicorn_port, "GET", "/", timeout=STALLED)


def test_static_files_come_from_nginx(stack) -> None:
    server, nginx = stack
    page = send(nginx.https_port, "GET", "/").body.decode()
    assets = set(re.findall(r'(?:href|src)="(/(?:bootstrap/)?static/[^"?#]+)', page))
    assert any(a.startswith("/bootstrap/static/") for a in assets), assets
    assert any(a.startswith("/static/") for a in assets), assets
    for asset in assets:
        response = send(nginx.https_port, "GET", asset)
        assert response.status == 200, asset
        assert response.getheader("Cache-Control", "").startswith("max-age="), asset
    # gunicorn logs what reaches it (a worker writes the line after sending the response:
    # wait for it) ...
    assert _logged(server, '"GET / HTTP/1.0" 200')
    assert not [asset for asset in assets if f"GET {asset} " in server.log()]  # ... not these


def test_static_files_are_the_files_on_disk(stack) -> None:
    _server, nginx = stack
    response = send(nginx.https_port, "GET", "/static/css/app.css")
    assert response.body == (PROJECT_ROOT / "ipr_apps" / "static" / "css" / "app.css").read_bytes()
    assert send(nginx.https_port, "GET", "/static/../app.py").status in (400, 404)


def test_the_app_sees_the_client_address_not_a_forged_one(stack) -> None:
    _server, nginx = stack
    forged = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Host": "evil.example"}
    response = send(nginx.https_port, "GET", "/_test/whoami", headers=forged, source="127.0.0.2")
    seen = json.loads(response.body)
    assert seen == {"remote_addr": "127.0.0.2", "scheme": "http", "host": SERVER_NAME}


def test_unknown_host_gets_no_answer(stack) -> None:
    _server, nginx = stack
    with pytest.raises(http.client.RemoteDisconnected):
        send(nginx.https_port, "GET", "/", host="evil.example")


def test_body_over_the_limit_is_refused_by_nginx(stack) -> None:
    _server, nginx = stack
    size = {"Content-Length": str(Defaults.MAX_CONTENT_LENGTH + 1)}
    assert send(nginx.https_port, "POST", "/auth/login", headers=size).status == 413


def test_plain_http_redirects_to_https(stack) -> None:
    _server, nginx = stack
    response = send(nginx.http_port, "GET", "/auth/login?next=%2F")
    assert response.status == 301
    assert response.getheader("Location") == f"https://{SERVER_NAME}/auth/login?next=%2F"


def test_tls_site(stack) -> None:
    """The full production site, TLS included, with a self-signed certificate."""
    server, _nginx = stack
    with running_nginx(server.url.removeprefix("http://"), tls=True) as tls_nginx:
        context = ssl.create_default_context(cafile=str(tls_nginx.dir / "cert.pem"))
        response = send(tls_nginx.https_port, "GET", "/_test/whoami", tls=context)
        assert response.status == 200
        assert json.loads(response.body)["scheme"] == "https"
        assert response.getheader("Strict-Transport-Security") == "max-age=63072000"
        with pytest.raises(ssl.SSLError):  # no certificate for any other name
            send(tls_nginx.https_port, "GET", "/", host="evil.example", tls=context)


def _setting(text: str, pattern: str) -> str:
    match = re.search(pattern, text)
    assert match, pattern
    return match.group(1)


def test_limits_match_the_app() -> None:
    """The nginx limits are the app's: body size, import size; timeouts agree with gunicorn's."""
    site = (DEPLOY / "ipr_apps_app.conf").read_text()
    sizes = re.findall(r"client_max_body_size (\d+)m;", site)
    assert [int(size) * 1024 * 1024 for size in sizes] == [
        Defaults.MAX_CONTENT_LENGTH,
        IMPORT_MAX_BYTES,
    ]
    gunicorn = Path(PROJECT_ROOT / "deploy" / "gunicorn.conf.py").read_text()
    timeout = _setting(gunicorn, r"\ntimeout = (\d+)")
    assert _setting(site, r"proxy_read_timeout (\d+)s;") == timeout
    assert "proxy_request_buffering on;" in site


def _logged(server, line: str, seconds: float = 10.0) -> bool:
    """Whether the server's log shows `line` within `seconds`."""
    deadline = time.monotonic() + seconds
    while line not in server.log():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
