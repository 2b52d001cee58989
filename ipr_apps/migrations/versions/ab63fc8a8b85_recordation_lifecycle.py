"""recordation lifecycle: application kinds, recordation facts and status, recordation events

Applications gain a kind (new, renewal, amendment), the recordation they belong to and the
application they revise. Recordations gain the application whose content is the recorded
facts now, copies of those facts for lists and the public register, the day they stopped
being in force, and `lapsed` in place of the never-used `renewed`. `recordation_events` is
append-only like the other audit tables. Existing recordations get their facts and a
`create` event from the rows they already have.

Revision ID: ab63fc8a8b85
Revises: fe7cb776a657
Create Date: 2026-12-02 12:59:17.974195

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ab63fc8a8b85'
down_revision = 'fe7cb776a657'
branch_labels = None
depends_on = None

IPR_TYPES = ('trademark', 'copyright', 'patent_invention', 'patent_utility_model', 'patent_design')
OLD_STATUSES = ('active', 'expired', 'renewed', 'cancelled', 'revoked')
NEW_STATUSES = ('active', 'expired', 'lapsed', 'cancelled', 'revoked')
AUDIT_TABLE = "recordation_events"
PG_FUNCTION = "audit_append_only"  # created by fe7cb776a657

FACTS = {
    "facts_application_id": "applications.id",
    "ipr_type": "applications.ipr_type",
    "holder_org_id": "applications.holder_org_id",
    "agency_id": "applications.agency_id",
    "holder_name": "COALESCE(applications.holder_name_local, applications.holder_name_en, "
                   "(SELECT COALESCE(o.name_en, o.name_local) FROM organisations o "
                   "WHERE o.id = applications.holder_org_id))",
    "holder_name_other": "CASE WHEN applications.holder_name_local IS NOT NULL "
                         "THEN applications.holder_name_en END",
    "holder_country": "applications.holder_country",
    "right_number": "ip_rights.registration_number",
    "right_title": "ip_rights.title",
    "right_expiry": "ip_rights.expiry_date",
}
REQUIRED = ("facts_application_id", "ipr_type", "holder_org_id", "holder_name", "updated_at")


def _status_check(values):
    return "status IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade():
    _create_events_table()
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('new', 'renewal', 'amendment', name='application_kind', native_enum=False, create_constraint=True), nullable=False, server_default='new'))
        batch_op.add_column(sa.Column('recordation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('revises_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_applications_recordation', ['recordation_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_revises_id'), ['revises_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_applications_revises_id_applications'), 'applications', ['revises_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_applications_recordation_id_recordations'), 'recordations', ['recordation_id'], ['id'])
        batch_op.create_check_constraint('change_has_recordation', "kind = 'new' OR recordation_id IS NOT NULL")

    with op.batch_alter_table('recordations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('facts_application_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('ended_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('ipr_type', sa.Enum(*IPR_TYPES, name='ipr_type', native_enum=False, create_constraint=True), nullable=True))
        batch_op.add_column(sa.Column('holder_org_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('agency_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('holder_name', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('holder_name_other', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('holder_country', sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column('right_number', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('right_title', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('right_expiry', sa.Date(), nullable=True))

    _backfill()

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recordation_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notifications_recordation_id_recordations'), 'recordations', ['recordation_id'], ['id'])

    with op.batch_alter_table('recordations', schema=None) as batch_op:
        for column in REQUIRED:
            batch_op.alter_column(column, nullable=False)
        batch_op.drop_constraint(op.f('ck_recordations_recordation_status'), type_='check')
        batch_op.create_check_constraint('recordation_status', _status_check(NEW_STATUSES))
        batch_op.create_check_constraint('ended_iff_not_active', "(status = 'active') = (ended_on IS NULL)")
        batch_op.create_index('ix_recordations_agency_list', ['agency_id', 'valid_until', 'id'], unique=False)
        batch_op.create_index('ix_recordations_ended_on', ['ended_on'], unique=False)
        batch_op.create_index('ix_recordations_holder_list', ['holder_org_id', 'valid_until', 'id'], unique=False)
        batch_op.create_index('ix_recordations_holder_name', ['holder_name'], unique=False)
        batch_op.create_index('ix_recordations_right_number', ['right_number'], unique=False)
        batch_op.create_index('ix_recordations_right_title', ['right_title'], unique=False)
        batch_op.create_index('ix_recordations_status_until', ['status', 'valid_until', 'id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_recordations_agency_id_organisations'), 'organisations', ['agency_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_recordations_holder_org_id_organisations'), 'organisations', ['holder_org_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_recordations_facts_application_id_applications'), 'applications', ['facts_application_id'], ['id'])


def _create_events_table():
    op.create_table('recordation_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recordation_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_recordation_events_actor_id_users')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_recordation_events_application_id_applications')),
    sa.ForeignKeyConstraint(['recordation_id'], ['recordations.id'], name=op.f('fk_recordation_events_recordation_id_recordations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recordation_events'))
    )
    op.create_index('ix_recordation_events_application_id', 'recordation_events', ['application_id'])
    op.create_index('ix_recordation_events_created_at', 'recordation_events', ['created_at'])
    op.create_index('ix_recordation_events_timeline', 'recordation_events', ['recordation_id', 'id'])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {AUDIT_TABLE}_append_only BEFORE UPDATE OR DELETE ON {AUDIT_TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()"
        )
        op.execute(
            f"CREATE TRIGGER {AUDIT_TABLE}_no_truncate BEFORE TRUNCATE ON {AUDIT_TABLE} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()"
        )
    else:
        for verb in ("update", "delete"):
            op.execute(
                f"CREATE TRIGGER {AUDIT_TABLE}_no_{verb} BEFORE {verb.upper()} ON {AUDIT_TABLE} "
                f"BEGIN SELECT RAISE(ABORT, '{AUDIT_TABLE} is append-only: {verb.upper()} refused'); END"
            )


def _backfill():
    """Facts from each recordation's own application; a create event per recordation."""
    for column, expression in FACTS.items():
        op.execute(
            f"UPDATE recordations SET {column} = (SELECT {expression} FROM applications "
            "LEFT JOIN ip_rights ON ip_rights.application_id = applications.id "
            "WHERE applications.id = recordations.application_id)"
        )
    op.execute("UPDATE recordations SET updated_at = created_at")
    op.execute("UPDATE recordations SET status = 'active' WHERE status = 'renewed'")
    op.execute(
        "UPDATE recordations SET ended_on = valid_until WHERE status <> 'active'"
    )
    op.execute(
        "UPDATE applications SET recordation_id = (SELECT r.id FROM recordations r "
        "WHERE r.application_id = applications.id)"
    )
    op.execute(
        "INSERT INTO recordation_events (recordation_id, action, from_status, to_status, "
        "application_id, valid_until, actor_id, note, created_at) "
        "SELECT r.id, 'create', NULL, 'active', r.application_id, r.valid_until, "
        "(SELECT d.decided_by_id FROM decisions d WHERE d.application_id = r.application_id), "
        "CASE WHEN r.imported THEN 'imported' END, r.created_at FROM recordations r ORDER BY r.id"
    )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {AUDIT_TABLE}_append_only ON {AUDIT_TABLE}")
        op.execute(f"DROP TRIGGER {AUDIT_TABLE}_no_truncate ON {AUDIT_TABLE}")
    op.execute("UPDATE recordations SET status = 'expired' WHERE status = 'lapsed'")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notifications_recordation_id_recordations'), type_='foreignkey')
        batch_op.drop_column('recordation_id')
    with op.batch_alter_table('recordations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_recordations_ended_iff_not_active'), type_='check')
        batch_op.drop_constraint(op.f('ck_recordations_ipr_type'), type_='check')
        batch_op.drop_constraint(op.f('ck_recordations_recordation_status'), type_='check')
        batch_op.create_check_constraint('recordation_status', _status_check(OLD_STATUSES))
        batch_op.drop_constraint(batch_op.f('fk_recordations_facts_application_id_applications'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_recordations_holder_org_id_organisations'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_recordations_agency_id_organisations'), type_='foreignkey')
        for index in ('status_until', 'right_title', 'right_number', 'holder_name', 'holder_list', 'ended_on', 'agency_list'):
            batch_op.drop_index(f'ix_recordations_{index}')
        for column in ('right_expiry', 'right_title', 'right_number', 'holder_country', 'holder_name_other', 'holder_name', 'agency_id', 'holder_org_id', 'ipr_type', 'updated_at', 'ended_on', 'facts_application_id'):
            batch_op.drop_column(column)

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_applications_change_has_recordation'), type_='check')
        batch_op.drop_constraint(op.f('ck_applications_application_kind'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_applications_recordation_id_recordations'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_applications_revises_id_applications'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_applications_revises_id'))
        batch_op.drop_index('ix_applications_recordation')
        batch_op.drop_column('revises_id')
        batch_op.drop_column('recordation_id')
        batch_op.drop_column('kind')

    op.drop_table('recordation_events')
