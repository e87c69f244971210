"""Instructor views: cohorts, the gradebook and its export, and each learner's record."""

from datetime import datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select

from app import unit_of_work
from app.data_stamp import kept_csrf_token, kept_page
from app.extensions import db
from app.forms import ConfirmForm
from app.input import ascii_int
from app.kept import Kept
from app.models import Cohort, QuizAttempt, User
from app.models.base import utcnow
from app.permissions import STAFF, roles_required, visible_cohorts, visible_learner_ids
from app.services import audit, charts, cohorts, due_dates, exports, gradebook, gradebook_stats, quizzes
from app.teach import bp
from app.teach.cells import learner_rows
from app.teach.forms import CohortForm, due_form


def cohort_steps(cohort: Cohort) -> list[tuple[str, str]]:
    """The breadcrumb steps down to a cohort's gradebook, for the pages below it."""
    return [("Your cohorts", url_for("teach.cohorts_page")), (cohort.name, url_for("teach.gradebook_page", cohort_id=cohort.id))]


def cohort_or_404(cohort_id: int) -> Cohort:
    """A cohort the current instructor runs; anyone else's is "not found"."""
    query = visible_cohorts(select(Cohort).where(Cohort.id == cohort_id), current_user)
    return db.session.scalar(query) or abort(404)


def learner_or_404(cohort: Cohort, user_id: int) -> User:
    """A current member of the cohort, found only through the permission filter."""
    query = select(User).where(User.id == user_id, User.id.in_(visible_learner_ids(current_user, cohort.id)))
    return db.session.scalar(query) or abort(404)


def _gradebook_view(cohort: Cohort) -> tuple[gradebook.Gradebook, gradebook.View]:
    """The gradebook's columns and what the query string asks to see (filter and sort), shared by page and CSV."""
    view = gradebook.View(request.args.get("show", "all"), request.args.get("sort", "name"), request.args.get("dir") == "desc")
    return gradebook.build(cohort), view


@bp.route("/", methods=["GET", "POST"])
@roles_required(*STAFF)
def cohorts_page():
    """The instructor's cohorts, and a form to create one."""
    form = CohortForm()
    if form.validate_on_submit():
        unit_of_work.write()
        cohort = cohorts.create_cohort(current_user, form.name.data, form.starts_on.data, form.ends_on.data)
        flash(f"Cohort “{cohort.name}” created. Share the join code {cohort.display_code} or the invitation link.", "success")
        return redirect(url_for("teach.gradebook_page", cohort_id=cohort.id))
    mine = list(db.session.scalars(visible_cohorts(select(Cohort), current_user).order_by(Cohort.archived_at.is_not(None), Cohort.name)))
    counts = cohorts.member_counts([c.id for c in mine])
    return render_template("teach/cohorts.html", form=form, cohorts=mine, counts=counts), 422 if form.errors else 200


# Gradebooks kept per worker under the data stamp: reloading one costs nothing until something changes.
_gradebooks = Kept(32)


@bp.route("/cohorts/<int:cohort_id>")
@roles_required(*STAFF)
def gradebook_page(cohort_id: int):
    """The cohort's gradebook: sortable, filterable, 50 learners a page, with a summary and charts."""
    cohort = cohort_or_404(cohort_id)
    # To the minute, so a page kept within it says the same as one drawn afresh ("inactive for 7 days" moves on).
    now = utcnow().replace(second=0, microsecond=0)
    key = (cohort.id, now, tuple(sorted(request.args.items(multi=True))))
    body, learners = kept_page(_gradebooks, key, lambda: _gradebook_body(cohort, now))
    audit.record("gradebook.view", current_user, target=f"cohort:{cohort.id}", learners=learners)
    return render_template("teach/gradebook.html", cohort=cohort, body=body)


