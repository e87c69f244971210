"""Organisations: managers, hires, single-use invitations (one at a time or from a CSV), removal."""

import base64
import csv
import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import Invitation, Membership, Organisation, User
from app.models.base import utcnow
from app.permissions import managed_organisation
from app.plain_text import has_control_characters
from app.services import mail
from app.services.accounts import find_user, mask_email, normalise_email
from app.services.local_time import local_date

CSV_COLUMNS = ("name", "email", "job_role", "hire_date")
MAX_CSV_ROWS = 2000


class OrganisationError(ValueError):
    """An organisation action that cannot be carried out; the message is safe to show."""


class CsvFileError(OrganisationError):
    """An upload that cannot be read as CSV at all; nothing of it was imported."""


class AlreadyInvited(OrganisationError):
    """The address already has a live invitation; a second link would leave two ways in."""

    def __init__(self, invitation: Invitation) -> None:
        self.invitation = invitation
        day = local_date(invitation.organisation, invitation.created_at)
        until = local_date(invitation.organisation, invitation.expires_at)
        super().__init__(f"{invitation.email} was already invited on {day:%-d %b %Y}; that invitation expires on "
                         f"{until:%-d %b %Y}. Resend it?")


RESAVE = "Save it from your spreadsheet as “CSV UTF-8” and upload it again. Nothing was imported."


@dataclass
class CsvReport:
    """What a CSV upload did: invitations sent, and problems by line."""

    invited: list[str] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)


def create_organisation(manager: User, name: str, time_zone: str = "") -> Organisation:
    """A new organisation with this account as its first manager."""
    if managed_organisation(manager) is not None:
        raise OrganisationError("You already manage an organisation.")
    organisation = Organisation(name=name.strip(), time_zone=time_zone)
    db.session.add(organisation)
    db.session.flush()
    db.session.add(Membership(organisation_id=organisation.id, user_id=manager.id, kind="manager"))
    return organisation


