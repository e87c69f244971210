"""Learner views for lessons and quizzes: thin wrappers over the progress and quiz services."""

from datetime import datetime

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app import unit_of_work
from app.data_stamp import kept_csrf_token, kept_page
from app.extensions import db
from app.forms import ConfirmForm
from app.kept import Kept
from app.learn import bp, lesson_page
from app.learn.forms import AnswerForm
from app.learn.lesson_page import grade_check
from app.models import Lesson, Quiz, QuizAttempt
from app.models.base import utcnow
from app.permissions import public, signed_in, visible_attempts
from app.services import assignments, certificates, compliance, due_dates, local_time, policy, progress, quizzes, review, training_steps
from app.services.cohorts import learner_cohorts
from app.urls import home_for


def _lesson_or_404(slug: str) -> Lesson:
    return lesson_page.in_force(slug) or abort(404)


def _quiz_or_404(slug: str) -> Quiz:
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == slug, Quiz.retired.is_(False)))
    return quiz or abort(404)


def _own_attempt_or_404(attempt_id: int) -> QuizAttempt:
    # Another learner's attempt is "not found", not "forbidden": ids reveal nothing.
    query = visible_attempts(select(QuizAttempt).where(QuizAttempt.id == attempt_id), current_user)
    return db.session.scalar(query) or abort(404)


def _locked_page(course: progress.CourseProgress, module_id: int | None):
    """A 403 page naming what to finish first, or None when the learner may go on."""
    if module_id is None:
        if course.modules_complete:
            return None
        todo = [entry.module for entry in course.modules if not entry.complete]
        return render_template("learn/locked.html", what="the final exam", todo=todo), 403
    entry = course.for_module(module_id)
    if entry is None or not entry.locked:
        return None
    return render_template("learn/locked.html", what=entry.module.title, todo=entry.missing), 403


@bp.route("/")
@public
def dashboard():
    """The start page: for a visitor an overview, for a learner the course map, for staff their role's home."""
    if not current_user.is_authenticated:
        return render_template("learn/welcome.html", modules=progress.course_modules())
    if current_user.role != "student":
        return redirect(home_for(current_user))
    return _course_page()


@bp.route("/course")
@signed_in
def course():
    """The course map with the signed-in person's progress (staff open the learner course here)."""
    return _course_page()


# A learner's course map is drawn again only when what it shows changes: kept under every fact it is drawn from.
_course_maps = Kept(256)


def _course_map(course: progress.CourseProgress, due: dict, today) -> Markup:
    """The modules, lessons and quizzes with the learner's progress, locks and due dates."""
    key = (str(db.engine.url), course.facts, tuple(sorted(due.items())), today)
    return _course_maps.get_or(key, lambda: Markup(render_template(  # nosec B704 - an autoescaped template
        "learn/_course_map.html", course=course, due=due, today=today)))


# Learner dashboards kept per worker under the data stamp, to the minute (review questions and statuses fall due).
_dashboards = Kept(256)


def _course_page():
    """The learner dashboard: progress, where to continue, required training, due dates and certificates."""
    now = utcnow().replace(second=0, microsecond=0)
    body, _nothing = kept_page(_dashboards, (current_user.id, now), lambda: (_dashboard_body(now), None))
    return render_template("learn/dashboard.html", body=body)


def _dashboard_body(now: datetime) -> str:
    """The signed-in person's dashboard as of `now` (the claim form's token left in its slot)."""
    course = progress.course_progress(current_user, where_to_continue=True)
    trainings = compliance.trainings_for(current_user)
    due, today = due_dates.for_learner(current_user), now.date()
    return render_template("learn/_dashboard.html", course=course, course_map=_course_map(course, due, today),
                           reviews_due=review.due_count(current_user, now), cohorts=learner_cohorts(current_user),
                           trainings=trainings, plan=training_steps.plan(current_user.id, course, trainings),
                           policies=policy.pending_for(current_user),
                           certificates=compliance.certificates_by_training(current_user),
                           today_in=lambda organisation: local_time.today(organisation, now), status_of=compliance.status_of,
                           course_certificate=certificates.course_certificate(current_user), csrf_token=kept_csrf_token,
                           due=due, today=today)


@bp.route("/lessons/<slug>")
@signed_in
def lesson(slug: str):
    """One lesson with its knowledge checks, previous/next navigation and the step that marks it complete."""
    course = progress.course_progress(current_user)
    page = lesson_page.page_for(slug, course.version) or abort(404)
    locked = _locked_page(course, page.module_id)
    if locked:
        return locked
    sequence = [item for entry in course.modules for item in entry.module.lessons]
    index = next(i for i, item in enumerate(sequence) if item.id == page.id)
    entry = course.for_module(page.module_id)
    return render_template(
        "learn/lesson.html", lesson=lesson_page.with_feedback(page, request.args), completed_at=course.completed_at.get(page.id),
        module_title=entry.module.title if entry else page.module_title,
        previous=sequence[index - 1] if index > 0 else None,
        next_lesson=sequence[index + 1] if index + 1 < len(sequence) else None,
    )


