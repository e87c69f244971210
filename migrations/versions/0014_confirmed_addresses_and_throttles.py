"""confirmed, normalised, look-alike-proof e-mail addresses; throttles with growing delays

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 22:50:00

"""
import unicodedata

from alembic import op
import sqlalchemy as sa
from confusable_homoglyphs import confusables
from email_validator import EmailNotValidError, validate_email


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


# The same rules as app.services.accounts (normalise_email, email_skeleton), frozen here so this migration never changes.
def _normalise(email):
    text = email.strip()
    try:
        text = validate_email(text, check_deliverability=False, globally_deliverable=False).normalized
    except EmailNotValidError:
        pass
    return unicodedata.normalize("NFC", text.lower())


def _skeleton(email):
    def latin(char):
        found = confusables.is_confusable(char, greedy=True, preferred_aliases=[]) or []
        return next((glyph["c"] for hit in found for glyph in hit["homoglyphs"] if glyph["c"].isascii()), char)
    text = unicodedata.normalize("NFKC", _normalise(email)).casefold()
    return "".join(char if char.isascii() else latin(char) for char in text)[:254]


def _normalise_existing_addresses():
    users = sa.table("users", sa.column("id"), sa.column("email"), sa.column("email_key"),
                     sa.column("created_at", sa.DateTime()), sa.column("email_confirmed_at", sa.DateTime()))
    connection = op.get_bind()
    rows = connection.execute(sa.select(users.c.id, users.c.email).order_by(users.c.id)).all()
    emails, keys = {email for _, email in rows}, set()
    for user_id, email in rows:
        normal, key = _normalise(email), _skeleton(email)
        values = {}
        if normal != email and normal not in emails:  # an address whose normal form is taken keeps its old form
            emails.add(normal)
            values["email"] = normal
        if key not in keys:  # the earliest account keeps a shared skeleton; later look-alikes stay as they are
            keys.add(key)
            values["email_key"] = key
        if values:
            connection.execute(users.update().where(users.c.id == user_id).values(**values))
    # Accounts made before confirmation existed were usable; they stay usable.
    connection.execute(users.update().values(email_confirmed_at=users.c.created_at))


def upgrade():
    op.create_table('throttles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=320), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('last_at', sa.DateTime(), nullable=False),
    sa.Column('blocked_until', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_throttles')),
    sa.UniqueConstraint('key', name=op.f('uq_throttles_key'))
    )
    # The old table held only failure counts of the last 15 minutes; the new throttles start from zero.
    op.drop_table('login_throttles')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_key', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('email_confirmed_at', sa.DateTime(), nullable=True))
    _normalise_existing_addresses()
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_users_email_key'), ['email_key'])


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_email_key'), type_='unique')
        batch_op.drop_column('email_confirmed_at')
        batch_op.drop_column('email_key')
    op.create_table('login_throttles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('first_failure_at', sa.DateTime(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_throttles')),
    sa.UniqueConstraint('email', name=op.f('uq_login_throttles_email'))
    )
    op.drop_table('throttles')
