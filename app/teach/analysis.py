"""Instructor views for item analysis and for reading the content file behind a question."""

from pathlib import Path

from flask import Response, abort, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.models import Quiz
from app.permissions import STAFF, roles_required, visible_learner_ids
from app.services import audit, item_analysis
from app.services.exports import to_csv
from app.teach import bp
from app.teach.routes import cohort_or_404

CONTENT_FOLDERS = ("lessons", "quizzes")


def _analysis(cohort_id: int, slug: str):
    cohort = cohort_or_404(cohort_id)
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == slug)) or abort(404)
    first_only = request.args.get("attempts", "first") != "all"
    attempts = item_analysis.attempts_for(quiz, visible_learner_ids(current_user, cohort.id), first_only)
    return cohort, quiz, first_only, attempts, item_analysis.analyse(quiz, attempts)


@bp.route("/cohorts/<int:cohort_id>/quizzes/<slug>")
@roles_required(*STAFF)
def items_page(cohort_id: int, slug: str):
    """Item analysis of one quiz over the cohort's attempts, with flags for questions to fix."""
    cohort, quiz, first_only, attempts, items = _analysis(cohort_id, slug)
    audit.record("item_analysis.view", current_user, target=f"cohort:{cohort.id}", quiz=quiz.slug, attempts=len(attempts))
    return render_template("teach/items.html", cohort=cohort, quiz=quiz, first_only=first_only, attempts=attempts,
                           items=items, method=item_analysis.METHOD, min_responses=item_analysis.MIN_RESPONSES)


@bp.route("/cohorts/<int:cohort_id>/quizzes/<slug>.csv")
@roles_required(*STAFF)
def items_csv(cohort_id: int, slug: str):
    """The item analysis on screen as CSV."""
    cohort, quiz, first_only, attempts, items = _analysis(cohort_id, slug)
    header = ["Question", "Type", "Responses", "Facility", "Discrimination", "Choice counts", "Flags", "Defined in"]
    body = [[item.prompt, item.type, item.responses, item.facility, item.discrimination,
             "; ".join(f"{choice}: {count}" for choice, count in item.choices.items()), "; ".join(item.flags),
             f"{item.source_file}:{item.source_line}" if item.source_file else ""] for item in items]
    audit.record("item_analysis.export", current_user, target=f"cohort:{cohort.id}", quiz=quiz.slug, attempts=len(attempts))
    return Response(to_csv(header, body), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="items-{quiz.slug}-cohort-{cohort.id}.csv"'})


@bp.route("/content/<folder>/<name>")
@roles_required(*STAFF)
def content_source(folder: str, name: str):
    """A content file with numbered lines, so a flagged question can be found and fixed."""
    if folder not in CONTENT_FOLDERS or "/" in name or "\\" in name or name.startswith("."):
        abort(404)
    path = Path(current_app.config["CONTENT_DIR"]) / folder / name
    try:
        found = path.is_file()
    except (OSError, ValueError):  # a name too long for the file system, or with a NUL in it
        found = False
    if not found:
        abort(404)
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return render_template("teach/source.html", name=f"{folder}/{name}", lines=lines)
