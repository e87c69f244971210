"""Self-registration that tells nobody which addresses have accounts, and confirmation of the address by e-mail.

Whatever was entered, the visitor sees the same answer ("check your inbox") and the same work is done
(one password hash); what differs is only the message sent to the address, which only its owner reads.
"""

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app import unit_of_work
from app.extensions import db
from app.models import User
from app.models.base import utcnow
from app.services import mail
from app.services.accounts import create_user, email_skeleton, find_look_alike, hash_password, normalise_email

SALT = "email-confirmation"
CONFIRM_DAYS = 3
SUBJECT = "Confirm your Billing & Coding Academy account"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def register(email: str, password: str, display_name: str) -> User | None:
    """Create an unconfirmed learner and e-mail the confirmation link; for a taken (or look-alike) address,
    e-mail that address instead. Returns the new account, or None when none was made."""
    existing = find_look_alike(email)
    if existing is None:
        user = create_user(email, password, display_name, confirmed=False)
        send_confirmation(user)
        return user
    hash_password(password)  # the same slow step as creating an account, so timing tells nothing either
    unit_of_work.write()
    address = normalise_email(email)
    if existing.email == address and existing.email_confirmed_at is None:
        send_confirmation(existing)
    elif existing.email == address:
        mail.queue(address, "You already have a Billing & Coding Academy account",
                   "Hello,\n\nSomeone asked to create an account with this address, which already has one. If it was "
                   f"you, sign in at {mail.site_url('auth.login')}\nor, if you forgot the password, reset it at "
                   f"{mail.site_url('auth.request_password_reset')}\n\nIf it was not you, ignore this message.",
                   kind="registration-existing")
    else:
        mail.queue(address, "Choose another address for Billing & Coding Academy",
                   "Hello,\n\nSomeone asked to create an account with this address. It cannot be used because it looks "
                   "the same as the address of another account (it differs only by letters from another alphabet "
                   "or in another style). Please sign up with a different address.\n\nIf it was not you, ignore "
                   "this message.", kind="registration-look-alike")
    return None


def send_confirmation(user: User) -> None:
    """Queue an e-mail with a link that confirms the account's address (the link is made when it is sent)."""
    link = mail.SecretLink("email-confirmation", {"u": user.id, "s": email_skeleton(user.email)})
    mail.queue(user.email, SUBJECT,
               (f"Hello {user.display_name},\n\nConfirm your e-mail address within {CONFIRM_DAYS} days to start "
                "learning:\n", link, "\n\nIf you did not sign up, ignore this message; no account will be usable."),
               kind="email-confirmation")


@mail.link_maker("email-confirmation")
def confirmation_link(data: dict) -> str:
    """The confirmation link of a queued e-mail, signed now from what was stored (useless without SECRET_KEY)."""
    if not isinstance(data.get("u"), int) or not isinstance(data.get("s"), str):
        raise mail.MessageError("The confirmation e-mail lacks its account.")
    return mail.site_url("auth.confirm_email", token=_serializer().dumps({"u": data["u"], "s": data["s"]}))


def user_for_token(token: str) -> User | None:
    """The active account a valid confirmation link names (None if the link is forged, expired or for an old address)."""
    try:
        data = _serializer().loads(token, max_age=CONFIRM_DAYS * 24 * 3600)
    except (SignatureExpired, BadSignature):
        return None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) and isinstance(data.get("u"), int) else None
    if user is None or not user.active or data.get("s") != email_skeleton(user.email):
        return None
    return user


def confirm(user: User) -> None:
    """Record that the owner of the address confirmed it (once; later confirmations change nothing)."""
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
