"""scheduler runs as background jobs with progress

Revision ID: d3b5f7a9c124
Revises: c2a4e6f8b013
Create Date: 2026-12-04 03:20:00.000000

The organiser's scheduler run as a background job: phase, percent, heartbeat, result; at most one
queued or running job per event (a partial unique index).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd3b5f7a9c124'
down_revision = 'c2a4e6f8b013'
branch_labels = None
depends_on = None


ACTIVE = "status IN ('queued', 'running')"


def upgrade():
    op.create_table('scheduler_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='scheduler_job_status', native_enum=False, create_constraint=True, length=7), nullable=False),
    sa.Column('phase', sa.Enum('reading', 'solving', 'writing', 'mailing', name='scheduler_job_phase', native_enum=False, create_constraint=True, length=7), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.CheckConstraint('percent >= 0 AND percent <= 100', name=op.f('ck_scheduler_jobs_percent_range')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_scheduler_jobs_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_scheduler_jobs_requested_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduler_jobs'))
    )
    with op.batch_alter_table('scheduler_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scheduler_jobs_event_id'), ['event_id'], unique=False)
        batch_op.create_index('uq_scheduler_jobs_active_event', ['event_id'], unique=True, sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))


def downgrade():
    with op.batch_alter_table('scheduler_jobs', schema=None) as batch_op:
        batch_op.drop_index('uq_scheduler_jobs_active_event', sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))
        batch_op.drop_index(batch_op.f('ix_scheduler_jobs_event_id'))

    op.drop_table('scheduler_jobs')
