"""Employer views for getting hires in: pending invitations (resend, revoke) and the CSV upload with its result page."""

from flask import Response, abort, flash, g, redirect, render_template, session, url_for
from flask_login import current_user

from app import unit_of_work
from app.employer import bp
from app.employer.forms import UploadForm
from app.forms import ConfirmForm
from app.permissions import manager_required
from app.services import audit, invitations, organisations
from app.services.exports import to_csv

UPLOAD_RESULT = "employer_upload_result"
# The result rides in the signed session cookie, so only the first problems are kept; the count says how many more.
SHOWN_PROBLEMS = 12
PROBLEM_CHARS = 160
TEMPLATE_ROWS = [["Pat Example", "pat.example@example.com", "coder", "2027-01-15"]]  # example.com never receives mail


def _pending_or_404(invitation_id: int):
    invitation = invitations.pending_or_none(g.organisation.id, invitation_id)
    if invitation is None:
        abort(404)
    return invitation


@bp.route("/employer/invitations/<int:invitation_id>/resend", methods=["POST"])
@manager_required
def resend_invitation(invitation_id: int):
    """Send a pending invitation again with a new link and expiry; the old link stops working."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    unit_of_work.write()
    invitation = _pending_or_404(invitation_id)
    try:
        fresh = invitations.resend(invitation, current_user)
    except organisations.OrganisationError as error:
        unit_of_work.discard()
        flash(str(error), "error")
        return redirect(url_for("employer.hires"))
    audit.record("invitation.resend", current_user, target=f"organisation:{g.organisation.id}", email=fresh.email,
                 replaced=invitation.id)
    flash(f"A new invitation was sent to {fresh.email}. The earlier link no longer works.", "success")
    return redirect(url_for("employer.hires") + "#pending")


@bp.route("/employer/invitations/<int:invitation_id>/revoke", methods=["GET", "POST"])
@manager_required
def revoke_invitation(invitation_id: int):
    """Withdraw a pending invitation after confirmation; its link then opens nothing."""
    invitation = _pending_or_404(invitation_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        unit_of_work.write()
        invitations.revoke(invitation)
        audit.record("invitation.revoke", current_user, target=f"organisation:{g.organisation.id}", email=invitation.email)
        flash(f"The invitation to {invitation.email} is revoked; its link no longer works.", "info")
        return redirect(url_for("employer.hires") + "#pending")
    return render_template("confirm.html", form=form, title=f"Revoke the invitation to {invitation.email}?",
                           steps=[("Compliance", url_for("employer.dashboard")), ("Invite hires", url_for("employer.hires"))],
                           text=f"{invitation.name} will not be able to join with the link already sent. You can invite "
                                "the address again later.",
                           button="Revoke the invitation", back=url_for("employer.hires"))


def _summary(report: organisations.CsvReport) -> dict:
    problems = [[line, problem[:PROBLEM_CHARS]] for line, problem in report.problems[:SHOWN_PROBLEMS]]
    return {"invited": len(report.invited), "problems": problems, "more": max(0, len(report.problems) - SHOWN_PROBLEMS)}


@bp.route("/employer/hires/upload", methods=["GET", "POST"])
@manager_required
def upload_hires():
    """Invite every good row of a CSV, then show what was done on a page that can be reloaded (bad rows by line)."""
    upload = UploadForm()
    if upload.validate_on_submit():
        raw = upload.file.data.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            upload.file.errors.append("The file is not UTF-8 text. Save it from your spreadsheet as “CSV UTF-8”.")
        else:
            unit_of_work.write()
            try:
                report = organisations.invite_from_csv(g.organisation, current_user, text)
            except organisations.CsvFileError as error:
                unit_of_work.discard()  # a file that cannot be read is refused whole
                upload.file.errors.append(str(error))
            else:
                audit.record("hire.invite_csv", current_user, target=f"organisation:{g.organisation.id}",
                             invited=len(report.invited), problems=len(report.problems))
                session[UPLOAD_RESULT] = _summary(report)
                return redirect(url_for("employer.upload_hires"))
    report = session.pop(UPLOAD_RESULT, None) if not upload.errors else None
    return render_template("employer/upload.html", upload=upload, report=report), 422 if upload.errors else 200


@bp.route("/employer/hires/template.csv")
@manager_required
def hires_template():
    """A CSV to fill in: the column names and one made-up example row."""
    return Response(to_csv(list(organisations.CSV_COLUMNS), TEMPLATE_ROWS), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="hires-template.csv"'})

