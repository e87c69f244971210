"""E-mail: headers no user text can break, a queue no message can block, senders outside every request that never
send a message twice, personal links that never rest readable, and links that point at the running site."""

import io
import re
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select, update

from app import create_app
from app.extensions import db
from app.models import EmailMessage, Invitation, Organisation
from app.models.base import utcnow
from app.services import mail, outbox, password_reset
from config import BASE_DIR, DevelopmentConfig, ProductionConfig, TestingConfig, development_base_url
from tests.conftest import CSRFClient, config_for, sign_in
from tests.factories import make_organisation, make_user

INJECTED = "Acme\r\nBcc: evil@example.net"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def wait_for(condition, seconds: float = 15):
    """Poll until `condition()` is true; the test's session commits after each look (SQLite: no lock held)."""
    deadline = time.monotonic() + seconds
    while True:
        db.session.expire_all()
        result = condition()
        db.session.commit()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.05)


def upload(client, content: bytes):
    return client.post("/employer/hires/upload", data={"file": (io.BytesIO(content), "hires.csv")},
                       content_type="multipart/form-data", follow_redirects=True)


# Item 1: CR/LF in headers.

@pytest.mark.parametrize("value", [INJECTED, "Acme\nClinic", "Tab\tClinic", "Line\u2028Clinic", "Nul\x00Clinic", "C1\x85Clinic"])
def test_one_line_fields_refuse_line_breaks_and_control_characters(client, login_as, value):
    login_as("employer")
    response = client.post("/employer/setup", data={"name": value, "time_zone": "UTC"})
    assert response.status_code != 302
    # A NUL is refused before any form is read (PostgreSQL cannot store one); the others by the field itself.
    expected = "contains a NUL character" if "\x00" in value else "without line breaks, tabs or other control characters"
    assert expected in response.get_data(as_text=True)
    assert count(Organisation) == 0


def test_an_invitation_or_training_title_with_a_line_break_is_refused(client, db, login_as):
    manager = login_as("employer")
    make_organisation(manager)
    db.session.commit()
    response = client.post("/employer/hires", data={"name": "Pat\r\nBcc: evil@example.net", "email": "pat@example.com"})
    assert response.status_code == 422 and "without line breaks" in response.get_data(as_text=True)
    response = client.post("/employer/assignments", data={"title": "HIPAA\nBcc: evil@example.net", "scope": "course",
                                                          "audience": "everyone", "due_kind": "relative", "due_days": "30"})
    assert response.status_code == 422 and "without line breaks" in response.get_data(as_text=True)
    assert count(Invitation) == 0 and count(EmailMessage) == 0
    # A text area is several lines by nature, and keeps them.
    assert client.post("/employer/policy", data={"text": "First line.\r\nSecond line."}).status_code == 302


def test_csv_rows_with_line_breaks_in_a_name_or_job_role_are_reported_by_line(client, db, login_as):
    manager = login_as("employer")
    make_organisation(manager)
    db.session.commit()
    content = ('name,email,job_role,hire_date\n"Eve\r\nBcc: evil@example.net",eve@example.com,coder,\n'
               'Ann Able,ann@example.com,"coder\tbiller",\nBen Bold,ben@example.com,biller,\n').encode()
    page = upload(client, content).get_data(as_text=True)
    assert "1 invitation sent." in page
    assert "Line 2: The name holds a line break or another control character; write it on one line." in page
    assert "Line 3: The job role holds a line break or another control character" in page
    assert [i.email for i in db.session.scalars(select(Invitation))] == ["ben@example.com"]


def test_an_organisation_name_with_cr_lf_cannot_add_a_header(client, db, login_as, smtp):
    manager = login_as("employer")
    organisation = make_organisation(manager)
    organisation.name = INJECTED  # stored before the forms refused it
    db.session.commit()
    response = client.post("/employer/hires", data={"name": "Pat Sample", "email": "pat@example.com"})
    assert response.status_code == 302
    assert mail.deliver_pending() == {"sent": 1, "retry": 0, "failed": 0}
    [message] = smtp.messages
    assert message["Subject"] == "Acme Bcc: evil@example.net invites you to Billing & Coding Academy"
    assert message["Bcc"] is None and smtp.recipients == [["pat@example.com"]]


