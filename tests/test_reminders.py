"""The daily reminders run: every stored text fits its column, and one organisation's failure never stops the others."""

import logging
from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import EmailMessage, ReminderSent
from app.services import assignments, mail, reminders
from tests.factories import add_hire, make_organisation, make_user

TODAY = date(2026, 11, 27)
OVERDUE_DAY = TODAY + timedelta(days=8)
# 160 characters (the most an organisation name holds): the digest subject used to overflow String(200) on PostgreSQL.
LONG_NAME = ("Lakeside Regional Medical Billing, Coding and Revenue Cycle Services Cooperative of the Greater "
             "Northwestern Metropolitan Area Health Partners Network, Inc. Ltd")


def organisation_with_an_overdue_hire(name: str, title: str = "HIPAA essentials"):
    manager = make_user("employer")
    organisation = make_organisation(manager, name=name)
    hire = make_user()
    add_hire(organisation, hire, hire_date=date(2026, 11, 1))
    assignments.create(organisation, manager, title, ["confidentiality"], "everyone", None, "", TODAY + timedelta(days=7),
                       None, False, TODAY)
    return organisation, manager, hire


def run(app, day: date = OVERDUE_DAY):
    return app.test_cli_runner().invoke(args=["reminders", "send", "--today", day.isoformat()])


def test_a_long_organisation_name_fits_the_digest_subject_and_no_organisation_loses_its_reminders(app, smtp):
    assert len(LONG_NAME) == 160
    _long, long_manager, long_hire = organisation_with_an_overdue_hire(LONG_NAME)
    _small, small_manager, small_hire = organisation_with_an_overdue_hire("Small Clinic")
    db.session.commit()

    result = run(app)

    assert result.exit_code == 0, result.output
    limit = EmailMessage.__table__.c.subject.type.length
    for message in db.session.scalars(select(EmailMessage)):
        assert len(message.subject) <= limit and len(message.kind) <= EmailMessage.__table__.c.kind.type.length
    [digest] = smtp.to(long_manager.email)
    subject = " ".join(digest["Subject"].split())  # Python's header folding may double a space where it folds
    assert len(subject) <= limit
    assert subject.startswith(LONG_NAME[:100]) and subject.endswith("…: 1 overdue training item(s) on 05 December 2026")
    assert smtp.to(small_manager.email)[0]["Subject"] == "Small Clinic: 1 overdue training item(s) on 05 December 2026"
    assert smtp.to(long_hire.email) and smtp.to(small_hire.email)


def test_the_longest_training_title_fits_the_reminder_subject_and_stays_whole_in_the_body(app, smtp):
    title = "Annual HIPAA privacy, security and breach notification training for billing and coding staff " * 2
    title = title[:160].strip()
    _organisation, _manager, hire = organisation_with_an_overdue_hire("Clinic", title=title)
    db.session.commit()
    assert run(app, TODAY).exit_code == 0
    [reminder] = smtp.to(hire.email)
    assert len(reminder["Subject"]) <= 200 and reminder["Subject"].startswith("Reminder: “Annual HIPAA")
    assert reminder["Subject"].endswith("” is due on 04 December 2026")
    assert title in smtp.body(reminder)


def test_a_training_title_with_a_line_break_cannot_break_the_reminder_headers(app, smtp):
    _organisation, manager, hire = organisation_with_an_overdue_hire("Clinic", title="HIPAA\r\nBcc: evil@example.net")
    db.session.commit()
    result = run(app)
    assert result.exit_code == 0, result.output
    [reminder] = smtp.to(hire.email)
    assert reminder["Subject"] == "Overdue: “HIPAA Bcc: evil@example.net”" and reminder["Bcc"] is None
    assert sorted(smtp.recipients) == sorted([[hire.email], [manager.email]])


def test_an_organisation_whose_run_fails_is_logged_and_skipped_and_the_others_are_done(app, smtp, monkeypatch, caplog):
    broken, broken_manager, broken_hire = organisation_with_an_overdue_hire("Broken Clinic")
    _fine, fine_manager, fine_hire = organisation_with_an_overdue_hire("Fine Clinic")
    db.session.commit()
    real_digest = reminders._digest

    def failing_digest(organisation_id, overdue, today):
        if organisation_id == broken.id:
            raise RuntimeError("the digest broke")
        return real_digest(organisation_id, overdue, today)

    monkeypatch.setattr(reminders, "_digest", failing_digest)
    with caplog.at_level(logging.ERROR):
        result = run(app)

    assert result.exit_code == 1
    assert f"Skipped 1 organisation(s) that failed (ids {broken.id})" in result.output
    assert any(f"Reminders for organisation {broken.id} failed" in record.getMessage() and record.exc_info
               for record in caplog.records)
    assert smtp.to(fine_hire.email) and smtp.to(fine_manager.email)
    assert smtp.to(broken_hire.email) == [] and smtp.to(broken_manager.email) == []
    # Its part was rolled back whole, so the next run (once the fault is fixed) sends what it missed.
    keys = set(db.session.scalars(select(ReminderSent.key)))
    assert not any(key.startswith(f"digest:{broken.id}:") for key in keys)
    monkeypatch.setattr(reminders, "_digest", real_digest)
    again = run(app)
    assert again.exit_code == 0, again.output
    assert len(smtp.to(broken_hire.email)) == 1 and len(smtp.to(broken_manager.email)) == 1
    assert len(smtp.to(fine_hire.email)) == 1, "nothing goes twice"


def test_subjects_are_fitted_to_their_column_whatever_the_text():
    long = "x" * 500
    assert len(mail.fitted("{name}: 3 overdue on 05 December 2026", name=long)) == 200
    assert mail.fitted("{name}: 3 overdue on 05 December 2026", name=long).endswith("…: 3 overdue on 05 December 2026")
    assert mail.fitted("“{title}” is due", title="Line\r\nbreak") == "“Line break” is due"
