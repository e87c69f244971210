"""The background mail sender: one thread per app process, outside every request.

It starts with the first request the process serves (so `flask db upgrade` and other commands start none),
delivers what is due, then sleeps until a commit queues mail or MAIL_POLL_SECONDS pass (which is when
messages waiting out a retry delay are tried again). Every gunicorn worker has its own; they share the
queue in the database, and each message is claimed before it is sent (app.services.outbox), so a message
is sent once however many senders run, `flask --app app mail send` from cron included.
"""

import os
import threading

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db
from app.services import mail

EXTENSION = "mail_sender"


class MailSender:
    """The sender thread of one app in one process."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._pid: int | None = None
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self._stopping = False
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._pid == os.getpid() and self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread in this process unless it runs (a forked worker starts its own)."""
        if self.running:
            return
        if self._pid != os.getpid():  # a new process: nothing of the parent's thread or lock carries over
            self._lock, self._wake = threading.Lock(), threading.Event()
        with self._lock:
            if self.running:
                return
            self._stopping = False
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, daemon=True, name="mail-sender")
            self._thread.start()

    def wake(self) -> None:
        """Deliver now (after a commit that queued mail); does nothing where no sender runs, e.g. in a command."""
        if self.running:
            self._wake.set()

    def stop(self, timeout: float = 10) -> None:
        """Stop the thread after its current message (tests; a process that exits just ends it)."""
        thread = self._thread
        self._stopping = True
        self._wake.set()
        if thread is not None and thread.is_alive() and thread is not threading.current_thread():
            thread.join(timeout)

    def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            with self.app.app_context():
                try:
                    mail.deliver_pending()
                except Exception:  # the database or the server broke mid-run; what was not sent stays queued
                    self.app.logger.exception("Mail: background delivery failed")
                finally:
                    db.session.remove()
            self._wake.wait(self.app.config.get("MAIL_POLL_SECONDS", 30))


def _start_with_first_request() -> None:
    if current_app.config.get("MAIL_SEND_IN_BACKGROUND"):
        current_app.extensions[EXTENSION].start()


def _wake_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint (one row of a CSV upload): the mail is not committed until the transaction is
    if session.info.pop("mail_queued", False) and has_app_context():
        sender = current_app.extensions.get(EXTENSION)
        if sender is not None:
            sender.wake()


def _forget_after_rollback(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop("mail_queued", None)  # a rolled-back transaction queued nothing


def init_app(app: Flask) -> None:
    """Give the app its sender, started by the first request it serves, and woken by commits that queue mail."""
    app.extensions[EXTENSION] = MailSender(app)
    app.before_request(_start_with_first_request)
    for name, listener in (("after_commit", _wake_after_commit), ("after_rollback", _forget_after_rollback)):
        if not event.contains(db.session, name, listener):  # one session for every app the process makes
            event.listen(db.session, name, listener)