def test_a_message_that_cannot_be_sent_is_marked_failed_with_its_reason_and_never_blocks_the_others(app, db, smtp):
    smtp.refuse.add("gone@example.com")
    rows = [
        EmailMessage(to="pat@example.com\r\nBcc: evil@example.net", subject="Hello", body="One."),
        # Stored before queue() flattened subjects: the header is still built on one line.
        EmailMessage(to="one@example.com", subject=INJECTED + " invites you", body="Two."),
        EmailMessage(to="gone@example.com", subject="Hello", body="Three."),
        EmailMessage(to="two@example.com", subject="Hello", body=mail.LINK_PLACEHOLDER,
                     meta={"link": {"kind": "no-such-link", "data": {}, "at": 0}}),
        EmailMessage(to="three@example.com", subject="Hello", body="Five."),
    ]
    db.session.add_all(rows)
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["mail", "send"])

    assert result.exit_code == 0, result.output
    assert "2 sent, 0 to retry later, 3 failed for good." in result.output
    for row in rows:
        db.session.refresh(row)
    assert [row.status for row in rows] == ["failed", "sent", "failed", "failed", "sent"]
    assert "not a single e-mail address" in rows[0].last_error
    assert "550" in rows[2].last_error and "No such mailbox" in rows[2].last_error
    assert "no-such-link" in rows[3].last_error
    assert [m["To"] for m in smtp.messages] == ["one@example.com", "three@example.com"]
    assert smtp.messages[0]["Subject"] == "Acme Bcc: evil@example.net invites you" and smtp.messages[0]["Bcc"] is None
    assert smtp.recipients == [["one@example.com"], ["three@example.com"]]
    again = app.test_cli_runner().invoke(args=["mail", "send", "--all"])
    assert "0 sent, 0 to retry later, 0 failed for good." in again.output, "a failed message is never tried again"


def test_a_server_that_cannot_be_reached_ends_the_run_and_cron_hears_of_it(app, db, smtp):
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = 1  # nothing listens there
    first, second = mail.queue("one@example.com", "One", "x"), mail.queue("two@example.com", "Two", "x")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 1 and "0 sent, 1 to retry later, 0 failed for good." in result.output
    assert "stay queued and will be retried" in result.output
    db.session.refresh(first)
    db.session.refresh(second)
    assert (first.status, first.attempts, second.attempts) == ("queued", 1, 0), "the rest waits for the next run"
    assert first.next_attempt_at > utcnow() and "Connection refused" in first.last_error
    app.config["MAIL_PORT"] = port
    assert app.test_cli_runner().invoke(args=["mail", "send"]).output.startswith("1 sent"), "the next run sends what is due"
    assert app.test_cli_runner().invoke(args=["mail", "send", "--all"]).output.startswith("1 sent")
    assert sorted(m["To"] for m in smtp.messages) == ["one@example.com", "two@example.com"]


# Item 2: no request waits for the mail server; two senders never send one message twice.

def test_requests_only_queue_mail_and_never_wait_for_the_server(client, db, login_as, smtp):
    smtp.gate.clear()  # a server that takes nothing: a request that waited for it would hang
    manager = login_as("employer")
    make_organisation(manager)
    db.session.commit()
    rows = "".join(f"Hire {n},hire{n}@example.com,coder,\n" for n in range(20))
    started = time.monotonic()
    response = upload(client, f"name,email,job_role,hire_date\n{rows}".encode())
    elapsed = time.monotonic() - started
    smtp.gate.set()
    assert response.status_code == 200 and "20 invitations sent." in response.get_data(as_text=True)
    assert elapsed < 5, f"the upload took {elapsed:.1f} s"
    assert smtp.messages == []
    assert db.session.scalar(select(func.count()).where(EmailMessage.status == "queued")) == 20


