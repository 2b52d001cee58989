"""Run in the database's environment: the plans of the hot requests' statements, as markdown.

    python bench/harness/explain.py INFO_JSON     # INFO_JSON: harness/setup.py's output
The hot requests (queue page 1, queue searches, API list, /stats/) are sent through Flask's
test client; every SELECT they send is captured with its parameters and explained
(SQLite `EXPLAIN QUERY PLAN`, PostgreSQL `EXPLAIN`), so the plans are those of the code as
it is, whatever queries it sends.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import quote_plus

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def hot(info: dict) -> list[tuple[str, str, dict]]:
    bearer = {"Authorization": f"Bearer {info['tokens']['reviewer']}"}
    return [
        ("queue page 1", "/review/", {}),
        ("queue search by holder name", f"/review/?q={quote_plus(info['holder_name'] or '')}", {}),
        ("queue search by reference", f"/review/?q={quote_plus(info['reference'] or '')}", {}),
        ("API list (reviewer)", "/api/v1/applications", bearer),
        ("/stats/ default view", "/stats/", {}),
    ]


def _plan(conn, statement: str, parameters) -> str:
    dialect = conn.engine.dialect.name
    prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
    rows = conn.exec_driver_sql(prefix + statement, parameters).all()
    if dialect == "sqlite":  # (id, parent, notused, detail): indent by depth
        depth, out = {0: -1}, []
        for row in rows:
            depth[row[0]] = depth.get(row[1], -1) + 1
            out.append("  " * depth[row[0]] + str(row[3]))
        return "\n".join(out)
    return "\n".join(str(row[0]) for row in rows)


def capture(client, engine, path: str, headers: dict) -> list[tuple[str, object]]:
    from sqlalchemy import event

    sent: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        client.get(path, headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return sent


def main() -> None:
    from ipr_apps import create_app
    from ipr_apps.db import db

    info = json.loads(sys.argv[1])
    app = create_app({"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    out = []
    with app.app_context():
        client = app.test_client()
        client.post("/auth/login", data={"email": info["emails"]["reviewer"],
                                         "password": info["password"]})  # fmt: skip
        for title, path, headers in hot(info):
            out.append(f"### {title}: `GET {path}`\n")
            seen = set()
            with db.engine.connect() as conn:
                for statement, parameters in capture(client, db.engine, path, headers):
                    if statement in seen:
                        continue
                    seen.add(statement)
                    shown = repr(parameters)[:300]
                    out.append(f"```sql\n{statement.strip()}\n-- parameters: {shown}\n```\n```\n"
                               f"{_plan(conn, statement, parameters)}\n```\n")  # fmt: skip
    print("\n".join(out))


if __name__ == "__main__":
    main()
