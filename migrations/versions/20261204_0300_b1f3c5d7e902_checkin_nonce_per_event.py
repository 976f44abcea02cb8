"""check-in nonces unique per event, not globally

Revision ID: b1f3c5d7e902
Revises: 9d41c7e2a5f3
Create Date: 2026-12-04 03:00:00.000000

A scan's nonce is the client's id of that scan; it was unique across all events, so a nonce sent to
event B that had been used at event A replayed A's outcome. It is now unique per (event_id, nonce).
Existing rows are kept as they are: globally unique nonces are unique per event too.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b1f3c5d7e902'
down_revision = '9d41c7e2a5f3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_checkins_nonce'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_checkins_event_id_nonce'), ['event_id', 'nonce'])


def downgrade():
    # Back to one nonce across all events: of the scans sharing a nonce, the first keeps it (the others
    # keep their row, without a nonce; a retry of them is no longer recognised, as before this change).
    op.execute(
        "UPDATE checkins SET nonce = NULL WHERE nonce IS NOT NULL AND id > "
        "(SELECT MIN(c2.id) FROM checkins c2 WHERE c2.nonce = checkins.nonce)"
    )
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_checkins_event_id_nonce'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_checkins_nonce'), ['nonce'])