def update_settings(organisation: Organisation, name: str, time_zone: str) -> None:
    """Rename the organisation or change the zone its dates are kept in."""
    organisation.name, organisation.time_zone = name.strip(), time_zone
    db.session.flush()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _invitation_token(nonce: str) -> str:
    """The invitation's token: the nonce signed with SECRET_KEY, so the nonce kept in the outbox opens nothing."""
    key = current_app.config["SECRET_KEY"]
    digest = hmac.new(key if isinstance(key, bytes) else key.encode(), b"invitation:" + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def invite(organisation: Organisation, manager: User, email: str, name: str, job_role: str, hire_date: date | None) -> Invitation:
    """Queue an invitation e-mail with a single-use link that expires after INVITATION_DAYS."""
    email = normalise_email(email)
    existing = find_user(email)
    if existing is not None and hire_membership(organisation, existing.id) is not None:
        raise OrganisationError(f"{email} is already a hire of {organisation.name}.")
    pending = open_invitation(organisation.id, email)
    if pending is not None:
        raise AlreadyInvited(pending)
    # Only the token's hash is kept with the invitation, and only the nonce with the e-mail: the link is made
    # when the e-mail is sent (invitation_link), so no readable copy of it rests in the database.
    nonce = secrets.token_urlsafe(16)
    days = current_app.config["INVITATION_DAYS"]
    invitation = Invitation(organisation_id=organisation.id, email=email, name=name.strip(), job_role=job_role.strip(),
                            hire_date=hire_date, token_hash=_token_hash(_invitation_token(nonce)), invited_by=manager.id,
                            expires_at=utcnow() + timedelta(days=days))
    db.session.add(invitation)
    mail.queue(email, mail.fitted("{organisation} invites you to Billing & Coding Academy", organisation=organisation.name),
               (f"Hello {invitation.name},\n\n{organisation.name} has invited you to complete your required training "
                f"on Billing & Coding Academy.\n\nAccept the invitation within {days} days:\n",
                mail.SecretLink("invitation", {"n": nonce}), "\n\nIf you did not expect this message, you can ignore it."),
               kind="invitation")
    return invitation


def open_invitation(organisation_id: int, email: str) -> Invitation | None:
    """The address's invitation to this organisation that is neither used, revoked nor expired, if any."""
    return db.session.scalar(select(Invitation).where(
        Invitation.organisation_id == organisation_id, Invitation.email == normalise_email(email),
        Invitation.used_at.is_(None), Invitation.revoked_at.is_(None), Invitation.expires_at >= utcnow())
        .order_by(Invitation.id.desc()).limit(1))


@mail.link_maker("invitation")
def invitation_link(data: dict) -> str:
    """The link of a queued invitation e-mail, made from its nonce at send time."""
    if not isinstance(data.get("n"), str):
        raise mail.MessageError("The invitation e-mail lacks its nonce.")
    return mail.site_url("employer.accept_invitation", token=_invitation_token(data["n"]))


def invite_from_csv(organisation: Organisation, manager: User, text: str) -> CsvReport:
    """Invite every good row of a CSV (name, email, job_role, hire_date); bad rows are reported by line.

    Raises CsvFileError, before anything is imported, when the file cannot be read as CSV at all.
    """
    records = _read_csv(text)
    report = CsvReport()
    if not records or [name.strip().lower() for name in records[0][1]] != list(CSV_COLUMNS):
        report.problems.append((records[0][0] if records else 1, f"The first line must be the column names: {','.join(CSV_COLUMNS)}"))
        return report
    seen: set[str] = set()
    for number, (line, row) in enumerate(records[1:], start=1):
        if number > MAX_CSV_ROWS:
            report.problems.append((line, f"Only {MAX_CSV_ROWS} rows can be uploaded at once; the rest were not read."))
            break
        if len(row) > len(CSV_COLUMNS):
            report.problems.append((line, "This line does not have exactly 4 columns."))
            continue
        values = {key: value.strip() for key, value in zip(CSV_COLUMNS, row + [""] * (len(CSV_COLUMNS) - len(row)), strict=True)}
        problem = _row_problem(values, seen)
        if problem:
            report.problems.append((line, problem))
            continue
        try:
            with db.session.begin_nested():
                invite(organisation, manager, values["email"], values["name"], values["job_role"], _date(values["hire_date"]))
        except OrganisationError as error:
            report.problems.append((line, str(error)))
            continue
        seen.add(normalise_email(values["email"]))
        report.invited.append(values["email"])
    return report


def _read_csv(text: str) -> list[tuple[int, list[str]]]:
    """Every non-empty row with its number, up to one past the row limit; raises CsvFileError on a file that is not CSV."""
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise CsvFileError(f"Line {line} holds a NUL character, so this is not a CSV text file. {RESAVE}")
    reader = csv.reader(io.StringIO(text))
    records: list[tuple[int, list[str]]] = []
    line = 0  # counted as a spreadsheet counts rows: a quoted value may hold a line break, a blank row counts
    try:
        for line, row in enumerate(reader, start=1):  # noqa: B007 (the count is read after a failing row too)
            if row:
                records.append((line, row))
            if len(records) > MAX_CSV_ROWS + 1:
                break
    except csv.Error as error:
        line += 1
        if "field limit" in str(error):
            raise CsvFileError(f"Line {line} holds a value longer than {csv.field_size_limit():,} characters; no name, "
                               "e-mail address or job role is that long. Nothing was imported.") from None
        if "new-line character" in str(error):
            raise CsvFileError(f"Line {line} has a line break made of a carriage return alone (an old Mac format), which "
                               f"cannot be read. {RESAVE}") from None
        raise CsvFileError(f"Line {line} cannot be read as CSV ({error}). {RESAVE}") from None
    return records


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _row_problem(values: dict[str, str], seen: set[str]) -> str | None:
    for column, label in (("name", "name"), ("job_role", "job role")):
        if has_control_characters(values[column]):
            return f"The {label} holds a line break or another control character; write it on one line."
    if not values["name"] or len(values["name"]) > 80:
        return "The name is missing or longer than 80 characters."
    try:
        validate_email(values["email"], check_deliverability=False)
    except EmailNotValidError:
        return f"“{values['email']}” is not a valid e-mail address."
    if normalise_email(values["email"]) in seen:
        return f"{values['email']} appears earlier in the file."
    if len(values["job_role"]) > 80:
        return "The job role is longer than 80 characters."
    try:
        _date(values["hire_date"])
    except ValueError:
        return f"“{values['hire_date']}” is not a date; write it as YYYY-MM-DD."
    return None


def invitation_for(token: str, now: datetime) -> Invitation:
    """The open invitation with this token; raises OrganisationError if unknown, used or expired."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == _token_hash(token)))
    if invitation is None:
        raise OrganisationError("This invitation link is not valid.")
    if invitation.used_at is not None:
        raise OrganisationError("This invitation has already been used. Sign in to continue.")
    if invitation.revoked_at is not None:
        raise OrganisationError("This invitation was withdrawn or replaced by a newer one. Use the latest e-mail, "
                                "or ask your manager to send a new one.")
    if invitation.expires_at < now:
        raise OrganisationError("This invitation has expired. Ask your manager to send a new one.")
    return invitation


def is_for(invitation: Invitation, user: User) -> bool:
    """Whether the account has the invited address (an invitation belongs to that address only)."""
    return normalise_email(user.email) == normalise_email(invitation.email)


def not_yours_message(invitation: Invitation) -> str:
    """What someone signed in with another account is told: whose invitation it is."""
    return (f"This invitation is for {mask_email(invitation.email)}, not for the account you are signed in with. "
            "Sign out, then open the link again to accept it with that address.")


def accept(invitation: Invitation, user: User, now: datetime) -> Membership:
    """Make the user a hire of the inviting organisation and use up the invitation; only the invited address may."""
    if invitation.used_at is not None:
        raise OrganisationError("This invitation has already been used.")
    if invitation.revoked_at is not None:
        raise OrganisationError("This invitation was withdrawn.")
    if not is_for(invitation, user):
        raise OrganisationError(not_yours_message(invitation))
    invitation.used_at = now
    membership = db.session.scalar(select(Membership).where(
        Membership.organisation_id == invitation.organisation_id, Membership.user_id == user.id))
    if membership is None:
        membership = Membership(organisation_id=invitation.organisation_id, user_id=user.id, kind="hire")
        db.session.add(membership)
    elif membership.kind == "manager":
        raise OrganisationError("You manage this organisation; a manager cannot also be its hire.")
    membership.removed_at = None
    membership.job_role, membership.hire_date = invitation.job_role, invitation.hire_date or local_date(invitation.organisation, now)
    db.session.flush()
    return membership


def hire_membership(organisation: Organisation, user_id: int) -> Membership | None:
    """The current hire membership of this user in the organisation."""
    return db.session.scalar(select(Membership).where(
        Membership.organisation_id == organisation.id, Membership.user_id == user_id, Membership.kind == "hire",
        Membership.removed_at.is_(None)))


def remove_hire(organisation: Organisation, user_id: int) -> Membership:
    """Take a hire out of the organisation; every record of their training stays."""
    membership = hire_membership(organisation, user_id)
    if membership is None:
        raise OrganisationError("That person is not a hire of this organisation.")
    membership.removed_at = utcnow()
    return membership


def hire_organisations(user: User) -> list[Organisation]:
    """The organisations this person is currently a hire of."""
    return list(db.session.scalars(select(Organisation).join(Membership).where(
        Membership.user_id == user.id, Membership.kind == "hire", Membership.removed_at.is_(None))))
