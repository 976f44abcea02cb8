"""check-in nonces unique per event, not globally

Revision ID: b1f3c5d7e902
Revises: 9d41c7e2a5f3
Create Date: 2026-12-04 03:00:00.000000

PLACEHOLDER: reserved in the chain; filled in by the work it names (empty until then).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b1f3c5d7e902'
down_revision = '9d41c7e2a5f3'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
