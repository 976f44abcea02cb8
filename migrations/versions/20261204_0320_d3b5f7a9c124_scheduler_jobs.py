"""scheduler runs as background jobs with progress

Revision ID: d3b5f7a9c124
Revises: c2a4e6f8b013
Create Date: 2026-12-04 03:20:00.000000

PLACEHOLDER: reserved in the chain; filled in by the work it names (empty until then).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd3b5f7a9c124'
down_revision = 'c2a4e6f8b013'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
