"""Helpers shared by the views of several blueprints."""

from app.extensions import db


def commit_and_send() -> None:
    """Commit the request with the e-mails it queued; the background sender delivers them (app.services.mail_sender).

    Nothing is sent here: no request waits for the mail server.
    """
    db.session.commit()
