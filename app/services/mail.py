"""E-mail through an outbox: messages are queued with the request's data and delivered after its commit.

A message whose delivery fails stays in the outbox with its error and is tried again by
`flask --app app mail send` (also run by the daily reminders command) until MAIL_MAX_ATTEMPTS.
"""

import smtplib
from email.message import EmailMessage as MimeMessage

from flask import current_app, url_for
from sqlalchemy import select

from app.extensions import db
from app.models import EmailMessage
from app.models.base import utcnow


def queue(to: str, subject: str, body: str, kind: str = "", **meta) -> EmailMessage:
    """Put a message in the outbox (flushed with the request; nothing is sent before the commit)."""
    message = EmailMessage(to=to, subject=subject, body=body, kind=kind, meta=meta)
    db.session.add(message)
    return message


def _smtp_send(message: EmailMessage) -> None:
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
    pending = db.session.scalars(
        select(EmailMessage).where(EmailMessage.status == "queued").order_by(EmailMessage.id).limit(limit)).all()
    db.session.commit()  # no lock is held while talking to the mail server
    counts = {"sent": 0, "failed": 0, "retry": 0}
    for message in pending:
        message.attempts += 1
        try:
            if config["MAIL_BACKEND"] == "console":
                current_app.logger.info("E-mail to %s: %s\n%s", message.to, message.subject, message.body)
            else:
                _smtp_send(message)
        except (OSError, smtplib.SMTPException) as error:
            message.last_error = f"{type(error).__name__}: {error}"[:500]
            gave_up = message.attempts >= config["MAIL_MAX_ATTEMPTS"]
            message.status = "failed" if gave_up else "queued"
            counts["failed" if gave_up else "retry"] += 1
            current_app.logger.warning("E-mail %s to %s not sent (attempt %s): %s", message.id, message.to,
                                       message.attempts, message.last_error)
        else:
            message.status, message.sent_at, message.last_error = "sent", utcnow(), ""
            counts["sent"] += 1
        db.session.commit()
    return counts


def site_url(endpoint: str, **values) -> str:
    """A full link to a page, for e-mails and PDFs, built on BASE_URL (works outside requests, e.g. in cron)."""
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return url_for(endpoint, _external=True, **values)
