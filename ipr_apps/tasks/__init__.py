"""The job queue: Huey, with SQLite storage in instance/ by default and Redis when
IPR_REDIS_URL is set. Tasks are thin wrappers around service functions and run inside an
app context; `flask ipr worker` (make worker) runs them."""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from flask import Flask, current_app, has_app_context
from huey import Huey, RedisHuey, SqliteHuey, crontab  # noqa: F401 (crontab for task modules)

log = logging.getLogger(__name__)


class AppHuey(Huey):
    """A Huey whose storage is chosen by the Flask app's configuration (init_app)."""

    def configure(self, app: Flask) -> None:
        url = app.config.get("REDIS_URL")
        if url:
            self.storage_class = RedisHuey.storage_class
            self.storage_kwargs = {"url": url}
        else:
            self.storage_class = SqliteHuey.storage_class
            self.storage_kwargs = {"filename": app.config["JOBS_DATABASE"]}
            Path(app.config["JOBS_DATABASE"]).parent.mkdir(parents=True, exist_ok=True)
        self._immediate = False
        self.storage = self.create_storage()


# Unconfigured (in-memory) until an app that uses a worker configures it: importing never
# touches a database. Apps with JOBS_IMMEDIATE (the tests) run tasks inline instead.
huey = AppHuey("ipr_apps", immediate=True, utc=True)
_app: Flask | None = None


def init_app(app: Flask) -> None:
    global _app
    if not app.config["JOBS_IMMEDIATE"]:
        _app = app
        huey.configure(app)
    from ipr_apps.tasks import jobs, maintenance, outbox  # noqa: F401  (registers the tasks)


def in_app_context(fn):
    """Run `fn` inside an app context: the caller's (immediate mode), else the worker's app."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        if has_app_context():
            return fn(*args, **kwargs)
        with _app.app_context():
            return fn(*args, **kwargs)

    return run


def task(**options):
    """@task(): a Huey task that runs `fn` in an app context."""
    return lambda fn: huey.task(**options)(in_app_context(fn))


def periodic(validate_datetime, **options):
    """@periodic(crontab(...)): a periodic Huey task that runs `fn` in an app context."""
    return lambda fn: huey.periodic_task(validate_datetime, **options)(in_app_context(fn))


def enqueue(task_fn, *args, delay: float | None = None, **kwargs) -> None:
    """Start a task after a commit: inline when the app runs tasks immediately (tests; a
    delayed task is then left to the test, which moves the clock), else on the queue. A queue
    that is down must not fail the user's request: the periodic sweeps pick the work up."""
    if current_app.config["JOBS_IMMEDIATE"]:
        if delay is None:
            task_fn.call_local(*args, **kwargs)
        return
    try:
        if delay is None:
            task_fn(*args, **kwargs)
        else:
            task_fn.schedule(args=args, kwargs=kwargs, delay=delay)
    except Exception:
        log.exception("Could not enqueue %s", getattr(task_fn, "name", task_fn))
