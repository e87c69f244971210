"""Parse Moodle GIFT text into plain question records (pure: no Flask, no database).

Follows Moodle's own reader (question/format/gift/format.php): questions are separated by blank lines,
lines starting with // are comments, and one {...} answer section per question decides its kind.
gift_convert.py turns the records into our quiz YAML.
"""

import re
from dataclasses import dataclass, field

from app.content.gift_text import html_text, markdown_text

# Each escape becomes a private-use character plus a filler, so the text keeps its length and every
# offset still maps to its line in the file; decode() removes the filler at the end.
_ESCAPABLE = "\\:#={}~n"
_CODE = {char: chr(0xE000 + index) for index, char in enumerate(_ESCAPABLE)}
_FILL = "\ue0ff"
_DECODE = str.maketrans({code: ("\n" if char == "n" else char) for char, code in _CODE.items()} | {_FILL: None})
_ESCAPE = re.compile(r"\\([\\:#={}~n])")
_FORMAT = re.compile(r"^\s*\[(html|moodle|markdown|plain)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d*)?)%")
_CATEGORY = re.compile(r"\s*\$CATEGORY:(.*)")
TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


@dataclass
class Issue:
    """A construct that could not be converted (skipped=True drops the whole question), at a line of the file."""

    line: int
    message: str
    skipped: bool = False


@dataclass
class Answer:
    """One answer: its mark (= or ~, '' for none), weight in percent if given, feedback; a matching pair's right side."""

    text: str
    line: int
    mark: str = ""
    weight: float | None = None
    feedback: str = ""
    match: str = ""


@dataclass
class GiftQuestion:
    """One GIFT question as Moodle would read it; kind is Moodle's question type name."""

    line: int
    kind: str
    title: str = ""
    prompt: str = ""
    answers: list[Answer] = field(default_factory=list)
    general_feedback: str = ""
    truth: bool | None = None
    extra_feedback: list[str] = field(default_factory=list)  # true/false [wrong, right] and numeric ~wrong feedback
    notes: list[Issue] = field(default_factory=list)


@dataclass
class GiftFile:
    """Everything read from a GIFT file."""

    questions: list[GiftQuestion] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def decode(text: str) -> str:
    """Text with the escape placeholders turned back into the characters they stand for."""
    return text.translate(_DECODE)


class _Reader:
    """Cleans the texts of one question: format prefix, HTML, whitespace, escapes."""

    def __init__(self, question: GiftQuestion) -> None:
        self.question = question
        self.format = "moodle"

    def text(self, raw: str, line: int, inherit: bool = True) -> str:
        """Clean text; answers and feedback take the prompt's format unless they name their own."""
        match = _FORMAT.match(raw)
        fmt = match.group(1).lower() if match else (self.format if inherit else "moodle")
        raw = raw[match.end():] if match else raw
        if fmt in ("html", "markdown"):
            converted = html_text(raw) if fmt == "html" else markdown_text(raw)
            raw = converted.text
            self.question.notes += [Issue(line, f"not kept: {lost}") for lost in converted.lost]
        # The site shows prompts as plain text, so line breaks in the file are just spaces; \n stays a line break.
        return decode(re.sub(r"\s+", " ", raw).strip())


def _split(body: str, base: int, marks: str) -> list[tuple[str, int, str]]:
    """Split before each mark character: (piece without its mark, offset of the piece, mark or '')."""
    pieces, start, mark = [], 0, ""
    for index, char in enumerate(body):
        if char in marks:
            pieces.append((body[start:index], base + start, mark))
            start, mark = index + 1, char
    pieces.append((body[start:], base + start, mark))
    # Moodle drops an empty first piece: the text before the first mark.
    if pieces and not pieces[0][0].strip() and not pieces[0][2]:
        pieces.pop(0)
    return pieces


def _answer(reader: _Reader, piece: str, offset: int, mark: str, line_at) -> Answer:
    """An answer from its piece of the {...} section: optional %weight%, text, optional #feedback."""
    stripped = piece.lstrip()
    line = line_at(offset + len(piece) - len(stripped))
    weight = None
    match = _WEIGHT.match(stripped)
    if match:
        weight, stripped = float(match.group(1)), stripped[match.end():]
    text, _, comment = stripped.partition("#")
    return Answer(reader.text(text, line), line, mark, weight, reader.text(comment, line))


def _kind(body: str) -> str:
    """Moodle's question type for an answer section, decided in Moodle's order."""
    stripped = body.strip()
    if not stripped:
        return "essay"
    if stripped.startswith("#"):
        return "numerical"
    if "~" in stripped:
        return "multichoice"
    if "=" in stripped and "->" in stripped:
        return "match"
    return "truefalse" if stripped.partition("#")[0].strip() in TRUE_FALSE else "shortanswer"


