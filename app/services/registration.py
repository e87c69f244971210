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
from app.urls import safe_next

SALT = "email-confirmation"
CONFIRM_DAYS = 3
SUBJECT = "Confirm your Billing & Coding Academy account"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def register(email: str, password: str, display_name: str, next_path: str | None = None) -> User | None:
    """Create an unconfirmed learner and e-mail the confirmation link; for a taken (or look-alike) address,
    e-mail that address instead. Returns the new account, or None when none was made.

    `next_path` (a page on this site, such as a join link) is carried through the e-mailed link, so the
    learner ends up where they were headed once the address is confirmed and they sign in."""
    existing = find_look_alike(email)
    if existing is None:
        user = create_user(email, password, display_name, confirmed=False)
        send_confirmation(user, next_path)
        return user
    hash_password(password)  # the same slow step as creating an account, so timing tells nothing either
    unit_of_work.write()
    address = normalise_email(email)
    if existing.email == address and existing.email_confirmed_at is None:
        send_confirmation(existing, next_path)
    elif existing.email == address:
        mail.queue(address, "You already have a Billing & Coding Academy account",
                   "Hello,\n\nSomeone asked to create an account with this address, which already has one. If it was "
                   f"you, sign in at {mail.site_url('auth.login', next=_safe(next_path))}\nor, if you forgot the password, reset it at "
                   f"{mail.site_url('auth.request_password_reset')}\n\nIf it was not you, ignore this message.",
                   kind="registration-existing")
    else:
        mail.queue(address, "Choose another address for Billing & Coding Academy",
                   "Hello,\n\nSomeone asked to create an account with this address. It cannot be used because it looks "
                   "the same as the address of another account (it differs only by letters from another alphabet "
                   "or in another style). Please sign up with a different address.\n\nIf it was not you, ignore "
                   "this message.", kind="registration-look-alike")
    return None


def _safe(next_path: object) -> str | None:
    """`next_path` if it is a path on this site, else None (so no link ever carries another site's address)."""
    return (safe_next(next_path, "") or None) if isinstance(next_path, str) else None


def send_confirmation(user: User, next_path: str | None = None) -> None:
    """Queue an e-mail with a link that confirms the account's address (the link is made when it is sent)."""
    data = {"u": user.id, "s": email_skeleton(user.email)}
    if _safe(next_path):
        data["n"] = _safe(next_path)  # a page of the site, not a secret
    link = mail.SecretLink("email-confirmation", data)
    mail.queue(user.email, SUBJECT,
               (f"Hello {user.display_name},\n\nConfirm your e-mail address within {CONFIRM_DAYS} days to start "
                "learning:\n", link, "\n\nIf you did not sign up, ignore this message; no account will be usable."),
               kind="email-confirmation")


@mail.link_maker("email-confirmation")
def confirmation_link(data: dict) -> str:
    """The confirmation link of a queued e-mail, signed now from what was stored (useless without SECRET_KEY)."""
    if not isinstance(data.get("u"), int) or not isinstance(data.get("s"), str):
        raise mail.MessageError("The confirmation e-mail lacks its account.")
    signed = {"u": data["u"], "s": data["s"]} | ({"n": _safe(data.get("n"))} if _safe(data.get("n")) else {})
    return mail.site_url("auth.confirm_email", token=_serializer().dumps(signed))


def _token_data(token: str) -> dict | None:
    """The signed contents of a confirmation link, or None if it is forged or expired."""
    try:
        data = _serializer().loads(token, max_age=CONFIRM_DAYS * 24 * 3600)
    except (SignatureExpired, BadSignature):
        return None
    return data if isinstance(data, dict) else None


def next_for_token(token: str) -> str | None:
    """The page a valid confirmation link carries the learner on to (None if it carries none)."""
    data = _token_data(token)
    return _safe(data.get("n")) if data else None


def user_for_token(token: str) -> User | None:
    """The active account a valid confirmation link names (None if the link is forged, expired or for an old address)."""
    data = _token_data(token)
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) and isinstance(data.get("u"), int) else None
    if user is None or not user.active or data.get("s") != email_skeleton(user.email):
        return None
    return user


def confirm(user: User) -> None:
    """Record that the owner of the address confirmed it (once; later confirmations change nothing)."""
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
