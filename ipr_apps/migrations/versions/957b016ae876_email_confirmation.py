"""email confirmation: users.email_confirmed_at (existing accounts count as confirmed)

Revision ID: 957b016ae876
Revises: 9c5eb96857ab
Create Date: 2026-12-02 08:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '957b016ae876'
down_revision = '9c5eb96857ab'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_confirmed_at', sa.DateTime(), nullable=True))
    # Accounts that exist already were made before confirmation existed: they are confirmed.
    op.execute("UPDATE users SET email_confirmed_at = created_at")


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email_confirmed_at')
