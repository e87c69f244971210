"""Employers onboard hires: organisation set-up, invitations (valid, used, expired), CSV upload, removal, e-mail."""

import io
import re
from datetime import timedelta

from sqlalchemy import func, select

from app.models import EmailMessage, Invitation, Membership, User
from app.models.base import utcnow
from app.services import mail
from tests.conftest import sign_in
from tests.factories import add_hire, make_organisation, make_user


def invitation_link(message) -> str:
    return re.search(r"http://localhost(/invite/\S+)", message.get_body(("plain",)).get_content()).group(1)


def test_an_employer_sets_up_an_organisation_first(client, db, login_as):
    login_as("employer")
    assert client.get("/employer/").headers["Location"].endswith("/employer/setup")
    client.post("/employer/setup", data={"name": "Lakeside Billing Office", "time_zone": "America/Chicago"})
    assert "Lakeside Billing Office: compliance" in client.get("/employer/").get_data(as_text=True)


def test_an_invitation_arrives_by_smtp_and_creates_the_account(client, db, login_as, smtp):
    manager = login_as("employer")
    organisation = make_organisation(manager)
    db.session.commit()
    response = client.post("/employer/hires", data={"name": "Pat Sample", "email": "Pat@Example.com", "job_role": "coder",
                                                    "hire_date": "2026-11-01"})
    assert response.status_code == 302
    assert smtp.messages == [], "the request only queued the invitation"
    mail.deliver_pending()
    [message] = smtp.to("pat@example.com")
    assert "Lakeside Billing Office invites you" in message["Subject"]
    link = invitation_link(message)
    client.post("/auth/logout")
    page = client.get(link).get_data(as_text=True)
    assert "Create your account for <strong>pat@example.com</strong>" in page
    client.post(link, data={"display_name": "Pat Sample", "password": "a long hire password", "confirm": "a long hire password"})
    pat = db.session.scalar(select(User).where(User.email == "pat@example.com"))
    membership = db.session.scalar(select(Membership).where(Membership.user_id == pat.id))
    assert (membership.organisation_id, membership.job_role, str(membership.hire_date)) == (organisation.id, "coder", "2026-11-01")
    assert "Your course" in client.get("/").get_data(as_text=True), "the new hire is signed in"
    used = client.get(link)
    assert used.status_code == 410 and "already been used" in used.get_data(as_text=True)


def test_an_existing_account_accepts_while_signed_in(app, client, db, login_as, smtp):
    manager = make_user("employer")
    organisation = make_organisation(manager)
    learner = make_user(email="already@example.com")
    db.session.commit()
    manager_client = app.test_client()
    sign_in(manager_client, manager.email)
    manager_client.post("/employer/hires", data={"name": "Al Ready", "email": "already@example.com"})
    mail.deliver_pending()
    link = invitation_link(smtp.to("already@example.com")[0])
    assert "Sign in to accept" in client.get(link).get_data(as_text=True)
    sign_in(client, learner.email)
    client.post(link)
    assert db.session.scalar(select(Membership).where(Membership.user_id == learner.id)).organisation_id == organisation.id


def test_an_expired_invitation_is_refused(client, db, login_as, smtp):
    manager = login_as("employer")
    make_organisation(manager)
    db.session.commit()
    client.post("/employer/hires", data={"name": "Late Comer", "email": "late@example.com"})
    mail.deliver_pending()
    link = invitation_link(smtp.to("late@example.com")[0])
    invitation = db.session.scalar(select(Invitation))
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    client.post("/auth/logout")
    response = client.get(link)
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    assert client.post(link, data={"display_name": "x", "password": "a long hire password", "confirm": "a long hire password"}).status_code == 410
    assert db.session.scalar(select(User).where(User.email == "late@example.com")) is None


