"""append-only audit tables and the security log

Triggers refuse UPDATE and DELETE (and, on PostgreSQL, TRUNCATE) on the audit tables, whoever
the client is. On SQLite a later batch migration that rebuilds one of these tables drops its
triggers with the old table: such a migration must create them again (tests/test_audit_tables.py
checks that they exist at head).

Revision ID: fe7cb776a657
Revises: 05254f1e794f
Create Date: 2026-12-02 08:15:32.631556

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fe7cb776a657'
down_revision = '05254f1e794f'
branch_labels = None
depends_on = None

AUDIT_TABLES = ("status_events", "decisions", "security_events")
PG_FUNCTION = "audit_append_only"


def upgrade():
    op.create_table('security_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target_type', sa.String(length=20), nullable=True),
    sa.Column('target_id', sa.String(length=64), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('ip_address', sa.String(length=45), nullable=True),
    sa.Column('user_agent', sa.String(length=200), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_security_events_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_security_events'))
    )
    op.create_index('ix_security_events_action', 'security_events', ['action', 'created_at', 'id'])
    op.create_index('ix_security_events_actor', 'security_events', ['actor_id', 'created_at', 'id'])
    op.create_index('ix_security_events_newest', 'security_events', ['created_at', 'id'])
    op.create_index('ix_security_events_target', 'security_events', ['target_type', 'target_id'])
    if op.get_bind().dialect.name == "postgresql":
        _create_postgresql_triggers()
    else:
        _create_sqlite_triggers()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in AUDIT_TABLES:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
        op.execute(f"DROP FUNCTION {PG_FUNCTION}()")
    else:
        for table in AUDIT_TABLES:
            op.execute(f"DROP TRIGGER {table}_no_update")
            op.execute(f"DROP TRIGGER {table}_no_delete")
    op.drop_index('ix_security_events_target', table_name='security_events')
    op.drop_index('ix_security_events_newest', table_name='security_events')
    op.drop_index('ix_security_events_actor', table_name='security_events')
    op.drop_index('ix_security_events_action', table_name='security_events')
    op.drop_table('security_events')


def _create_postgresql_triggers():
    # restrict_violation (23001) reaches the application as an IntegrityError, as on SQLite.
    op.execute(f"""
        CREATE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'restrict_violation';
        END
        $$
    """)
    for table in AUDIT_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()"
        )


def _create_sqlite_triggers():
    for table in AUDIT_TABLES:
        for verb in ("update", "delete"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb} BEFORE {verb.upper()} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {verb.upper()} refused'); END"
            )
