"""The question-type registry: one class per type; each validates its definition and grades answers.

A type works with three shapes of data:
- the *definition*, as written in a content file (validated by `validate`);
- the *shown* question, the definition as presented in one attempt, choices shuffled (`present`);
  attempts keep it as their snapshot, so grading never depends on today's content;
- the *answer*, parsed from the submitted form (`parse_answer`), None when nothing was given.
"""

from app.questions.arrange import Matching, Ordering, SelectParts
from app.questions.base import AnswerError, QuestionType
from app.questions.choice import MultipleResponse, SingleChoice, TrueFalse
from app.questions.coding import CodeEntry
from app.questions.typed import Numeric, ShortText

REGISTRY: dict[str, QuestionType] = {
    kind.name: kind()
    for kind in (SingleChoice, MultipleResponse, TrueFalse, Numeric, ShortText, Ordering, Matching, SelectParts, CodeEntry)
}


def question_type(name: str) -> QuestionType:
    """The registered type called `name` (KeyError if there is none)."""
    return REGISTRY[name]


__all__ = ["REGISTRY", "AnswerError", "QuestionType", "question_type"]
