"""Types answered by typing: a number within a tolerance, or a short text."""

import math
import re

from app.questions.base import AnswerError, Interaction, QuestionType, string_list


def _number(value: float) -> str:
    """A number as text to 15 significant digits, so float noise does not show (0.1 + 0.2 is "0.3")."""
    return f"{value:.15g}"


class Numeric(QuestionType):
    """A number, right within a tolerance."""

    name = "numeric"
    fields = frozenset({"answer", "tolerance", "unit"})
    required = frozenset({"answer"})

    def check(self, definition):
        problems = []
        for field in ("answer", "tolerance"):
            value = definition.get(field, 0)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                problems.append(f"{field}: must be a number")
        if not problems and definition.get("tolerance", 0) < 0:
            problems.append("tolerance: must not be negative")
        if "unit" in definition and not isinstance(definition["unit"], str):
            problems.append("unit: must be text")
        return problems

    def parse_values(self, shown, values):
        raw = (values[0] if values else "").strip().replace(",", "").replace("$", "").rstrip("%").strip()
        if not raw:
            return None
        try:
            number = float(raw)
        except ValueError:
            raise AnswerError("Enter a number, for example 1500 or 12.5.") from None
        if not math.isfinite(number):
            raise AnswerError("Enter a number, for example 1500 or 12.5.")
        return number

    def is_correct(self, shown, answer):
        return answer is not None and abs(answer - shown["answer"]) <= shown.get("tolerance", 0) + 1e-9

    def describe_answer(self, shown, answer):
        return "(no answer)" if answer is None else self._format(shown, answer)

    def describe_correct(self, shown):
        text = self._format(shown, shown["answer"])
        tolerance = shown.get("tolerance", 0)
        return f"{text} (plus or minus {tolerance:g})" if tolerance else text

    def interaction(self, shown, answer):
        target, tolerance = shown["answer"], shown.get("tolerance", 0)
        # A numeric pattern is one number, or a range "min[:]max" for an answer right within a tolerance.
        correct = f"{_number(target - tolerance)}[:]{_number(target + tolerance)}" if tolerance else _number(target)
        return Interaction("numeric", [correct], "" if answer is None else _number(answer))

    @staticmethod
    def _format(shown, number):
        text = f"{number:,.0f}" if float(number).is_integer() else f"{number:,}"
        return f"{text} {shown['unit']}" if shown.get("unit") else text


_BRACKETS = re.compile(r"^(.*?)\(([^()]*)\)(.*)$")
_ARTICLE = re.compile(r"^(the|a|an)\s+")
_SMALL_WORDS = frozenset({"of", "for", "and", "the", "in", "on"})


def _bracketed(text: str) -> list[str]:
    """The text, then (if it has one bracketed part) the text outside the brackets and the text inside."""
    match = _BRACKETS.match(text)
    return [text, match.group(1) + match.group(3), match.group(2)] if match else [text]


def _squash(text: str) -> str:
    """Text reduced to its letters and digits, without a leading article: "The I.C.D.-10 CM" -> "icd10cm"."""
    text = _ARTICLE.sub("", text.casefold().strip())
    return re.sub(r"[\W_]+", "", text)


def _initials(text: str) -> str:
    """The abbreviation a name makes: "Office for Civil Rights" -> "ocr"."""
    return "".join(word[0] for word in re.findall(r"[^\W_]+", text.casefold()) if word not in _SMALL_WORDS)


def _forms(accepted: str) -> set[str]:
    """The squashed forms an accepted answer stands for: "Name (ABBR)" accepts the name, the ABBR or both."""
    return {form for form in map(_squash, _bracketed(accepted)) if form}


class ShortText(QuestionType):
    """A short typed answer, matched against accepted answers ignoring case, punctuation, spacing, brackets and a leading article."""

    name = "short_text"
    fields = frozenset({"accepted"})
    required = fields

    def check(self, definition):
        return string_list(definition, "accepted", 1)

    def parse_values(self, shown, values):
        text = re.sub(r"\s+", " ", values[0] if values else "").strip()
        if len(text) > 200:
            raise AnswerError("Keep the answer under 200 characters.")
        return text or None

    def is_correct(self, shown, answer):
        if answer is None:
            return False
        accepted = set().union(*(_forms(a) for a in shown["accepted"]))
        whole, *parts = _bracketed(answer)
        if _squash(whole) in accepted:
            return True
        if not parts:
            return False
        # "Full name (ABBR)" or "ABBR (full name)": one part is right and the other is right too or is its abbreviation.
        first, second = parts
        return any(_squash(a) in accepted and (_squash(b) in accepted or _squash(b) == _initials(a))
                   for a, b in ((first, second), (second, first)))

    def describe_correct(self, shown):
        return shown["accepted"][0]

    def interaction(self, shown, answer):
        # Fill-in patterns ignore case unless they say {case_matters=true}, as this type's grading does.
        return Interaction("fill-in", list(shown["accepted"]), answer or "")


