"""Instructor views of one learner in a cohort: their record, extra attempts, and excusals from quizzes."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from app import unit_of_work
from app.extensions import db
from app.forms import ConfirmForm
from app.models import Cohort, Quiz, QuizAttempt, User
from app.permissions import STAFF, roles_required
from app.services import audit, cohort_exceptions, due_dates, progress, structure
from app.teach import bp
from app.teach.forms import ExcuseForm, GrantForm
from app.teach.routes import cohort_or_404, cohort_steps, learner_or_404


def _forms(cohort: Cohort, learner: User, grant_form: GrantForm | None = None,
           excuse_form: ExcuseForm | None = None) -> tuple[GrantForm, ExcuseForm]:
    """The grant and excuse forms with the quizzes each may name (posted forms keep their data and errors)."""
    grant_form = grant_form or GrantForm(formdata=None)
    excuse_form = excuse_form or ExcuseForm(formdata=None)
    grant_form.grant_quiz.choices = [(quiz.id, quiz.title) for quiz in cohort_exceptions.limited_quizzes()]
    already = {excusal.quiz_id for excusal in cohort_exceptions.excusals_for(cohort, learner.id)}
    excuse_form.excuse_quiz.choices = [(quiz.id, quiz.title) for quiz in structure.graded_quizzes(structure.current())
                                if quiz.id not in already]
    return grant_form, excuse_form


def _page(cohort: Cohort, learner: User, grant_form: GrantForm | None = None, excuse_form: ExcuseForm | None = None,
          status: int = 200):
    """The learner page, with whichever posted form failed shown with its errors."""
    attempts = db.session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == learner.id, QuizAttempt.submitted_at.is_not(None))
                                  .order_by(QuizAttempt.submitted_at.desc())).all()
    grant_form, excuse_form = _forms(cohort, learner, grant_form, excuse_form)
    return render_template("teach/learner.html", cohort=cohort, learner=learner, attempts=attempts,
                           course=progress.course_progress(learner), grants=cohort_exceptions.grants_for(cohort, learner.id),
                           excusals=cohort_exceptions.excusals_for(cohort, learner.id), due=due_dates.for_cohort(cohort.id),
                           grant_form=grant_form, excuse_form=excuse_form), status


def _back(cohort: Cohort, learner: User):
    """Back to the learner page after a change (PRG)."""
    return redirect(url_for("teach.learner_page", cohort_id=cohort.id, user_id=learner.id))


@bp.route("/cohorts/<int:cohort_id>/learners/<int:user_id>")
@roles_required(*STAFF)
def learner_page(cohort_id: int, user_id: int):
    """One learner's record: progress per module, every attempt, and the cohort's exceptions for them."""
    cohort = cohort_or_404(cohort_id)
    learner = learner_or_404(cohort, user_id)
    audit.record("learner.view", current_user, subject=learner, target=f"cohort:{cohort.id}")
    return _page(cohort, learner)


@bp.route("/cohorts/<int:cohort_id>/learners/<int:user_id>/grants", methods=["POST"])
@roles_required(*STAFF)
def grant_attempts(cohort_id: int, user_id: int):
    """Give the learner extra attempts at a quiz with an attempt limit."""
    cohort = cohort_or_404(cohort_id)
    learner = learner_or_404(cohort, user_id)
    form = GrantForm()
    _forms(cohort, learner, grant_form=form)
    if not form.validate_on_submit():
        return _page(cohort, learner, grant_form=form, status=422)
    unit_of_work.write()
    quiz = db.session.get(Quiz, form.grant_quiz.data)
    try:
        cohort_exceptions.grant(cohort, learner, quiz, form.extra.data, current_user)
    except cohort_exceptions.ExceptionError as error:
        form.grant_quiz.errors = [str(error)]
        return _page(cohort, learner, grant_form=form, status=422)
    audit.record("attempt.grant", current_user, subject=learner, target=f"cohort:{cohort.id}", quiz=quiz.slug,
                 extra=form.extra.data)
    count = form.extra.data
    flash(f"{learner.display_name} has {count} more attempt{'s' if count != 1 else ''} at “{quiz.title}”.", "success")
    return _back(cohort, learner)


@bp.route("/cohorts/<int:cohort_id>/learners/<int:user_id>/excusals", methods=["POST"])
@roles_required(*STAFF)
def excuse_learner(cohort_id: int, user_id: int):
    """Excuse the learner from a quiz in this cohort's gradebook."""
    cohort = cohort_or_404(cohort_id)
    learner = learner_or_404(cohort, user_id)
    form = ExcuseForm()
    _forms(cohort, learner, excuse_form=form)
    if not form.validate_on_submit():
        return _page(cohort, learner, excuse_form=form, status=422)
    unit_of_work.write()
    quiz = db.session.get(Quiz, form.excuse_quiz.data)
    if cohort_exceptions.excuse(cohort, learner, quiz, current_user):
        audit.record("quiz.excuse", current_user, subject=learner, target=f"cohort:{cohort.id}", quiz=quiz.slug)
        flash(f"{learner.display_name} is excused from “{quiz.title}” in this cohort.", "success")
    else:
        flash(f"{learner.display_name} was already excused from “{quiz.title}”.", "info")
    return _back(cohort, learner)


@bp.route("/cohorts/<int:cohort_id>/learners/<int:user_id>/excusals/<int:quiz_id>/withdraw", methods=["GET", "POST"])
@roles_required(*STAFF)
def withdraw_excusal(cohort_id: int, user_id: int, quiz_id: int):
    """Withdraw an excusal after confirmation: the quiz counts for the learner again."""
    cohort = cohort_or_404(cohort_id)
    learner = learner_or_404(cohort, user_id)
    excusal = next((e for e in cohort_exceptions.excusals_for(cohort, learner.id) if e.quiz_id == quiz_id), None)
    if excusal is None:
        flash("That excusal was already withdrawn.", "info")
        return _back(cohort, learner)
    quiz, form = excusal.quiz, ConfirmForm()
    if form.validate_on_submit():
        unit_of_work.write()
        if cohort_exceptions.withdraw(cohort, learner.id, quiz_id):
            audit.record("quiz.excuse_withdraw", current_user, subject=learner, target=f"cohort:{cohort.id}", quiz=quiz.slug)
        flash(f"{learner.display_name} is no longer excused from “{quiz.title}”.", "info")
        return _back(cohort, learner)
    return render_template("confirm.html", form=form, title=f"Withdraw the excusal from “{quiz.title}”?",
                           steps=[*cohort_steps(cohort),
                                  (learner.display_name, url_for("teach.learner_page", cohort_id=cohort.id, user_id=learner.id))],
                           text=f"The quiz counts for {learner.display_name} again: the gradebook shows their result, "
                                "or shows it missing.",
                           button="Withdraw the excusal", back=url_for("teach.learner_page", cohort_id=cohort.id, user_id=learner.id))
