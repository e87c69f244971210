"""E-mail through an outbox: messages are queued with the request's data and delivered after its commit.

A message whose delivery fails stays in the outbox with its error and is tried again by
`flask --app app mail send` (also run by the daily reminders command) until MAIL_MAX_ATTEMPTS.
"""

import smtplib
from email.message import EmailMessage as MimeMessage

from flask import current_app, url_for
from sqlalchemy import select

from app import unit_of_work
from app.extensions import db
from app.models import EmailMessage
from app.models.base import utcnow


def queue(to: str, subject: str, body: str, kind: str = "", **meta) -> EmailMessage:
    """Put a message in the outbox (flushed with the request; nothing is sent before the commit)."""
    unit_of_work.write()
    message = EmailMessage(to=to, subject=subject, body=body, kind=kind, meta=meta)
    db.session.add(message)
    return message


def _smtp_send(message) -> None:
    config = current_app.config
    mime = MimeMessage()
    mime["From"], mime["To"], mime["Subject"] = config["MAIL_SENDER"], message.to, message.subject
    mime.set_content(message.body)
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(mime)


def deliver_pending(limit: int = 200) -> dict[str, int]:
    """Try every queued message (oldest first), committing each outcome; returns counts by outcome."""
    config = current_app.config
    # Plain rows, and the read ended: no transaction (on SQLite, no lock) stays open while talking to the server.
    pending = db.session.execute(
        select(EmailMessage.id, EmailMessage.to, EmailMessage.subject, EmailMessage.body)
        .where(EmailMessage.status == "queued").order_by(EmailMessage.id).limit(limit)).all()
    unit_of_work.end_read()
    counts = {"sent": 0, "failed": 0, "retry": 0}
    for message in pending:
        error = None
        try:
            if config["MAIL_BACKEND"] == "console":
                current_app.logger.info("E-mail to %s: %s\n%s", message.to, message.subject, message.body)
            else:
                _smtp_send(message)
        except (OSError, smtplib.SMTPException) as problem:
            error = f"{type(problem).__name__}: {problem}"[:500]
        with unit_of_work.transaction():  # each outcome is its own short write
            counts[_record(db.session.get(EmailMessage, message.id), error, config["MAIL_MAX_ATTEMPTS"])] += 1
    return counts


def _record(message: EmailMessage, error: str | None, max_attempts: int) -> str:
    message.attempts += 1
    if error is None:
        message.status, message.sent_at, message.last_error = "sent", utcnow(), ""
        return "sent"
    message.last_error = error
    gave_up = message.attempts >= max_attempts
    message.status = "failed" if gave_up else "queued"
    current_app.logger.warning("E-mail %s to %s not sent (attempt %s): %s", message.id, message.to,
                               message.attempts, message.last_error)
    return "failed" if gave_up else "retry"


def site_url(endpoint: str, **values) -> str:
    """A full link to a page, for e-mails and PDFs, built on BASE_URL (works outside requests, e.g. in cron)."""
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return url_for(endpoint, _external=True, **values)
