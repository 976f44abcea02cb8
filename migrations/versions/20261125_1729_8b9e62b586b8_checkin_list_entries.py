"""checkin list entries: a person admitted once per check-in list (per day or room); exit scans

Revision ID: 8b9e62b586b8
Revises: 82412ed68ba0
Create Date: 2026-11-25 17:29:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8b9e62b586b8'
down_revision = '82412ed68ba0'
branch_labels = None
depends_on = None


SCAN_RESULTS = ('welcome', 'already_checked_in', 'not_confirmed', 'wrong_event', 'invalid', 'undone')


def _scan_result_check(values):
    return sa.column('result').in_(values)


def upgrade():
    with op.batch_alter_table('checkins', schema=None) as batch_op:  # a new scan result: "left"
        batch_op.drop_constraint(op.f('ck_checkins_scan_result'), type_='check')
        batch_op.create_check_constraint('scan_result', _scan_result_check(SCAN_RESULTS + ('left',)))

    op.create_table('checkin_list_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkin_list_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('checked_in_by_id', sa.Integer(), nullable=True),
    sa.Column('door', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['checked_in_by_id'], ['users.id'], name=op.f('fk_checkin_list_entries_checked_in_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['checkin_list_id'], ['checkin_lists.id'], name=op.f('fk_checkin_list_entries_checkin_list_id_checkin_lists'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_checkin_list_entries_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_list_entries')),
    sa.UniqueConstraint('checkin_list_id', 'registration_id', name=op.f('uq_checkin_list_entries_checkin_list_id_registration_id'))
    )
    with op.batch_alter_table('checkin_list_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_list_entries_registration_id'), ['registration_id'], unique=False)


def downgrade():
    op.execute("DELETE FROM checkins WHERE result = 'left'")
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_checkins_scan_result'), type_='check')
        batch_op.create_check_constraint('scan_result', _scan_result_check(SCAN_RESULTS))

    with op.batch_alter_table('checkin_list_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkin_list_entries_registration_id'))

    op.drop_table('checkin_list_entries')
