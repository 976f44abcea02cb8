"""meeting status "expired": unanswered requests whose time ran out, no longer stored as cancelled

Revision ID: 9d41c7e2a5f3
Revises: 6e2f4b8c1d07
Create Date: 2026-11-26 00:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9d41c7e2a5f3'
down_revision = '6e2f4b8c1d07'
branch_labels = None
depends_on = None

OLD = ('requested', 'accepted', 'declined', 'cancelled', 'scheduled', 'completed', 'no_show')
NEW = ('requested', 'accepted', 'declined', 'cancelled', 'expired', 'scheduled', 'completed', 'no_show')
# How the app told an expired request apart before: cancelled, nobody answered it, it had a deadline.
WAS_EXPIRED = "status = 'cancelled' AND responded_at IS NULL AND expires_at IS NOT NULL"


def _status_check(batch_op, values):
    batch_op.drop_constraint(batch_op.f('ck_meetings_meeting_status'), type_='check')
    batch_op.create_check_constraint(
        batch_op.f('ck_meetings_meeting_status'), 'status IN (%s)' % ', '.join(f"'{v}'" for v in values)
    )


def upgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        _status_check(batch_op, NEW)
    op.execute(f"UPDATE meetings SET status = 'expired' WHERE {WAS_EXPIRED}")


def downgrade():
    op.execute("UPDATE meetings SET status = 'cancelled', responded_at = NULL WHERE status = 'expired'")
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        _status_check(batch_op, OLD)
