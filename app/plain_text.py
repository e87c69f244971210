"""Rules for one-line text, shared by forms, CSV uploads and e-mail headers.

A name, a title or an e-mail subject is one line. Control characters (CR, LF, tab, NUL, the C1 range) and
the Unicode line and paragraph separators have no place in it: forms and CSV rows refuse them, and text
that reached the database before that rule is flattened to one line before it is put in a header.
"""

import unicodedata

SINGLE_LINE_MESSAGE = "Use one line of text, without line breaks, tabs or other control characters."
ELLIPSIS = "…"


def _breaks_the_line(character: str) -> bool:
    return unicodedata.category(character) in ("Cc", "Zl", "Zp")


def has_control_characters(text: str) -> bool:
    """Whether the text has a character a one-line field must not hold."""
    return any(_breaks_the_line(character) for character in text)


def single_line(text: str) -> str:
    """The text on one line: every control character or line break becomes a space, runs of spaces one space."""
    flat = "".join(" " if _breaks_the_line(character) else character for character in text)
    return " ".join(flat.split())


def shorten(text: str, limit: int) -> str:
    """The text cut to at most `limit` characters, ending in an ellipsis when it was cut."""
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return text[:max(limit, 0)]
    return text[:limit - len(ELLIPSIS)].rstrip() + ELLIPSIS
