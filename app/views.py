"""Helpers shared by the views of several blueprints."""

from app import unit_of_work
from app.services import mail


def send_mail_after_commit() -> None:
    """Deliver the e-mails this request queued once its write is committed (a failure stays queued for a retry)."""
    unit_of_work.after_commit(mail.deliver_pending)
