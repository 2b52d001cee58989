"""jobs for detention cases: import and enforcement export

Two more job kinds: importing detention cases from an uploaded CSV (`flask ipr import-cases`)
and exporting the enforcement statistics (`flask ipr export-enforcement-stats`). The kind is a
VARCHAR with a CHECK constraint (value_enum): the constraint is replaced. Both new values fit
the column's length (19).

Revision ID: 469ff38bc535
Revises: 0c1dbae772f3
Create Date: 2026-12-02 18:29:06.647702

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '469ff38bc535'
down_revision = '0c1dbae772f3'
branch_labels = None
depends_on = None

OLD_KINDS = ("import_recordations", "export_stats")
NEW_KINDS = (*OLD_KINDS, "import_cases", "export_enforcement")


def _kind_check(kinds):
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_jobs_job_kind'), type_='check')
        batch_op.create_check_constraint('job_kind', _kind_check(NEW_KINDS))


def downgrade():
    # Jobs of the new kinds have no kind to go back to: they go (their files stay until the
    # hourly purge removes the files no job refers to).
    jobs = sa.table('jobs', sa.column('kind', sa.String))
    op.execute(jobs.delete().where(jobs.c.kind.not_in(OLD_KINDS)))
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_jobs_job_kind'), type_='check')
        batch_op.create_check_constraint('job_kind', _kind_check(OLD_KINDS))
