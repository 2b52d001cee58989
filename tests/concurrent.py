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


def run_together(app: Flask, *calls: Callable[[], object]) -> list[object]:
    """Each call in its own thread (own app context and session), released together; returns
    each call's result or the exception it raised, in the order of `calls`."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        with app.app_context():
            try:
                barrier.wait()
                outcomes[index] = call()
            except Exception as error:  # the loser's error is part of the outcome
                outcomes[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


class Background:
    """`call` started in another thread (own app context and session); `wait(timeout)` gives
    it that long to finish (it may be blocked on a lock we hold), `result()` joins it."""

    def __init__(self, app: Flask, call: Callable[[], object]):
        self.outcome: object = None
        self.thread = threading.Thread(target=self._run, args=(app, call))
        self.thread.start()

    def _run(self, app: Flask, call: Callable[[], object]) -> None:
        with app.app_context():
            try:
                self.outcome = call()
            except Exception as error:
                self.outcome = error
            finally:
                db.session.remove()

    def wait(self, timeout: float) -> bool:
        self.thread.join(timeout)
        return not self.thread.is_alive()

    def result(self) -> object:
        self.thread.join()
        return self.outcome
