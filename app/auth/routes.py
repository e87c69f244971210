"""Register and confirm the address, sign in and out, reset and change the password, every attempt throttled."""

from flask import current_app, flash, redirect, render_template, request, session, url_for
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
from app.extensions import limiter
from app.forms import ConfirmForm
from app.models.base import utcnow
from app.permissions import public, signed_in
from app.services import audit, password_reset, registration, throttle
from app.services.accounts import (
    AccountError,
    authenticate,
    end_sessions,
    normalise_email,
    set_password,
)
from app.urls import home_for, safe_next

BAD_LINK_MESSAGE = "That reset link is invalid, expired or already used. Ask for a new one."

THROTTLED = {
    throttle.SIGN_IN_CLIENT.name: "Too many sign-in attempts from your network. Try again in {wait}.",
    throttle.SIGN_IN_ACCOUNT.name: "Too many failed sign-ins for this address. Try again in {wait}, or reset your "
                                   "password: the link we e-mail you always works.",
    throttle.PASSWORD_CHANGE.name: "Too many wrong current passwords. Try again in {wait}.",
    throttle.RESET_CLIENT.name: "Too many reset requests from your network. Try again in {wait}.",
    throttle.REGISTER_CLIENT.name: "Too many sign-ups from your network. Try again in {wait}.",
}


def _throttled(rule: throttle.Rule, wait: int) -> str:
    """The message for a refused attempt, with the wait in words."""
    words = f"{wait} seconds" if wait < 120 else f"{-(-wait // 60)} minutes"
    return THROTTLED[rule.name].format(wait=words)


def _client() -> str:
    """The client's network address (behind a proxy, the proxy must be configured to pass it on)."""
    return request.remote_addr or "unknown"


def _flood_limit() -> str:
    """The per-client-address limit of the Redis flood guard (read per request, so tests can set it)."""
    return current_app.config["AUTH_FLOOD_LIMIT"]


flood_guard = limiter.shared_limit(_flood_limit, scope="auth-forms", methods=["POST"])  # one budget for the four forms


def _start_session(user) -> None:
    """Sign the user in on a fresh session, so nothing from before sign-in carries over."""
    session.clear()
    login_user(user)
    session.permanent = True
    start_session_clock()


@bp.route("/register", methods=["GET", "POST"])
@flood_guard
@public
def register():
    """Sign up: the same answer whether or not the address has an account; the e-mailed link confirms it.

    A page the visitor was headed to (`next`, e.g. a join link) travels in the e-mailed link."""
    form = RegisterForm(next=request.args.get("next", ""))
    target = safe_next(form.next.data, "") or None
    if current_user.is_authenticated:
        return redirect(target or url_for("learn.dashboard"))
    if form.validate_on_submit():
        now, address = utcnow(), normalise_email(form.email.data)
        with unit_of_work.transaction():  # the counts stand whatever happens next
            refused = throttle.claim_all([(throttle.REGISTER_CLIENT, _client())], now)
            if refused:
                audit.record("register.throttled", None, email=address, limit=refused[0].name)
            flooded = not refused and throttle.claim(throttle.MAIL_TO_ADDRESS, address, now)
        if refused:
            form.email.errors.append(_throttled(*refused))
            return render_template("auth/register.html", form=form, next_path=target), 429
        if not flooded:
            try:
                registration.register(address, form.password.data, form.display_name.data, target)  # hashes, then writes
            except AccountError:  # someone signed up with the address this instant; the answer stays the same
                pass
        flash(f"We have sent a message to {address}. Follow the link in it to confirm your address, then sign in.", "info")
        return redirect(url_for("auth.login", next=target))
    return render_template("auth/register.html", form=form, next_path=target)


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@public
def confirm_email(token: str):
    """Confirm the address with the e-mailed link (the GET only shows the button, so link checkers change nothing)."""
    user = registration.user_for_token(token)
    if user is None:
        flash("That confirmation link is invalid or has expired. Sign in to have a new one sent.", "error")
        return redirect(url_for("auth.login"))
    form = ConfirmForm()
    if form.validate_on_submit():
        unit_of_work.write()
        registration.confirm(user)
        audit.record("account.confirm", user, subject=user)
        flash("Your e-mail address is confirmed. Sign in to start learning.", "success")
        return redirect(url_for("auth.login", next=registration.next_for_token(token)))
    return render_template("auth/confirm.html", form=form, email=user.email)


@bp.route("/login", methods=["GET", "POST"])
@flood_guard
@public
def login():
    """Sign in with e-mail and password, then go where the person was headed, or to their role's home."""
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated:
        return redirect(safe_next(form.next.data, home_for(current_user)))
    status = 200
    if form.validate_on_submit():
        user, status = _sign_in(form.email.data, form.password.data, form.password.errors,
                                safe_next(form.next.data, "") or None)
        if user is not None:
            _start_session(user)
            return redirect(safe_next(form.next.data, home_for(user)))
    return render_template("auth/login.html", form=form, next_path=safe_next(form.next.data, "") or None), status


