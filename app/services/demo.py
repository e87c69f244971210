"""Generated demo data: a cohort of learners with realistic lesson progress and attempt histories."""

import random
import secrets
from datetime import timedelta

from sqlalchemy import insert, select

from app.extensions import db
from app.models import (
    Assignment,
    Cohort,
    Enrolment,
    HireTraining,
    Lesson,
    LessonProgress,
    Membership,
    Module,
    Organisation,
    Quiz,
    QuizAttempt,
    User,
)
from app.models.base import utcnow
from app.questions import question_type
from app.services import course_standings, quiz_standings
from app.services.accounts import hash_password
from app.services.gradebook import graded_quizzes


def build_cohort(instructor: User, learners: int, quizzes: int = 10, attempts: int = 3, seed: int = 1) -> Cohort:
    """A cohort of `learners` demo learners, each with `attempts` graded attempts at `quizzes` quizzes."""
    # Repeatable demo data, not a secret.
    rng = random.Random(seed)  # nosec B311
    now = utcnow()
    cohort = Cohort(name=f"Demo cohort of {learners}", instructor_id=instructor.id)
    db.session.add(cohort)
    # Demo learners never sign in: one hash of a random secret serves them all (hashing 1,000 would take a minute).
    unusable = hash_password(secrets.token_urlsafe(24))
    tag = secrets.token_hex(3)
    user_ids = db.session.scalars(insert(User).returning(User.id), [
        {"email": f"learner{n}.{tag}@demo.example", "email_key": f"learner{n}.{tag}@demo.example",
         "display_name": f"Demo Learner {n:04d}", "password_hash": unusable,
         "role": "student", "active": True, "session_nonce": secrets.token_urlsafe(16), "created_at": now,
         "email_confirmed_at": now}
        for n in range(1, learners + 1)
    ]).all()
    db.session.flush()
    db.session.execute(insert(Enrolment), [{"cohort_id": cohort.id, "user_id": uid, "joined_at": now} for uid in user_ids])
    lessons = db.session.scalars(select(Lesson.id).where(Lesson.retired.is_(False))).all()
    chosen = [db.session.get(Quiz, quiz.id) for quiz in graded_quizzes() if quiz.kind != "exam"][:quizzes]
    progress_rows, attempt_rows = [], []
    for uid in user_ids:
        skill = rng.random()
        for lesson_id in lessons[: rng.randint(0, len(lessons))]:
            progress_rows.append({"user_id": uid, "lesson_id": lesson_id, "started_at": now,
                                  "completed_at": now - timedelta(days=rng.randint(0, 60))})
        for quiz in chosen:
            for _ in range(attempts):
                attempt_rows.append(_attempt(rng, uid, quiz, skill, now - timedelta(days=rng.randint(0, 60))))
    if progress_rows:
        db.session.execute(insert(LessonProgress), progress_rows)
    db.session.execute(insert(QuizAttempt), attempt_rows)
    quiz_standings.rebuild(fix=True)
    course_standings.rebuild(fix=True)
    return cohort


def _attempt(rng: random.Random, user_id: int, quiz, skill: float, when) -> dict:
    drawn = rng.sample(quiz.questions, min(quiz.draw, len(quiz.questions)))
    snapshot = [question_type(q.type).present(q.definition, rng) | {"question_id": q.id} for q in drawn]
    results = [rng.random() < 0.35 + 0.6 * skill for _ in snapshot]
    answers = [_pick(rng, shown, right) for shown, right in zip(snapshot, results, strict=True)]
    score = round(100 * sum(results) / len(results))
    return {"user_id": user_id, "quiz_id": quiz.id, "started_at": when, "submitted_at": when, "pass_mark": quiz.pass_mark,
            "snapshot": snapshot, "answers": answers, "results": results, "correct_count": sum(results),
            "score": score, "passed": score >= quiz.pass_mark}


def _pick(rng: random.Random, shown: dict, right: bool):
    """A plausible answer for a choice question, right or wrong as drawn (other types keep no answer)."""
    if shown["type"] == "true_false":
        return shown["answer"] if right else not shown["answer"]
    if shown["type"] == "single_choice":
        wrong = [i for i, choice in enumerate(shown["choices"]) if choice != shown["answer"]]
        return shown["choices"].index(shown["answer"]) if right else rng.choice(wrong)
    if shown["type"] == "multiple_response":
        correct = sorted(shown["choices"].index(choice) for choice in shown["answers"])
        wrong = [i for i in range(len(shown["choices"])) if i not in correct]
        return correct if right or not wrong else sorted(correct[:-1] + [rng.choice(wrong)])
    return None


def build_organisation(manager: User, hires: int, trainings: int = 5, seed: int = 2) -> Organisation:
    """An organisation of `hires` generated hires, each with `trainings` required trainings in mixed states."""
    # Repeatable demo data, not a secret.
    rng = random.Random(seed)  # nosec B311
    now = utcnow()
    organisation = Organisation(name=f"Demo organisation of {hires}")
    db.session.add(organisation)
    db.session.flush()
    db.session.add(Membership(organisation_id=organisation.id, user_id=manager.id, kind="manager"))
    unusable = hash_password(secrets.token_urlsafe(24))
    tag = secrets.token_hex(3)
    user_ids = db.session.scalars(insert(User).returning(User.id), [
        {"email": f"hire{n}.{tag}@demo.example", "email_key": f"hire{n}.{tag}@demo.example",
         "display_name": f"Demo Hire {n:04d}", "password_hash": unusable,
         "role": "student", "active": True, "session_nonce": secrets.token_urlsafe(16), "created_at": now,
         "email_confirmed_at": now}
        for n in range(1, hires + 1)]).all()
    roles = ("coder", "biller", "front desk")
    db.session.execute(insert(Membership), [
        {"organisation_id": organisation.id, "user_id": uid, "kind": "hire", "job_role": rng.choice(roles),
         "hire_date": (now - timedelta(days=rng.randint(0, 400))).date(), "joined_at": now} for uid in user_ids])
    modules = list(db.session.scalars(select(Module).where(Module.retired.is_(False)).order_by(Module.position)))
    rules = []
    for n in range(trainings):
        rule = Assignment(organisation_id=organisation.id, title=f"Required training {n + 1}", modules=[modules[n % len(modules)]],
                          audience="everyone", due_days=30, yearly=n == 0, created_by=manager.id)
        db.session.add(rule)
        rules.append(rule)
    db.session.flush()
    rows = []
    for uid in user_ids:
        for rule in rules:
            assigned = now - timedelta(days=rng.randint(0, 400))
            done = rng.random() < 0.6
            # Nothing is completed in the future: a cycle assigned days ago was done by today at the latest.
            completed = min(assigned + timedelta(days=rng.randint(1, 40)), now) if done else None
            rows.append({"assignment_id": rule.id, "user_id": uid, "cycle": 1, "assigned_at": assigned,
                         "due_on": (assigned + timedelta(days=30)).date(), "completed_at": completed,
                         "expires_on": (completed + timedelta(days=365)).date() if completed and rule.yearly else None})
    db.session.execute(insert(HireTraining), rows)
    return organisation
