"""users by role and name: the reassign list reads the reviewers, not every holder (issue 16)

Revision ID: 8a4f2c6e1d57
Revises: 3e1c0a7b9d21
Create Date: 2026-12-04 20:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '8a4f2c6e1d57'
down_revision = '3e1c0a7b9d21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index('ix_users_role_name', ['role', 'name'], unique=False)


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('ix_users_role_name')
