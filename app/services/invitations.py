"""Pending invitations of an organisation: listed with their expiry, resent with a new link, or revoked."""

from sqlalchemy import select

from app.extensions import db
from app.models import Invitation, Organisation, User
from app.models.base import utcnow
from app.services import organisations


def pending(organisation_id: int) -> list[Invitation]:
    """The invitations not yet used or revoked (expired ones too, so they can be resent), soonest to expire first."""
    return list(db.session.scalars(select(Invitation).where(
        Invitation.organisation_id == organisation_id, Invitation.used_at.is_(None), Invitation.revoked_at.is_(None))
        .order_by(Invitation.expires_at, Invitation.id)))


def pending_or_none(organisation_id: int, invitation_id: int) -> Invitation | None:
    """One of the organisation's pending invitations; None for another organisation's or a used or revoked one."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.organisation_id != organisation_id:
        return None
    return invitation if invitation.used_at is None and invitation.revoked_at is None else None


def revoke(invitation: Invitation) -> None:
    """Withdraw the invitation: its link opens nothing from now on."""
    if invitation.used_at is not None:
        raise organisations.OrganisationError("This invitation has already been accepted.")
    invitation.revoked_at = utcnow()
    db.session.flush()


def resend(invitation: Invitation, manager: User) -> Invitation:
    """A new e-mail with a new link and a new expiry; the old link stops working."""
    revoke(invitation)
    organisation: Organisation = invitation.organisation
    return organisations.invite(organisation, manager, invitation.email, invitation.name, invitation.job_role,
                                invitation.hire_date)
