"""Figures that show whether a quiz bank can be passed by test-wiseness instead of knowledge."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.content.loader import Course

MAX_KEY_LONGEST = 0.35
TRUE_SHARE = (0.40, 0.60)


@dataclass(frozen=True)
class BankFigures:
    """The cue figures of one bank: how often the key is the longest choice, and how true/false keys split."""

    file: str
    single: int
    key_longest: int
    true_false: int
    true_keys: int

    @property
    def key_longest_share(self) -> float:
        return self.key_longest / self.single if self.single else 0.0

    @property
    def true_share(self) -> float:
        return self.true_keys / self.true_false if self.true_false else 0.0

    def warnings(self) -> list[str]:
        """What a test-wise learner could exploit in this bank."""
        found = []
        if self.single and self.key_longest_share > MAX_KEY_LONGEST:
            found.append(f"the key is the longest choice in {self.key_longest} of {self.single} single-choice questions "
                         f"({self.key_longest_share:.0%}; at most {MAX_KEY_LONGEST:.0%})")
        low, high = TRUE_SHARE
        # With an odd number of items the nearest split (one apart) is as balanced as the bank can be.
        balanced = low <= self.true_share <= high or abs(2 * self.true_keys - self.true_false) <= 1
        if self.true_false and not balanced:
            found.append(f"{self.true_keys} of {self.true_false} true/false keys are true "
                         f"({self.true_share:.0%}; keep it between {low:.0%} and {high:.0%})")
        return found


def key_is_longest(question: dict[str, Any]) -> bool:
    """Whether a single-choice key is strictly longer than every other choice."""
    others = [len(choice) for choice in question["choices"] if choice != question["answer"]]
    return len(question["answer"]) > max(others, default=0)


def bank_figures(file: str, questions: list[dict[str, Any]]) -> BankFigures:
    """The cue figures of a list of question definitions."""
    single = [q for q in questions if q["type"] == "single_choice"]
    true_false = [q for q in questions if q["type"] == "true_false"]
    return BankFigures(file, len(single), sum(key_is_longest(q) for q in single),
                       len(true_false), sum(q["answer"] is True for q in true_false))


def course_figures(course: "Course") -> list[BankFigures]:
    """Figures for every quiz bank that has choice questions, then for each module's lesson checks together."""
    figures = [bank_figures(quiz.file, [q.definition for q in quiz.questions]) for quiz in course.quizzes]
    for module in course.modules:
        checks = [part for lesson in course.lessons if lesson.module == module.slug
                  for part in lesson.parts if isinstance(part, dict)]
        figures.append(bank_figures(f"lessons/{module.slug}-*.md (knowledge checks)", checks))
    return [f for f in figures if f.single or f.true_false]
