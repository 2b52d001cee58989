"""The served app wrapped to answer each request's SQL statement count in `X-Bench-SQL`.

gunicorn serves `harness.counted:app` (with `--pythonpath bench`); BENCH_WSGI names the real
app (`app:app`, or `flask_admin_app:app` for the baseline). Counting is one integer increment
per statement, so it costs nothing measurable; it sees every statement a request sends,
the session's save included, because the header is added when the response starts.
"""

from __future__ import annotations

import importlib
import os

from sqlalchemy import event
from sqlalchemy.engine import Engine

# As tests/sql_count.py: the pool's and the session machinery's statements are not the page's.
HOUSEKEEPING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "PRAGMA", "SET ")
_sent = [0]


@event.listens_for(Engine, "before_cursor_execute")
def _count(conn, cursor, statement, parameters, context, executemany) -> None:
    if not statement.lstrip().upper().startswith(HOUSEKEEPING):
        _sent[0] += 1


def _load():
    module, _, name = os.environ.get("BENCH_WSGI", "app:app").partition(":")
    return getattr(importlib.import_module(module), name)


def wrap(inner):
    """The WSGI app `inner`, answering its statement count in a header."""

    def counted(environ, start_response):
        _sent[0] = 0

        def counted_start(status, headers, exc_info=None):
            return start_response(status, [*headers, ("X-Bench-SQL", str(_sent[0]))], exc_info)

        return inner(environ, counted_start)

    return counted


def __getattr__(name: str):
    """`app` is built when gunicorn first asks for it (importing this module builds nothing)."""
    if name != "app":
        raise AttributeError(name)
    globals()["app"] = wrap(_load())
    return globals()["app"]
