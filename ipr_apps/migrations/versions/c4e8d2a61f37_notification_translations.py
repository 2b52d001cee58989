"""notifications.translations: the news worded in every language when it was sent

Revision ID: c4e8d2a61f37
Revises: a93b7a7cb9d5
Create Date: 2026-12-05 23:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e8d2a61f37'
down_revision = 'a93b7a7cb9d5'
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both databases (SQLite has ADD and DROP COLUMN): batch mode would
# reflect the tables notifications refers to, and SQLite cannot reflect detention_cases'
# expression indexes.
def upgrade():
    # Older rows keep None: they are shown in the language they were sent in, marked lang="…".
    op.add_column('notifications', sa.Column('translations', sa.JSON(none_as_null=True)))


def downgrade():
    op.drop_column('notifications', 'translations')
