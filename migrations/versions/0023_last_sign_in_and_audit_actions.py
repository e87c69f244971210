"""When each account last signed in, for the admin's list of users; the audit trail indexed by action

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 14:30:00.000000

Filled from the audit trail's successful sign-ins and password resets (a reset signs the owner in), so
accounts that signed in before this version show their last sign-in too. The action index serves the audit
page's list of actions and its action filter.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

FILL = """
UPDATE users SET last_sign_in_at = (
  SELECT max(a.at) FROM audit_events a
  WHERE a.subject_id = users.id AND a.action IN ('login.success', 'password.reset'))
"""


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_sign_in_at', sa.DateTime(), nullable=True))
    op.execute(FILL)
    op.create_index('ix_audit_events_action', 'audit_events', ['action'], unique=False)


def downgrade():
    op.drop_index('ix_audit_events_action', table_name='audit_events')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('last_sign_in_at')
