"""A data stamp that changes with every committed change, so kept pages are known to be current

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 22:30:00.000000

Reports (the gradebook, the compliance matrix, the learner dashboard) are kept per worker under the stamp's value;
every transaction that changes data replaces it with a new random value when it commits.
"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    stamps = op.create_table(
        'data_stamps',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_stamps')),
    )
    op.bulk_insert(stamps, [{'id': 1, 'value': secrets.randbits(62)}])


def downgrade():
    op.drop_table('data_stamps')
