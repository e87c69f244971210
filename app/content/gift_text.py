"""The text of a GIFT [html] or [markdown] field as the course shows it: plain text, links kept as "text (address)"."""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from markdown_it import MarkdownIt

# Moodle renders [markdown] fields; raw HTML inside them is allowed there too.
_markdown = MarkdownIt("commonmark", {"html": True})
MEDIA_TAGS = {"img", "video", "audio", "iframe", "object", "embed", "svg", "math"}
# Tags that start a new line or block: they separate words. Inline tags (<b>, <a>, <span>...) do not,
# so "<b>Environment</b>." stays "Environment.".
_BLOCK_TAGS = {"address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl", "dt", "figcaption", "figure",
               "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section",
               "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"}
_WEB_SCHEMES = {"http", "https", "mailto"}


@dataclass
class Converted:
    """Plain text, and what of the markup could not be kept (each a message for the author)."""

    text: str
    lost: list[str] = field(default_factory=list)


class _TextOnly(HTMLParser):
    """Keeps the text of an HTML fragment; script and style bodies are dropped, media and odd links remembered."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.lost: list[str] = []
        self._hidden = 0
        self._links: list[tuple[str, int]] = []  # (address, index of the link's first text part)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        """Note hidden, media and link tags; a block tag separates words."""
        if tag in ("script", "style"):
            self._hidden += 1
        elif tag in MEDIA_TAGS:
            self.lost.append(f"an HTML <{tag}> (only the text of [html] is imported)")
        elif tag == "a":
            self._links.append(((dict(attrs).get("href") or "").strip(), len(self.parts)))
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        """A self-closing tag (<br/>, <img/>) is a start tag with no body."""
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        """Leave a script or style body; write a link's address after its text; a block tag separates words."""
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1
        elif tag == "a" and self._links:
            self._close_link(*self._links.pop())
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        """Keep visible text."""
        if not self._hidden:
            self.parts.append(data)

    def _close_link(self, address: str, first: int) -> None:
        label = " ".join("".join(self.parts[first:]).split())
        if not address:
            return
        if urlsplit(address).scheme.lower() not in _WEB_SCHEMES:
            # A file inside Moodle (@@PLUGINFILE@@), a relative or a script address means nothing outside Moodle.
            self.lost.append(f"the link {address!r} on {label or 'an empty link'!r} (only web addresses are kept)")
        elif address.removeprefix("mailto:") != label:
            self.parts.append(f" ({address.removeprefix('mailto:')})")


def html_text(html: str) -> Converted:
    """The visible text of an HTML fragment, with each web link's address after its text."""
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    return Converted("".join(parser.parts), parser.lost)


def markdown_text(markdown: str) -> Converted:
    """The text of a Markdown field: emphasis marks removed, links as "text (address)"."""
    return html_text(_markdown.render(markdown))
