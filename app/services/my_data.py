"""A person's own records, for them to download: profile, quiz attempts, lesson progress and certificates."""

import io
import json
import zipfile
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Certificate, LessonProgress, QuizAttempt, User
from app.services.exports import to_csv
from app.services.mail import site_url

PROFILE = ["name", "email", "role", "created_at", "email_confirmed_at"]
ATTEMPTS = ["id", "quiz", "quiz_title", "started_at", "submitted_at", "questions", "correct", "score", "pass_mark", "passed"]
LESSONS = ["lesson", "lesson_title", "module_title", "started_at", "completed_at"]
CERTIFICATES = ["code", "training_title", "organisation", "learner_name", "completed_on", "expires_on", "issued_at",
                "revoked_at", "revoked_reason", "verify_url"]


def _text(value: Any) -> Any:
    """Dates and times in ISO 8601 (UTC for times), everything else as it is."""
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def collect(user: User) -> dict[str, list[dict[str, Any]] | dict[str, Any]]:
    """Every record of the four kinds that belongs to `user`, and only those, oldest first.

    An attempt's questions are left out: an open attempt's snapshot holds the answer key.
    """
    attempts = db.session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user.id).order_by(QuizAttempt.id))
    lessons = db.session.scalars(select(LessonProgress).where(LessonProgress.user_id == user.id).order_by(LessonProgress.id))
    certificates = db.session.scalars(select(Certificate).where(Certificate.user_id == user.id).order_by(Certificate.id))
    return {
        "profile": {"name": user.display_name, "email": user.email, "role": user.role, "created_at": _text(user.created_at),
                    "email_confirmed_at": _text(user.email_confirmed_at)},
        "attempts": [{"id": a.id, "quiz": a.quiz.slug, "quiz_title": a.quiz.title, "started_at": _text(a.started_at),
                      "submitted_at": _text(a.submitted_at), "questions": len(a.snapshot or []), "correct": a.correct_count,
                      "score": a.score, "pass_mark": a.pass_mark, "passed": a.passed} for a in attempts],
        "lessons": [{"lesson": p.lesson.slug, "lesson_title": p.lesson.title, "module_title": p.lesson.module.title,
                     "started_at": _text(p.started_at), "completed_at": _text(p.completed_at)} for p in lessons],
        "certificates": [{"code": c.code, "training_title": c.training_title, "organisation": c.organisation_name,
                          "learner_name": c.learner_name, "completed_on": _text(c.completed_on),
                          "expires_on": _text(c.expires_on), "issued_at": _text(c.issued_at),
                          "revoked_at": _text(c.revoked_at), "revoked_reason": c.revoked_reason,
                          "verify_url": site_url("employer.verify", code=c.code)}
                         for c in certificates],
    }


def as_json(data: dict) -> str:
    """The records as one JSON document."""
    return json.dumps(data, ensure_ascii=False, indent=2)


def as_zip(data: dict) -> bytes:
    """The records as a zip of one spreadsheet-safe CSV per kind."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("profile.csv", to_csv(PROFILE, [[data["profile"][key] for key in PROFILE]]))
        for name, header in (("attempts", ATTEMPTS), ("lessons", LESSONS), ("certificates", CERTIFICATES)):
            archive.writestr(f"{name}.csv", to_csv(header, [[row[key] for key in header] for row in data[name]]))
    return buffer.getvalue()

