"""Invitations belong to the invited address: nobody else can accept one, and it stays open for its owner."""

import pytest
from sqlalchemy import select

from app.models import Invitation, Membership
from app.models.base import utcnow
from app.services.organisations import OrganisationError, accept
from tests.conftest import sign_in
from tests.factories import make_organisation, make_user
from tests.test_employer_onboarding import invitation_link
from tests.test_registration import mailed_link


def test_another_signed_in_account_is_told_whose_invitation_it_is_and_it_stays_open(app, client, db, smtp):
    manager = make_user("employer")
    make_organisation(manager)
    invited, other = make_user(email="invited.person@example.com"), make_user(email="someone.else@example.com")
    db.session.commit()
    manager_client = app.test_client()
    sign_in(manager_client, manager.email)
    manager_client.post("/employer/hires", data={"name": "Invited Person", "email": invited.email, "job_role": "coder"})
    mailed_link(smtp, invited.email, "/invite/")
    link = invitation_link(smtp.to(invited.email)[0])
    sign_in(client, other.email)
    for response in (client.get(link), client.post(link)):
        page = response.get_data(as_text=True)
        assert response.status_code == 403 and "This invitation is for i***@example.com" in page
        assert "Accept as" not in page
    assert db.session.scalar(select(Membership).where(Membership.user_id == other.id)) is None
    assert db.session.scalar(select(Invitation.used_at)) is None, "the invitation stays open"
    client.post("/auth/logout")
    sign_in(client, invited.email)
    client.post(link)
    membership = db.session.scalar(select(Membership).where(Membership.user_id == invited.id))
    assert membership is not None and membership.job_role == "coder"


def test_the_accept_service_refuses_an_account_without_the_invited_address(app, db):
    manager = make_user("employer")
    organisation = make_organisation(manager)
    invitation = Invitation(organisation_id=organisation.id, email="owner@example.com", name="Owner", token_hash="x" * 64,
                            invited_by=manager.id, expires_at=utcnow())
    db.session.add(invitation)
    db.session.flush()
    with pytest.raises(OrganisationError, match="o\\*\\*\\*@example.com"):
        accept(invitation, make_user(), utcnow())
    assert invitation.used_at is None
