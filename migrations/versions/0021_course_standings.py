"""Course standings: a summary row per learner of the whole course for the gradebook

Revision ID: 0021
Revises: 0015
Create Date: 2026-12-07 08:00:00.000000

Lessons read and graded quizzes passed (of those in force) and the learner's last activity, kept with each
lesson completion and submission, so the gradebook sorts, filters and pages a cohort in SQL. The rows are
filled here from the facts: lesson progress and the learner x quiz standings.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0015'
branch_labels = None
depends_on = None

LESSONS = """
SELECT lp.user_id AS user_id, count(*) AS done, max(lp.completed_at) AS latest FROM lesson_progress lp
JOIN lessons l ON l.id = lp.lesson_id JOIN modules m ON m.id = l.module_id
WHERE lp.completed_at IS NOT NULL AND l.retired = :no AND m.retired = :no GROUP BY lp.user_id
"""
QUIZZES = """
SELECT s.user_id AS user_id, sum(CASE WHEN s.passed THEN 1 ELSE 0 END) AS passed, max(s.last_submitted_at) AS latest
FROM quiz_standings s JOIN quizzes q ON q.id = s.quiz_id LEFT JOIN modules m ON m.id = q.module_id
WHERE q.retired = :no AND (m.id IS NULL OR m.retired = :no) AND q.kind IN ('quiz', 'exercise', 'exam') GROUP BY s.user_id
"""
FILL = f"""
INSERT INTO course_standings (user_id, lessons_done, quizzes_passed, last_activity_at, changed_at)
SELECT u.id, coalesce(l.done, 0), coalesce(q.passed, 0),
       CASE WHEN l.latest IS NULL THEN q.latest WHEN q.latest IS NULL THEN l.latest
            WHEN l.latest > q.latest THEN l.latest ELSE q.latest END,
       CURRENT_TIMESTAMP
FROM users u LEFT JOIN ({LESSONS}) l ON l.user_id = u.id LEFT JOIN ({QUIZZES}) q ON q.user_id = u.id
WHERE l.user_id IS NOT NULL OR q.user_id IS NOT NULL
"""


def upgrade():
    op.create_table(
        'course_standings',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('lessons_done', sa.Integer(), nullable=False),
        sa.Column('quizzes_passed', sa.Integer(), nullable=False),
        sa.Column('last_activity_at', sa.DateTime(), nullable=True),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_course_standings_user_id_users')),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_course_standings')),
    )
    op.get_bind().execute(sa.text(FILL), {"no": False})


def downgrade():
    op.drop_table('course_standings')
