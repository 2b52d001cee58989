"""Count the SQL statements a block sends, to hold list pages to a fixed number (issue 16).

with statements(db.engine) as sent:
    client.get("/review/")
assert len(sent) <= 10, sent.listing()
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

# Sent by the connection pool or the session machinery, not by the page's own work.
HOUSEKEEPING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "PRAGMA", "SET ")


class Sent(list):
    """The statements seen, in order (SQL text only)."""

    def listing(self) -> str:
        return f"{len(self)} statements:\n" + "\n".join(
            f"{n:3d}. {sql.splitlines()[0][:160]}" for n, sql in enumerate(self, 1)
        )


@contextmanager
def statements(engine: Engine) -> Iterator[Sent]:
    """Every statement the engine executes inside the block, housekeeping left out."""
    sent = Sent()

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        if not statement.lstrip().upper().startswith(HOUSEKEEPING):
            sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)
