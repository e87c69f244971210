"""Learner views for spaced review and the glossary."""

from flask import abort, render_template, request
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app import unit_of_work
from app.extensions import db
from app.input import ascii_int
from app.learn import bp
from app.learn.forms import AnswerForm
from app.models import GlossaryTerm
from app.permissions import public, signed_in
from app.questions import AnswerError, question_type
from app.services import review as reviews
from app.services.quizzes import ReviewRow


@bp.route("/review", methods=["GET", "POST"])
@signed_in
def review():
    """The learner's due review questions; answering them moves each along its 1, 3, 7-day schedule."""
    form = AnswerForm()
    results, problems, given, tally = [], {}, None, None
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        unit_of_work.write()
        results, problems, answered = _answer_reviews(request.form)
        given = request.form if problems else None
        tally = reviews.tally(answered) if answered else None
    items = [(item, reviews.present(item)) for item in reviews.due_items(current_user)]
    next_due = reviews.next_due(current_user)
    return render_template("learn/review.html", form=form, items=items, results=results, problems=problems,
                           given=given, next_due=next_due, due_count=reviews.due_count(current_user), tally=tally,
                           next_due_words=reviews.due_in_words(next_due) if next_due else None)


def _answer_reviews(form) -> tuple[list[ReviewRow], dict[int, str], list]:
    """Grade the answered review questions that are still due; skip the rest (a resubmitted form changes nothing).

    Returns the rows shown, the problems by item id, and each recorded item with whether it was right."""
    due = {item.id: item for item in reviews.due_items(current_user)}
    results, problems, answered = [], {}, []
    for raw_id in form.getlist("items"):
        item = due.get(ascii_int(raw_id))
        if item is None:
            continue
        shown = reviews.present(item)
        kind = question_type(shown["type"])
        try:
            answer = kind.parse_answer(shown, form, f"q{item.id}")
        except AnswerError as error:
            problems[item.id] = str(error)
            continue
        if answer is None:
            continue
        right = kind.is_correct(shown, answer)
        reviews.record_review_answer(item, right)
        answered.append((item, right))
        results.append(ReviewRow(len(results) + 1, shown["prompt"], kind.describe_answer(shown, answer),
                                 kind.describe_correct(shown), right, shown["explanation"], kind.feedback(shown, answer)))
    return results, problems, answered


@bp.route("/glossary")
@public
def glossary():
    """Every key term with its definition and the lesson that teaches it; searchable."""
    query = request.args.get("q", "").strip()[:80]
    statement = (select(GlossaryTerm).where(GlossaryTerm.retired.is_(False)).order_by(GlossaryTerm.term)
                 .options(selectinload(GlossaryTerm.lesson)))
    if query:
        pattern = f"%{query.replace('%', '').replace('_', '')}%"
        statement = statement.where(or_(GlossaryTerm.term.ilike(pattern), GlossaryTerm.definition.ilike(pattern)))
    return render_template("learn/glossary.html", terms=list(db.session.scalars(statement)), query=query)



