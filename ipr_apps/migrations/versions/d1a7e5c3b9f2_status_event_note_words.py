"""status_events.note_words: a note the system wrote, as a key and values worded per reader

Revision ID: d1a7e5c3b9f2
Revises: c4e8d2a61f37
Create Date: 2026-12-06 02:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd1a7e5c3b9f2'
down_revision = 'c4e8d2a61f37'
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both databases, as c4e8d2a61f37: batch mode would reflect the tables
# status_events refers to. The append-only triggers do not mind a new column.
def upgrade():
    # Older rows keep None: their note is shown as it was written.
    op.add_column('status_events', sa.Column('note_words', sa.JSON(none_as_null=True)))


def downgrade():
    op.drop_column('status_events', 'note_words')
