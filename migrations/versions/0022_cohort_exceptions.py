"""Cohort exceptions: extra attempts, excusals from a quiz and due dates, per cohort

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 14:30:00.000000

An instructor's decisions for one cohort: extra attempts at a quiz with an attempt limit, a member excused from a
quiz, and a due date per quiz. New tables only; nothing existing changes.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'attempt_grants',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cohort_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('quiz_id', sa.Integer(), nullable=False),
        sa.Column('extra', sa.Integer(), nullable=False),
        sa.Column('granted_by', sa.Integer(), nullable=False),
        sa.Column('granted_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_attempt_grants_cohort_id_cohorts')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_attempt_grants_user_id_users')),
        sa.ForeignKeyConstraint(['quiz_id'], ['quizzes.id'], name=op.f('fk_attempt_grants_quiz_id_quizzes')),
        sa.ForeignKeyConstraint(['granted_by'], ['users.id'], name=op.f('fk_attempt_grants_granted_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attempt_grants')),
    )
    op.create_index(op.f('ix_attempt_grants_cohort_id'), 'attempt_grants', ['cohort_id'])
    op.create_index(op.f('ix_attempt_grants_user_id'), 'attempt_grants', ['user_id'])
    op.create_table(
        'excusals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cohort_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('quiz_id', sa.Integer(), nullable=False),
        sa.Column('excused_by', sa.Integer(), nullable=False),
        sa.Column('excused_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_excusals_cohort_id_cohorts')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_excusals_user_id_users')),
        sa.ForeignKeyConstraint(['quiz_id'], ['quizzes.id'], name=op.f('fk_excusals_quiz_id_quizzes')),
        sa.ForeignKeyConstraint(['excused_by'], ['users.id'], name=op.f('fk_excusals_excused_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_excusals')),
        sa.UniqueConstraint('cohort_id', 'user_id', 'quiz_id', name=op.f('uq_excusals_cohort_id')),
    )
    op.create_index(op.f('ix_excusals_cohort_id'), 'excusals', ['cohort_id'])
    op.create_index(op.f('ix_excusals_user_id'), 'excusals', ['user_id'])
    op.create_table(
        'cohort_due_dates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cohort_id', sa.Integer(), nullable=False),
        sa.Column('quiz_id', sa.Integer(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('set_by', sa.Integer(), nullable=False),
        sa.Column('set_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_cohort_due_dates_cohort_id_cohorts')),
        sa.ForeignKeyConstraint(['quiz_id'], ['quizzes.id'], name=op.f('fk_cohort_due_dates_quiz_id_quizzes')),
        sa.ForeignKeyConstraint(['set_by'], ['users.id'], name=op.f('fk_cohort_due_dates_set_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort_due_dates')),
        sa.UniqueConstraint('cohort_id', 'quiz_id', name=op.f('uq_cohort_due_dates_cohort_id')),
    )
    op.create_index(op.f('ix_cohort_due_dates_cohort_id'), 'cohort_due_dates', ['cohort_id'])


def downgrade():
    op.drop_table('cohort_due_dates')
    op.drop_table('excusals')
    op.drop_table('attempt_grants')
