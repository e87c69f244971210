"""Employers (issue 16): pending invitations, the CSV upload's result page and template, assignments changed and
ended, who acknowledged which policy version, and what a yearly renewal asks of a hire."""

import io
import re

from sqlalchemy import func, select

from app.models import AuditEvent, EmailMessage, Invitation
from app.services import mail
from tests.factories import make_organisation


def actions(db, name: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == name)))


def invitation_link(message) -> str:
    return re.search(r"http://localhost(/invite/\S+)", message.get_body(("plain",)).get_content()).group(1)


def manager_with_organisation(db, login_as):
    manager = login_as("employer")
    organisation = make_organisation(manager)
    db.session.commit()
    return manager, organisation


def test_pending_invitations_are_listed_with_their_expiry(client, db, login_as):
    manager_with_organisation(db, login_as)
    client.post("/employer/hires", data={"name": "Pat Sample", "email": "pat@example.com", "job_role": "coder"})
    page = client.get("/employer/hires").get_data(as_text=True)
    invitation = db.session.scalar(select(Invitation))
    assert "Pending invitations" in page and "pat@example.com" in page
    assert invitation.expires_at.strftime("%-d %b %Y") in page
    assert f"/employer/invitations/{invitation.id}/revoke" in page


def test_inviting_a_pending_address_again_offers_a_resend_instead_of_a_second_link(client, db, login_as):
    manager_with_organisation(db, login_as)
    client.post("/employer/hires", data={"name": "Pat Sample", "email": "pat@example.com"})
    again = client.post("/employer/hires", data={"name": "Pat Sample", "email": "PAT@example.com"})
    page = again.get_data(as_text=True)
    assert again.status_code == 422
    assert "already invited on" in page and "expires on" in page and "Resend it?" in page
    assert "Resend the invitation to pat@example.com" in page
    assert db.session.scalar(select(func.count(Invitation.id))) == 1
    assert db.session.scalar(select(func.count(EmailMessage.id))) == 1


def test_a_resent_invitation_has_a_new_link_and_the_old_one_stops_working(client, db, login_as, smtp):
    manager_with_organisation(db, login_as)
    client.post("/employer/hires", data={"name": "Pat Sample", "email": "pat@example.com"})
    mail.deliver_pending()
    old_link = invitation_link(smtp.to("pat@example.com")[0])
    first = db.session.scalar(select(Invitation))
    response = client.post(f"/employer/invitations/{first.id}/resend")
    assert response.status_code == 302
    mail.deliver_pending()
    new_link = invitation_link(smtp.to("pat@example.com")[1])
    assert new_link != old_link
    assert len(actions(db, "invitation.resend")) == 1
    client.post("/auth/logout")
    assert client.get(old_link).status_code == 410
    assert "Create your account" in client.get(new_link).get_data(as_text=True)


def test_revoking_asks_first_then_the_link_opens_nothing(client, db, login_as, smtp):
    manager_with_organisation(db, login_as)
    client.post("/employer/hires", data={"name": "Pat Sample", "email": "pat@example.com"})
    mail.deliver_pending()
    link = invitation_link(smtp.to("pat@example.com")[0])
    invitation = db.session.scalar(select(Invitation))
    confirm = client.get(f"/employer/invitations/{invitation.id}/revoke")
    assert "Revoke the invitation to pat@example.com?" in confirm.get_data(as_text=True)
    assert db.session.get(Invitation, invitation.id).revoked_at is None, "a GET changes nothing"
    client.post(f"/employer/invitations/{invitation.id}/revoke")
    assert "No invitations are waiting" in client.get("/employer/hires").get_data(as_text=True)
    assert [e.details["email"] for e in actions(db, "invitation.revoke")] == ["pat@example.com"]
    client.post("/auth/logout")
    refused = client.get(link)
    assert refused.status_code == 410 and "withdrawn" in refused.get_data(as_text=True)


def test_another_organisations_invitation_cannot_be_revoked_or_resent(app, client, db, login_as):
    manager_with_organisation(db, login_as)
    client.post("/employer/hires", data={"name": "Pat Sample", "email": "pat@example.com"})
    invitation = db.session.scalar(select(Invitation))
    other = app.test_client()
    from tests.conftest import sign_in
    from tests.factories import make_user
    stranger = make_user("employer")
    make_organisation(stranger, name="Elsewhere")
    db.session.commit()
    sign_in(other, stranger.email)
    assert other.get(f"/employer/invitations/{invitation.id}/revoke").status_code == 404
    assert other.post(f"/employer/invitations/{invitation.id}/resend").status_code == 404
    assert db.session.get(Invitation, invitation.id).revoked_at is None


def test_a_csv_upload_redirects_to_a_result_page_that_can_be_reloaded(client, db, login_as):
    manager_with_organisation(db, login_as)
    csv_text = "name,email,job_role,hire_date\nAnn Able,ann@example.com,coder,\nBad,not-an-email,coder,\n"
    response = client.post("/employer/hires/upload", data={"file": (io.BytesIO(csv_text.encode()), "hires.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith("/employer/hires/upload")
    page = client.get("/employer/hires/upload").get_data(as_text=True)
    assert "1 invitation sent." in page and "1 line skipped" in page and "Line 3: “not-an-email”" in page
    reloaded = client.get("/employer/hires/upload")
    assert reloaded.status_code == 200 and "Upload result" not in reloaded.get_data(as_text=True)
    assert 'type="file"' in reloaded.get_data(as_text=True)


def test_the_csv_template_uploads_as_is(client, db, login_as):
    manager_with_organisation(db, login_as)
    template = client.get("/employer/hires/template.csv")
    assert template.mimetype == "text/csv"
    lines = template.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == "name,email,job_role,hire_date" and len(lines) == 2 and "@example.com" in lines[1]
    assert "/employer/hires/template.csv" in client.get("/employer/hires/upload").get_data(as_text=True)
    client.post("/employer/hires/upload", data={"file": (io.BytesIO(template.get_data()), "t.csv")},
                content_type="multipart/form-data")
    assert "1 invitation sent." in client.get("/employer/hires/upload").get_data(as_text=True)