@bp.route("/lessons/<slug>/checks/<int:number>")
@signed_in
def check_answer(slug: str, number: int):
    """Instant feedback on a knowledge check, for the lesson page's script (JSON); nothing is stored."""
    current = _lesson_or_404(slug)
    if not 0 <= number < len(current.checks):
        abort(404)
    return jsonify(grade_check(current, number, request.args))


@bp.route("/lessons/<slug>/complete", methods=["POST"])
@signed_in
def complete_lesson(slug: str):
    """Mark the lesson complete, then go on: to the next lesson of the module, or its quiz."""
    current = _lesson_or_404(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    course = progress.course_progress(current_user)
    locked = _locked_page(course, current.module_id)
    if locked:
        return locked
    unit_of_work.write()
    progress.mark_lesson_complete(current_user, current)
    assignments.refresh_completions(current_user)
    module = course.for_module(current.module_id).module
    later = [item for item in module.lessons if item.position > current.position]
    if later:
        return redirect(url_for("learn.lesson", slug=later[0].slug))
    flash(f"You finished the lessons of “{module.title}”. Test yourself with the quiz.", "success")
    return redirect(url_for("learn.quiz", slug=module.quiz.slug) if module.quiz else url_for("learn.dashboard"))


@bp.route("/quizzes/<slug>")
@signed_in
def quiz(slug: str):
    """A quiz's overview: rules, the learner's open attempt and their history."""
    current = _quiz_or_404(slug)
    locked = _locked_page(progress.course_progress(current_user), current.module_id)
    if locked:
        return locked
    return render_template(
        "learn/quiz.html", quiz=current, form=ConfirmForm(), open_attempt=quizzes.open_attempt(current_user, current),
        attempts=quizzes.history(current_user, current), attempts_left=quizzes.attempts_left(current_user, current),
        question_count=quizzes.question_count(current),
    )


@bp.route("/quizzes/<slug>/start", methods=["POST"])
@signed_in
def start_quiz(slug: str):
    """Start (or resume) an attempt and show its questions."""
    current = _quiz_or_404(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    locked = _locked_page(progress.course_progress(current_user), current.module_id)
    if locked:
        return locked
    unit_of_work.write()  # the checks of start_attempt are made on what the write transaction reads
    try:
        attempt = quizzes.start_attempt(current_user, current)
    except quizzes.QuizError as error:
        flash(str(error), "error")
        return redirect(url_for("learn.quiz", slug=slug))
    return redirect(url_for("learn.attempt", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>", methods=["GET", "POST"])
@signed_in
def attempt(attempt_id: int):
    """An open attempt's questions (GET), handing it in (POST), or a submitted attempt's result."""
    current = _own_attempt_or_404(attempt_id)
    form = AnswerForm()
    if request.method == "GET":
        if current.is_submitted:
            next_step = progress.next_after_quiz(current_user, current.quiz.module_id) if current.passed else None
            return render_template("learn/result.html", attempt=current, rows=quizzes.review(current), next_step=next_step)
        draft = MultiDict([(key, value) for key, values in (current.draft or {}).items() for value in values])
        return render_template("learn/attempt.html", attempt=current, form=form, problems={}, given=draft or None)
    if not form.validate_on_submit():
        abort(400)
    if current.is_submitted:
        flash("This attempt had already been handed in; here is its result.", "info")
        return redirect(url_for("learn.attempt", attempt_id=current.id))
    answers, problems = quizzes.parse_answers(current, request.form)
    if problems:
        unit_of_work.keep()  # the answers given so far are kept although the page asks for the rest (422)
        quizzes.save_draft(current, request.form)
        flash("Some questions need an answer; they are marked below.", "error")
        return render_template("learn/attempt.html", attempt=current, form=form, problems=problems, given=request.form), 422
    unit_of_work.write()
    if quizzes.submit_attempt(current, answers):
        assignments.refresh_completions(current_user)
        if current.passed and current.quiz.kind == "exam":
            certificates.issue_for_course(current_user)
    else:
        flash("This attempt had already been handed in; here is its result.", "info")
    return redirect(url_for("learn.attempt", attempt_id=current.id))


@bp.route("/attempts/<int:attempt_id>/draft", methods=["POST"])
@signed_in
def save_draft(attempt_id: int):
    """Save the answers entered so far (the quiz page's script calls this as the learner goes)."""
    current = _own_attempt_or_404(attempt_id)
    if not AnswerForm().validate_on_submit():
        abort(400)
    unit_of_work.write()
    quizzes.save_draft(current, request.form)
    return jsonify({"saved": not current.is_submitted})
