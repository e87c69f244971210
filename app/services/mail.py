"""E-mail through an outbox: a request only queues messages; a sender outside any request delivers them.

The senders are the background thread each app process starts when it serves its first request
(app.services.mail_sender), `flask --app app mail send` (for cron) and the daily reminders command. Each
claims one message at a time before sending it (app.services.outbox), so two senders never send a message
twice, and records the outcome at once:

- sent;
- retry: the server could not be reached or answered "try later" (4xx); tried again after a growing delay,
  until MAIL_MAX_ATTEMPTS;
- failed: the message itself cannot be sent (a recipient that is not one address, a 5xx refusal of the
  recipient or the content, a link that cannot be made); kept with its reason and never tried again.

Whatever happens to one message, the sender goes on with the next: no message blocks the queue.

Headers are built from text flattened to one line whatever it holds, so a name or title with CR/LF cannot
add a header. Personal links (password reset, invitation) are never stored: the caller passes a
SecretLink, the stored body holds a placeholder in its place, and the link is made again when the message
is sent, from data that is useless without the app's SECRET_KEY.
"""

import smtplib
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage as MimeMessage
from email.utils import formatdate, getaddresses, parseaddr

from flask import current_app, url_for

from app import unit_of_work
from app.extensions import db
from app.models import EmailMessage
from app.models.base import utcnow
from app.plain_text import has_control_characters, shorten, single_line
from app.services import outbox

SUBJECT_MAX = EmailMessage.__table__.c.subject.type.length
KIND_MAX = EmailMessage.__table__.c.kind.type.length
ERROR_MAX = 500
LINK_PLACEHOLDER = "[personal link: made when the e-mail is sent, never stored]"
FIRST_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=1)


class MessageError(Exception):
    """This message cannot be sent as it is; sending it again would fail the same way."""


class _Unreachable(Exception):
    """The mail server could not be reached (or refused the connection, TLS or login)."""


@dataclass(frozen=True)
class SecretLink:
    """A link that must never rest readable: `kind` names the maker (see link_maker), `data` what it needs.

    `data` is stored with the message, so it must be useless without SECRET_KEY (an id and a hash, a nonce
    the maker signs), never the token itself.
    """

    kind: str
    data: dict = field(default_factory=dict)


_LINK_MAKERS: dict[str, Callable[[dict], str]] = {}


def link_maker(kind: str):
    """Register the function that makes the link of a SecretLink of this kind when the message is sent."""

    def register(make: Callable[[dict], str]) -> Callable[[dict], str]:
        _LINK_MAKERS[kind] = make
        return make

    return register


def fitted(template: str, limit: int = SUBJECT_MAX, **values) -> str:
    """`template` filled in with the values flattened to one line, the longest cut so the whole fits `limit`.

    Subjects are built with it, so a long organisation name or training title can never overflow the
    column or push the fixed words out of the subject.
    """
    clean = {key: single_line(str(value)) for key, value in values.items()}
    text = single_line(template.format(**clean))
    if len(text) > limit and clean:
        longest = max(clean, key=lambda key: len(clean[key]))
        clean[longest] = shorten(clean[longest], max(len(clean[longest]) - (len(text) - limit), 1))
        text = single_line(template.format(**clean))
    return shorten(text, limit)


def queue(to: str, subject: str, body: str | Sequence[str | SecretLink], kind: str = "", **meta) -> EmailMessage:
    """Put a message in the outbox; it is sent after the commit, by a sender outside the request.

    `body` is the text, or a sequence of text parts and at most one SecretLink, which is stored as a
    placeholder and made again at send time.
    """
    unit_of_work.write()
    parts = [body] if isinstance(body, str) else list(body)
    links = [part for part in parts if isinstance(part, SecretLink)]
    if len(links) > 1:
        raise ValueError("A message holds at most one personal link.")
    text = ""
    for part in parts:
        if isinstance(part, SecretLink):
            meta["link"] = {"kind": part.kind, "data": part.data, "at": len(text)}
            text += LINK_PLACEHOLDER
        else:
            text += part
    message = EmailMessage(to=to, subject=shorten(single_line(subject), SUBJECT_MAX), body=text, kind=kind[:KIND_MAX],
                           meta=meta, next_attempt_at=utcnow())
    db.session.add(message)
    db.session.info["mail_queued"] = True  # tells the after-commit hook to wake the background sender
    return message


def render_body(message: EmailMessage) -> str:
    """The body as it is sent: the stored text with its personal link, if any, made now."""
    link = (message.meta or {}).get("link")
    if not link:
        return message.body
    at = link.get("at")
    if not isinstance(at, int) or message.body[at:at + len(LINK_PLACEHOLDER)] != LINK_PLACEHOLDER:
        raise MessageError("The place of the message's link was lost; the message cannot be completed.")
    make = _LINK_MAKERS.get(link.get("kind"))
    if make is None:
        raise MessageError(f"No link maker for links of kind {link.get('kind')!r}.")
    return message.body[:at] + make(link.get("data") or {}) + message.body[at + len(LINK_PLACEHOLDER):]


