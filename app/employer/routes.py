"""Employer views: set up the organisation, the compliance dashboard and its export, hires and invitations."""

from datetime import date

from flask import Response, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app import unit_of_work
from app.data_stamp import kept_page
from app.employer import bp
from app.employer.forms import InviteForm, OrganisationForm, UploadForm
from app.extensions import db
from app.forms import ConfirmForm
from app.input import ascii_int
from app.kept import Kept
from app.models import Certificate, Membership, Organisation
from app.models.base import utcnow
from app.pagination import Page, page_count
from app.permissions import hire_or_404, managed_organisation, manager_required, roles_required
from app.services import audit, compliance, compliance_board, invitations, local_time, organisations, policy
from app.services.exports import compliance_csv


@bp.route("/employer/setup", methods=["GET", "POST"])
@roles_required("employer")
def setup():
    """Create the organisation this employer account manages."""
    if managed_organisation(current_user) is not None:
        return redirect(url_for("employer.dashboard"))
    form = OrganisationForm(time_zone=current_app.config["DEFAULT_TIME_ZONE"])
    if form.validate_on_submit():
        unit_of_work.write()
        organisations.create_organisation(current_user, form.name.data, form.time_zone.data)
        flash("Your organisation is ready. Invite your hires, then assign their required training.", "success")
        return redirect(url_for("employer.hires"))
    return render_template("employer/setup.html", form=form)


@bp.route("/employer/settings", methods=["GET", "POST"])
@manager_required
def settings():
    """The organisation's name and time zone."""
    form = OrganisationForm(obj=g.organisation, time_zone=local_time.zone_name_of(g.organisation))
    if form.validate_on_submit():
        unit_of_work.write()
        organisations.update_settings(g.organisation, form.name.data, form.time_zone.data)
        audit.record("organisation.settings", current_user, target=f"organisation:{g.organisation.id}",
                     time_zone=form.time_zone.data)
        flash("Settings saved. Due dates now end at midnight in " + form.time_zone.data + ".", "success")
        return redirect(url_for("employer.settings"))
    return render_template("employer/settings.html", form=form), 422 if form.errors else 200


def _filters() -> compliance_board.Filters:
    """The dashboard's filters from the address; an unknown status or a malformed training id means any."""
    status = request.args.get("status", "")
    return compliance_board.Filters(status if status in compliance.STATUSES else "", request.args.get("role", ""),
                                    request.args.get("training", type=int))


# Compliance pages kept per worker under the data stamp and the organisation's day (statuses move on with the date).
_boards = Kept(32)


@bp.route("/employer/")
@manager_required
def dashboard():
    """The compliance matrix: every hire by every required training, with counts and filters, a page at a time."""
    organisation, today = g.organisation, local_time.today(g.organisation)
    key = (organisation.id, today, tuple(sorted(request.args.items(multi=True))))
    body, hires = kept_page(_boards, key, lambda: _board_body(organisation, today))
    audit.record("compliance.view", current_user, target=f"organisation:{organisation.id}", hires=hires)
    return render_template("employer/dashboard.html", body=body)


def _board_body(organisation: Organisation, today: date) -> tuple[str, int]:
    """The matrix as the query string asks for it, and how many hires it lists."""
    filters = _filters()
    number = max(1, ascii_int(request.args.get("page", ""), maximum=10**6) or 1)
    board = compliance_board.board_page(organisation.id, today, filters, number)
    page = Page(board.rows, board.number, page_count(board.matching, compliance_board.PAGE_SIZE), board.matching,
                compliance_board.PAGE_SIZE)
    return render_template("employer/_dashboard.html", organisation=organisation, board=board, page=page,
                           options=filters, statuses=compliance.STATUSES), len(page.items)


@bp.route("/employer/compliance.csv")
@manager_required
def dashboard_csv():
    """The matrix on screen (same filters, every page) as CSV."""
    rows, _matching = compliance_board.hire_rows(g.organisation.id, local_time.today(g.organisation), _filters())
    audit.record("compliance.export", current_user, target=f"organisation:{g.organisation.id}", hires=len(rows))
    return Response(compliance_csv(compliance_board.assignments_of(g.organisation.id), rows), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="compliance.csv"'})


@bp.route("/employer/hires", methods=["GET", "POST"])
@manager_required
def hires():
    """Invite one hire by e-mail; the page lists pending invitations and offers the CSV upload."""
    form, upload = InviteForm(), UploadForm()
    already = None
    if form.validate_on_submit():
        unit_of_work.write()
        try:
            organisations.invite(g.organisation, current_user, form.email.data, form.name.data, form.job_role.data or "",
                                 form.hire_date.data)
        except organisations.AlreadyInvited as error:
            form.email.errors.append(str(error))
            already = error.invitation  # offered for resending instead of a second live link
        except organisations.OrganisationError as error:
            form.email.errors.append(str(error))
        else:
            audit.record("hire.invite", current_user, target=f"organisation:{g.organisation.id}", email=form.email.data.lower())
            flash(f"Invitation sent to {form.email.data}.", "success")
            return redirect(url_for("employer.hires"))
    return render_template("employer/hires.html", form=form, upload=upload, already=already,
                           pending=invitations.pending(g.organisation.id), now=utcnow(), resend_form=ConfirmForm(),
                           local_date=local_time.local_date, organisation=g.organisation), 422 if form.errors else 200


@bp.route("/employer/hires/<int:user_id>")
@manager_required
def hire_page(user_id: int):
    """One hire's full training history, certificates and attestations."""
    hire = hire_or_404(user_id, include_removed=True)
    membership = db.session.scalar(select(Membership).where(
        Membership.organisation_id == g.organisation.id, Membership.user_id == hire.id))
    trainings = compliance.history(g.organisation.id, hire.id)
    certificates = {c.hire_training_id: c for c in db.session.scalars(
        select(Certificate).where(Certificate.hire_training_id.in_([t.id for t in trainings])))}
    audit.record("hire.view", current_user, subject=hire, target=f"organisation:{g.organisation.id}")
    today = local_time.today(g.organisation)
    return render_template("employer/hire.html", hire=hire, membership=membership, trainings=trainings,
                           certificates=certificates, today=today, status_of=compliance.status_of,
                           acknowledged=policy.acknowledgements(g.organisation.id, hire.id))


@bp.route("/employer/hires/<int:user_id>/remove", methods=["GET", "POST"])
@manager_required
def remove_hire(user_id: int):
    """Remove a hire after confirmation; all their records are kept."""
    hire = hire_or_404(user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        unit_of_work.write()
        organisations.remove_hire(g.organisation, hire.id)
        audit.record("hire.remove", current_user, subject=hire, target=f"organisation:{g.organisation.id}")
        flash(f"{hire.display_name} was removed. Their training records are kept.", "info")
        return redirect(url_for("employer.dashboard"))
    return render_template("confirm.html", form=form, title=f"Remove {hire.display_name}?",
                           steps=[("Compliance", url_for("employer.dashboard")), (hire.display_name, url_for("employer.hire_page", user_id=hire.id))],
                           text="They will no longer appear on your dashboard or receive reminders. Their records and certificates are kept.",
                           button="Remove the hire", back=url_for("employer.hire_page", user_id=hire.id))
