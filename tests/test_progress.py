"""Progress: lessons read, module completion, course completion and where to continue."""

import re

from sqlalchemy import func, select

from app.models import LessonProgress
from app.services.progress import course_modules, course_progress
from tests.factories import right_answer_form


def complete_lesson(client, slug):
    return client.post(f"/lessons/{slug}/complete")


def pass_quiz(client, db, slug):
    from app.models import QuizAttempt
    response = client.post(f"/quizzes/{slug}/start")
    attempt = db.session.get(QuizAttempt, int(response.headers["Location"].rsplit("/", 1)[1]))
    client.post(f"/attempts/{attempt.id}", data=right_answer_form(attempt))
    return attempt


def percent_on_dashboard(client) -> int:
    return int(re.search(r"(\d+)% complete", client.get("/").get_data(as_text=True)).group(1))


def test_marking_a_lesson_complete_is_recorded_once_and_moves_on(client, db, login_as):
    user = login_as()
    first, second = course_modules()[0].lessons[:2]
    response = complete_lesson(client, first.slug)
    assert response.headers["Location"] == f"/lessons/{second.slug}"
    complete_lesson(client, first.slug)
    count = db.session.scalar(select(func.count()).select_from(LessonProgress).where(LessonProgress.user_id == user.id))
    assert count == 1
    assert "✓ completed" in client.get(f"/lessons/{first.slug}").get_data(as_text=True)


def test_the_last_lesson_of_a_module_leads_to_its_quiz(client, login_as):
    login_as()
    module = course_modules()[0]
    response = complete_lesson(client, module.lessons[-1].slug)
    assert response.headers["Location"] == f"/quizzes/{module.quiz.slug}"


def test_lesson_pages_have_previous_and_next_links(client, login_as):
    login_as()
    lessons = [lesson for module in course_modules() for lesson in module.lessons]
    page = client.get(f"/lessons/{lessons[1].slug}").get_data(as_text=True)
    assert f'href="/lessons/{lessons[0].slug}"' in page and f'href="/lessons/{lessons[2].slug}"' in page
    assert "Mark as complete" in page


def test_a_module_is_complete_only_when_lessons_are_read_and_the_quiz_passed(client, db, login_as):
    user = login_as()
    module = course_modules()[0]
    pass_quiz(client, db, module.quiz.slug)
    assert course_progress(user).modules[0].complete is False
    for lesson in module.lessons:
        complete_lesson(client, lesson.slug)
    entry = course_progress(user).modules[0]
    assert entry.complete is True and entry.best_score == 100 and entry.percent == 100


def test_the_whole_course_reaches_100_percent(client, db, login_as):
    user = login_as()
    assert percent_on_dashboard(client) == 0
    modules = course_modules()
    for module in modules:
        for lesson in module.lessons:
            complete_lesson(client, lesson.slug)
        for quiz in [module.quiz, *module.exercises]:
            pass_quiz(client, db, quiz.slug)
    assert percent_on_dashboard(client) < 100, "the final exam is still to pass"
    pass_quiz(client, db, "final-exam")
    assert percent_on_dashboard(client) == 100
    assert course_progress(user).complete is True
    assert "you have finished the whole course" in client.get("/").get_data(as_text=True)


def test_partial_progress_is_counted_in_lessons_and_quizzes(client, db, login_as):
    user = login_as()
    modules = course_modules()
    total = sum(len(m.lessons) + 1 + len(m.exercises) for m in modules) + 1  # and the final exam
    complete_lesson(client, modules[0].lessons[0].slug)
    assert course_progress(user).percent == round(100 / total)


def test_continue_where_you_left_off_after_signing_out_and_in(client, db, login_as):
    from tests.conftest import sign_in
    user = login_as()
    lessons = course_modules()[0].lessons
    complete_lesson(client, lessons[0].slug)
    client.post("/auth/logout")
    sign_in(client, user.email)
    page = client.get("/").get_data(as_text=True)
    assert f'href="/lessons/{lessons[1].slug}">Continue where you left off' in page


def test_continue_skips_to_the_next_unfinished_step_after_the_last_activity(client, db, login_as):
    user = login_as()
    modules = course_modules()
    for lesson in modules[1].lessons:
        complete_lesson(client, lesson.slug)
    step = course_progress(user, where_to_continue=True).continue_at
    assert (step.kind, step.slug) == ("quiz", modules[1].quiz.slug)


def test_progress_belongs_to_each_learner(client, db, login_as):
    from tests.factories import make_user
    other = make_user()
    db.session.commit()
    login_as()
    complete_lesson(client, course_modules()[0].lessons[0].slug)
    assert course_progress(other).percent == 0


def test_visitors_see_the_course_outline(client):
    page = client.get("/").get_data(as_text=True)
    assert "Create a free account" in page
    assert all(module.title.replace("&", "&amp;") in page for module in course_modules())


def test_a_failed_request_that_filled_the_course_cache_harms_no_later_request(app, client, db, login_as, monkeypatch):
    import app.learn.routes as learn_routes

    learner = app.test_client()
    login_as("student")
    learner, client = client, learner  # `client` is now the anonymous visitor
    real_render, calls = learn_routes.render_template, []

    def fail_first(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 1:  # the very first page fills the cache, then breaks before it is shown
            raise RuntimeError("the page failed after reading the course")
        return real_render(*args, **kwargs)

    monkeypatch.setattr(learn_routes, "render_template", fail_first)
    assert client.get("/").status_code == 500
    first = course_modules()[0].lessons[0].slug
    statuses = [(visitor.get(path).status_code) for _ in range(34) for visitor, path in
                ((client, "/"), (learner, "/"), (learner, f"/lessons/{first}"))][:100]
    assert len(statuses) == 100 and set(statuses) == {200}
