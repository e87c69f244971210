"""Instructor views for a cohort's due dates: set or move one per quiz, and remove one after confirmation."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from app import unit_of_work
from app.extensions import db
from app.forms import ConfirmForm
from app.models import Cohort, Quiz
from app.models.base import utcnow
from app.permissions import STAFF, roles_required
from app.services import audit, due_dates, structure
from app.teach import bp
from app.teach.forms import DueDateForm, due_form
from app.teach.routes import cohort_or_404, cohort_steps


def _page(cohort: Cohort, form: DueDateForm, status: int = 200):
    """The due dates page, with the form as posted (and its errors) or fresh."""
    quizzes = structure.graded_quizzes(structure.current())
    return render_template("teach/due_dates.html", cohort=cohort, form=form, quizzes=quizzes,
                           due=due_dates.for_cohort(cohort.id), today=utcnow().date()), status


@bp.route("/cohorts/<int:cohort_id>/due-dates", methods=["GET", "POST"])
@roles_required(*STAFF)
def due_dates_page(cohort_id: int):
    """The cohort's due dates, quiz by quiz, and the form that sets one (also offered on the gradebook page)."""
    cohort = cohort_or_404(cohort_id)
    form = due_form(DueDateForm())
    if not form.is_submitted():
        return _page(cohort, form)
    if not form.validate():
        return _page(cohort, form, 422)
    unit_of_work.write()
    quiz = db.session.get(Quiz, form.due_quiz.data)
    try:
        due_dates.set_due(cohort, quiz, form.due_on.data, utcnow().date(), current_user)
    except due_dates.DueDateError as error:
        form.due_on.errors = [str(error)]
        return _page(cohort, form, 422)
    audit.record("cohort.due_date", current_user, target=f"cohort:{cohort.id}", quiz=quiz.slug, due_on=form.due_on.data.isoformat())
    day = form.due_on.data
    flash(f"“{quiz.title}” is due on {day.day} {day:%b %Y} for “{cohort.name}”.", "success")
    return redirect(url_for("teach.due_dates_page", cohort_id=cohort.id))


@bp.route("/cohorts/<int:cohort_id>/due-dates/<int:quiz_id>/remove", methods=["GET", "POST"])
@roles_required(*STAFF)
def remove_due_date(cohort_id: int, quiz_id: int):
    """Remove a quiz's due date after confirmation; learners stop seeing it."""
    cohort = cohort_or_404(cohort_id)
    # Looked up among the cohort's dates first, so any number in the address is answered without a query on it.
    quiz = db.session.get(Quiz, quiz_id) if quiz_id in due_dates.for_cohort(cohort.id) else None
    if quiz is None:
        flash("That quiz has no due date in this cohort.", "info")
        return redirect(url_for("teach.due_dates_page", cohort_id=cohort.id))
    form = ConfirmForm()
    if form.validate_on_submit():
        unit_of_work.write()
        if due_dates.clear_due(cohort, quiz.id):
            audit.record("cohort.due_date_remove", current_user, target=f"cohort:{cohort.id}", quiz=quiz.slug)
        flash(f"“{quiz.title}” no longer has a due date in “{cohort.name}”.", "info")
        return redirect(url_for("teach.due_dates_page", cohort_id=cohort.id))
    return render_template("confirm.html", form=form, title=f"Remove the due date of “{quiz.title}”?",
                           steps=cohort_steps(cohort) + [("Due dates", url_for("teach.due_dates_page", cohort_id=cohort.id))],
                           text="Learners in the cohort will no longer see a due date for this quiz.",
                           button="Remove the due date", back=url_for("teach.due_dates_page", cohort_id=cohort.id))
