"""meeting session caps: most meetings per participant in one session; tables per session checked

Revision ID: 6e2f4b8c1d07
Revises: a32bb2b6f809
Create Date: 2026-11-26 00:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6e2f4b8c1d07'
down_revision = 'a32bb2b6f809'
branch_labels = None
depends_on = None


def upgrade():
    # The app never wrote tables below 1 (the form had no per-session field); a row edited by hand
    # could. Guessing what it meant would change the plan, so stop and say what to fix.
    bad = op.get_bind().execute(sa.text('SELECT count(*) FROM meeting_sessions WHERE tables < 1')).scalar()
    if bad:
        raise RuntimeError(
            f'{bad} meeting session(s) have fewer than 1 table; set meeting_sessions.tables to NULL (the '
            "event's number) or a positive number, then upgrade again"
        )
    with op.batch_alter_table('meeting_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_cap', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f('ck_meeting_sessions_tables_positive'), 'tables IS NULL OR tables >= 1'
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_meeting_sessions_meeting_cap_positive'), 'meeting_cap IS NULL OR meeting_cap >= 1'
        )


def downgrade():
    with op.batch_alter_table('meeting_sessions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_meeting_sessions_meeting_cap_positive'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_meeting_sessions_tables_positive'), type_='check')
        batch_op.drop_column('meeting_cap')
