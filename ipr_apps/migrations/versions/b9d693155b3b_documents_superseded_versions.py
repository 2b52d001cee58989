"""documents: superseded versions kept once customs has seen the application

Revision ID: b9d693155b3b
Revises: 957b016ae876
Create Date: 2026-12-02 08:17:18.404704

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b9d693155b3b"
down_revision = "957b016ae876"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("superseded_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("superseded_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_documents_superseded_by_id_users"), "users", ["superseded_by_id"], ["id"]
        )
        batch_op.create_check_constraint(
            "superseded_when", "superseded_by_id IS NULL OR superseded_at IS NOT NULL"
        )


def downgrade():
    # Without these columns an earlier version would count as a current document again, and
    # deleting it would break the rule that documents customs has seen are kept: refuse.
    kept = (
        op.get_bind()
        .execute(sa.text("SELECT count(*) FROM documents WHERE superseded_at IS NOT NULL"))
        .scalar_one()
    )
    if kept:
        raise RuntimeError(f"{kept} earlier document versions are kept; not downgrading.")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_constraint("superseded_when", type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_documents_superseded_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("superseded_by_id")
        batch_op.drop_column("superseded_at")
