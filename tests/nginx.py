"""nginx in front of a live gunicorn, configured by the production files in deploy/nginx/.

`render_site()` writes deploy/nginx/ipr_apps.conf and its two snippets into a test folder: the
same text, with only the deployment's paths, the listening addresses and (without TLS) the TLS
lines replaced; every replaced placeholder must still be in the template. `running_nginx()`
starts nginx on them as an unprivileged process (as `nobody` when the tests run as root).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import flask_bootstrap
import pytest

from tests.live import PROJECT_ROOT, free_port

DEPLOY = PROJECT_ROOT / "deploy" / "nginx"
SERVER_NAME = "ipr.example.gov"
START_TIMEOUT = 10.0

MAIN_CONF = """\
daemon off;
worker_processes 2;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {dir}/access.log;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    include {dir}/ipr_apps.conf;
}}
"""


def nginx_binary() -> str | None:
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def require_nginx() -> str:
    """nginx's path; skip without it, unless IPR_REQUIRE_NGINX is set (CI): then fail."""
    binary = nginx_binary()
    if binary is None:
        message = "nginx is not installed (apt-get install nginx)"
        if os.environ.get("IPR_REQUIRE_NGINX"):
            pytest.fail(f"{message}, and IPR_REQUIRE_NGINX is set", pytrace=False)
        pytest.skip(message)
    return binary


@dataclass(frozen=True)
class Nginx:
    dir: Path
    https_port: int  # the site's main server (plain HTTP when rendered without TLS)
    http_port: int  # the redirect to HTTPS

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.https_port}"

    def error_log(self) -> str:
        path = self.dir / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _sub(text: str, old: str, new: str) -> str:
    assert old in text, f"{old!r} is no longer in the deploy/nginx template"
    return text.replace(old, new)


def _drop_lines(text: str, marker: str) -> str:
    assert marker in text, f"{marker!r} is no longer in the deploy/nginx template"
    return "".join(line for line in text.splitlines(True) if marker not in line)


def render_site(target: Path, upstream: str, ports: tuple[int, int], tls: Path | None) -> None:
    """The site for 127.0.0.1 `ports` (main, redirect) and gunicorn at `upstream` (host:port);
    `tls` is a folder with cert.pem and key.pem, or None for a plain-HTTP main server."""
    https_port, http_port = ports
    app = (DEPLOY / "ipr_apps_app.conf").read_text()
    bootstrap = Path(flask_bootstrap.__file__).parent
    app = _sub(
        app, "/srv/ipr_apps/.venv/lib/python3.11/site-packages/flask_bootstrap/", f"{bootstrap}/"
    )
    app = _sub(app, "/srv/ipr_apps/", f"{PROJECT_ROOT}/")
    site = (DEPLOY / "ipr_apps.conf").read_text()
    site = _sub(site, "unix:/run/ipr_apps.sock", upstream)
    site = _sub(site, "/etc/nginx/snippets/", f"{target}/")
    site = _drop_lines(site, "listen [::]")  # the test listens on 127.0.0.1 only
    site = _sub(site, "listen 80", f"listen 127.0.0.1:{http_port}")
    if tls is None:
        site = _sub(site, "listen 443 ssl http2;", f"listen 127.0.0.1:{https_port};")
        site = _sub(site, "listen 443 ssl", f"listen 127.0.0.1:{https_port}")
        site = _drop_lines(site, "ipr_apps_tls.conf")
    else:
        site = _sub(site, "listen 443", f"listen 127.0.0.1:{https_port}")
        text = (DEPLOY / "ipr_apps_tls.conf").read_text()
        text = _sub(text, "/etc/ssl/ipr_apps/fullchain.pem", str(tls / "cert.pem"))
        text = _sub(text, "/etc/ssl/ipr_apps/privkey.pem", str(tls / "key.pem"))
        (target / "ipr_apps_tls.conf").write_text(text)
    (target / "ipr_apps_app.conf").write_text(app)
    (target / "ipr_apps.conf").write_text(site)
    (target / "nginx.conf").write_text(MAIN_CONF.format(dir=target))


def self_signed_certificate(folder: Path) -> Path:
    """cert.pem and key.pem for SERVER_NAME in `folder` (openssl, an EC key: fast)."""
    if shutil.which("openssl") is None:
        pytest.fail("the openssl command is needed for the TLS check", pytrace=False)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-days", "1", "-subj", f"/CN={SERVER_NAME}",
         "-addext", f"subjectAltName=DNS:{SERVER_NAME}",
         "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    return folder


def _unprivileged() -> dict:
    """Popen arguments that drop root to `nobody` (nothing to do for an ordinary user)."""
    if os.geteuid() != 0:
        return {}
    nobody = pwd.getpwnam("nobody")
    return {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}


def _hand_over(folder: Path) -> None:
    """Make the folder and its files the unprivileged user's (nginx writes its pid/logs there)."""
    drop = _unprivileged()
    if drop:
        for path in [folder, *folder.iterdir()]:
            os.chown(path, drop["user"], drop["group"])


def _nginx_command(binary: str, folder: Path, *extra: str) -> list[str]:
    conf = folder / "nginx.conf"
    return [binary, "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log"), *extra]


def check_config(binary: str, folder: Path) -> subprocess.CompletedProcess:
    """`nginx -t` on the rendered files, as the unprivileged user."""
    _hand_over(folder)
    command = _nginx_command(binary, folder, "-t")
    return subprocess.run(command, capture_output=True, text=True, timeout=30, **_unprivileged())


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@contextmanager
def running_nginx(upstream: str, tls: bool = False) -> Iterator[Nginx]:
    """nginx on free 127.0.0.1 ports in front of gunicorn at `upstream`; stopped on exit."""
    binary = require_nginx()
    with tempfile.TemporaryDirectory(prefix="ipr-nginx-") as raw:
        folder = Path(raw)
        nginx = Nginx(folder, free_port(), free_port())
        certificate = self_signed_certificate(folder) if tls else None
        render_site(folder, upstream, (nginx.https_port, nginx.http_port), certificate)
        _hand_over(folder)
        process = subprocess.Popen(
            _nginx_command(binary, folder), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **_unprivileged(),
        )  # fmt: skip
        try:
            _wait_for(process, nginx)
            yield nginx
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for(process: subprocess.Popen, nginx: Nginx) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not (_accepts(nginx.https_port) and _accepts(nginx.http_port)):
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"nginx did not start:\n{nginx.error_log()}", pytrace=False)
        time.sleep(0.05)
