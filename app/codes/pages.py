"""What the code browser shows the same to everyone until another release is loaded: search results and code pages,
made once per release and kept by each worker (a few hundred of each; never changed once made)."""

from dataclasses import dataclass

from flask import render_template
from markupsafe import Markup

from app.codeset import browse
from app.codeset.search import Results, search
from app.extensions import db
from app.kept import Kept
from app.models import CodeRelease, IcdCode

_results = Kept(256)
# A code page's body: at most 128 of up to 16,000 characters, so a worker keeps no more than about 4 MB of them.
_entries = Kept(128)
KEPT_LENGTH = 16_000


@dataclass(frozen=True)
class EntryPage:
    """A code page's title and drawn body."""

    title: str
    body: Markup


def _release_key(release: CodeRelease | None) -> tuple | None:
    """What the code set in force is known by: its database, release and load time (None: no code set loaded)."""
    return (str(db.engine.url), release.id, release.loaded_at) if release else None


def found(release: CodeRelease | None, query: str, page: int, prefix: bool = False) -> Results:
    """The search's results, kept per release."""
    key = _release_key(release)
    if key is None:
        return search(query, page, prefix)
    return _results.get_or((*key, query, page, prefix), lambda: search(query, page, prefix))


def kept_entry(release: CodeRelease | None, code: str) -> EntryPage | None:
    """The page of `code` (as written in the address) kept for this release, if it was drawn before."""
    key = _release_key(release)
    return _entries.get((*key, code)) if key else None


def entry(release: CodeRelease | None, found_entry: IcdCode) -> EntryPage:
    """Draw the page of an entry and keep it for this release (unless it is too long to keep)."""
    page = EntryPage(f"{found_entry.code} {found_entry.title}", Markup(render_template(  # nosec B704 - an autoescaped template
        "codes/_entry_body.html", page=browse.page(found_entry))))
    key = _release_key(release)
    if key and len(page.body) <= KEPT_LENGTH:
        _entries.put((*key, found_entry.code), page)
    return page
