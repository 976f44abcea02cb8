"""print job kind and heartbeat

Revision ID: 5b0e7c2a91d4
Revises: 5c1e7a9d3b21
Create Date: 2026-11-25 17:44:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b0e7c2a91d4'
down_revision = '5c1e7a9d3b21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('badge_print_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('badges', 'agendas', name='print_job_kind', native_enum=False, create_constraint=True, length=7), server_default='badges', nullable=False))
        batch_op.add_column(sa.Column('started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('badge_print_jobs', schema=None) as batch_op:
        batch_op.drop_column('attempts')
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('started_at')
        batch_op.drop_constraint(batch_op.f('ck_badge_print_jobs_print_job_kind'), type_='check')
        batch_op.drop_column('kind')
