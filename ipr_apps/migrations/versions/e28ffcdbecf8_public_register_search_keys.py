"""public register search keys

The public register searches recordations by number, right number, title and holder name
(either script), case-insensitively, by prefix, at any size: each of those columns gets a
folded copy (`*_key`, see models.recordations.search_key) and an index (key, id), so that a
prefix is one index range on SQLite and PostgreSQL alike. On PostgreSQL the keys use the
"C" collation (byte order, like SQLite's default), which makes the range exact whatever the
database's own collation. Existing recordations get their keys here.

Revision ID: e28ffcdbecf8
Revises: c82d4da0d6ec
Create Date: 2026-12-02 13:25:00.000000

"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e28ffcdbecf8'
down_revision = 'c82d4da0d6ec'
branch_labels = None
depends_on = None

# key column → (source column, length)
KEYS = {
    "number_key": ("number", 80),
    "right_number_key": ("right_number", 128),
    "right_title_key": ("right_title", 500),
    "holder_name_key": ("holder_name", 300),
    "holder_name_other_key": ("holder_name_other", 300),
}
BATCH = 1000


def _key(text, length):
    """A copy of models.recordations.search_key as it is today (migrations stay frozen)."""
    if text is None:
        return None
    key = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return key[:length] or None


def upgrade():
    bind = op.get_bind()
    collation = "C" if bind.dialect.name == "postgresql" else None
    # Plain ALTER TABLE … ADD COLUMN and CREATE INDEX on both databases (no table copy).
    for key, (_source, length) in KEYS.items():
        op.add_column('recordations', sa.Column(key, sa.String(length, collation=collation), nullable=True))
    _fill_keys(bind)
    for key in KEYS:
        op.create_index(f'ix_recordations_{key}', 'recordations', [key, 'id'], unique=False)


def _fill_keys(bind):
    table = sa.table("recordations", sa.column("id", sa.Integer),
                     *(sa.column(source, sa.String) for source, _ in KEYS.values()),
                     *(sa.column(key, sa.String) for key in KEYS))
    sources = [table.c[source] for source, _ in KEYS.values()]
    write = (table.update().where(table.c.id == sa.bindparam("row_id"))
             .values({key: sa.bindparam(key) for key in KEYS}))
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(table.c.id, *sources).where(table.c.id > last_id)
            .order_by(table.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        bind.execute(write, [
            {"row_id": row.id, **{key: _key(getattr(row, source), length)
                                  for key, (source, length) in KEYS.items()}}
            for row in rows
        ])
        last_id = rows[-1].id


def downgrade():
    # Plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35, PostgreSQL), not a batch copy: rebuilding
    # the table would fail on SQLite while applications refer to its rows.
    for key in KEYS:
        op.drop_index(f'ix_recordations_{key}', table_name='recordations')
    for key in KEYS:
        op.execute(f'ALTER TABLE recordations DROP COLUMN {key}')
