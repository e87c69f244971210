"""Error pages: a plain message, the right status code, nothing internal."""

from flask import Flask, g, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.unit_of_work import discard

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Go back, reload the page and try again."),
    403: ("Not allowed", "Your account does not have access to this page."),
    404: ("Page not found", "There is no page at this address."),
    405: ("Not allowed", "This page cannot be used that way."),
    413: ("Too large", "What you sent is larger than this site accepts."),
    429: ("Too many requests", "Too many requests came from your network in a short time. Wait a minute, then try again."),
    500: ("Something went wrong", "An unexpected error stopped this page. Nothing you submitted was half-saved; please try again."),
}


def page(code: int, message: str | None = None):
    discard()  # an error page never commits what the request had begun to write
    title, text = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    return render_template("errors/error.html", code=code, title=title, text=message or text,
                           error_id=g.get("request_id", "")), code


def register_error_handlers(app: Flask) -> None:
    """Install the handlers on the app."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        """A form without a valid security token (often an expired page)."""
        return page(400, "This form has expired or was not sent from this site. Reload the page and try again.")

    @app.errorhandler(HTTPException)
    def http_error(error):
        """Any HTTP error as a plain page."""
        return page(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected_error(error):
        """An unhandled error: roll back (in _page), log it, show a plain page."""
        app.logger.exception("Unhandled error, error id %s", g.get("request_id", ""))
        return page(500)
