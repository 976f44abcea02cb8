"""print job kind "table_plan": the table plan PDF rendered in the background

Revision ID: c2a4e6f8b013
Revises: b1f3c5d7e902
Create Date: 2026-12-04 03:10:00.000000

PLACEHOLDER: reserved in the chain; filled in by the work it names (empty until then).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c2a4e6f8b013'
down_revision = 'b1f3c5d7e902'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
