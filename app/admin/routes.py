"""Admin views: find accounts, change roles, deactivate and reactivate."""

import math

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from app.admin import bp
from app.admin.forms import RoleForm
from app.extensions import db
from app.forms import ConfirmForm
from app.models import EmailMessage, User, XapiStatement
from app.pagination import Page, paginate
from app.permissions import roles_required
from app.services import admin as accounts_admin
from app.services import audit, audit_log, xapi_delivery
from app.services.accounts import AccountError

PAGE_SIZE = 50
MAX_LISTED = 1000  # waiting statements listed; the counts cover all of them


def _user_or_404(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


@bp.route("/users")
@roles_required("admin")
def users():
    """Every account, searchable by name or e-mail, 50 a page."""
    query = request.args.get("q", "").strip()[:100]
    page = paginate(accounts_admin.search_users(query), request.args.get("page", 1, type=int), PAGE_SIZE)
    return render_template("admin/users.html", page=page, query=query, role_form=RoleForm(), confirm=ConfirmForm())


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@roles_required("admin")
def change_role(user_id: int):
    """Change an account's role."""
    user = _user_or_404(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash("Choose one of the listed roles.", "error")
        return redirect(url_for("admin.users"))
    try:
        old = accounts_admin.change_role(user, form.role.data)
    except AccountError as error:
        flash(str(error), "error")
        return redirect(url_for("admin.users", q=user.email))
    audit.record("user.role_change", current_user, subject=user, target=f"user:{user.id}", old=old, new=user.role)
    flash(f"{user.email} is now {user.role}.", "success")
    return redirect(url_for("admin.users", q=user.email))


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@roles_required("admin")
def deactivate(user_id: int):
    """Deactivate an account after confirmation: they can no longer sign in; their history is kept."""
    user = _user_or_404(user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            accounts_admin.set_active(user, False)
        except AccountError as error:
            flash(str(error), "error")
            return redirect(url_for("admin.users", q=user.email))
        audit.record("user.deactivate", current_user, subject=user, target=f"user:{user.id}")
        flash(f"{user.email} is deactivated.", "info")
        return redirect(url_for("admin.users", q=user.email))
    return render_template("teach/confirm.html", form=form, title=f"Deactivate {user.email}?",
                           text="They will be signed out and cannot sign in until reactivated. Their records are kept.",
                           button="Deactivate the account", back=url_for("admin.users", q=user.email))


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@roles_required("admin")
def reactivate(user_id: int):
    """Let a deactivated account sign in again."""
    user = _user_or_404(user_id)
    if ConfirmForm().validate_on_submit():
        accounts_admin.set_active(user, True)
        audit.record("user.reactivate", current_user, subject=user, target=f"user:{user.id}")
        flash(f"{user.email} can sign in again.", "success")
    return redirect(url_for("admin.users", q=user.email))


@bp.route("/outbox")
@roles_required("admin")
def outbox():
    """The e-mail outbox: what was sent, what waits for a retry, and what failed (with the reason).

    Bodies are shown as stored: a personal link (password reset, invitation) is never in them, only a placeholder.
    """
    total = db.session.scalar(select(func.count()).select_from(EmailMessage)) or 0
    pages = max(1, math.ceil(total / PAGE_SIZE))
    number = min(max(1, request.args.get("page", 1, type=int)), pages)
    messages = db.session.scalars(select(EmailMessage).order_by(EmailMessage.id.desc())
                                  .offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    counts = dict(db.session.execute(select(EmailMessage.status, func.count()).group_by(EmailMessage.status)).all())
    return render_template("admin/outbox.html", page=Page(list(messages), number, pages, total), counts=counts)


@bp.route("/xapi")
@roles_required("admin")
def xapi_queue():
    """The Learning Record Store outbox: counts, and the statements still waiting or refused by the store."""
    waiting = db.session.scalars(select(XapiStatement).where(XapiStatement.status != "sent")
                                 .order_by(XapiStatement.id.desc()).limit(MAX_LISTED)).all()
    page = paginate(list(waiting), request.args.get("page", 1, type=int), PAGE_SIZE)
    return render_template("admin/xapi.html", page=page, counts=xapi_delivery.queue_counts(), form=ConfirmForm(),
                           endpoint=current_app.config.get("XAPI_ENDPOINT"))


@bp.route("/xapi/send", methods=["POST"])
@roles_required("admin")
def xapi_send():
    """Post every queued statement now, without waiting out retry delays."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not current_app.config.get("XAPI_ENDPOINT"):
        flash("No Learning Record Store is configured (XAPI_ENDPOINT).", "error")
        return redirect(url_for("admin.xapi_queue"))
    counts = xapi_delivery.deliver_pending(due_only=False)
    flash(f"{counts['sent']} sent, {counts['retry']} to retry later, {counts['rejected']} rejected by the store.",
          "error" if counts["retry"] else "success")
    return redirect(url_for("admin.xapi_queue"))


@bp.route("/audit")
@roles_required("admin")
def audit_trail():
    """The audit trail, newest first, filtered by action, person and dates."""
    filters = {key: request.args.get(key, "").strip()[:100] for key in ("action", "person", "start", "end")}
    events = audit_log.search(**filters)
    page = paginate(events, request.args.get("page", 1, type=int), PAGE_SIZE)
    people = audit_log.names([e.actor_id for e in page.items] + [e.subject_id for e in page.items])
    return render_template("admin/audit.html", page=page, filters=filters, people=people)
