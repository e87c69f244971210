"""The account page: the name, the e-mail address (confirmed by a link to the new one), a download of one's own
records, and closing the account."""

from flask import Blueprint, Response, flash, redirect, render_template, session, url_for
from flask_login import current_user, logout_user

from app import unit_of_work
from app.auth.account_forms import CloseForm, EmailChangeForm, NameForm
from app.auth.routes import _start_session
from app.forms import ConfirmForm
from app.models.base import utcnow
from app.permissions import signed_in
from app.services import audit, email_change, my_data, throttle
from app.services import profile as profile_service
from app.services.accounts import AccountError, authenticate, mask_email, normalise_email

bp = Blueprint("account", __name__, url_prefix="/account")

BAD_LINK = "That link is invalid, expired, already used or meant for another account. Ask for a new one below."


def _page(name_form=None, email_form=None, status: int = 200):
    """The account page with its forms (those given carry the errors of a refused post)."""
    user = current_user
    return render_template("auth/account.html", name_form=name_form or NameForm(display_name=user.display_name),
                           email_form=email_form or EmailChangeForm()), status


def _password_refusal(user, field) -> int:
    """0 when the password typed is the account's, else the page's status (422 wrong, 429 slowed down).

    Failures are counted and slowed as for a password change, so a borrowed session cannot guess the password.
    """
    now = utcnow()
    with unit_of_work.transaction():  # the claim stands before the slow password check
        wait = throttle.claim(throttle.PASSWORD_CHANGE, user.id, now)
        if wait:
            audit.record("password.change_throttled", user, subject=user, wait=wait)
    if wait:
        words = f"{wait} seconds" if wait < 120 else f"{-(-wait // 60)} minutes"
        field.errors.append(f"Too many wrong passwords. Try again in {words}.")
        return 429
    if authenticate(user.email, field.data) is None:
        unit_of_work.keep()  # the failure is recorded although the page answers 422
        audit.record("account.password_failure", user, subject=user)
        field.errors.append("That is not your password.")
        return 422
    unit_of_work.write()
    throttle.release(throttle.PASSWORD_CHANGE, user.id, now)
    return 0


@bp.route("/")
@signed_in
def profile():
    """Your name and address, the download of your records, and closing the account."""
    return _page()


@bp.route("/name", methods=["POST"])
@signed_in
def rename():
    """Change the display name."""
    form = NameForm()
    if not form.validate_on_submit():
        return _page(name_form=form, status=422)
    user = current_user._get_current_object()
    old = profile_service.rename(user, form.display_name.data)
    audit.record("account.rename", user, subject=user, old=old, new=user.display_name)
    flash("Your name is changed.", "success")
    return redirect(url_for("account.profile"))


@bp.route("/email", methods=["POST"])
@signed_in
def change_email():
    """Ask to use another address: a link goes to it, and the address changes only when that link is used."""
    form = EmailChangeForm()
    user = current_user._get_current_object()
    if not form.validate_on_submit():
        return _page(email_form=form, status=422)
    if refused := _password_refusal(user, form.password):
        return _page(email_form=form, status=refused)
    address = normalise_email(form.email.data)
    if address == user.email:
        form.email.errors.append("That is already your address.")
        return _page(email_form=form, status=422)
    unit_of_work.write()
    if throttle.claim(throttle.MAIL_TO_ADDRESS, address, utcnow()):
        audit.record("account.email_change_throttled", user, subject=user, new=mask_email(address))
    else:
        sent = email_change.request_change(user, address)
        audit.record("account.email_change_request", user, subject=user, new=address, sent=sent)
    # The same answer whether or not the address is free, so this form tells nobody who has an account.
    flash(f"If {address} can be used, a link to confirm it is on its way there. Your address changes when you open "
          f"that link while signed in; it works for {email_change.LINK_HOURS} hours.", "info")
    return redirect(url_for("account.profile"))


@bp.route("/email/<token>", methods=["GET", "POST"])
@signed_in
def confirm_email_change(token: str):
    """Use the e-mailed link (the GET only shows the button, so link checkers change nothing)."""
    user = current_user._get_current_object()
    address = email_change.address_for_token(token, user)
    if address is None:
        flash(BAD_LINK, "error")
        return redirect(url_for("account.profile"))
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            old = email_change.apply_change(user, address)
        except AccountError as error:
            unit_of_work.discard()
            flash(str(error), "error")
            return redirect(url_for("account.profile"))
        audit.record("account.email_change", user, subject=user, old=old, new=user.email)
        _start_session(user)
        flash(f"Your address is now {user.email}. You were signed out everywhere else.", "success")
        return redirect(url_for("account.profile"))
    return render_template("auth/email_change.html", form=form, email=address)


def _download(kind: str) -> Response:
    """The signed-in person's own records, as JSON or as a zip of CSV files; the download is audited."""
    user = current_user._get_current_object()
    data = my_data.collect(user)
    audit.record("account.data_export", user, subject=user, format=kind,
                 attempts=len(data["attempts"]), lessons=len(data["lessons"]), certificates=len(data["certificates"]))
    if kind == "json":
        body, mimetype = my_data.as_json(data), "application/json"
    else:
        body, mimetype = my_data.as_zip(data), "application/zip"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="my-academy-data.{kind}"', "Cache-Control": "no-store"})


@bp.route("/data.json")
@signed_in
def data_json():
    """Download your attempts, lesson progress and certificates as JSON."""
    return _download("json")


@bp.route("/data.zip")
@signed_in
def data_zip():
    """Download your attempts, lesson progress and certificates as CSV files in a zip."""
    return _download("zip")


@bp.route("/close", methods=["GET", "POST"])
@signed_in
def close():
    """Close the account after the password is typed again: sign-in is refused and every session ends."""
    user = current_user._get_current_object()
    form = CloseForm()
    keeps = profile_service.keeps_employer_records(user)
    if not form.validate_on_submit():
        return render_template("auth/close_account.html", form=form, keeps=keeps), 422 if form.errors else 200
    if refused := _password_refusal(user, form.password):
        return render_template("auth/close_account.html", form=form, keeps=keeps), refused
    try:
        profile_service.close(user)
    except AccountError as error:
        unit_of_work.discard()
        form.password.errors.append(str(error))
        return render_template("auth/close_account.html", form=form, keeps=keeps), 409
    audit.record("account.close", user, subject=user, employer_records_kept=keeps)
    logout_user()
    session.clear()
    flash("Your account is closed and you are signed out everywhere. An administrator can reopen it.", "info")
    return redirect(url_for("auth.login"))
