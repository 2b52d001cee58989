"""gunicorn (sync workers) serving a benchmark database, started and stopped by the bench."""

from __future__ import annotations

import http.client
import socket
import subprocess
import time

from harness.dbs import DATA, ROOT, VENV_BIN, Database

BENCH = ROOT / "bench"
FLASK_ADMIN_SITE = DATA / "site"  # Flask-Admin, installed for the bench only (--target)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`with Server(db) as server:` — server.port answers until the block ends."""

    def __init__(self, db: Database, wsgi: str = "app:app", workers: int = 2, name: str = "app"):
        self.db, self.wsgi, self.workers, self.name = db, wsgi, workers, name
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log_path = DATA / "logs" / f"{db.kind}_{db.name}_{name}.log"

    def __enter__(self) -> Server:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = self.db.env(BENCH_WSGI=self.wsgi, PYTHONPATH=f"{BENCH}:{FLASK_ADMIN_SITE}")
        argv = [str(VENV_BIN / "gunicorn"), "-w", str(self.workers), "-k", "sync",
                "-b", f"127.0.0.1:{self.port}", "--timeout", "300",
                "--no-control-socket", "--pythonpath", str(BENCH),
                "harness.counted:app"]  # fmt: skip
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=log)
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} server exited; see {self.log_path}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                conn.request("GET", "/static/favicon.svg" if self.name == "app" else "/")
                conn.getresponse().read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} server did not answer in {timeout:.0f}s")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
