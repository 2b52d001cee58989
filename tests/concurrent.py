"""Running the same service call from two threads at once (each in its own app context and
session), for the tests that two concurrent runs change each row once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from flask import Flask

from ipr_apps.db import db

T = TypeVar("T")


def run_twice_at_once(app: Flask, call: Callable[[], T]) -> list[T]:
    """`call`'s results from two threads released together; fails on any thread's error."""
    barrier, results, errors = threading.Barrier(2), [], []

    def run() -> None:
        with app.app_context():
            try:
                barrier.wait()
                results.append(call())
            except Exception as error:  # reported below, in the test's thread
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results
