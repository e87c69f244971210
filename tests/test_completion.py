"""Course completion is counted one way: the learner's dashboard, the gradebook and the cohort's chart agree."""

from datetime import timedelta

from sqlalchemy import select

from app.models import ContentVersion, Lesson, Quiz
from app.models.base import utcnow
from app.services import charts, course_standings, gradebook
from app.services.progress import course_progress
from tests.factories import complete_lessons, make_attempt, make_cohort, make_user, quiz


def test_the_dashboard_the_gradebook_and_the_chart_give_the_same_completion(app, db):
    teacher, learner = make_user("instructor"), make_user(name="Ann Able")
    cohort = make_cohort(teacher, [learner])
    cohort.created_at = utcnow() - timedelta(days=20)
    complete_lessons(learner, db.session.scalars(select(Lesson).order_by(Lesson.id).limit(5)), utcnow() - timedelta(days=3))
    make_attempt(learner, quiz("role-quiz"), [True] * 8, when=utcnow() - timedelta(days=2))
    # A pass of a retired quiz counts nowhere: it is not part of the course any more.
    retired = db.session.scalar(select(Quiz).where(Quiz.slug == "pay-quiz"))
    make_attempt(learner, retired, [True] * 8, when=utcnow() - timedelta(days=2))
    retired.retired = True
    db.session.add(ContentVersion(content_hash="pay-quiz retired", summary="the pay quiz retired"))
    db.session.flush()
    course_standings.rebuild(fix=True)  # as a content sync does
    db.session.commit()
    book = gradebook.build(cohort)
    [row] = gradebook.every_row(book, gradebook.View(), utcnow())
    points = charts.progress_over_time(cohort, [q.id for q in book.quizzes], list(book.lessons), utcnow())
    dashboard = course_progress(learner).percent
    assert dashboard == row.completion == round(points[-1].value) == round(100 * 6 / book.items_total)
    assert dashboard > 0
