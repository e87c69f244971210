"""each training cycle keeps where the hire stands: started, or waiting only for the policy acknowledgement

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 23:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('hire_trainings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('started_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('policy_pending', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('hire_trainings', schema=None) as batch_op:
        batch_op.alter_column('policy_pending', server_default=None)
    # Open cycles get their standing from the facts at the next `flask --app app summaries rebuild` or daily run.


def downgrade():
    with op.batch_alter_table('hire_trainings', schema=None) as batch_op:
        batch_op.drop_column('policy_pending')
        batch_op.drop_column('started_at')
