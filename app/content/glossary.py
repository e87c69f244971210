"""Glossary links: the first use of each term in a lesson links to its glossary entry."""

import re
from dataclasses import dataclass
from html import escape

TAG = re.compile(r"(<[^>]+>)")
NO_LINK_INSIDE = {"a", "h1", "h2", "h3", "h4", "code", "pre"}


@dataclass(frozen=True)
class TermLink:
    """A name to look for (a term or an alias) and the glossary anchor it links to."""

    name: str
    slug: str


def term_slug(term: str) -> str:
    """The anchor of a term in the glossary: lowercase words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", term.casefold()).strip("-")


def link_first_uses(html: str, links: list[TermLink]) -> str:
    """Wrap the first use of each term in a link, outside headings, code and existing links."""
    pending = {link.slug: [] for link in links}
    for link in sorted(links, key=lambda item: -len(item.name)):
        pending[link.slug].append(re.compile(rf"(?<![\w-])({re.escape(link.name)})(?![\w-])", re.IGNORECASE))
    open_tags: list[str] = []
    out = []
    for piece in TAG.split(html):
        if piece.startswith("<"):
            name = re.match(r"</?([a-zA-Z0-9]+)", piece)
            if name and name.group(1).lower() in NO_LINK_INSIDE:
                if piece.startswith("</"):
                    open_tags and open_tags.pop()
                else:
                    open_tags.append(name.group(1).lower())
            out.append(piece)
            continue
        if not open_tags:
            piece = _link_text(piece, pending)
        out.append(piece)
    return "".join(out)


def _link_text(text: str, pending: dict[str, list[re.Pattern]]) -> str:
    """Link, in this piece of text, the first use of every term not linked yet (uses never overlap)."""
    spans: list[tuple[int, int, str]] = []
    for slug in list(pending):
        for pattern in pending[slug]:
            found = next((m for m in pattern.finditer(text)
                          if all(m.end() <= start or m.start() >= end for start, end, _ in spans)), None)
            if found:
                spans.append((found.start(), found.end(), slug))
                del pending[slug]
                break
    out, last = [], 0
    for start, end, slug in sorted(spans):
        out += [text[last:start], f'<a href="/glossary#{escape(slug)}" class="term">', text[start:end], "</a>"]
        last = end
    return "".join(out) + text[last:]
