"""The learner x quiz summary rows: updated atomically with each submission, rebuilt and checked from the attempts."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.models import QuizAttempt, QuizStanding

FIELDS = ("best_score", "attempts", "passed", "first_passed_at", "last_passed_at", "last_submitted_at")


def _upsert(dialect: str):
    """The upsert that folds one attempt into its row, with the attempt's values as parameters."""
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(QuizStanding)
    statement = insert.values({name: bindparam(name) for name in ("user_id", "quiz_id", "best_score", "passed", "first_passed_at",
                                                                   "last_passed_at", "last_submitted_at")} | {"attempts": 1})
    new, row = statement.excluded, QuizStanding
    return statement.on_conflict_do_update(index_elements=["user_id", "quiz_id"], set_={
        "best_score": case((new.best_score > row.best_score, new.best_score), else_=row.best_score),
        "attempts": row.attempts + 1,
        "passed": row.passed | new.passed,
        # Order-independent, so the row is the same whichever order attempts arrive in.
        "first_passed_at": case((row.first_passed_at.is_(None) | (new.first_passed_at < row.first_passed_at), new.first_passed_at),
                                else_=row.first_passed_at),
        "last_passed_at": case((row.last_passed_at.is_(None) | (new.last_passed_at > row.last_passed_at), new.last_passed_at),
                               else_=row.last_passed_at),
        "last_submitted_at": case((new.last_submitted_at > row.last_submitted_at, new.last_submitted_at),
                                  else_=row.last_submitted_at),
    })


# Built once per database kind: building it cost several times what running it does, inside the write lock.
_UPSERTS = {dialect: _upsert(dialect) for dialect in ("postgresql", "sqlite")}


def record(attempt: QuizAttempt) -> None:
    """Fold one just-submitted attempt into its summary row with a single upsert (safe against a concurrent submit)."""
    passed_at = attempt.submitted_at if attempt.passed else None
    db.session.execute(_UPSERTS[db.session.get_bind().dialect.name], {
        "user_id": attempt.user_id, "quiz_id": attempt.quiz_id, "best_score": attempt.score, "passed": bool(attempt.passed),
        "first_passed_at": passed_at, "last_passed_at": passed_at, "last_submitted_at": attempt.submitted_at})


def _from_attempts() -> dict[tuple[int, int], tuple]:
    """What the attempts themselves say, per learner and quiz."""
    passed_at = case((QuizAttempt.passed.is_(True), QuizAttempt.submitted_at))
    rows = db.session.execute(
        select(QuizAttempt.user_id, QuizAttempt.quiz_id, func.max(QuizAttempt.score), func.count(),
               func.max(case((QuizAttempt.passed.is_(True), 1), else_=0)), func.min(passed_at), func.max(passed_at),
               func.max(QuizAttempt.submitted_at))
        .where(QuizAttempt.submitted_at.is_not(None)).group_by(QuizAttempt.user_id, QuizAttempt.quiz_id))
    return {(u, q): (best, count, bool(passed), first, last, latest) for u, q, best, count, passed, first, last, latest in rows}


@dataclass(frozen=True)
class Drift:
    """A summary row that differed from the attempts."""

    user_id: int
    quiz_id: int
    field: str
    stored: object
    actual: object


def same(stored, actual) -> bool:
    """Whether a stored summary value equals the recomputed one (times compared without their zone: PostgreSQL
    returns them aware, SQLite naive)."""
    if isinstance(stored, datetime) and isinstance(actual, datetime):
        return stored.replace(tzinfo=None) == actual.replace(tzinfo=None)
    return stored == actual


def rebuild(fix: bool = True) -> list[Drift]:
    """Compare every summary row with a recomputation from the attempts; when `fix`, replace them all with it."""
    actual = _from_attempts()
    stored = {(r.user_id, r.quiz_id): tuple(getattr(r, name) for name in FIELDS) for r in db.session.scalars(select(QuizStanding))}
    drifts = []
    for key in sorted(actual.keys() | stored.keys()):
        have, want = stored.get(key, (None,) * len(FIELDS)), actual.get(key, (None,) * len(FIELDS))
        drifts += [Drift(*key, name, a, b) for name, a, b in zip(FIELDS, have, want, strict=True) if not same(a, b)]
    if fix and drifts:
        db.session.execute(delete(QuizStanding))
        db.session.add_all(QuizStanding(user_id=u, quiz_id=q, **dict(zip(FIELDS, values, strict=True))) for (u, q), values in actual.items())
        db.session.flush()
    return drifts