def _sender_domain(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "academy.invalid"


def compose(message: EmailMessage) -> MimeMessage:
    """The message as MIME; every header is one line whatever the stored text holds. Raises MessageError."""
    to = message.to.strip()
    addresses = getaddresses([to])
    if has_control_characters(to) or len(addresses) != 1 or addresses[0][1] != to or "@" not in to:
        raise MessageError("The recipient is not a single e-mail address.")
    sender = current_app.config["MAIL_SENDER"]
    mime = MimeMessage()
    mime["From"] = single_line(sender)
    mime["To"] = to
    mime["Subject"] = single_line(message.subject) or "(no subject)"
    mime["Date"] = formatdate(usegmt=True)
    # The same id on every attempt: a receiver can tell a message sent again after a crash.
    mime["Message-ID"] = f"<outbox-{message.id}.{message.created_at:%Y%m%d%H%M%S}@{_sender_domain(sender)}>"
    mime.set_content(render_body(message))
    return mime


class _Smtp:
    """One connection to the mail server for a run of messages, opened when first needed and after it breaks."""

    def __init__(self, config) -> None:
        self.config = config
        self.client: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        config, context = self.config, ssl.create_default_context()
        timeout = config.get("MAIL_TIMEOUT", 10)
        try:
            if config["MAIL_USE_SSL"]:
                client = smtplib.SMTP_SSL(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout, context=context)
            else:
                client = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
            try:
                if config["MAIL_USE_TLS"]:
                    client.starttls(context=context)
                if config["MAIL_USERNAME"]:
                    client.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            except BaseException:
                client.close()
                raise
        except (OSError, smtplib.SMTPException) as error:
            raise _Unreachable(f"{type(error).__name__}: {error}") from error
        return client

    def send(self, mime: MimeMessage, to: str) -> None:
        if self.client is None:
            self.client = self._connect()
        try:
            self.client.send_message(mime, to_addrs=[to])
        except smtplib.SMTPResponseException:
            raise  # the server answered (and smtplib reset the transaction): the connection is still good
        except smtplib.SMTPRecipientsRefused:
            raise
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.quit()
            except (OSError, smtplib.SMTPException):
                self.client.close()
            self.client = None


def _refusal_is_final(error: Exception) -> bool:
    """Whether the server refused this message for good (5xx about its recipient or content)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, (smtplib.SMTPDataError, smtplib.SMTPNotSupportedError)):
        return getattr(error, "smtp_code", 500) >= 500
    return False


def _print(message: EmailMessage, mime: MimeMessage) -> None:
    """The console backend (development): the whole message, personal link included, on standard output."""
    print(f"----- e-mail {message.id} -----\nTo: {mime['To']}\nSubject: {mime['Subject']}\n\n"
          f"{mime.get_content()}----- end of e-mail {message.id} -----", flush=True)


def _deliver(message: EmailMessage, smtp: _Smtp | None) -> tuple[str, bool]:
    """Send one claimed message and record the outcome; returns it, and whether the server is unreachable."""
    config, now = current_app.config, utcnow()
    attempts = message.attempts + 1
    outcome, unreachable, reason = "sent", False, ""
    try:
        mime = compose(message)
        unit_of_work.end_read()  # reading the claimed row began a transaction: none stays open while the server talks
        if smtp is None:
            _print(message, mime)
        else:
            smtp.send(mime, message.to.strip())
    except _Unreachable as error:
        outcome, unreachable, reason = "retry", True, str(error)
    except (OSError, smtplib.SMTPException) as error:
        outcome = "failed" if _refusal_is_final(error) else "retry"
        reason = f"{type(error).__name__}: {error}"
    except MessageError as error:
        outcome, reason = "failed", str(error)
    except Exception as error:  # anything else about this one message must not stop the others
        current_app.logger.exception("E-mail %s could not be composed or sent", message.id)
        outcome, reason = "failed", f"{type(error).__name__}: {error}"
    if outcome == "retry" and attempts >= config["MAIL_MAX_ATTEMPTS"]:
        outcome, reason = "failed", f"Gave up after {attempts} attempts. {reason}"
    with unit_of_work.transaction():  # the outcome is its own short write, after the talk with the server
        _record(message, outcome, reason, attempts, now)
    return outcome, unreachable


def _record(claimed: EmailMessage, outcome: str, reason: str, attempts: int, now) -> None:
    message = db.session.get(EmailMessage, claimed.id)
    message.attempts = attempts
    outbox.release(message)
    if outcome == "sent":
        message.status, message.sent_at, message.last_error = "sent", now, ""
    else:
        message.last_error = reason[:ERROR_MAX]
        if outcome == "failed":
            message.status = "failed"
        else:
            message.next_attempt_at = now + outbox.retry_delay(message.attempts, FIRST_DELAY, MAX_DELAY)
        current_app.logger.warning("E-mail %s %s (attempt %s): %s", message.id,
                                   "failed for good" if outcome == "failed" else "to be retried", message.attempts, reason)


def deliver_pending(due_only: bool = True) -> dict[str, int]:
    """Send every queued message now, oldest first, each claimed before it is sent; returns counts by outcome.

    `due_only=False` also takes messages still waiting out a retry delay. A server that cannot be reached
    ends the run (the rest wait for the next one instead of each timing out).
    """
    counts = {"sent": 0, "retry": 0, "failed": 0}
    smtp = None if current_app.config["MAIL_BACKEND"] == "console" else _Smtp(current_app.config)
    last_id = 0
    try:
        while True:
            claimed = outbox.claim(EmailMessage, 1, due_only=due_only, after_id=last_id)
            if not claimed:
                break
            message = claimed[0]
            last_id = message.id
            outcome, unreachable = _deliver(message, smtp)
            counts[outcome] += 1
            if unreachable:
                break
    finally:
        if smtp is not None:
            smtp.close()
    return counts


def site_url(endpoint: str, **values) -> str:
    """A full link to a page, for e-mails and PDFs, built on BASE_URL (works outside requests, e.g. in cron)."""
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return url_for(endpoint, _external=True, **values)