def _sign_in(email: str, password: str, errors: list, next_path: str | None = None):
    """Claim the attempt, then check the password; record the outcome. Returns the account (or None) and a status.

    An unconfirmed account is sent a new confirmation link carrying `next_path`."""
    now, address = utcnow(), normalise_email(email)
    # A client address under a delay is refused by a read alone: a flood then never takes the write lock, and
    # its delay was audited once, by the failure that began it.
    if wait := throttle.waiting(throttle.SIGN_IN_CLIENT, _client(), now):
        errors.append(_throttled(throttle.SIGN_IN_CLIENT, wait))
        return None, 429
    # The claim is committed before the slow password check, which then runs with no write lock held.
    with unit_of_work.transaction():
        if refused := throttle.claim_all([(throttle.SIGN_IN_ACCOUNT, address)], now):
            audit.record("login.throttled", None, email=address, limit=refused[0].name, wait=refused[1])
    if refused:
        errors.append(_throttled(*refused))
        return None, 429
    user = authenticate(email, password)
    unit_of_work.write()  # a short write for the outcome
    if user is None:
        audit.record("login.failure", None, email=address)
        if wait := throttle.count(throttle.SIGN_IN_CLIENT, _client(), now):
            audit.record("login.throttled", None, email=address, limit=throttle.SIGN_IN_CLIENT.name, wait=wait)
        errors.append("That e-mail address and password do not match an active account.")
    else:
        throttle.release(throttle.SIGN_IN_ACCOUNT, address, now)
        if user.email_confirmed_at is None:
            if not throttle.claim(throttle.MAIL_TO_ADDRESS, address, now):
                registration.send_confirmation(user, next_path)
            audit.record("login.unconfirmed", user, subject=user)
            errors.append(f"Confirm your e-mail address first: follow the link in the message sent to {user.email}.")
            user = None
        else:
            user.last_sign_in_at = now
            audit.record("login.success", user, subject=user)
    return user, 200


@bp.route("/logout", methods=["POST"])
@signed_in
def logout():
    """Sign out and make the old session cookie worthless."""
    if LogoutForm().validate_on_submit():
        unit_of_work.write()
        end_sessions(current_user)
        logout_user()
        session.clear()
        flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/reset", methods=["GET", "POST"])
@flood_guard
@public
def request_password_reset():
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        now, address = utcnow(), normalise_email(form.email.data)
        unit_of_work.keep()  # the counts and the refusal stand even on the 429 page
        refused = throttle.claim_all([(throttle.RESET_CLIENT, _client())], now)
        if refused:
            audit.record("password.reset_throttled", None, email=address, limit=refused[0].name)
            form.email.errors.append(_throttled(*refused))
            return render_template("auth/reset_request.html", form=form), 429
        if throttle.claim(throttle.MAIL_TO_ADDRESS, address, now):  # one address cannot be flooded with links
            audit.record("password.reset_throttled", None, email=address, limit=throttle.MAIL_TO_ADDRESS.name)
        else:
            password_reset.request_reset(address)
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
        if not password_reset.reset(user, form.password.data):  # hashes, then writes
            flash(BAD_LINK_MESSAGE, "error")
            return redirect(url_for("auth.request_password_reset"))
        now = utcnow()
        throttle.release(throttle.SIGN_IN_ACCOUNT, user.email, now)
        user.last_sign_in_at = now
        audit.record("password.reset", user, subject=user)
        # Signed in at once: however hard a stranger keeps failing sign-ins for the address, the owner gets in.
        _start_session(user)
        flash("Your password is changed and you are signed in. Every other session of your account has ended.", "success")
        return redirect(url_for("learn.dashboard"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@flood_guard
@signed_in
def change_password():
    """Change the password, proving the current one; every other session of the account ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user, now = current_user._get_current_object(), utcnow()
        with unit_of_work.transaction():  # the claim stands before the slow password check
            wait = throttle.claim(throttle.PASSWORD_CHANGE, user.id, now)
            if wait:
                audit.record("password.change_throttled", user, subject=user, wait=wait)
        if wait:
            form.current.errors.append(_throttled(throttle.PASSWORD_CHANGE, wait))
            return render_template("auth/change_password.html", form=form), 429
        if authenticate(user.email, form.current.data) is None:
            unit_of_work.keep()  # the failure is recorded although the page answers 422
            audit.record("password.change_failure", user, subject=user)
            form.current.errors.append("That is not your current password.")
        else:
            set_password(user, form.password.data)  # hashes, then writes
            throttle.release(throttle.PASSWORD_CHANGE, user.id, now)
            audit.record("password.change", user, subject=user)
            _start_session(user)
            flash("Your password is changed. You were signed out everywhere else.", "success")
            return redirect(url_for("learn.dashboard"))
    return render_template("auth/change_password.html", form=form), 422 if form.errors else 200
