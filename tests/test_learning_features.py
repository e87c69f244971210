"""Knowledge checks, prerequisites, exercises, the final exam, spaced review and the glossary, as a learner uses them."""

from datetime import timedelta

from markupsafe import escape
from sqlalchemy import select

from app.models import GlossaryTerm, Lesson, QuizAttempt, ReviewItem
from app.models.base import utcnow
from app.services import review
from app.services.progress import course_modules, course_progress, final_exam
from tests.factories import right_answer_form


def take(client, db, slug, wrong=0):
    response = client.post(f"/quizzes/{slug}/start")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    attempt = db.session.get(QuizAttempt, int(response.headers["Location"].rsplit("/", 1)[1]))
    client.post(f"/attempts/{attempt.id}", data=right_answer_form(attempt, wrong=wrong))
    db.session.refresh(attempt)
    return attempt


def complete_module(client, db, module):
    for lesson in module.lessons:
        client.post(f"/lessons/{lesson.slug}/complete")
    for quiz in [module.quiz, *module.exercises]:
        take(client, db, quiz.slug)


def lesson_with_check(db) -> Lesson:
    """A lesson with a knowledge check that a new learner may open (its module has no prerequisites)."""
    lessons = db.session.scalars(select(Lesson).order_by(Lesson.id))
    return next(lesson for lesson in lessons if lesson.checks and not lesson.module.requires)


def check_answer_values(lesson: Lesson, right: bool) -> dict:
    from app.learn.lesson_page import shown_check
    shown = shown_check(lesson, 0)
    if shown["type"] == "true_false":
        return {"answer": "true" if shown["answer"] == right else "false"}
    if shown["type"] == "single_choice":
        choice = shown["answer"] if right else next(c for c in shown["choices"] if c != shown["answer"])
        return {"answer": str(shown["choices"].index(choice))}
    picked = shown["answers"] if right else [c for c in shown["choices"] if c not in shown["answers"]][:1]
    return {"answer": [str(shown["choices"].index(c)) for c in picked]}


def test_a_knowledge_check_answers_without_javascript_and_stores_nothing(client, db, login_as):
    login_as()
    lesson = lesson_with_check(db)
    page = client.get(f"/lessons/{lesson.slug}").get_data(as_text=True)
    assert "Check your understanding" in page and str(escape(lesson.checks[0]["prompt"])) in page
    wrong = client.get(f"/lessons/{lesson.slug}", query_string={"check": 0, **check_answer_values(lesson, False)})
    assert "Not quite." in wrong.get_data(as_text=True)
    right = client.get(f"/lessons/{lesson.slug}", query_string={"check": 0, **check_answer_values(lesson, True)})
    assert "Right!" in right.get_data(as_text=True)
    assert db.session.scalar(select(ReviewItem)) is None


def test_a_knowledge_check_answers_instantly_as_json(client, db, login_as):
    login_as()
    lesson = lesson_with_check(db)
    result = client.get(f"/lessons/{lesson.slug}/checks/0", query_string=check_answer_values(lesson, True)).get_json()
    assert result["right"] is True and result["explanation"] == lesson.checks[0]["explanation"]
    empty = client.get(f"/lessons/{lesson.slug}/checks/0").get_json()
    assert empty == {"error": "Choose an answer first."}
    assert client.get(f"/lessons/{lesson.slug}/checks/99").status_code == 404


def test_an_enrichment_module_is_locked_until_its_prerequisite_is_complete(client, db, login_as):
    user = login_as()
    modules = {m.slug: m for m in course_modules()}
    hipaa = modules["hipaa-practice"]
    locked = client.get(f"/lessons/{hipaa.lessons[0].slug}")
    assert locked.status_code == 403
    page = locked.get_data(as_text=True)
    assert "Not open yet" in page and modules["confidentiality"].title in page
    assert f'href="/lessons/{modules["confidentiality"].lessons[0].slug}"' in page
    assert client.post(f"/quizzes/{hipaa.quiz.slug}/start").status_code == 403
    assert "Locked" in client.get("/").get_data(as_text=True)
    complete_module(client, db, modules["confidentiality"])
    assert client.get(f"/lessons/{hipaa.lessons[0].slug}").status_code == 200
    assert not course_progress(user).for_module(hipaa.id).locked


def test_exercises_count_toward_completing_their_module(client, db, login_as):
    user = login_as()
    modules = {m.slug: m for m in course_modules()}
    complete_module(client, db, modules["role"])
    visit = modules["visit-to-payment"]
    assert visit.exercises
    for lesson in visit.lessons:
        client.post(f"/lessons/{lesson.slug}/complete")
    take(client, db, visit.quiz.slug)
    assert course_progress(user).for_module(visit.id).complete is False
    for exercise in visit.exercises:
        take(client, db, exercise.slug)
    assert course_progress(user).for_module(visit.id).complete is True


def test_the_final_exam_opens_after_every_module_and_completes_the_course(client, db, login_as):
    user = login_as()
    exam = final_exam()
    assert client.get(f"/quizzes/{exam.slug}").status_code == 403
    for module in course_modules():
        complete_module(client, db, module)
    progress = course_progress(user)
    assert progress.modules_complete and not progress.complete and progress.percent < 100
    attempt = take(client, db, exam.slug)
    modules_drawn = {shown["question_id"] for shown in attempt.snapshot}
    assert len(attempt.snapshot) == exam.draw_per_module * len(course_modules()) == len(modules_drawn)
    assert attempt.passed
    assert course_progress(user).complete and "you have finished the whole course" in client.get("/").get_data(as_text=True)


