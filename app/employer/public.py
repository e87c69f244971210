"""Views for hires and the public: accept an invitation, acknowledge the policy, certificates and their verification."""

from flask import Response, abort, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_user

from app import unit_of_work
from app.auth_session import start_session_clock
from app.employer import bp
from app.employer.forms import AcceptForm, AttestForm
from app.extensions import db
from app.forms import ConfirmForm
from app.models import PolicyVersion
from app.models.base import utcnow
from app.permissions import certificate_or_404, public, signed_in
from app.services import assignments, audit, certificates, local_time, organisations, policy
from app.services.accounts import AccountError, create_user, find_user


@bp.route("/invite/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    """Accept an invitation: with the signed-in account, or by creating one (a GET changes nothing)."""
    now = utcnow()
    try:
        invitation = organisations.invitation_for(token, now)
    except organisations.OrganisationError as error:
        return render_template("employer/invitation.html", error=str(error), invitation=None), 410
    signed_in = current_user.is_authenticated
    if signed_in and not organisations.is_for(invitation, current_user):  # the invitation stays open for its owner
        return render_template("employer/invitation.html", error=organisations.not_yours_message(invitation),
                               invitation=None), 403
    has_account = find_user(invitation.email) is not None
    form = ConfirmForm() if signed_in else AcceptForm(data={"display_name": invitation.name})
    if form.validate_on_submit() and (signed_in or not has_account):
        try:
            user = current_user if signed_in else create_user(invitation.email, form.password.data, form.display_name.data,
                                                                  confirmed=True)  # the link proved the address
            unit_of_work.write()  # create_user has declared it already, after hashing the password
            membership = organisations.accept(invitation, user, now)
        except (AccountError, organisations.OrganisationError) as error:
            unit_of_work.discard()  # no account without its membership
            flash(str(error), "error")
            return redirect(url_for("learn.dashboard"))
        assignments.apply_rules_to_new_hire(membership, local_time.today(invitation.organisation, now))
        assignments.refresh_completions(user, now)
        audit.record("invitation.accept", user, target=f"organisation:{invitation.organisation_id}")
        if not signed_in:
            session.clear()
            login_user(user)
            start_session_clock()
        flash(f"Welcome to {invitation.organisation.name}'s training. Your required training is listed below.", "success")
        return redirect(url_for("learn.dashboard"))
    return render_template("employer/invitation.html", invitation=invitation, form=form, signed_in=signed_in,
                           has_account=has_account, error=None)


@bp.route("/policy/<int:version_id>", methods=["GET", "POST"])
@signed_in
def acknowledge_policy(version_id: int):
    """A hire reads their organisation's current confidentiality policy and acknowledges it."""
    pending = {version.id: (organisation, version) for organisation, version in policy.pending_for(current_user)}
    if version_id not in pending:
        version = db.session.get(PolicyVersion, version_id)
        if version is None or policy.needs_attestation(current_user, version.organisation_id) is not None:
            abort(404)
        flash("You have already acknowledged this version of the policy.", "info")
        return redirect(url_for("learn.dashboard"))
    organisation, version = pending[version_id]
    form = AttestForm()
    if form.validate_on_submit():
        unit_of_work.write()
        policy.attest(current_user, version)
        assignments.refresh_completions(current_user)
        audit.record("policy.acknowledge", current_user, target=f"policy:{version.id}", version=version.version)
        flash(f"Thank you. Your acknowledgement of version {version.version} is recorded.", "success")
        return redirect(url_for("learn.dashboard"))
    return render_template("employer/acknowledge.html", form=form, organisation=organisation, version=version)


@bp.route("/certificates/<int:certificate_id>.pdf")
@signed_in
def certificate_pdf(certificate_id: int):
    """The certificate as a PDF, for its holder or a manager of the organisation that required it."""
    certificate = certificate_or_404(certificate_id, current_user)
    if certificate.user_id != current_user.id:
        audit.record("certificate.download", current_user, subject=certificate.user_id, target=f"certificate:{certificate.id}")
    return Response(certificates.render_pdf(certificate), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="certificate-{certificate.code[:8]}.pdf"'})


@bp.route("/certificates/course", methods=["POST"])
@signed_in
def claim_course_certificate():
    """Issue the course-completion certificate to a learner who finished the course before certificates existed."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    unit_of_work.write()
    certificate = certificates.issue_for_course(current_user)
    if certificate is None:
        flash("The course certificate comes when every module is complete and the final exam is passed.", "error")
        return redirect(url_for("learn.dashboard"))
    return redirect(url_for("employer.certificate_pdf", certificate_id=certificate.id))


@bp.route("/verify/<code>")
@public
def verify(code: str):
    """Public check of a certificate: whose it is, who issued it, and whether it is valid, expired or revoked."""
    certificate = certificates.by_code(code)
    organisation = certificate.hire_training.assignment.organisation if certificate and certificate.hire_training else None
    today = local_time.today(organisation) if organisation else utcnow().date()
    state = certificates.status(certificate, today) if certificate else None
    issuer = certificates.issuer(certificate) if certificate else None
    return render_template("employer/verify.html", certificate=certificate, state=state, issuer=issuer), 200 if certificate else 404

