"""ICD-10-CM code set: releases, codes and their full-text index

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 22:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# The search index has no model (an FTS5 virtual table has none); its tables are left out of the schema comparison.
SQLITE_INDEX = (
    "CREATE VIRTUAL TABLE icd_code_search USING fts5(title, terms, content='icd_codes', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
)
# On PostgreSQL, a GIN index over the weighted document (title A, inclusion terms B); the search repeats the expression.
POSTGRES_INDEX = (
    "CREATE INDEX icd_code_search ON icd_codes USING gin "
    "((setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', terms), 'B')))",
)
CODE = sa.String(length=12).with_variant(sa.String(length=12, collation='C'), 'postgresql')


def upgrade():
    op.create_table('icd_releases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=160), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('loaded_at', sa.DateTime(), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.Column('billable', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_icd_releases')),
    sa.UniqueConstraint('source', name=op.f('uq_icd_releases_source'))
    )
    op.create_table('icd_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('release_id', sa.Integer(), nullable=False),
    sa.Column('code', CODE, nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('billable', sa.Boolean(), nullable=False),
    sa.Column('terms', sa.Text(), nullable=False),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('seventh', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['icd_codes.id'], name=op.f('fk_icd_codes_parent_id_icd_codes')),
    sa.ForeignKeyConstraint(['release_id'], ['icd_releases.id'], name=op.f('fk_icd_codes_release_id_icd_releases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_icd_codes')),
    sa.UniqueConstraint('code', name=op.f('uq_icd_codes_code'))
    )
    with op.batch_alter_table('icd_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_icd_codes_parent_id'), ['parent_id'], unique=False)
    for statement in SQLITE_INDEX if op.get_bind().dialect.name == 'sqlite' else POSTGRES_INDEX:
        op.execute(statement)


def downgrade():
    op.execute('DROP TABLE IF EXISTS icd_code_search' if op.get_bind().dialect.name == 'sqlite' else 'DROP INDEX IF EXISTS icd_code_search')
    with op.batch_alter_table('icd_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_icd_codes_parent_id'))
    op.drop_table('icd_codes')
    op.drop_table('icd_releases')
