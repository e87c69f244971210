"""Reading level of each lesson (Flesch-Kincaid grade), measured on its prose."""

import re
from dataclasses import dataclass

import textstat

from app.content.loader import Course

MAX_GRADE = 10.0
_MARKUP = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), ""),  # images: their alt text is not lesson prose
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links keep their text
    (re.compile(r"^\s{0,3}(#{1,6}|[-*+]|\d+\.)\s+", re.MULTILINE), ""),  # heading and list markers
    (re.compile(r"[*_`>|]"), ""),
]


@dataclass(frozen=True)
class Reading:
    """One lesson's reading grade."""

    file: str
    grade: float

    @property
    def ok(self) -> bool:
        return self.grade <= MAX_GRADE


def prose(markdown: str) -> str:
    """The readable text of a Markdown chunk."""
    for pattern, replacement in _MARKUP:
        markdown = pattern.sub(replacement, markdown)
    return markdown


def lesson_grades(course: Course) -> list[Reading]:
    """The Flesch-Kincaid grade of every lesson's prose (knowledge checks excluded)."""
    readings = []
    for lesson in course.lessons:
        text = "\n".join(prose(part) for part in lesson.parts if isinstance(part, str))
        readings.append(Reading(lesson.file, round(textstat.flesch_kincaid_grade(text), 1)))
    return readings
