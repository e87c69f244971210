"""The base question type and helpers shared by every type."""

import hashlib
import random
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

COMMON_FIELDS = frozenset({"id", "type", "prompt", "explanation", "source", "group"})


class AnswerError(ValueError):
    """A submitted answer that cannot be read; the message is shown at the question."""


def norm_text(value: str) -> str:
    """Text compared without case or extra spaces."""
    return re.sub(r"\s+", " ", value).strip().casefold()


@dataclass(frozen=True)
class Interaction:
    """A question as an xAPI 1.0.3 interaction activity, and one learner's response in that interaction's format.

    `components` maps a component list of the definition ("choices", "source", "target", "steps") to
    (id, text) pairs; `correct` holds the correctResponsesPattern; `response` is `result.response`.
    """

    kind: str  # the xAPI interactionType: true-false, choice, fill-in, long-fill-in, matching, sequencing, numeric, other
    correct: list[str]
    response: str
    components: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


def component_id(text: str) -> str:
    """A stable interaction-component id for a choice, item or part: the same text gets the same id in every attempt."""
    # Choices are shuffled per attempt and may hold spaces or the "[,]" delimiter: an id derived from the text avoids both.
    return "c" + hashlib.sha256(norm_text(text).encode()).hexdigest()[:12]


def join_ids(texts: list[str]) -> str:
    """Component ids joined with the xAPI "[,]" delimiter."""
    return "[,]".join(component_id(text) for text in texts)


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

    def parse_answer(self, shown: dict[str, Any], form: Any, name: str) -> Any:
        """The learner's answer from the submitted form (fields named `name...`); None if unanswered."""
        return self.parse_values(shown, form.getlist(name))

    def parse_values(self, shown: dict[str, Any], values: list[str]) -> Any:
        """The answer from the values of the one field most types use."""
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

    def feedback(self, shown: dict[str, Any], answer: Any) -> str | None:
        """Feedback on the particular answer given, where the question has any."""
        return None

    def interaction(self, shown: dict[str, Any], answer: Any) -> Interaction:
        """The question as an xAPI interaction, with the learner's response; each type describes its own.

        This fallback ("other", the answer as text) keeps statements valid for a type that has not described itself yet.
        """
        return Interaction("other", [self.describe_correct(shown)], "" if answer is None else self.describe_answer(shown, answer))


def string_list(definition: dict[str, Any], field: str, minimum: int) -> list[str]:
    value = definition.get(field)
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        return [f"{field}: must be a list of non-empty texts"]
    problems = []
    if len(value) < minimum:
        problems.append(f"{field}: needs at least {minimum} entries")
    if len({norm_text(item) for item in value}) != len(value):
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