def test_the_background_sender_delivers_after_the_request_and_retries_when_due(app, client, db, login_as, smtp):
    app.config.update(MAIL_SEND_IN_BACKGROUND=True, MAIL_POLL_SECONDS=0.2)
    sender = app.extensions["mail_sender"]
    try:
        manager = login_as("employer")  # the app's first request starts its sender
        assert sender.running
        make_organisation(manager)
        db.session.commit()
        smtp.gate.clear()
        started = time.monotonic()
        response = client.post("/employer/hires", data={"name": "Pat Sample", "email": "pat@example.com"})
        assert response.status_code == 302 and time.monotonic() - started < 5
        smtp.gate.set()
        assert wait_for(lambda: smtp.to("pat@example.com")), "the sender delivered without being asked"
        assert wait_for(lambda: db.session.scalar(select(EmailMessage.status)) == "sent")
        # A message waiting out a retry delay is sent once it is due, by the sender's own rounds.
        db.session.add(EmailMessage(to="later@example.com", subject="Later", body="x", attempts=1,
                                    next_attempt_at=utcnow() + timedelta(seconds=1)))
        db.session.commit()
        assert wait_for(lambda: smtp.to("later@example.com"))
    finally:
        sender.stop()
    assert not sender.running


def test_two_senders_at_once_send_each_message_exactly_once(app, db, smtp):
    smtp.delay = 0.01
    for n in range(30):
        mail.queue(f"person{n}@example.com", f"Message {n}", "Hello.")
    db.session.commit()
    start, results, errors = threading.Barrier(2), [], []

    def sender():
        with app.app_context():
            try:
                start.wait()
                results.append(mail.deliver_pending())
            except Exception as error:  # reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == [] and len(results) == 2
    assert sum(r["sent"] for r in results) == 30 and all(r["retry"] == r["failed"] == 0 for r in results)
    assert sorted(m["Subject"] for m in smtp.messages) == sorted(f"Message {n}" for n in range(30))
    assert len({m["Message-ID"] for m in smtp.messages}) == 30
    db.session.expire_all()
    assert {(m.status, m.attempts, m.claim) for m in db.session.scalars(select(EmailMessage))} == {("sent", 1, None)}


