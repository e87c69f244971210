"""Convert parsed GIFT questions into our quiz definitions and YAML (pure: no Flask, no database)."""

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from app.content.gift import GiftFile, GiftQuestion, Issue
from app.content.schema import SCHEMA_VERSION
from app.questions import REGISTRY
from app.questions.base import norm_text

DEFAULT_TITLE = "Imported quiz"
# Moodle's own path segments, never a useful title.
_NOT_TITLES = {"top", "$course$", "$cat$", "$module$", "$system$"}

# (fields for our type, notes on what was not kept, reason to skip the question or None)
Result = tuple[dict[str, Any], list[Issue], str | None]


@dataclass
class Conversion:
    """The converted question definitions, the GIFT line of each, and every construct not converted."""

    questions: list[dict[str, Any]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    def counts(self) -> Counter:
        """How many questions of each type were converted."""
        return Counter(question["type"] for question in self.questions)


def _percent(weight: float | None) -> str:
    return f"{weight:g}%"


def _choice(question: GiftQuestion) -> tuple[str, Result]:
    choices = [answer.text for answer in question.answers]
    rights = [answer for answer in question.answers if answer.mark == "="]
    if rights:  # Moodle: any = makes it a one-answer question
        if len(rights) > 1:
            return "single_choice", ({}, [], f"skipped multiple choice: {len(rights)} answers are marked =, but a single_choice "
                                             "question has one right answer (give several right answers ~%50% weights instead)")
        notes = [Issue(a.line, f"note: partial credit ({_percent(a.weight)}) for {a.text!r} is not kept; it is scored as a wrong choice")
                 for a in question.answers if a.mark != "=" and (a.weight or 0) > 0]
        fields: dict[str, Any] = {"choices": choices, "answer": rights[0].text}
        feedback = {a.text: a.feedback for a in question.answers if a.feedback}
        if feedback:
            fields["feedback"] = feedback
        return "single_choice", (fields, notes, None)
    rights = [answer for answer in question.answers if (answer.weight or 0) > 0]
    if not rights:
        return "multiple_response", ({}, [], "skipped multiple choice: no right answer (mark it with =, or give right answers a %weight%)")
    weights = [answer.weight or 0 for answer in rights]
    notes = []
    if max(weights) - min(weights) > 0.5 or abs(sum(weights) - 100) > 0.5:
        notes.append(Issue(question.line, f"note: partial credit weights ({', '.join(map(_percent, weights))}) are scored all-or-nothing: "
                                          f"right only when exactly the {len(rights)} right choice(s) are chosen"))
    notes += [Issue(a.line, f"not kept: feedback on choice {a.text!r} (multiple_response has no per-choice feedback)")
              for a in question.answers if a.feedback]
    return "multiple_response", ({"choices": choices, "answers": [a.text for a in rights]}, notes, None)


def _true_false(question: GiftQuestion) -> Result:
    wrong, right = (question.extra_feedback + ["", ""])[:2]
    fields: dict[str, Any] = {"answer": question.truth}
    # One explanation is shown after either answer: without general feedback, the feedback on a wrong answer
    # (which usually says why) becomes it, else the feedback on the right one.
    kept = "" if question.general_feedback else (wrong or right)
    if kept:
        fields["explanation"] = kept
    why = "put it in the general feedback, ####text" if question.general_feedback else f"the explanation is {kept!r}"
    notes = [Issue(question.line, f"not kept: true/false feedback {text!r} ({why})") for text in (wrong, right) if text and text != kept]
    return fields, notes, None


def _full_credit(question: GiftQuestion, what: str) -> tuple[list, list[Issue], str]:
    """The full-credit answers, notes on what our types cannot keep, and the right answer's feedback as an explanation.

    Without general feedback, the first full-credit answer's feedback becomes the explanation; other feedback is reported.
    """
    full, notes, explanation = [], [], ""
    for answer in question.answers:
        if answer.weight is None or answer.weight >= 100:
            full.append(answer)
            if answer.feedback and not question.general_feedback and not explanation:
                explanation = answer.feedback
        else:
            notes.append(Issue(answer.line, f"not kept: {what} {answer.text!r} worth {_percent(answer.weight)} (only full-credit answers are kept)"))
        if answer.feedback and answer.feedback != explanation:
            notes.append(Issue(answer.line, f"not kept: feedback on {what} {answer.text!r}"))
    return full, notes, explanation


def _short_text(question: GiftQuestion) -> Result:
    full, notes, explanation = _full_credit(question, "answer")
    if not full:
        return {}, [], "skipped short answer: no full-credit answer"
    # Moodle's short answers ignore case by default, as ours do: "PHI" and "phi" are one accepted answer.
    accepted, seen = [], set()
    for answer in full:
        if norm_text(answer.text) not in seen:
            seen.add(norm_text(answer.text))
            accepted.append(answer.text)
    fields: dict[str, Any] = {"accepted": accepted}
    if explanation:
        fields["explanation"] = explanation
    return fields, notes, None


def _tidy(number: float) -> int | float:
    """A number as it reads best in YAML: whole numbers without .0, no float noise such as 1.2000000000000002."""
    number = float(f"{number:.12g}")
    return int(number) if number.is_integer() and abs(number) < 1e15 else number


def _number(text: str) -> tuple[int | float, int | float] | None:
    """(answer, tolerance) from GIFT's 'n', 'n:tolerance' or 'min..max'; None if it is not a number."""
    try:
        if ".." in text[1:]:
            low, high = (float(part) for part in text.split("..", 1))
            answer, tolerance = (low + high) / 2, abs(high - low) / 2
        elif ":" in text[1:]:
            answer, tolerance = (float(part) for part in text.split(":", 1))
        else:
            answer, tolerance = float(text), 0.0
    except ValueError:
        return None
    if not (math.isfinite(answer) and math.isfinite(tolerance)) or tolerance < 0:
        return None
    return _tidy(answer), _tidy(tolerance)


def _numeric(question: GiftQuestion) -> Result:
    for answer in question.answers:
        if _number(answer.text) is None:
            return {}, [], f"skipped numeric question: {answer.text!r} is not a number, number:tolerance or min..max"
    full, notes, explanation = _full_credit(question, "numeric answer")
    if not full:
        return {}, [], "skipped numeric question: no full-credit answer"
    notes += [Issue(a.line, f"not kept: numeric answer {a.text!r} (a numeric question has one answer and tolerance)") for a in full[1:]]
    notes += [Issue(question.line, f"not kept: wrong-answer feedback {text!r}") for text in question.extra_feedback]
    answer, tolerance = _number(full[0].text) or (0, 0)
    fields: dict[str, Any] = {"answer": answer, "tolerance": tolerance}
    if explanation:
        fields["explanation"] = explanation
    return fields, notes, None


def _matching(question: GiftQuestion) -> Result:
    # Moodle reads '= -> x' (no left side) as an extra wrong option: our distractors.
    fields: dict[str, Any] = {"pairs": [{"prompt": a.text, "match": a.match} for a in question.answers if a.text]}
    distractors = [answer.match for answer in question.answers if not answer.text]
    if distractors:
        fields["distractors"] = distractors
    return fields, [], None


CONVERTERS: dict[str, Callable[[GiftQuestion], tuple[str, Result]]] = {
    "multichoice": _choice,
    "truefalse": lambda q: ("true_false", _true_false(q)),
    "shortanswer": lambda q: ("short_text", _short_text(q)),
    "numerical": lambda q: ("numeric", _numeric(q)),
    "match": lambda q: ("matching", _matching(q)),
}
UNSUPPORTED = {
    "essay": "skipped essay question ({}): the course has no essay question type",
    "description": "skipped description: text without a {...} answer section is not a question",
}


def slugify(text: str, limit: int = 50) -> str:
    """A slug from any text: ASCII letters and digits joined by single hyphens, cut at a word boundary."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit + 1].rsplit("-", 1)[0] if "-" in slug[:limit + 1] else slug[:limit]
    return slug


def _question_id(question: GiftQuestion, used: set[str]) -> str:
    base = slugify(question.title) or slugify(" ".join(question.prompt.split()[:6])) or "question"
    candidate, number = base, 1
    while candidate in used:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def convert_gift(parsed: GiftFile, source: str | None = None) -> Conversion:
    """Our question definitions for every GIFT question that converts; everything else as issues, by line."""
    result = Conversion(issues=list(parsed.issues))
    used: set[str] = set()
    for question in parsed.questions:
        if question.kind in UNSUPPORTED:
            result.issues.append(Issue(question.line, UNSUPPORTED[question.kind], True))
            continue
        kind, (fields, notes, problem) = CONVERTERS[question.kind](question)
        if problem is None and not question.prompt:
            problem = "skipped question: it has no text"
        explanation = question.general_feedback or fields.pop("explanation", "")
        definition = {"id": "", "type": kind, "prompt": question.prompt, **fields}
        if explanation:
            definition["explanation"] = explanation
        if source:
            definition["source"] = source
        # Anything our type would reject is reported here rather than written.
        rejected = REGISTRY[kind].validate(definition)
        problem = problem or (f"skipped {kind} question: {'; '.join(rejected)}" if rejected else None)
        if problem:
            result.issues.append(Issue(question.line, problem, True))
            continue
        definition["id"] = _question_id(question, used)
        used.add(definition["id"])
        result.questions.append(definition)
        result.lines.append(question.line)
        result.issues += question.notes + notes
    result.issues.sort(key=lambda issue: issue.line)
    return result


def default_title(categories: list[str]) -> str:
    """The last segment of the last $CATEGORY path (a // in a path is a literal slash), else a generic title."""
    for category in reversed(categories):
        segments = [part.replace("//", "/").strip() for part in re.split(r"(?<!/)/(?!/)", category)]
        named = [part for part in segments if part and part.lower() not in _NOT_TITLES]
        if named:
            return named[-1]
    return DEFAULT_TITLE


def quiz_document(slug: str, kind: str, module: str, title: str, pass_mark: int, questions: list[dict[str, Any]]) -> dict[str, Any]:
    """The quiz file's top level, in the order the shipped quiz files use; every question is drawn."""
    document: dict[str, Any] = {"schema": SCHEMA_VERSION, "slug": slug}
    if kind != "quiz":
        document["kind"] = kind
    document |= {"module": module, "title": title, "pass_mark": pass_mark, "draw": len(questions), "attempts_allowed": 0}
    document["questions"] = questions
    return document


class _Dumper(yaml.SafeDumper):
    """SafeDumper that indents lists inside mappings, as the hand-written quiz files do."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        """Never indentless, so list items sit two spaces inside their key."""
        return super().increase_indent(flow, False)


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # A prompt with a line break (GIFT's \n) reads best as a literal block; PyYAML falls back when it cannot.
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _text)


def quiz_yaml(document: dict[str, Any], header: str = "") -> str:
    """The quiz as YAML text, a blank line between questions; header lines become comments at the top."""
    text = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120, default_flow_style=False)
    # Only question items sit at two spaces: anything deeper in a question is indented further.
    text = re.sub(r"\n(  - id: )", r"\n\n\1", text).replace("questions:\n\n", "questions:\n", 1)
    comments = "".join(f"# {line}\n" for line in header.splitlines())
    return comments + text
