"""Learner views: thin wrappers over the progress and quiz services."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app.extensions import db
from app.learn import bp
from app.learn.forms import ActionForm, AnswerForm
from app.models import Lesson, Module, Quiz, QuizAttempt
from app.permissions import visible_attempts
from app.services import progress, quizzes


def _lesson_or_404(slug: str) -> Lesson:
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == slug, Lesson.retired.is_(False)))
    return lesson or abort(404)


def _quiz_or_404(slug: str) -> Quiz:
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == slug, Quiz.retired.is_(False)))
    return quiz or abort(404)


def _own_attempt_or_404(attempt_id: int) -> QuizAttempt:
    # Another learner's attempt is "not found", not "forbidden": ids reveal nothing.
    query = visible_attempts(select(QuizAttempt).where(QuizAttempt.id == attempt_id), current_user)
    return db.session.scalar(query) or abort(404)


@bp.route("/")
def dashboard():
    """The course map: for a learner their progress and where to continue; for a visitor an overview."""
    if not current_user.is_authenticated:
        return render_template("learn/welcome.html", modules=progress.course_modules())
    return render_template("learn/dashboard.html", course=progress.course_progress(current_user))


@bp.route("/lessons/<slug>")
@login_required
def lesson(slug: str):
    """One lesson, with previous/next navigation and the step that marks it complete."""
    current = _lesson_or_404(slug)
    sequence = [item for module in progress.course_modules() for item in module.lessons]
    index = next(i for i, item in enumerate(sequence) if item.id == current.id)
    done = progress.completed_lesson_ids(current_user)
    return render_template(
        "learn/lesson.html", lesson=current, completed_at=done.get(current.id), form=ActionForm(),
        previous=sequence[index - 1] if index > 0 else None,
        next_lesson=sequence[index + 1] if index + 1 < len(sequence) else None,
    )


@bp.route("/lessons/<slug>/complete", methods=["POST"])
@login_required
def complete_lesson(slug: str):
    """Mark the lesson complete, then go on: to the next lesson of the module, or its quiz."""
    current = _lesson_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    progress.mark_lesson_complete(current_user, current)
    db.session.commit()
    module = db.session.get(Module, current.module_id)
    later = [item for item in module.lessons if item.position > current.position]
    if later:
        return redirect(url_for("learn.lesson", slug=later[0].slug))
    flash(f"You finished the lessons of “{module.title}”. Test yourself with the quiz.", "success")
    return redirect(url_for("learn.quiz", slug=module.quiz.slug) if module.quiz else url_for("learn.dashboard"))


@bp.route("/quizzes/<slug>")
@login_required
def quiz(slug: str):
    """A quiz's overview: rules, the learner's open attempt and their history."""
    current = _quiz_or_404(slug)
    return render_template(
        "learn/quiz.html", quiz=current, form=ActionForm(), open_attempt=quizzes.open_attempt(current_user, current),
        attempts=quizzes.history(current_user, current), attempts_left=quizzes.attempts_left(current_user, current),
    )


@bp.route("/quizzes/<slug>/start", methods=["POST"])
@login_required
def start_quiz(slug: str):
    """Start (or resume) an attempt and show its questions."""
    current = _quiz_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        attempt = quizzes.start_attempt(current_user, current)
    except quizzes.QuizError as error:
        flash(str(error), "error")
        return redirect(url_for("learn.quiz", slug=slug))
    db.session.commit()
    return redirect(url_for("learn.attempt", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>", methods=["GET", "POST"])
@login_required
def attempt(attempt_id: int):
    """An open attempt's questions (GET), handing it in (POST), or a submitted attempt's result."""
    current = _own_attempt_or_404(attempt_id)
    form = AnswerForm()
    if request.method == "POST" and not current.is_submitted:
        if not form.validate_on_submit():
            abort(400)
        answers, problems = quizzes.parse_answers(current, request.form)
        if problems:
            flash("Some questions need an answer; they are marked below.", "error")
            return render_template("learn/attempt.html", attempt=current, form=form, problems=problems,
                                   given=request.form), 422
        if not quizzes.submit_attempt(current, answers):
            flash("This attempt had already been handed in; here is its result.", "info")
        db.session.commit()
        return redirect(url_for("learn.attempt", attempt_id=current.id))
    if request.method == "POST":
        flash("This attempt had already been handed in; here is its result.", "info")
        return redirect(url_for("learn.attempt", attempt_id=current.id))
    if not current.is_submitted:
        return render_template("learn/attempt.html", attempt=current, form=form, problems={}, given=None)
    return render_template("learn/result.html", attempt=current, rows=quizzes.review(current))