def test_a_message_another_sender_claimed_is_left_to_it_until_its_lease_runs_out(app, db, smtp):
    first = mail.queue("first@example.com", "First", "x")
    mail.queue("second@example.com", "Second", "x")
    db.session.commit()
    [claimed] = outbox.claim(EmailMessage, 1)  # another sender took the oldest and is sending it
    assert claimed.id == first.id
    assert mail.deliver_pending() == {"sent": 1, "retry": 0, "failed": 0}
    assert [m["To"] for m in smtp.messages] == ["second@example.com"]
    db.session.execute(update(EmailMessage).where(EmailMessage.id == first.id).values(claimed_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()  # that sender died: its lease ran out
    assert mail.deliver_pending()["sent"] == 1
    assert [m["To"] for m in smtp.messages] == ["second@example.com", "first@example.com"]


# Item 3: no live reset or invitation link rests in the database or shows in the outbox.

def everything_stored() -> str:
    """Every row of every table, as text."""
    return "\n".join(repr(db.session.execute(select(table)).all()) for table in db.metadata.sorted_tables)


def test_no_reset_or_invitation_link_rests_in_the_database_or_the_outbox_and_the_sent_links_work(app, client, db, smtp):
    manager, admin = make_user("employer"), make_user("admin")
    make_organisation(manager)
    make_user(email="forgetful@example.com")
    db.session.commit()
    client.post("/auth/reset", data={"email": "forgetful@example.com"})
    sign_in(client, manager.email)
    client.post("/employer/hires", data={"name": "Pat Sample", "email": "pat@example.com"})
    client.post("/auth/logout")
    assert count(EmailMessage) == 2
    queued = everything_stored()

    assert mail.deliver_pending()["sent"] == 2
    links = [re.search(r"http://localhost(/auth/reset/\S+)", smtp.body(smtp.to("forgetful@example.com")[0])).group(1),
             re.search(r"http://localhost(/invite/\S+)", smtp.body(smtp.to("pat@example.com")[0])).group(1)]
    sign_in(client, admin.email)
    outbox_page = client.get("/admin/outbox").get_data(as_text=True)
    client.post("/auth/logout")
    sent = everything_stored()
    for link in links:
        token = link.rsplit("/", 1)[1]
        for where in (queued, sent, outbox_page):
            assert token not in where and link not in where
    for message in db.session.scalars(select(EmailMessage)):
        assert "/auth/reset/" not in message.body and "/invite/" not in message.body
        assert mail.LINK_PLACEHOLDER in message.body and mail.LINK_PLACEHOLDER in outbox_page
    assert "Pat Sample" in outbox_page, "the rest of the message is shown"

    # The e-mailed links still work.
    reset = client.post(links[0], data={"password": "a brand new password", "confirm": "a brand new password"})
    assert reset.status_code == 302
    assert sign_in(client, "forgetful@example.com", "a brand new password").status_code == 302
    client.post("/auth/logout")
    assert "Create your account for <strong>pat@example.com</strong>" in client.get(links[1]).get_data(as_text=True)


def test_the_data_kept_for_a_reset_link_makes_no_link_without_the_secret_key(app, db):
    user = make_user(email="forgetful@example.com")
    db.session.commit()
    password_reset.request_reset(user.email)
    message = db.session.scalar(select(EmailMessage))
    link = mail.render_body(message)
    token = re.search(r"/auth/reset/(\S+)", link).group(1)
    assert password_reset.user_for_token(token) == user
    app.config["SECRET_KEY"] = "another-key-another-key-another-key-0000"
    assert password_reset.user_for_token(token) is None
    forged = re.search(r"/auth/reset/(\S+)", mail.render_body(message)).group(1)
    app.config["SECRET_KEY"] = TestingConfig.SECRET_KEY
    assert password_reset.user_for_token(forged) is None, "signed with another key, the stored data opens nothing"


def test_the_migration_removes_links_stored_before_it(app, db):
    directory = str(BASE_DIR / "migrations")
    db.session.commit()
    downgrade(directory=directory, revision="0006")
    messages = sa.table("email_messages", sa.column("to"), sa.column("subject"), sa.column("body"), sa.column("kind"),
                        sa.column("created_at"), sa.column("status"), sa.column("attempts"), sa.column("last_error"),
                        sa.column("meta"))
    common = {"subject": "s", "created_at": utcnow(), "attempts": 0, "last_error": "", "meta": "{}"}
    with db.engine.begin() as connection:
        connection.execute(messages.insert(), [
            {**common, "to": "a@example.com", "kind": "password-reset", "status": "sent",
             "body": "Choose a new password:\nhttp://localhost/auth/reset/eyJ1IjoxfQ.Zz.abc\n\nIgnore it otherwise."},
            {**common, "to": "b@example.com", "kind": "invitation", "status": "queued",
             "body": "Accept it:\nhttps://training.example.org/invite/SECRETTOKEN123\n\nThanks."},
            {**common, "to": "c@example.com", "kind": "reminder-due-7", "status": "queued", "body": "See http://localhost/"},
        ])
    upgrade(directory=directory)
    rows = {m.to: m for m in db.session.scalars(select(EmailMessage))}
    assert rows["a@example.com"].body == f"Choose a new password:\n{mail.LINK_PLACEHOLDER}\n\nIgnore it otherwise."
    assert "SECRETTOKEN123" not in rows["b@example.com"].body and rows["b@example.com"].status == "failed"
    assert "send the invitation again" in rows["b@example.com"].last_error
    assert rows["c@example.com"].body == "See http://localhost/" and rows["c@example.com"].status == "queued"
    assert all(m.next_attempt_at == m.created_at for m in rows.values())


# Issue 12 item 12 (CSV): a file that cannot be read as CSV gets a clear 4xx and changes nothing.

@pytest.mark.parametrize("content, message", [
    (b"name,email,job_role,hire_date\rAnn Able,ann@example.com,coder,\rBen Bold,ben@example.com,biller,\r",
     "Line 1 has a line break made of a carriage return alone"),
    (("name,email,job_role,hire_date\nAnn Able,ann@example.com,coder,\nBen Bold,ben@example.com," + "x" * 131_073 + ",\n").encode(),
     "Line 3 holds a value longer than 131,072 characters"),
    (b"name,email,job_role,hire_date\nAnn Able,ann@example.com,coder,\nBen\x00Bold,ben@example.com,biller,\n",
     "Line 3 holds a NUL character, so this is not a CSV text file."),
], ids=["cr-only", "huge-field", "nul"])
def test_a_csv_that_cannot_be_read_gets_a_clear_message_and_changes_nothing(client, db, login_as, content, message):
    manager = login_as("employer")
    make_organisation(manager)
    db.session.commit()
    response = upload(client, content)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page and "Nothing was imported." in page
    assert count(Invitation) == 0 and count(EmailMessage) == 0


# Issue 13 item 7: links that point at the running site; e-mail printed to the console in development.

def test_in_development_links_follow_host_and_port_and_e_mail_is_printed_to_the_console(database, monkeypatch, capsys):
    for name in ("BASE_URL", "HOST", "FLASK_RUN_HOST", "FLASK_RUN_PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PORT", "5101")  # make run PORT=5101
    development = type("Dev", (DevelopmentConfig,), {"SQLALCHEMY_DATABASE_URI": config_for(database).SQLALCHEMY_DATABASE_URI,
                                                     "SECRET_KEY": "d" * 40})
    app = create_app(development)
    app.test_client_class = CSRFClient
    assert app.config["BASE_URL"] == "http://127.0.0.1:5101" and app.config["MAIL_BACKEND"] == "console"
    with app.app_context():
        user = make_user(email="forgetful@example.com")
        db.session.commit()
        password_reset.request_reset(user.email)
        db.session.commit()
        assert mail.deliver_pending() == {"sent": 1, "retry": 0, "failed": 0}
        assert mail.site_url("employer.verify", code="abc") == "http://127.0.0.1:5101/verify/abc"  # the certificate's QR code
        db.session.remove()
        db.engine.dispose()
    printed = capsys.readouterr().out
    assert "To: forgetful@example.com" in printed and "Subject: Reset your Billing & Coding Academy password" in printed
    assert re.search(r"http://127\.0\.0\.1:5101/auth/reset/\S+", printed)


def test_development_base_url_is_where_the_server_listens(monkeypatch):
    for name in ("HOST", "PORT", "FLASK_RUN_HOST", "FLASK_RUN_PORT"):
        monkeypatch.delenv(name, raising=False)
    assert development_base_url() == "http://127.0.0.1:5000"
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "8080")
    assert development_base_url() == "http://127.0.0.1:8080"
    monkeypatch.setenv("HOST", "::1")
    assert development_base_url() == "http://[::1]:8080"


@pytest.mark.parametrize("base_url", ["", "training.example.org"])
def test_production_refuses_to_start_without_base_url(database, base_url):
    production = type("Prod", (ProductionConfig,), {"SECRET_KEY": "x" * 40, "AUDIT_KEY": "y" * 40, "BASE_URL": base_url,
                                                    "SQLALCHEMY_DATABASE_URI": config_for(database).SQLALCHEMY_DATABASE_URI})
    with pytest.raises(RuntimeError, match="BASE_URL must be set in production"):
        create_app(production)
