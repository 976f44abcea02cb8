"""meeting outcome marks: who marked a meeting held or missed, when each side rated it, follow-up note

Revision ID: 5c1e7a9d3b21
Revises: 8b9e62b586b8
Create Date: 2026-11-25 17:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1e7a9d3b21'
down_revision = '8b9e62b586b8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('marked_by_organiser', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('marked_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('marked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('requester_rated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('counterpart_rated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('follow_up_note', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('follow_up_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('follow_up_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_meetings_marked_by_id_users'), 'users', ['marked_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_meetings_follow_up_by_id_registrations'), 'registrations', ['follow_up_by_id'], ['id'], ondelete='SET NULL')
    # The defaults only fill the existing rows; the models set the values from now on.
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.alter_column('marked_by_organiser', server_default=None)
        batch_op.alter_column('follow_up_note', server_default=None)


def downgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_meetings_follow_up_by_id_registrations'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_meetings_marked_by_id_users'), type_='foreignkey')
        batch_op.drop_column('follow_up_by_id')
        batch_op.drop_column('follow_up_at')
        batch_op.drop_column('follow_up_note')
        batch_op.drop_column('counterpart_rated_at')
        batch_op.drop_column('requester_rated_at')
        batch_op.drop_column('marked_at')
        batch_op.drop_column('marked_by_id')
        batch_op.drop_column('marked_by_organiser')
