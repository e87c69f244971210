"""Learner views for joining a cohort with a code or an invitation link."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from app import unit_of_work
from app.learn import bp
from app.learn.forms import JoinForm
from app.models.base import utcnow
from app.permissions import signed_in
from app.services import cohorts


@bp.route("/join", methods=["GET", "POST"])
@signed_in
def join():
    """Join a cohort by typing its code; an invalid or closed code joins nothing and says why."""
    form = JoinForm()
    if form.validate_on_submit():
        unit_of_work.write()
        try:
            cohort, new = cohorts.join(current_user, form.code.data, utcnow().date())
        except cohorts.CohortError as error:
            form.code.errors.append(str(error))
        else:
            flash(f"You joined “{cohort.name}”." if new else f"You are already in “{cohort.name}”.", "success")
            return redirect(url_for("learn.dashboard"))
    return render_template("learn/join.html", form=form, cohort=None), 422 if form.errors else 200


@bp.route("/join/<code>")
@signed_in
def invitation(code: str):
    """An invitation link: shows the cohort and asks the learner to confirm (a GET never joins)."""
    cohort = cohorts.find_by_code(code)
    form = JoinForm(code=code)
    if cohort is None or not cohort.open_for_joining(utcnow().date()):
        form.code.errors = ["This invitation link is not valid any more. Ask your instructor for a new one."]
        return render_template("learn/join.html", form=form, cohort=None), 404
    return render_template("learn/join.html", form=form, cohort=cohort)