def test_a_csv_upload_invites_good_rows_and_reports_bad_ones_by_line(client, db, login_as, smtp):
    manager = login_as("employer")
    make_organisation(manager)
    db.session.commit()
    csv_text = ("name,email,job_role,hire_date\n"
                "Ann Able,ann@example.com,coder,2026-10-01\n"
                "Bad Email,not-an-email,coder,2026-10-01\n"
                "Bad Date,bad.date@example.com,biller,01/10/2026\n"
                "Ben Bold,ben@example.com,biller,\n"
                "Ann Again,ann@example.com,coder,2026-10-01\n")
    response = client.post("/employer/hires/upload", data={"file": (io.BytesIO(csv_text.encode()), "hires.csv")},
                           content_type="multipart/form-data", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.request.path == "/employer/hires/upload"
    assert "2 invitations sent." in page
    assert "Line 3: “not-an-email” is not a valid e-mail address." in page
    assert "Line 4: “01/10/2026” is not a date; write it as YYYY-MM-DD." in page
    assert "Line 6: ann@example.com appears earlier in the file." in page
    mail.deliver_pending()
    assert sorted(m["To"] for m in smtp.messages) == ["ann@example.com", "ben@example.com"]


def test_a_csv_with_wrong_columns_or_encoding_imports_nothing(client, db, login_as):
    manager = login_as("employer")
    make_organisation(manager)
    db.session.commit()
    wrong = client.post("/employer/hires/upload", data={"file": (io.BytesIO(b"email,name\nx@example.com,X\n"), "h.csv")},
                        content_type="multipart/form-data", follow_redirects=True)
    assert "Line 1: The first line must be the column names" in wrong.get_data(as_text=True)
    binary = client.post("/employer/hires/upload", data={"file": (io.BytesIO(b"\xff\xfe\x00bad"), "h.csv")},
                         content_type="multipart/form-data")
    assert "not UTF-8 text" in binary.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_an_oversized_upload_is_refused_with_a_clear_message(app, client, db, login_as):
    manager = login_as("employer")
    make_organisation(manager)
    db.session.commit()
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/employer/hires/upload", data={"file": (io.BytesIO(b"x" * 5000), "big.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 413 and "larger than this site accepts" in response.get_data(as_text=True)


def test_removing_a_hire_asks_first_and_keeps_records(client, db, login_as):
    manager = login_as("employer")
    organisation = make_organisation(manager)
    hire = make_user(name="Gone Soon")
    add_hire(organisation, hire)
    db.session.commit()
    assert "Remove Gone Soon?" in client.get(f"/employer/hires/{hire.id}/remove").get_data(as_text=True)
    client.post(f"/employer/hires/{hire.id}/remove")
    membership = db.session.scalar(select(Membership).where(Membership.user_id == hire.id))
    assert membership.removed_at is not None
    assert f"/employer/hires/{hire.id}\"" not in client.get("/employer/").get_data(as_text=True)
    assert client.get(f"/employer/hires/{hire.id}").status_code == 200, "the history stays readable"


def test_a_failed_send_is_kept_and_retried(app, client, db, login_as, smtp):
    manager = login_as("employer")
    make_organisation(manager)
    db.session.commit()
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = 1  # nothing listens there
    client.post("/employer/hires", data={"name": "Retry Me", "email": "retry@example.com"})
    assert mail.deliver_pending() == {"sent": 0, "retry": 1, "failed": 0}
    message = db.session.scalar(select(EmailMessage))
    db.session.refresh(message)
    assert (message.status, message.attempts) == ("queued", 1) and message.last_error
    assert message.next_attempt_at > message.created_at, "tried again after a delay"
    app.config["MAIL_PORT"] = port
    assert "0 sent" in app.test_cli_runner().invoke(args=["mail", "send"]).output, "still waiting out the delay"
    result = app.test_cli_runner().invoke(args=["mail", "send", "--all"])
    assert "1 sent" in result.output
    db.session.refresh(message)
    assert message.status == "sent" and len(smtp.to("retry@example.com")) == 1


def test_password_reset_never_reveals_accounts_and_its_link_works_once(client, db, smtp):
    user = make_user(email="forgetful@example.com")
    db.session.commit()
    known = client.post("/auth/reset", data={"email": "forgetful@example.com"}, follow_redirects=True).get_data(as_text=True)
    unknown = client.post("/auth/reset", data={"email": "nobody@example.com"}, follow_redirects=True).get_data(as_text=True)
    notice = "If an account uses that address, a link to reset its password is on its way."
    assert notice in known and notice in unknown
    mail.deliver_pending()
    [message] = smtp.to("forgetful@example.com")
    link = re.search(r"http://localhost(/auth/reset/\S+)", smtp.body(message)).group(1)
    assert "no active account uses it" in smtp.body(smtp.to("nobody@example.com")[0])
    client.post(link, data={"password": "a brand new password", "confirm": "a brand new password"})
    assert sign_in(client, user.email, "a brand new password").status_code == 302
    client.post("/auth/logout")
    again = client.post(link, data={"password": "another new password!", "confirm": "another new password!"}, follow_redirects=True)
    assert "invalid, expired or already used" in again.get_data(as_text=True)
