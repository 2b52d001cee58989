"""applications by holder and filing agency: an agency's holders' own filings list (issue 16)

Revision ID: a93b7a7cb9d5
Revises: 8a4f2c6e1d57
Create Date: 2026-12-05 04:07:34.163004

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a93b7a7cb9d5'
down_revision = '8a4f2c6e1d57'
branch_labels = None
depends_on = None


SELF_FILED = {
    'sqlite_where': sa.text('agency_id IS NULL'),
    'postgresql_where': sa.text('agency_id IS NULL'),
}


def upgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index('ix_applications_holder_agency', ['holder_org_id', 'agency_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_applications_holder_own', ['holder_org_id', 'created_at', 'id'], unique=False, **SELF_FILED)
        batch_op.create_index('ix_applications_holder_own_updated', ['holder_org_id', 'updated_at', 'id'], unique=False, **SELF_FILED)


def downgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_holder_own_updated')
        batch_op.drop_index('ix_applications_holder_own')
        batch_op.drop_index('ix_applications_holder_agency')

