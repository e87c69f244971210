"""Register, sign in and sign out."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app import unit_of_work
from app.auth import bp
from app.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    LogoutForm,
    NewPasswordForm,
    RegisterForm,
    ResetRequestForm,
)
from app.auth_session import start_session_clock
from app.models.base import utcnow
from app.permissions import public, signed_in
from app.services import audit, password_reset, throttle
from app.services.accounts import (
    AccountError,
    authenticate,
    create_user,
    end_sessions,
    normalise_email,
    set_password,
)
from app.urls import safe_next
from app.views import send_mail_after_commit

LOCKED_MESSAGE = "Too many failed sign-ins for this address. Wait 15 minutes, or reset your password."
BAD_LINK_MESSAGE = "That reset link is invalid, expired or already used. Ask for a new one."


def _start_session(user) -> None:
    """Sign the user in on a fresh session, so nothing from before sign-in carries over."""
    session.clear()
    login_user(user)
    session.permanent = True
    start_session_clock()


@bp.route("/register", methods=["GET", "POST"])
@public
def register():
    """Create a learner account and sign it in."""
    if current_user.is_authenticated:
        return redirect(url_for("learn.dashboard"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = create_user(form.email.data, form.password.data, form.display_name.data)
        except AccountError as error:
            getattr(form, error.field or "email").errors.append(str(error))
        else:
            _start_session(user)
            flash("Welcome! Your account is ready. Start with the first lesson below.", "success")
            return redirect(url_for("learn.dashboard"))
    return render_template("auth/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Sign in with e-mail and password, then go back to where the learner was headed."""
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated:
        return redirect(safe_next(form.next.data, url_for("learn.dashboard")))
    if form.validate_on_submit():
        user = _sign_in(form.email.data, form.password.data, form.password.errors)
        if user is not None:
            _start_session(user)
            return redirect(safe_next(form.next.data, url_for("learn.dashboard")))
    return render_template("auth/login.html", form=form)


def _sign_in(email: str, password: str, errors: list):
    """Check the password unless the address is locked; count failures; record the outcome in the audit trail.

    The password check runs before the write transaction opens, so no write lock is held during it."""
    now = utcnow()
    if throttle.locked_until(email, now):
        errors.append(LOCKED_MESSAGE)
        unit_of_work.write()
        audit.record("login.refused_locked", None, email=normalise_email(email))
        return None
    user = authenticate(email, password)
    unit_of_work.write()  # the outcome is recorded even though a failure re-renders the form
    if user is None:
        locked = throttle.record_failure(email, now)
        audit.record("login.failure", None, email=normalise_email(email))
        if locked:
            audit.record("login.lockout", None, email=normalise_email(email))
        errors.append(LOCKED_MESSAGE if locked else "That e-mail address and password do not match an active account.")
    else:
        throttle.clear(email)
        audit.record("login.success", user, subject=user)
    return user


@bp.route("/logout", methods=["POST"])
@signed_in
def logout():
    """Sign out and make the old session cookie worthless."""
    if LogoutForm().validate_on_submit():
        end_sessions(current_user)
        logout_user()
        session.clear()
        flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/reset", methods=["GET", "POST"])
@public
def request_password_reset():
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        password_reset.request_reset(form.email.data)
        send_mail_after_commit()
        flash("If an account uses that address, a link to reset its password is on its way. It works for one hour.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    """Choose a new password with a valid link; the link then stops working."""
    user = password_reset.user_for_token(token)
    if user is None:
        flash(BAD_LINK_MESSAGE, "error")
        return redirect(url_for("auth.request_password_reset"))
    form = NewPasswordForm()
    if form.validate_on_submit():
        if not password_reset.reset(user, form.password.data):
            flash(BAD_LINK_MESSAGE, "error")
            return redirect(url_for("auth.request_password_reset"))
        flash("Your password is changed. Sign in with the new one.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@signed_in
def change_password():
    """Change the password, proving the current one; every other session of the account ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if authenticate(current_user.email, form.current.data) is None:
            form.current.errors.append("That is not your current password.")
        else:
            user = current_user._get_current_object()
            set_password(user, form.password.data)
            audit.record("password.change", user, subject=user)
            _start_session(user)
            flash("Your password is changed. You were signed out everywhere else.", "success")
            return redirect(url_for("learn.dashboard"))
    return render_template("auth/change_password.html", form=form), 422 if form.errors else 200
