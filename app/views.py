"""Helpers shared by the views of several blueprints."""

from app.extensions import db
from app.services import mail


def commit_and_send() -> None:
    """Commit the request, then deliver the e-mails it queued (a failure stays queued for a retry)."""
    db.session.commit()
    mail.deliver_pending()
