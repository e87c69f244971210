"""a summary row per learner and quiz, filled from the attempts

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('quiz_standings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('best_score', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('first_passed_at', sa.DateTime(), nullable=True),
    sa.Column('last_passed_at', sa.DateTime(), nullable=True),
    sa.Column('last_submitted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['quiz_id'], ['quizzes.id'], name=op.f('fk_quiz_standings_quiz_id_quizzes')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_quiz_standings_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', 'quiz_id', name=op.f('pk_quiz_standings'))
    )
    with op.batch_alter_table('quiz_standings', schema=None) as batch_op:
        batch_op.create_index('ix_quiz_standings_quiz', ['quiz_id', 'best_score'], unique=False)
    # The same figures the app computes (app.services.quiz_standings), from every submitted attempt.
    op.execute(
        "INSERT INTO quiz_standings (user_id, quiz_id, best_score, attempts, passed, first_passed_at, last_passed_at, last_submitted_at) "
        "SELECT user_id, quiz_id, max(score), count(*), max(CASE WHEN passed THEN 1 ELSE 0 END) = 1, "
        "min(CASE WHEN passed THEN submitted_at END), max(CASE WHEN passed THEN submitted_at END), max(submitted_at) "
        "FROM quiz_attempts WHERE submitted_at IS NOT NULL GROUP BY user_id, quiz_id")


def downgrade():
    with op.batch_alter_table('quiz_standings', schema=None) as batch_op:
        batch_op.drop_index('ix_quiz_standings_quiz')
    op.drop_table('quiz_standings')
