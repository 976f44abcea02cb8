"""print job kind "table_plan": the table plan PDF rendered in the background

Revision ID: c2a4e6f8b013
Revises: b1f3c5d7e902
Create Date: 2026-12-04 03:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c2a4e6f8b013'
down_revision = 'b1f3c5d7e902'
branch_labels = None
depends_on = None

OLD = ('badges', 'agendas')
NEW = ('badges', 'agendas', 'table_plan')


def _kind_check(batch_op, values):
    """The CHECK of ``kind`` lists the allowed values (str_enum); the column is as long as the longest."""
    batch_op.drop_constraint(batch_op.f('ck_badge_print_jobs_print_job_kind'), type_='check')
    old_length, new_length = (10, 7) if values == OLD else (7, 10)
    batch_op.alter_column(
        'kind',
        existing_type=sa.String(length=old_length),
        type_=sa.String(length=new_length),
        existing_nullable=False,
        existing_server_default=sa.text("'badges'"),
    )
    batch_op.create_check_constraint(
        batch_op.f('ck_badge_print_jobs_print_job_kind'), 'kind IN (%s)' % ', '.join(f"'{v}'" for v in values)
    )


def upgrade():
    with op.batch_alter_table('badge_print_jobs', schema=None) as batch_op:
        _kind_check(batch_op, NEW)


def downgrade():
    op.execute("DELETE FROM badge_print_jobs WHERE kind = 'table_plan'")  # finished PDFs; nothing to keep
    with op.batch_alter_table('badge_print_jobs', schema=None) as batch_op:
        _kind_check(batch_op, OLD)
