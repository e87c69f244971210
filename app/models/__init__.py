"""The domain model, one module per area; importing this package registers every table."""

from app.models.content import ContentVersion, Lesson, Module, Question, Quiz
from app.models.people import ROLES, User
from app.models.progress import LessonProgress, QuizAttempt

__all__ = [
    "ROLES",
    "ContentVersion",
    "Lesson",
    "LessonProgress",
    "Module",
    "Question",
    "Quiz",
    "QuizAttempt",
    "User",
]
