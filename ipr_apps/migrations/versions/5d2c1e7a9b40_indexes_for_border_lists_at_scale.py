"""indexes for the border-side lists at scale (issue 16): the case search by number in any
case, a port's cases awaiting the holder, recordations by their facts' application and by
holder or agency and number, the case of a screening hit (partial), requests by status

Revision ID: 5d2c1e7a9b40
Revises: 5d1c0a7e9b42
Create Date: 2026-12-03 18:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d2c1e7a9b40'
down_revision = '5d1c0a7e9b42'
branch_labels = None
depends_on = None

FOLDED = ("case_number", "recordation_number")


def upgrade():
    with op.batch_alter_table('detention_cases', schema=None) as batch_op:
        batch_op.create_index(
            'ix_detention_cases_port_status', ['port_code', 'status', 'opened_on', 'id'],
            unique=False,
        )
        batch_op.drop_index('ix_detention_cases_screening_hit_id')
        batch_op.create_index(
            'ix_detention_cases_screening_hit_id', ['screening_hit_id'], unique=True,
            sqlite_where=sa.text('screening_hit_id IS NOT NULL'),
            postgresql_where=sa.text('screening_hit_id IS NOT NULL'),
        )
    with op.batch_alter_table('detention_requests', schema=None) as batch_op:
        batch_op.create_index('ix_detention_requests_status', ['status', 'id'], unique=False)
    with op.batch_alter_table('recordations', schema=None) as batch_op:
        batch_op.create_index(
            'ix_recordations_facts_application', ['facts_application_id'], unique=False
        )
        batch_op.create_index(
            'ix_recordations_holder_number', ['holder_org_id', 'number'], unique=False
        )
        batch_op.create_index(
            'ix_recordations_agency_number', ['agency_id', 'number'], unique=False
        )
    # Expression indexes: LIKE 'prefix%' on PostgreSQL reads a text_pattern_ops range; SQLite
    # reads a range on lower(number) (its LIKE with ESCAPE never uses an index).
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for name in FOLDED:
        ops = ' text_pattern_ops' if postgresql else ''
        op.execute(
            f'CREATE INDEX ix_detention_cases_{name}_folded '
            f'ON detention_cases ((lower({name})){ops})'
        )


def downgrade():
    for name in FOLDED:
        op.execute(f'DROP INDEX ix_detention_cases_{name}_folded')
    with op.batch_alter_table('detention_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_detention_requests_status')
    with op.batch_alter_table('recordations', schema=None) as batch_op:
        batch_op.drop_index('ix_recordations_agency_number')
        batch_op.drop_index('ix_recordations_holder_number')
        batch_op.drop_index('ix_recordations_facts_application')
    with op.batch_alter_table('detention_cases', schema=None) as batch_op:
        batch_op.drop_index('ix_detention_cases_screening_hit_id')
        batch_op.create_index(
            'ix_detention_cases_screening_hit_id', ['screening_hit_id'], unique=True
        )
        batch_op.drop_index('ix_detention_cases_port_status')
