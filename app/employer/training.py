"""Employer views: assign required training, edit the policy, revoke certificates, download evidence."""

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app import unit_of_work
from app.employer import bp
from app.employer.forms import AssignmentChangeForm, AssignmentForm, EvidenceForm, PolicyForm, RevokeForm
from app.extensions import db
from app.forms import ConfirmForm
from app.models import Assignment
from app.models.base import utcnow
from app.permissions import certificate_or_404, current_hires, hire_or_404, manager_required, visible_hire_ids
from app.services import assignments, audit, certificates, evidence, local_time, policy
from app.services.progress import course_modules


@bp.route("/employer/assignments", methods=["GET", "POST"])
@manager_required
def assignments_page():
    """The organisation's required training, and a form to assign more."""
    form = AssignmentForm()
    hires = current_hires(current_user, g.organisation.id)
    if form.validate_on_submit():
        scope = request.form.get("scope", "course")
        slugs = request.form.getlist("modules") if scope == "modules" else []
        due_kind = request.form.get("due_kind", "fixed")
        hire_id = request.form.get("hire_id", type=int)
        unit_of_work.write()
        try:
            if scope == "modules" and not slugs:
                raise assignments.AssignmentError("Choose at least one module, or the whole course.")
            if hire_id is not None and hire_id not in {h.id for h in hires}:
                raise assignments.AssignmentError("That person is not a current hire of your organisation.")
            rule = assignments.create(
                g.organisation, current_user, form.title.data, slugs, request.form.get("audience", ""), hire_id,
                form.job_role.data or "", form.due_date.data if due_kind == "fixed" else None,
                form.due_days.data if due_kind == "relative" else None, form.yearly.data, local_time.today(g.organisation))
        except assignments.AssignmentError as error:
            form.title.errors.append(str(error))
        else:
            audit.record("assignment.create", current_user, target=f"assignment:{rule.id}")
            flash(f"“{rule.title}” assigned.", "success")
            return redirect(url_for("employer.assignments_page"))
    rules = db.session.scalars(select(Assignment).where(Assignment.organisation_id == g.organisation.id).order_by(Assignment.id)).all()
    return render_template("employer/assignments.html", form=form, rules=rules, hires=hires, modules=course_modules(),
                           posted=request.form), 422 if form.errors else 200


def _rule_or_404(assignment_id: int) -> Assignment:
    rule = db.session.get(Assignment, assignment_id)
    if rule is None or rule.organisation_id != g.organisation.id:
        abort(404)
    return rule


@bp.route("/employer/assignments/<int:assignment_id>", methods=["GET", "POST"])
@manager_required
def change_assignment(assignment_id: int):
    """Change an assignment's modules, due date or yearly repeat; open cycles follow, finished ones are kept."""
    rule = _rule_or_404(assignment_id)
    if rule.ended_at is not None:
        flash("This training has ended; it is kept for the record and cannot be changed.", "info")
        return redirect(url_for("employer.assignments_page"))
    form = AssignmentChangeForm(obj=rule)
    if form.validate_on_submit():
        scope = request.form.get("scope", "course")
        slugs = request.form.getlist("modules") if scope == "modules" else []
        due_kind = request.form.get("due_kind", "fixed")
        unit_of_work.write()
        try:
            if scope == "modules" and not slugs:
                raise assignments.AssignmentError("Choose at least one module, or the whole course.")
            changes = assignments.change(rule, form.title.data, slugs, form.due_date.data if due_kind == "fixed" else None,
                                         form.due_days.data if due_kind == "relative" else None, form.yearly.data,
                                         local_time.today(g.organisation))
        except assignments.AssignmentError as error:
            unit_of_work.discard()
            form.title.errors.append(str(error))
        else:
            if changes:
                audit.record("assignment.change", current_user, target=f"assignment:{rule.id}",
                             **{key: [str(before), str(after)] for key, (before, after) in changes.items()})
                flash(f"“{rule.title}” changed. Unfinished training follows the change; finished training is kept as it was.", "success")
            else:
                flash("Nothing was changed.", "info")
            return redirect(url_for("employer.assignments_page"))
    posted = request.form if request.method == "POST" else None
    return render_template("employer/assignment_change.html", form=form, rule=rule, modules=course_modules(),
                           posted=posted), 422 if form.errors else 200


