"""Changing an account's e-mail address: a signed, expiring link goes to the new address, and only the same
account, signed in, can use it; the address changes when the link is used, never before.

The link names the account, the new address and the skeleton of the address it had when the link was made,
so it stops working once the address has changed (it cannot be used twice, nor after another change).
"""

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from app import unit_of_work
from app.extensions import db
from app.models import User
from app.models.base import utcnow
from app.services import mail
from app.services.accounts import AccountError, email_skeleton, end_sessions, mask_email, normalise_email

SALT = "email-change"
LINK_HOURS = 24
SUBJECT = "Confirm your new Billing & Coding Academy address"
TAKEN = "That address cannot be used. Choose another one."


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def address_taken(address: str, user: User) -> bool:
    """Whether another account has this address or one that looks the same."""
    return db.session.scalar(select(User.id).where(
        User.id != user.id, or_(User.email == normalise_email(address), User.email_key == email_skeleton(address))
    ).limit(1)) is not None


def request_change(user: User, address: str) -> bool:
    """Queue the confirmation link to the new address; False (nothing sent) when another account has it or a
    look-alike of it. The caller answers the same either way, so the answer tells nobody who has an account."""
    address = normalise_email(address)
    if address_taken(address, user):
        return False
    link = mail.SecretLink("email-change", {"u": user.id, "e": address, "s": email_skeleton(user.email)})
    mail.queue(address, SUBJECT,
               (f"Hello {user.display_name},\n\nYou asked to use this address for your account. Sign in and confirm it "
                f"within {LINK_HOURS} hours:\n", link, "\n\nUntil then your old address stays in use. If it was not you, "
                "ignore this message; nothing changes."), kind="email-change")
    return True


@mail.link_maker("email-change")
def change_link(data: dict) -> str:
    """The confirmation link of a queued e-mail, signed when it is sent (the outbox holds no usable link)."""
    if not isinstance(data.get("u"), int) or not isinstance(data.get("e"), str) or not isinstance(data.get("s"), str):
        raise mail.MessageError("The address-change e-mail lacks its account.")
    return mail.site_url("account.confirm_email_change",
                         token=_serializer().dumps({"u": data["u"], "e": data["e"], "s": data["s"]}))


def address_for_token(token: str, user: User) -> str | None:
    """The new address a valid link gives this account (None if forged, expired, used, or for another account)."""
    try:
        data = _serializer().loads(token, max_age=LINK_HOURS * 3600)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or data.get("u") != user.id or not isinstance(data.get("e"), str):
        return None
    if data.get("s") != email_skeleton(user.email):
        return None
    return data["e"]


def apply_change(user: User, address: str) -> str:
    """Give the account the confirmed address, end its other sessions and tell the old address; returns the old one.

    Raises AccountError (changing nothing) when another account took the address, or a look-alike, meanwhile.
    """
    unit_of_work.write()  # the address is checked again on what the write transaction reads
    if address_taken(address, user):
        raise AccountError(TAKEN, "email")
    old = user.email
    try:
        with db.session.begin_nested():
            user.email, user.email_key, user.email_confirmed_at = normalise_email(address), email_skeleton(address), utcnow()
            db.session.flush()
    except IntegrityError:
        raise AccountError(TAKEN, "email") from None
    end_sessions(user)
    mail.queue(old, "Your Billing & Coding Academy address was changed",
               f"Hello {user.display_name},\n\nThe e-mail address of your account is now {mask_email(user.email)}. "
               "Messages about your account go there from now on.\n\nIf you did not make this change, reset your "
               f"password at {mail.site_url('auth.request_password_reset')} and tell your instructor or an administrator.",
               kind="email-changed")
    return old
