"""Security headers added to every response."""

import uuid

from flask import Response, current_app, g, session

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'; img-src 'self' data:"
)


def assign_request_id() -> None:
    """Give each request an id, echoed in the response and written on its audit events and logs."""
    g.request_id = uuid.uuid4().hex


def add_security_headers(response: Response) -> Response:
    """CSP without inline script, no framing, no sniffing, a strict referrer; no caching of personal pages."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    # The session's user id, not current_user: the request's transaction has ended, and reading the account
    # again would cost a query on every page.
    if "_user_id" in session:
        headers["Cache-Control"] = "no-store"
    if "request_id" in g:
        headers["X-Request-ID"] = g.request_id
    return response
