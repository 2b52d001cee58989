"""import staging: the recordations' search keys, computed while staging (issue 16)

Revision ID: 3e1c0a7b9d21
Revises: 5d2c1e7a9b40
Create Date: 2026-12-03 18:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3e1c0a7b9d21'
down_revision = '5d2c1e7a9b40'
branch_labels = None
depends_on = None

COLUMNS = (
    ("number_key", 80), ("right_number_key", 128), ("right_title_key", 500),
    ("holder_name_key", 300),
)


def upgrade():
    with op.batch_alter_table('import_staging', schema=None) as batch_op:
        for name, length in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))


def downgrade():
    with op.batch_alter_table('import_staging', schema=None) as batch_op:
        for name, _length in reversed(COLUMNS):
            batch_op.drop_column(name)