def test_missed_questions_come_back_for_review_after_1_3_and_7_days(client, db, login_as, monkeypatch):
    user = login_as()
    attempt = take(client, db, "role-quiz", wrong=2)
    items = db.session.scalars(select(ReviewItem).where(ReviewItem.user_id == user.id)).all()
    assert {item.question_id for item in items} == {shown["question_id"] for shown in attempt.snapshot[:2]}
    assert review.due_count(user) == 0
    assert "No review questions are due today." in client.get("/").get_data(as_text=True)

    start = utcnow()
    item = items[0]
    assert review.due_count(user, start + timedelta(days=1, minutes=1)) == 2
    review.record_review_answer(item, True, start + timedelta(days=1))
    assert item.stage == 1 and item.due_at == start + timedelta(days=4)
    review.record_review_answer(item, True, start + timedelta(days=4))
    assert item.stage == 2 and item.due_at == start + timedelta(days=11)
    review.record_review_answer(item, False, start + timedelta(days=11))
    assert item.stage == 0 and item.due_at == start + timedelta(days=12)
    for day in (12, 15, 22):
        review.record_review_answer(item, True, start + timedelta(days=day))
    assert item.retired is True


def test_the_review_page_takes_due_questions_and_moves_them_on(client, db, login_as, monkeypatch):
    user = login_as()
    take(client, db, "role-quiz", wrong=1)
    later = utcnow() + timedelta(days=1, hours=1)
    monkeypatch.setattr(review, "utcnow", lambda: later)
    monkeypatch.setattr("app.learn.routes.utcnow", lambda: later)  # the dashboard reads the time once, for every part
    assert "1</strong> review question due today" in client.get("/").get_data(as_text=True)
    page = client.get("/review").get_data(as_text=True)
    item = db.session.scalar(select(ReviewItem).where(ReviewItem.user_id == user.id))
    assert f'name="items" value="{item.id}"' in page
    shown = review.present(item)
    form = {"items": str(item.id)}
    form.update({key.replace("q0", f"q{item.id}"): value for key, value in right_answer_form(QuizAttempt(snapshot=[shown])).items()})
    result = client.post("/review", data=form).get_data(as_text=True)
    assert "Correct." in result and "Nothing to review right now." in result
    db.session.refresh(item)
    assert item.stage == 1
    again = client.post("/review", data=form)
    db.session.refresh(item)
    assert again.status_code == 200 and item.stage == 1, "a resubmitted review form changes nothing"


def test_the_glossary_is_browsable_searchable_and_linked_from_lessons(client, db, login_as):
    login_as()
    terms = db.session.scalars(select(GlossaryTerm)).all()
    assert len(terms) >= 40
    page = client.get("/glossary").get_data(as_text=True)
    assert all(f'id="{term.slug}"' in page for term in terms)
    term = next(t for t in terms if t.term.upper() == "HIPAA")
    found = client.get("/glossary", query_string={"q": "hipaa"}).get_data(as_text=True)
    assert f'id="{term.slug}"' in found and f'/lessons/{term.lesson.slug}' in found
    assert "No term matches your search" in client.get("/glossary", query_string={"q": "zzzzqqq"}).get_data(as_text=True)
    linked = [lesson for lesson in db.session.scalars(select(Lesson)) if 'class="term"' in lesson.body_html]
    assert len(linked) >= len(course_modules())


def test_a_lesson_shows_its_new_text_once_the_content_changes(client, db, login_as):
    from app.models import ContentVersion

    login_as()
    lesson = lesson_with_check(db)
    assert "Check your understanding" in client.get(f"/lessons/{lesson.slug}").get_data(as_text=True)
    # What a content sync does: the lesson's text changes and a new content version is recorded.
    lesson.body_html = "<p>The corrected text of this lesson.</p>"
    db.session.add(ContentVersion(content_hash="f" * 64, summary="corrected"))
    db.session.commit()
    page = client.get(f"/lessons/{lesson.slug}").get_data(as_text=True)
    assert "The corrected text of this lesson." in page and "Check your understanding" not in page


def test_the_course_map_shows_each_change_to_what_it_is_drawn_from(client, db, login_as):
    from datetime import date

    from app.models import DueDate, Module, Quiz
    from tests.factories import make_cohort, make_user

    learner = login_as()
    module = db.session.scalar(select(Module).where(Module.retired.is_(False)).order_by(Module.position))
    lesson, quiz = module.lessons[0], db.session.scalar(select(Quiz).where(Quiz.module_id == module.id, Quiz.kind == "quiz"))
    ticks = client.get("/").get_data(as_text=True).count("✓ read")
    client.post(f"/lessons/{lesson.slug}/complete")
    assert client.get("/").get_data(as_text=True).count("✓ read") == ticks + 1  # a lesson finished
    teacher = make_user("instructor")
    cohort = make_cohort(teacher, [learner])
    db.session.add(DueDate(cohort_id=cohort.id, quiz_id=quiz.id, due_on=date(2099, 3, 14), set_by=teacher.id))
    db.session.commit()
    course_map = client.get("/").get_data(as_text=True).split('<ol class="modules">', 1)[1]
    assert "Due 14 Mar 2099" in course_map  # a due date set by the cohort's instructor, beside its quiz
