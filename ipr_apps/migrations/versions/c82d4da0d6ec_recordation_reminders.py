"""recordation reminders: which reminder about a recordation's end went out, once each

`recordation_reminders` keeps one row per recordation, kind (6, 3 or 1 month(s) before the
end; expired; lapsed) and validity end, sent or skipped; its unique constraint stops two runs
from both sending. The index on (status, right_expiry, id) lets the nightly expiry find the
active recordations whose right has expired without reading the others.

Revision ID: c82d4da0d6ec
Revises: ab63fc8a8b85
Create Date: 2026-12-02 13:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c82d4da0d6ec'
down_revision = 'ab63fc8a8b85'
branch_labels = None
depends_on = None

KINDS = ('6_months', '3_months', '1_month', 'expired', 'lapsed')
OUTCOMES = ('sent', 'skipped')


def upgrade():
    op.create_table('recordation_reminders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('recordation_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum(*KINDS, name='reminder_kind', native_enum=False, create_constraint=True), nullable=False),
        sa.Column('valid_until', sa.Date(), nullable=False),
        sa.Column('outcome', sa.Enum(*OUTCOMES, name='reminder_outcome', native_enum=False, create_constraint=True), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['recordation_id'], ['recordations.id'], name=op.f('fk_recordation_reminders_recordation_id_recordations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recordation_reminders')),
        sa.UniqueConstraint('recordation_id', 'kind', 'valid_until', name='uq_recordation_reminders'),
    )
    with op.batch_alter_table('recordations', schema=None) as batch_op:
        batch_op.create_index('ix_recordations_status_right_expiry', ['status', 'right_expiry', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('recordations', schema=None) as batch_op:
        batch_op.drop_index('ix_recordations_status_right_expiry')
    op.drop_table('recordation_reminders')
