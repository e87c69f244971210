"""Password reset by e-mail: a signed, time-limited token that stops working once the password changes."""

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app import unit_of_work
from app.extensions import db
from app.models import User
from app.models.base import utcnow
from app.services import mail
from app.services.accounts import end_sessions, find_user, hash_password, normalise_email

SALT = "password-reset"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(user: User) -> str:
    # Tied to the current password hash: the token is single-use because using it changes the hash.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def request_reset(email: str) -> None:
    """Queue one e-mail to the address either way: a reset link if an active account has it, else a note that
    none does. The request does the same work whether or not the account exists, so its timing tells nothing."""
    user = find_user(email)
    if user is None or not user.active:
        mail.queue(normalise_email(email), "Billing & Coding Academy password reset",
                   "Hello,\n\nSomeone asked to reset the password of an account with this e-mail address, but no "
                   f"active account uses it. To create one, sign up at {mail.site_url('auth.register')}\n\n"
                   "If it was not you, ignore this message.", kind="password-reset-unknown")
        return
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    # The token is signed when the e-mail is sent (reset_link): the outbox keeps only the account id and the
    # password fingerprint, which make no link without SECRET_KEY.
    link = mail.SecretLink("password-reset", {"u": user.id, "f": _fingerprint(user)})
    mail.queue(user.email, "Reset your Billing & Coding Academy password",
               (f"Hello {user.display_name},\n\nSomeone asked to reset the password of this account. If it was you, "
                f"choose a new password within {minutes} minutes:\n", link, "\n\nIf it was not you, ignore this message; "
                "your password stays as it is."), kind="password-reset")


def send_welcome(user: User) -> None:
    """Queue the e-mail to an account an admin created: a link to choose a password (a reset link), and where to
    ask for a new one once it has expired."""
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    link = mail.SecretLink("password-reset", {"u": user.id, "f": _fingerprint(user)})
    mail.queue(user.email, "Your Billing & Coding Academy account",
               (f"Hello {user.display_name},\n\nAn administrator created a Billing & Coding Academy account for you "
                f"with this e-mail address. Choose your password within {minutes} minutes:\n", link,
                f"\n\nIf the link has expired, ask for a new one at {mail.site_url('auth.request_password_reset')}\n\n"
                "If you did not expect this account, ignore this message."), kind="account-created")


@mail.link_maker("password-reset")
def reset_link(data: dict) -> str:
    """The reset link of a queued e-mail, signed now: it works for PASSWORD_RESET_MINUTES from the sending."""
    if not isinstance(data.get("u"), int) or not isinstance(data.get("f"), str):
        raise mail.MessageError("The reset e-mail lacks its account.")
    return mail.site_url("auth.reset_password", token=_serializer().dumps({"u": data["u"], "f": data["f"]}))


def user_for_token(token: str) -> User | None:
    """The account a valid, unexpired, unused token belongs to."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MINUTES"] * 60)
    except (SignatureExpired, BadSignature):
        return None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) and isinstance(data.get("u"), int) else None
    if user is None or not user.active or data.get("f") != _fingerprint(user):
        return None
    return user


def reset(user: User, password: str) -> bool:
    """Set the new password, ending every session and using up the token; False if the link was used meanwhile.

    Following the e-mailed link also proves the address, so it confirms an account not yet confirmed.
    """
    checked = _fingerprint(user)
    password_hash = hash_password(password)  # slow: before the write lock is taken
    unit_of_work.write()  # re-reads the account: a reset that got there first has changed its hash
    if _fingerprint(user) != checked:
        return False
    user.password_hash = password_hash
    end_sessions(user)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    return True
