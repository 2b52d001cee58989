"""application holder name search keys, and the API list's order

The API's staff list is newest first, (created_at, id): it gets its index
(ix_applications_created), where it sorted the whole table on every page.

The lists' search (reviewers' queue, holders' and agents' lists) finds applications whose
holder name, in either script, starts with the query, case- and width-insensitively. A
`LIKE 'x%'` on the names cannot use an index on PostgreSQL (nor on SQLite, whose LIKE folds
ASCII case only), so each name gets a folded copy (`*_key`, see models.base.search_key) and an
index (key, id), as the public register's keys (e28ffcdbecf8): a prefix is one index range on
both databases ("C" collation on PostgreSQL). The plain name indexes, which no query could
use, are dropped. Existing applications get their keys here.

Revision ID: 5d1c0a7e9b42
Revises: 5d1e3b7a9c20
Create Date: 2026-12-04 10:00:00.000000

"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d1c0a7e9b42'
down_revision = '5d1e3b7a9c20'
branch_labels = None
depends_on = None

KEYS = {"holder_name_local_key": "holder_name_local", "holder_name_en_key": "holder_name_en"}
LENGTH = 300
BATCH = 2000


def _key(text):
    """A copy of models.base.search_key as it is today (migrations stay frozen)."""
    if text is None:
        return None
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())[:LENGTH] or None


def upgrade():
    bind = op.get_bind()
    collation = "C" if bind.dialect.name == "postgresql" else None
    # Plain ALTER TABLE … ADD COLUMN and CREATE INDEX on both databases (no table copy).
    for key in KEYS:
        op.add_column('applications', sa.Column(key, sa.String(LENGTH, collation=collation), nullable=True))
    _fill_keys(bind)
    op.drop_index('ix_applications_holder_name_local', table_name='applications')
    op.drop_index('ix_applications_holder_name_en', table_name='applications')
    for key in KEYS:
        op.create_index(f'ix_applications_{key}', 'applications', [key, 'id'], unique=False)
    op.create_index('ix_applications_created', 'applications', ['created_at', 'id'], unique=False)
    # Planner statistics for the new indexes (and, on SQLite, for the first time at all: without
    # them it picked ix_applications_ipr_type for look-ups at a million rows).
    op.execute("ANALYZE")


def _fill_keys(bind):
    table = sa.table("applications", sa.column("id", sa.Integer),
                     *(sa.column(name, sa.String) for name in [*KEYS, *KEYS.values()]))
    write = (table.update().where(table.c.id == sa.bindparam("row_id"))
             .values({key: sa.bindparam(key) for key in KEYS}))
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(table.c.id, *(table.c[source] for source in KEYS.values()))
            .where(table.c.id > last_id).order_by(table.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        values = [{"row_id": row.id, **{key: _key(getattr(row, source))
                                        for key, source in KEYS.items()}} for row in rows]
        # Rows without a name need no write (their keys stay NULL).
        values = [v for v in values if any(v[key] for key in KEYS)]
        if values:
            bind.execute(write, values)
        last_id = rows[-1].id


def downgrade():
    op.drop_index('ix_applications_created', table_name='applications')
    for key in KEYS:
        op.drop_index(f'ix_applications_{key}', table_name='applications')
    op.create_index('ix_applications_holder_name_en', 'applications', ['holder_name_en'], unique=False)
    op.create_index('ix_applications_holder_name_local', 'applications', ['holder_name_local'], unique=False)
    # Plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35, PostgreSQL), not a batch copy.
    for key in KEYS:
        op.execute(f'ALTER TABLE applications DROP COLUMN {key}')
