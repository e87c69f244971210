"""Accounts: registration, password hashing and checking, sign-in bookkeeping."""

import unicodedata
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from app import unit_of_work
from app.extensions import db
from app.models import ROLES, User
from app.models.base import utcnow
from app.models.people import new_session_nonce

# Verifying against this hash when the e-mail is unknown keeps the response time the same either way.
_DUMMY_PASSWORD = "not-a-real-password-used-only-for-timing"  # nosec B105


class AccountError(ValueError):
    """A request about an account that cannot be carried out; the message is safe to show."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _hasher() -> PasswordHasher:
    config = current_app.config
    return _hasher_for(config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_KIB"])


@lru_cache(maxsize=4)
def _hasher_for(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1, type=Type.ID)


@lru_cache(maxsize=4)
def _dummy_hash(time_cost: int, memory_kib: int) -> str:
    return _hasher_for(time_cost, memory_kib).hash(_DUMMY_PASSWORD)


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher().hash(password)


def normalise_email(email: str) -> str:
    """The address in email-validator's normalised form (NFC, IDNA domain), lower-case; text that is not an
    address is only trimmed and lower-cased (no account can have it)."""
    text = email.strip()
    try:
        text = validate_email(text, check_deliverability=False, globally_deliverable=False).normalized
    except EmailNotValidError:
        pass
    return unicodedata.normalize("NFC", text.lower())


@lru_cache(maxsize=4096)
def _latin_look_alike(char: str) -> str:
    """The ASCII letter a character of another script looks like (itself when none)."""
    from confusable_homoglyphs import confusables  # its tables cost every worker megabytes; most addresses are ASCII

    found = confusables.is_confusable(char, greedy=True, preferred_aliases=[]) or []
    return next((glyph["c"] for hit in found for glyph in hit["homoglyphs"] if glyph["c"].isascii()), char)


def email_skeleton(email: str) -> str:
    """What the address looks like: NFKC folds fullwidth and styled letters, and letters of other scripts that
    look like Latin ones (Cyrillic а, Greek ο) become those, so look-alike addresses share one skeleton."""
    text = unicodedata.normalize("NFKC", normalise_email(email)).casefold()
    return "".join(char if char.isascii() else _latin_look_alike(char) for char in text)[:254]


def mask_email(email: str) -> str:
    """The address with most of its local part hidden (p***@example.com), to say whose something is."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def find_user(email: str) -> User | None:
    """The account with this e-mail address, if any."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def find_look_alike(email: str) -> User | None:
    """The account whose address is this one or looks the same (differing only by look-alike characters)."""
    return db.session.scalar(select(User).where(
        or_(User.email == normalise_email(email), User.email_key == email_skeleton(email))).limit(1))


def create_user(email: str, password: str, display_name: str, role: str = "student", *, confirmed: bool = True) -> User:
    """Create an account; raises AccountError if the e-mail (or a look-alike of it) is taken or the role unknown.

    Only self-registration passes confirmed=False: staff created with the CLI or an invitation have shown
    their address by that path.
    """
    if role not in ROLES:
        raise AccountError(f"Role must be one of: {', '.join(ROLES)}.", "role")
    password_hash = hash_password(password)  # slow: before the write lock is taken
    unit_of_work.write()
    user = User(email=normalise_email(email), email_key=email_skeleton(email), display_name=display_name.strip(),
                role=role, password_hash=password_hash, email_confirmed_at=utcnow() if confirmed else None)
    try:
        with db.session.begin_nested():
            db.session.add(user)
            db.session.flush()
    except IntegrityError:
        raise AccountError("An account with this e-mail address, or one that looks the same, already exists.",
                           "email") from None
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active account matching e-mail and password, or None; rehashes outdated hashes.

    The check is slow on purpose and runs with no write lock held; only a rehash declares a write."""
    user = find_user(email)
    hasher = _hasher()
    if user is None:
        try:
            hasher.verify(_dummy_hash(hasher.time_cost, hasher.memory_cost), password)
        except VerificationError:
            pass
        return None
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if not user.active:
        return None
    if hasher.check_needs_rehash(user.password_hash):
        new_hash = hasher.hash(password)
        unit_of_work.write()
        user.password_hash = new_hash
    return user


def set_password(user: User, password: str) -> None:
    """Replace the password and end every existing session of the account."""
    password_hash = hash_password(password)  # slow: before the write lock is taken
    unit_of_work.write()
    user.password_hash = password_hash
    end_sessions(user)


def end_sessions(user: User) -> None:
    """Make every session cookie issued to this account unusable."""
    unit_of_work.write()
    user.session_nonce = new_session_nonce()

