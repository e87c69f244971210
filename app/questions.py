"""The question-type registry: one class per type; each validates its definition and grades answers.

A type works with three shapes of data:
- the *definition*, as written in a quiz file (validated by `validate`);
- the *shown* question, the definition as presented in one attempt, choices shuffled (`present`);
  attempts keep it as their snapshot, so grading never depends on today's content;
- the *answer*, parsed from the submitted form (`parse_answer`), None when nothing was given.
"""

import math
import random
import re
from typing import Any, ClassVar

COMMON_FIELDS = frozenset({"id", "type", "prompt", "explanation", "source"})


class AnswerError(ValueError):
    """A submitted answer that cannot be read; the message is shown at the question."""


def _norm_text(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip().casefold()


class QuestionType:
    """Base class: subclasses set `name`, `fields`, `required` and implement the hooks."""

    name: ClassVar[str]
    fields: ClassVar[frozenset[str]] = frozenset()
    required: ClassVar[frozenset[str]] = frozenset()

    def validate(self, definition: dict[str, Any]) -> list[str]:
        """Problems with the type-specific part of a definition, as (field: message) strings."""
        problems = [f"{field}: required for {self.name} questions" for field in sorted(self.required - definition.keys())]
        allowed = COMMON_FIELDS | self.fields
        problems += [f"{field}: unknown field for {self.name} questions" for field in sorted(definition.keys() - allowed)]
        if not problems:
            problems += self.check(definition)
        return problems

    def check(self, definition: dict[str, Any]) -> list[str]:
        """Type-specific checks, run once the fields are all present."""
        return []

    def present(self, definition: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        """The question as shown in one attempt."""
        return {key: definition[key] for key in definition if key != "id"} | {"key": definition["id"]}

    def parse_answer(self, shown: dict[str, Any], values: list[str]) -> Any:
        """The learner's answer from the form values; None if unanswered."""
        raise AnswerError("This question type cannot be answered.")

    def is_correct(self, shown: dict[str, Any], answer: Any) -> bool:
        """Whether the answer is right."""
        raise AnswerError("This question type cannot be graded.")

    def describe_answer(self, shown: dict[str, Any], answer: Any) -> str:
        """The learner's answer as text, for the result page."""
        return "(no answer)" if answer is None else str(answer)

    def describe_correct(self, shown: dict[str, Any]) -> str:
        """The correct answer as text, for the result page."""
        raise AnswerError("This question type has no answer text.")


def _string_list(definition: dict[str, Any], field: str, minimum: int) -> list[str]:
    value = definition.get(field)
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        return [f"{field}: must be a list of non-empty texts"]
    problems = []
    if len(value) < minimum:
        problems.append(f"{field}: needs at least {minimum} entries")
    if len({_norm_text(item) for item in value}) != len(value):
        problems.append(f"{field}: has duplicate entries")
    return problems


class ChoiceType(QuestionType):
    """Shared behaviour of types whose answers are picked from shuffled choices (stored by index)."""

    def present(self, definition: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        shown = super().present(definition, rng)
        choices = list(definition["choices"])
        rng.shuffle(choices)
        shown["choices"] = choices
        return shown

    def _indices(self, shown: dict[str, Any], values: list[str]) -> list[int]:
        try:
            picked = sorted({int(value) for value in values})
        except ValueError:
            raise AnswerError("Choose one of the options shown.") from None
        if any(index < 0 or index >= len(shown["choices"]) for index in picked):
            raise AnswerError("Choose one of the options shown.")
        return picked


class SingleChoice(ChoiceType):
    """Exactly one right choice among several."""

    name = "single_choice"
    fields = frozenset({"choices", "answer"})
    required = fields

    def check(self, definition):
        problems = _string_list(definition, "choices", 2)
        if not problems and definition["answer"] not in definition["choices"]:
            problems.append("answer: is not one of the choices")
        return problems

    def parse_answer(self, shown, values):
        picked = self._indices(shown, values)
        if len(picked) > 1:
            raise AnswerError("Choose only one option.")
        return picked[0] if picked else None

    def is_correct(self, shown, answer):
        return answer is not None and shown["choices"][answer] == shown["answer"]

    def describe_answer(self, shown, answer):
        return "(no answer)" if answer is None else shown["choices"][answer]

    def describe_correct(self, shown):
        return shown["answer"]


class MultipleResponse(ChoiceType):
    """Several right choices; the answer is right only when exactly those are chosen."""

    name = "multiple_response"
    fields = frozenset({"choices", "answers"})
    required = fields

    def check(self, definition):
        problems = _string_list(definition, "choices", 3) + _string_list(definition, "answers", 1)
        if not problems:
            missing = [a for a in definition["answers"] if a not in definition["choices"]]
            problems += [f"answers: {a!r} is not one of the choices" for a in missing]
        return problems

    def parse_answer(self, shown, values):
        return self._indices(shown, values) or None

    def is_correct(self, shown, answer):
        chosen = {shown["choices"][index] for index in answer or []}
        return chosen == set(shown["answers"])

    def describe_answer(self, shown, answer):
        return "(no answer)" if not answer else "; ".join(shown["choices"][i] for i in answer)

    def describe_correct(self, shown):
        return "; ".join(choice for choice in shown["choices"] if choice in shown["answers"])


class TrueFalse(QuestionType):
    """A statement the learner marks true or false."""

    name = "true_false"
    fields = frozenset({"answer"})
    required = fields

    def check(self, definition):
        return [] if isinstance(definition["answer"], bool) else ["answer: must be true or false"]

    def parse_answer(self, shown, values):
        if not values:
            return None
        if values[0] not in ("true", "false") or len(values) > 1:
            raise AnswerError("Choose True or False.")
        return values[0] == "true"

    def is_correct(self, shown, answer):
        return answer is not None and answer == shown["answer"]

    def describe_answer(self, shown, answer):
        return "(no answer)" if answer is None else ("True" if answer else "False")

    def describe_correct(self, shown):
        return "True" if shown["answer"] else "False"


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

    def parse_answer(self, shown, values):
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

    @staticmethod
    def _format(shown, number):
        text = f"{number:,.0f}" if float(number).is_integer() else f"{number:,}"
        return f"{text} {shown['unit']}" if shown.get("unit") else text


class ShortText(QuestionType):
    """A short typed answer, matched against accepted answers ignoring case and extra spaces."""

    name = "short_text"
    fields = frozenset({"accepted"})
    required = fields

    def check(self, definition):
        return _string_list(definition, "accepted", 1)

    def parse_answer(self, shown, values):
        text = re.sub(r"\s+", " ", values[0] if values else "").strip()
        if len(text) > 200:
            raise AnswerError("Keep the answer under 200 characters.")
        return text or None

    def is_correct(self, shown, answer):
        return answer is not None and _norm_text(answer) in {_norm_text(a) for a in shown["accepted"]}

    def describe_correct(self, shown):
        return shown["accepted"][0]


REGISTRY: dict[str, QuestionType] = {
    kind.name: kind() for kind in (SingleChoice, MultipleResponse, TrueFalse, Numeric, ShortText)
}


def question_type(name: str) -> QuestionType:
    """The registered type called `name` (KeyError if there is none)."""
    return REGISTRY[name]