def _gradebook_body(cohort: Cohort, now: datetime) -> tuple[str, int]:
    """The gradebook as the query string asks for it, and how many learners it lists."""
    book, view = _gradebook_view(cohort)
    number = max(1, ascii_int(request.args.get("page", ""), maximum=10**6) or 1)
    page = gradebook.page(book, view, number, now)
    members = page.total if view.show == "all" else gradebook.members_count(book)
    figures = gradebook_stats.figures(book, view, gradebook.matching(book, view, now), now)
    charts_html = Markup(gradebook_stats.drawn(figures, (page.total != members, bool(page.total)), lambda: render_template(
        "teach/_gradebook_charts.html", figures=figures, page=page, members=members,
        histogram=charts.score_histogram, polyline=charts.polyline)))  # nosec B704 - a rendered, autoescaped template
    return render_template(
        "teach/_gradebook.html", cohort=cohort, book=book, page=page, view=view, members=members, figures=figures,
        charts_html=charts_html, learner_rows=learner_rows, due=due_dates.for_cohort(cohort.id), csrf_token=kept_csrf_token,
        due_form=due_form(), today=now.date(), invite_url=url_for("learn.invitation", code=cohort.join_code, _external=True),
    ), len(page.items)


@bp.route("/cohorts/<int:cohort_id>/gradebook.csv")
@roles_required(*STAFF)
def gradebook_csv(cohort_id: int):
    """The gradebook rows on screen (same filter and sort, every page) as CSV, read in batches from the same query."""
    cohort = cohort_or_404(cohort_id)
    book, view = _gradebook_view(cohort)
    now = utcnow()
    audit.record("gradebook.export", current_user, target=f"cohort:{cohort.id}",
                 learners=db.session.scalar(select(func.count()).select_from(gradebook.matching(book, view, now))))
    # Read inside the request, so the rows come from the request's own transaction and session.
    lines = list(exports.gradebook_csv(book.quizzes, gradebook.every_row(book, view, now)))
    return Response(lines, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="gradebook-cohort-{cohort.id}.csv"'})


@bp.route("/cohorts/<int:cohort_id>/archive", methods=["GET", "POST"])
@roles_required(*STAFF)
def archive_cohort(cohort_id: int):
    """Archive a cohort after confirmation: nobody can join it any more; its records stay."""
    cohort = cohort_or_404(cohort_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        unit_of_work.write()
        cohorts.archive(cohort)
        audit.record("cohort.archive", current_user, target=f"cohort:{cohort.id}")
        flash(f"“{cohort.name}” is archived. Its gradebook stays available.", "info")
        return redirect(url_for("teach.cohorts_page"))
    return render_template("confirm.html", form=form, title=f"Archive “{cohort.name}”?", steps=cohort_steps(cohort),
                           text="Learners will no longer be able to join with its code. Grades and history are kept.",
                           button="Archive the cohort", back=url_for("teach.gradebook_page", cohort_id=cohort.id))


@bp.route("/cohorts/<int:cohort_id>/learners/<int:user_id>/remove", methods=["GET", "POST"])
@roles_required(*STAFF)
def remove_learner(cohort_id: int, user_id: int):
    """Remove a learner from the cohort after confirmation; their own progress and attempts stay."""
    cohort = cohort_or_404(cohort_id)
    learner = learner_or_404(cohort, user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        unit_of_work.write()
        cohorts.remove_member(cohort, learner.id)
        audit.record("cohort.remove_member", current_user, subject=learner, target=f"cohort:{cohort.id}")
        flash(f"{learner.display_name} was removed from “{cohort.name}”.", "info")
        return redirect(url_for("teach.gradebook_page", cohort_id=cohort.id))
    return render_template("confirm.html", form=form, title=f"Remove {learner.display_name} from “{cohort.name}”?",
                           steps=cohort_steps(cohort),
                           text="They keep their own progress and attempts, and can rejoin with the code.",
                           button="Remove from cohort", back=url_for("teach.gradebook_page", cohort_id=cohort.id))


@bp.route("/cohorts/<int:cohort_id>/learners/<int:user_id>/attempts/<int:attempt_id>")
@roles_required(*STAFF)
def learner_attempt(cohort_id: int, user_id: int, attempt_id: int):
    """One of the learner's attempts, question by question exactly as it was shown."""
    cohort = cohort_or_404(cohort_id)
    learner = learner_or_404(cohort, user_id)
    attempt = db.session.scalar(select(QuizAttempt).where(
        QuizAttempt.id == attempt_id, QuizAttempt.user_id == learner.id, QuizAttempt.submitted_at.is_not(None))) or abort(404)
    audit.record("attempt.view", current_user, subject=learner, target=f"attempt:{attempt.id}")
    return render_template("teach/attempt.html", cohort=cohort, learner=learner, attempt=attempt, rows=quizzes.review(attempt))