def _answers(question: GiftQuestion, reader: _Reader, body: str, base: int, line_at) -> Issue | None:
    """Fill in the question's answers from its {...} section; an Issue when the section cannot be read."""
    if question.kind == "multichoice":
        question.answers = [_answer(reader, p, o, m, line_at) for p, o, m in _split(body, base, "~=")]
    elif question.kind == "shortanswer":
        question.answers = [_answer(reader, p, o, m, line_at) for p, o, m in _split(body, base, "=")]
    elif question.kind == "numerical":
        start = body.index("#") + 1
        numbers, tilde, wrong = body[start:].partition("~")
        question.answers = [_answer(reader, p, o, m, line_at) for p, o, m in _split(numbers, base + start, "=")]
        if tilde and wrong.strip():
            question.extra_feedback.append(reader.text(wrong.lstrip().lstrip("#"), question.line))
    elif question.kind == "truefalse":
        value, *feedback = body.split("#")
        question.truth = TRUE_FALSE[value.strip()]
        # Positional, as in Moodle: the first #feedback is for a wrong answer, the second for the right one.
        question.extra_feedback = [reader.text(f, question.line) for f in feedback[:2]]
    elif question.kind == "match":
        for piece, offset, mark in _split(body, base, "="):
            left, arrow, right = piece.partition("->")
            line = line_at(offset + len(piece) - len(piece.lstrip()))
            if not arrow:
                return Issue(line, f"skipped matching question: {decode(piece).strip()!r} has no '->' (write: =left -> right)", True)
            question.answers.append(Answer(reader.text(left, line), line, mark, match=reader.text(right, line)))
    return None


def _braces(text: str, pos: int, line_at) -> tuple[int, int] | Issue | None:
    """The offsets of the one {...} section, None for none, or an Issue when the braces do not pair up."""
    opens = [index for index in range(pos, len(text)) if text[index] == "{"]
    closes = [index for index in range(pos, len(text)) if text[index] == "}"]
    if not opens and not closes:
        return None
    line = line_at(pos)
    if len(opens) != len(closes) or any(o > c for o, c in zip(opens, closes, strict=True)) or any(
        c > o for c, o in zip(closes, opens[1:], strict=False)
    ):
        return Issue(line, f"skipped question: braces do not pair up ({len(opens)} '{{', {len(closes)} '}}'); "
                           "write a literal brace as \\{ or \\}", True)
    if len(opens) > 1:
        return Issue(line, f"skipped question: {len(opens)} {{...}} answer sections; a GIFT question has one", True)
    return opens[0], closes[0]


def _question(text: str, pos: int, line_at) -> GiftQuestion | Issue:
    """One question from the block text starting at offset pos (escapes already replaced)."""
    pos += len(text[pos:]) - len(text[pos:].lstrip())
    line = line_at(pos)
    title = ""
    if text.startswith("::", pos):
        end = text.find("::", pos + 2)
        if end == -1:
            return Issue(line, "skipped question: its ::title:: is not closed", True)
        title, pos = decode(text[pos + 2:end]).strip(), end + 2
    section = _braces(text, pos, line_at)
    if isinstance(section, Issue):
        return section
    if section is None:
        return GiftQuestion(line, "description", title, decode(text[pos:]).strip())
    start, end = section
    body, after = text[start + 1:end], text[end + 1:]
    # Text after the answers makes a missing-word question: the answers stand in the blank.
    prompt = text[pos:start] + ("_____" + after if after.strip() else "")
    general = ""
    if "####" in body:
        cut = body.rindex("####")
        body, general = body[:cut], body[cut + 4:]
    question = GiftQuestion(line, _kind(body), title)
    reader = _Reader(question)
    format_match = _FORMAT.match(prompt)
    reader.format = format_match.group(1).lower() if format_match else "moodle"
    question.prompt = reader.text(prompt, line)
    question.general_feedback = reader.text(general, line)
    problem = _answers(question, reader, body, start + 1, line_at)
    return problem or question


def _blocks(text: str):
    """Yield (first line number, lines) per blank-line separated block, with comment lines blanked."""
    block: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            if block:
                yield start, block
            block = []
            continue
        if not block:
            start = number
        # Blanked, not removed, so the lines after a comment keep their numbers.
        block.append("" if line.strip().startswith("//") else line)
    if block:
        yield start, block


def parse_gift(source: str) -> GiftFile:
    """Read GIFT text into questions, the $CATEGORY paths met, and the blocks that could not be read."""
    result = GiftFile()
    for start, lines in _blocks(source.replace("\r\n", "\n").replace("\r", "\n")):
        text = _ESCAPE.sub(lambda match: _CODE[match.group(1)] + _FILL, "\n".join(lines))

        def line_at(offset: int, start: int = start, text: str = text) -> int:
            return start + text.count("\n", 0, offset)

        pos = 0
        category = _CATEGORY.match(text)
        if category:
            result.categories.append(decode(category.group(1)).strip())
            pos = category.end()
        if not text[pos:].strip():
            continue
        item = _question(text, pos, line_at)
        if isinstance(item, Issue):
            result.issues.append(item)
        else:
            result.questions.append(item)
    return result
