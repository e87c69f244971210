"""each organisation's time zone

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # Existing organisations get '' (the configured default zone) rather than UTC, which made US hires overdue early.
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=False, server_default=''))
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.alter_column('time_zone', server_default=None)


def downgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
