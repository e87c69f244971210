"""Redirect targets that cannot leave the site."""

from urllib.parse import unquote, urlsplit


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
