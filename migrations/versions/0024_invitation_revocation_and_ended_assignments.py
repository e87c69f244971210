"""Invitations can be revoked, and required training can be ended

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 15:00:00.000000

A manager revokes a pending invitation (its link then opens nothing) and ends an assignment that no longer
applies: the rule and its cycles stay as evidence, but an ended rule no longer counts for compliance.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ended_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_column('ended_at')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_column('revoked_at')
