"""E-mail outbox: claims and retry times for the senders; no personal link stored in a body

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28 09:00:00.000000

Messages are now claimed before they are sent (claim, claimed_until) and retried after a growing delay
(next_attempt_at). Password-reset and invitation links used to be stored in the body, readable by anyone
who could read the table or the admin outbox: they are replaced by a placeholder. Such a message still
waiting to be sent cannot be completed any more (its link was never meant to be kept): it is marked
failed, and the person asks for a new reset link, or the manager sends the invitation again.
"""
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

PLACEHOLDER = "[personal link: made when the e-mail is sent, never stored]"
LINK = re.compile(r"\S*/(?:auth/reset|invite)/\S+")


def upgrade():
    with op.batch_alter_table('email_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('claim', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(), nullable=True))

    messages = sa.table('email_messages', sa.column('id', sa.Integer()), sa.column('body', sa.Text()),
                        sa.column('kind', sa.String()), sa.column('status', sa.String()),
                        sa.column('last_error', sa.Text()), sa.column('created_at', sa.DateTime()),
                        sa.column('next_attempt_at', sa.DateTime()))
    bind = op.get_bind()
    bind.execute(messages.update().values(next_attempt_at=messages.c.created_at))
    rows = bind.execute(sa.select(messages.c.id, messages.c.body, messages.c.status)
                        .where(messages.c.kind.in_(['password-reset', 'invitation']))).all()
    for row in rows:
        values = {'body': LINK.sub(PLACEHOLDER, row.body)}
        if row.status == 'queued':
            values.update(status='failed', last_error='Its link was stored readable before version 0007 and was removed; '
                                                      'ask for a new reset link or send the invitation again.')
        bind.execute(messages.update().where(messages.c.id == row.id).values(**values))

    with op.batch_alter_table('email_messages', schema=None) as batch_op:
        batch_op.alter_column('next_attempt_at', existing_type=sa.DateTime(), nullable=False)
        batch_op.create_index('ix_email_messages_due', ['status', 'next_attempt_at'], unique=False)


def downgrade():
    with op.batch_alter_table('email_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_email_messages_due')
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('claim')
        batch_op.drop_column('next_attempt_at')