@bp.route("/employer/assignments/<int:assignment_id>/end", methods=["GET", "POST"])
@manager_required
def end_assignment(assignment_id: int):
    """End an assignment after confirmation: its records stay, but it no longer counts or sends reminders."""
    rule = _rule_or_404(assignment_id)
    if rule.ended_at is not None:
        flash("This training has already ended.", "info")
        return redirect(url_for("employer.assignments_page"))
    form = ConfirmForm()
    if form.validate_on_submit():
        unit_of_work.write()
        assignments.end(rule)
        audit.record("assignment.end", current_user, target=f"assignment:{rule.id}", title=rule.title)
        flash(f"“{rule.title}” has ended. Its records stay in the hires' histories and the evidence pack.", "info")
        return redirect(url_for("employer.assignments_page"))
    return render_template("confirm.html", form=form, title=f"End “{rule.title}”?",
                           steps=[("Compliance", url_for("employer.dashboard")), ("Required training", url_for("employer.assignments_page"))],
                           text="Nobody will be asked to complete it any more: it leaves the compliance dashboard, reminders "
                                "and yearly renewals, and no one becomes overdue on it. Completions, certificates and the "
                                "history stay in each hire's record and in the evidence pack. This cannot be undone.",
                           button="End the training", back=url_for("employer.assignments_page"))


@bp.route("/employer/policy", methods=["GET", "POST"])
@manager_required
def policy_page():
    """Edit the confidentiality policy; saving a change publishes a new version to acknowledge."""
    current = policy.current_version(g.organisation.id)
    form = PolicyForm(data={"text": current.text if current else ""})
    if form.validate_on_submit():
        if current and form.text.data.strip() == current.text:
            flash("The policy is unchanged, so no new version was made.", "info")
        else:
            unit_of_work.write()
            version = policy.publish(g.organisation, current_user, form.text.data)
            audit.record("policy.publish", current_user, target=f"policy:{version.id}", version=version.version)
            flash(f"Version {version.version} published. Hires will be asked to acknowledge it.", "success")
        return redirect(url_for("employer.policy_page"))
    acknowledged = policy.acknowledgements(g.organisation.id)
    waiting = policy.not_acknowledged(g.organisation.id)
    audit.record("policy.acknowledgements_view", current_user, target=f"organisation:{g.organisation.id}",
                 rows=len(acknowledged))
    return render_template("employer/policy.html", form=form, current=current, acknowledged=acknowledged, waiting=waiting,
                           local_date=local_time.local_date, organisation=g.organisation)


@bp.route("/employer/certificates/<int:certificate_id>/revoke", methods=["GET", "POST"])
@manager_required
def revoke_certificate(certificate_id: int):
    """Revoke a certificate with a reason; the public verification page then shows it revoked."""
    certificate = certificate_or_404(certificate_id, current_user, own=False)
    form = RevokeForm()
    if form.validate_on_submit():
        unit_of_work.write()
        certificates.revoke(certificate, form.reason.data)
        audit.record("certificate.revoke", current_user, subject=certificate.user_id, target=f"certificate:{certificate.id}")
        flash("The certificate is revoked.", "info")
        return redirect(url_for("employer.hire_page", user_id=certificate.user_id))
    return render_template("employer/revoke.html", form=form, certificate=certificate)


@bp.route("/employer/evidence")
@manager_required
def evidence_page():
    """Choose what an evidence pack covers."""
    return render_template("employer/evidence.html", form=EvidenceForm(request.args))


def _zip_response(data: bytes, name: str) -> Response:
    return Response(data, mimetype="application/zip", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/employer/evidence.zip")
@manager_required
def evidence_zip():
    """The whole organisation's evidence over a date range, as a ZIP."""
    form = EvidenceForm(request.args)
    if not form.validate() or (form.start.data and form.end.data and form.end.data < form.start.data):
        flash("Give the dates as YYYY-MM-DD, the end on or after the start.", "error")
        return redirect(url_for("employer.evidence_page"))
    ids = list(db.session.scalars(visible_hire_ids(current_user, g.organisation.id, include_removed=True)))
    data = evidence.build_zip(g.organisation.id, ids, form.start.data, form.end.data, local_time.today(g.organisation))
    audit.record("evidence.export", current_user, target=f"organisation:{g.organisation.id}", hires=len(ids),
                 start=str(form.start.data or ""), end=str(form.end.data or ""))
    return _zip_response(data, f"evidence-{g.organisation.id}-{utcnow():%Y%m%d}.zip")


@bp.route("/employer/hires/<int:user_id>/evidence.zip")
@manager_required
def hire_evidence_zip(user_id: int):
    """One hire's evidence pack."""
    hire = hire_or_404(user_id, include_removed=True)
    data = evidence.build_zip(g.organisation.id, [hire.id], None, None, local_time.today(g.organisation))
    audit.record("evidence.export", current_user, subject=hire, target=f"organisation:{g.organisation.id}")
    return _zip_response(data, f"evidence-hire-{hire.id}-{utcnow():%Y%m%d}.zip")
