"""monthly statistics summary (issue 16)

Revision ID: 5d1e3b7a9c20
Revises: 7f58e647f762
Create Date: 2026-12-05 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d1e3b7a9c20'
down_revision = '7f58e647f762'
branch_labels = None
depends_on = None


def _counts(*names, big=()):
    return [
        sa.Column(name, sa.BigInteger() if name in big else sa.Integer(), nullable=False)
        for name in names
    ]


def upgrade():
    op.create_table(
        'stats_monthly_applications',
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('ipr_type', sa.String(length=30), nullable=False),
        sa.Column('holder_country', sa.String(length=2), nullable=False),
        *_counts('received', 'approved', 'rejected', 'renewals_approved'),
        sa.PrimaryKeyConstraint('month', 'ipr_type', 'holder_country',
                                name=op.f('pk_stats_monthly_applications')),
    )
    op.create_table(
        'stats_monthly_processing',
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('working_days', sa.Integer(), nullable=False),
        *_counts('decisions'),
        sa.PrimaryKeyConstraint('month', 'working_days', name=op.f('pk_stats_monthly_processing')),
    )
    op.create_table(
        'stats_monthly_recordations',
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('ipr_type', sa.String(length=30), nullable=False),
        sa.Column('holder_country', sa.String(length=2), nullable=False),
        *_counts('starts', 'stops', 'expiries'),
        sa.PrimaryKeyConstraint('month', 'ipr_type', 'holder_country',
                                name=op.f('pk_stats_monthly_recordations')),
    )
    op.create_table(
        'stats_monthly_cases',
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('ipr_type', sa.String(length=30), nullable=False),
        sa.Column('channel', sa.String(length=30), nullable=False),
        sa.Column('mode', sa.String(length=30), nullable=False),
        sa.Column('direction', sa.String(length=30), nullable=False),
        sa.Column('port_code', sa.String(length=20), nullable=False),
        *_counts('batches', 'items', 'value_fen', big=('items', 'value_fen')),
        sa.PrimaryKeyConstraint('month', 'ipr_type', 'channel', 'mode', 'direction', 'port_code',
                                name=op.f('pk_stats_monthly_cases')),
    )
    # existing databases: fill the summary from the facts already there (imported here, not at
    # the top: reading the revision files, e.g. to find the head, must not need the app)
    from ipr_apps.services import stats_summary

    stats_summary.rebuild(op.get_bind())


def downgrade():
    for table in ('stats_monthly_cases', 'stats_monthly_recordations',
                  'stats_monthly_processing', 'stats_monthly_applications'):
        op.drop_table(table)
