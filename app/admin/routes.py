"""Admin views: the admin home, find and create accounts, change roles, deactivate and reactivate."""


from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user
from sqlalchemy import func, select

from app.admin import bp
from app.admin.forms import ROLE_CHOICES, CreateUserForm, DemoteForm, RoleForm
from app.extensions import db
from app.forms import ConfirmForm
from app.models import ROLES, EmailMessage, User, XapiStatement
from app.pagination import paged, paginate
from app.permissions import roles_required
from app.services import admin as accounts_admin
from app.services import audit, xapi_delivery
from app.services.accounts import AccountError

PAGE_SIZE = 50
MAX_LISTED = 1000  # waiting statements listed; the counts cover all of them
LAST_ADMIN = "You are the only active admin, so you keep the admin role: make someone else an admin first."


def _user_or_404(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


@bp.route("/")
@roles_required("admin")
def home():
    """The admin pages, each with the count that tells whether it needs a look."""
    counts = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    queued = db.session.scalar(select(func.count()).select_from(EmailMessage).where(EmailMessage.status == "queued"))
    return render_template("admin/home.html", counts=counts, mail_queued=queued or 0, xapi=xapi_delivery.queue_counts())


@bp.route("/users")
@roles_required("admin")
def users():
    """Every account, searchable by name or e-mail and filtered by role, 50 a page, with the form to create one."""
    query = request.args.get("q", "").strip()[:100]
    role = request.args.get("role", "")
    role = role if role in ROLES else ""
    page = accounts_admin.search_users(query, role, request.args.get("page", 1, type=int), PAGE_SIZE)
    return render_template("admin/users.html", page=page, query=query, role=role, roles=ROLE_CHOICES,
                           role_form=RoleForm(), confirm=ConfirmForm(), create_form=CreateUserForm())


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required("admin")
def create_user():
    """Create an account (name, e-mail, role); its owner gets an e-mailed link to choose their password."""
    form = CreateUserForm()
    if form.validate_on_submit():
        try:
            user = accounts_admin.add_user(form.email.data, form.display_name.data, form.role.data)
        except AccountError as error:
            form.email.errors.append(str(error))
        else:
            audit.record("user.create", current_user, subject=user, target=f"user:{user.id}", role=user.role)
            flash(f"{user.email} is created as {user.role}. The e-mail with their link to choose a password is "
                  "in the outbox.", "success")
            return redirect(url_for("admin.users", q=user.email))
    return render_template("admin/new_user.html", form=form), 422 if form.errors else 200


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@roles_required("admin")
def change_role(user_id: int):
    """Change an account's role; giving up one's own admin role is confirmed first."""
    user = _user_or_404(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash("Choose one of the listed roles.", "error")
        return redirect(url_for("admin.users"))
    if user.id == current_user.id and form.role.data != "admin":
        if accounts_admin.is_last_active_admin(user):
            flash(LAST_ADMIN, "error")
            return redirect(url_for("admin.users", q=user.email))
        return redirect(url_for("admin.demote_self", role=form.role.data))
    try:
        old = accounts_admin.change_role(user, form.role.data)
    except AccountError as error:
        flash(str(error), "error")
        return redirect(url_for("admin.users", q=user.email))
    audit.record("user.role_change", current_user, subject=user, target=f"user:{user.id}", old=old, new=user.role)
    flash(f"{user.email} is now {user.role}.", "success")
    return redirect(url_for("admin.users", q=user.email))


@bp.route("/users/me/role", methods=["GET", "POST"])
@roles_required("admin")
def demote_self():
    """Give up one's own admin role after confirmation; refused for the last active admin. Signs them out."""
    user = current_user._get_current_object()
    form = DemoteForm(role=request.args.get("role", ""))
    back = url_for("admin.users", q=user.email)
    if accounts_admin.is_last_active_admin(user):
        flash(LAST_ADMIN, "error")
        return redirect(back)
    if request.method == "POST" and form.validate_on_submit():
        try:
            old = accounts_admin.change_role(user, form.role.data)
        except AccountError as error:
            flash(str(error), "error")
            return redirect(back)
        audit.record("user.role_change", user, subject=user, target=f"user:{user.id}", old=old, new=user.role)
        logout_user()  # the change ended every session of the account, this one included
        session.clear()
        flash(f"You are now {user.role} and no longer an admin. Sign in again to continue.", "info")
        return redirect(url_for("auth.login"))
    if form.role.data not in [value for value, _ in ROLE_CHOICES if value != "admin"]:
        flash("Choose one of the listed roles.", "error")
        return redirect(back)
    return render_template("confirm.html", form=form, title="Stop being an admin?",
                           text=f"You will become {form.role.data} and lose access to the admin pages at once: you "
                                "will be signed out, and only another admin can give the role back.",
                           button=f"Yes, make me {form.role.data}", back=back, step="Your role",
                           steps=[("Admin", url_for("admin.home")), ("Users", url_for("admin.users"))])


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
    return render_template("confirm.html", form=form, title=f"Deactivate {user.email}?",
                           text="They will be signed out and cannot sign in until reactivated. Their records are kept.",
                           button="Deactivate the account", back=url_for("admin.users", q=user.email),
                           step="Deactivate", steps=[("Admin", url_for("admin.home")), ("Users", url_for("admin.users"))])


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
    page = paged(select(EmailMessage).order_by(EmailMessage.id.desc()), total, request.args.get("page", 1, type=int),
                 PAGE_SIZE)
    counts = dict(db.session.execute(select(EmailMessage.status, func.count()).group_by(EmailMessage.status)).all())
    return render_template("admin/outbox.html", page=page, counts=counts)


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
