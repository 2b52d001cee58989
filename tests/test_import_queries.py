"""What a recordation import sends (issue 16): each recordation is written once, its register
search keys included, so the swap holds no per-row list and sends no per-row UPDATE."""

from __future__ import annotations

from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.models import Recordation
from ipr_apps.models.recordations import SEARCH_KEYS, search_key
from ipr_apps.services import imports
from tests.import_files import csv_text, openers, rejected, row
from tests.sql_count import statements

ROWS = [
    row("OLD-1", recordation_number="GZ/2009/0001", right_title="Ｌｕｍｅｎ  Lamp",
        holder_name="ACME 株式会社", right_number="TM-777"),
    row("OLD-2", recordation_number="T2019-000002", holder_name="Beta Works",
        right_number="TM-778"),
    rejected("OLD-3", right_number="TM-779"),
]  # fmt: skip


def test_imported_recordations_get_their_search_keys_in_their_insert(app):
    text = csv_text(*ROWS)
    with statements(db.engine) as sent:
        result = imports.import_recordations(openers(text, text))
    assert result == imports.ImportResult(imported=3, skipped=0)
    updates = [s for s in sent if s.lstrip().upper().startswith("UPDATE RECORDATIONS")]
    assert updates == [], sent.listing()
    stored = db.session.execute(select(Recordation).order_by(Recordation.number)).scalars()
    for recordation in stored:
        for key, source in SEARCH_KEYS.items():
            expected = search_key(
                getattr(recordation, source), Recordation.__table__.c[key].type.length
            )
            assert getattr(recordation, key) == expected, (recordation.number, key)
    keys = db.session.execute(select(Recordation.number, Recordation.right_title_key)).all()
    assert sorted(keys) == [("GZ/2009/0001", "lumen lamp"), ("T2019-000002", "brightlight")]
