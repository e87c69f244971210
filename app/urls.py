"""Where to send a person: redirect targets that cannot leave the site, and each role's home."""

from urllib.parse import unquote, urlsplit

from flask import url_for

from app.permissions import managed_organisation


def _stays_on_site(target: str) -> bool:
    if any(ord(ch) < 32 or ch == "\\" for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")


def safe_next(target: str | None, default: str) -> str:
    """`target` if it is a path on this site, otherwise `default`.

    The decoded form is checked too, so an encoded "//", "\\" or control character cannot slip through
    a server or proxy that decodes it.
    """
    if not target or len(target) > 2000:
        return default
    return target if _stays_on_site(target) and _stays_on_site(unquote(target)) else default


def home_for(user) -> str:
    """The page a signed-in person starts from: their role's main work (a learner's is the course)."""
    if user.role == "instructor":
        return url_for("teach.cohorts_page")
    if user.role == "admin":
        return url_for("admin.users")
    if user.role == "employer":
        return url_for("employer.dashboard" if managed_organisation(user) else "employer.setup")
    return url_for("learn.dashboard")
