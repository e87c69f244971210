"""The gradebook: figures against hand-computed values, filters, sorting, paging, CSV, query count, drill-down."""

import csv
import io
from datetime import timedelta

from sqlalchemy import select

from app.models import AuditEvent, Lesson
from app.models.base import utcnow
from app.services import gradebook, gradebook_stats
from app.services.bench import QueryCounter
from app.services.progress import course_progress
from tests.factories import complete_lessons, make_attempt, make_cohort, make_user, quiz


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def rows_of(book, show: str = "all", sort: str = "name", descending: bool = False) -> list:
    return list(gradebook.every_row(book, gradebook.View(show, sort, descending), utcnow()))


def setup_class(db, teacher):
    """Ann: 2 attempts at the role quiz (50%, 100%) and 2 lessons; Ben: one 25% attempt; Cy: nothing."""
    ann, ben, cy = make_user(name="Ann Able"), make_user(name="Ben Bold"), make_user(name="Cy Calm")
    cohort = make_cohort(teacher, [ann, ben, cy])
    role = quiz("role-quiz")
    make_attempt(ann, role, [True, False] * 4, when=utcnow() - timedelta(days=10))
    make_attempt(ann, role, [True] * 8, when=utcnow() - timedelta(days=1))
    make_attempt(ben, role, [True, False, False, False] * 2, when=utcnow() - timedelta(days=9))
    complete_lessons(ann, db.session.scalars(select(Lesson).order_by(Lesson.id).limit(2)), utcnow() - timedelta(days=2))
    db.session.commit()
    return cohort, role, ann, ben, cy


def test_gradebook_figures_match_hand_computed_values(app, db):
    teacher = make_user("instructor")
    cohort, role, ann, ben, cy = setup_class(db, teacher)
    book = gradebook.build(cohort)
    rows = {row.user.id: row for row in rows_of(book)}
    items = book.lessons_total + len(book.quizzes)
    assert book.lessons_total == 48 and len(book.quizzes) == 30
    assert rows[ann.id].results[role.id] == gradebook.QuizResult(100, 2, True)
    assert rows[ben.id].results[role.id] == gradebook.QuizResult(25, 1, False)
    assert role.id not in rows[cy.id].results
    assert rows[ann.id].lessons_done == 2
    assert rows[ann.id].completion == round(100 * (2 + 1) / items)  # 2 lessons + 1 quiz passed, of 68 items
    assert rows[ben.id].completion == 0 and rows[cy.id].last_activity is None
    assert rows[ann.id].completion == course_progress(db.session.get(type(ann), ann.id)).percent
    everyone = gradebook.matching(book, gradebook.View(), utcnow())
    summary = next(s for s in gradebook_stats.quiz_summaries(book, everyone) if s.quiz.id == role.id)
    assert (summary.attempted, summary.passed, summary.average_best) == (2, 1, 62.5)  # (100 + 25) / 2
    assert summary.bands == (0, 0, 1, 0, 0, 0, 0, 0, 0, 1), "Ben's 25% and Ann's 100%"
    assert gradebook_stats.average_completion(book, everyone) == round(rows[ann.id].completion / 3, 1)


def test_filters_and_sorting(app, db):
    teacher = make_user("instructor")
    cohort, role, ann, ben, cy = setup_class(db, teacher)
    book = gradebook.build(cohort)
    names = lambda rows: [row.user.display_name for row in rows]  # noqa: E731
    assert names(rows_of(book, f"not-passed:{role.id}")) == ["Ben Bold", "Cy Calm"]
    assert names(rows_of(book, "inactive")) == ["Ben Bold", "Cy Calm"]  # Ann was active yesterday
    assert names(rows_of(book, sort=f"quiz:{role.id}", descending=True)) == ["Ann Able", "Ben Bold", "Cy Calm"]
    assert names(rows_of(book, sort="completion", descending=True))[0] == "Ann Able"
    assert names(rows_of(book, "incomplete", sort="name", descending=True)) == ["Cy Calm", "Ben Bold", "Ann Able"]
    assert names(rows_of(book, "complete")) == []


def test_the_gradebook_page_and_its_csv_show_the_same_filtered_rows(client, db, login_as):
    teacher = login_as("instructor")
    cohort, role, ann, ben, cy = setup_class(db, teacher)
    page = client.get(f"/teach/cohorts/{cohort.id}", query_string={"show": f"not-passed:{role.id}"}).get_data(as_text=True)
    assert "Ben Bold" in page and "Cy Calm" in page and "Ann Able" not in page
    assert "Average course completion of the cohort" in page and "Show as a table" in page
    rows = read_csv(client.get(f"/teach/cohorts/{cohort.id}/gradebook.csv", query_string={"show": f"not-passed:{role.id}"}))
    assert [row[0] for row in rows[1:]] == ["Ben Bold", "Cy Calm"]
    header = rows[0]
    column = header.index(f"{role.slug}: best %")
    assert rows[1][column] == "25" and rows[1][column + 1] == "1" and rows[1][column + 2] == "no"


def test_csv_cells_cannot_become_spreadsheet_formulas(client, db, login_as):
    teacher = login_as("instructor")
    evil = [make_user(name=name) for name in ("=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)")]
    cohort = make_cohort(teacher, evil)
    db.session.commit()
    names = [row[0] for row in read_csv(client.get(f"/teach/cohorts/{cohort.id}/gradebook.csv"))[1:]]
    assert sorted(names) == sorted("'" + user.display_name for user in evil)


def test_the_gradebook_is_paginated_past_50_learners(client, db, login_as):
    teacher = login_as("instructor")
    learners = [make_user(name=f"Learner {n:03d}") for n in range(55)]
    cohort = make_cohort(teacher, learners)
    db.session.commit()
    first = client.get(f"/teach/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Learner 049" in first and "Learner 050" not in first and "Page 1 of 2" in first
    second = client.get(f"/teach/cohorts/{cohort.id}", query_string={"page": 2}).get_data(as_text=True)
    assert "Learner 050" in second and "Learner 054" in second and "Learner 049" not in second
    assert len(read_csv(client.get(f"/teach/cohorts/{cohort.id}/gradebook.csv"))) == 56, "the export has every page"


def test_the_query_count_does_not_grow_with_the_cohort(client, db, login_as):
    teacher = login_as("instructor")
    counts = []
    for size in (10, 100):
        learners = [make_user() for _ in range(size)]
        cohort = make_cohort(teacher, learners, name=f"Size {size}")
        for learner in learners:
            make_attempt(learner, quiz(), [True] * 8)
        db.session.commit()
        client.get(f"/teach/cohorts/{cohort.id}")  # warm up
        with QueryCounter() as counter:
            assert client.get(f"/teach/cohorts/{cohort.id}").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_drill_down_shows_every_attempt_question_by_question_as_shown(client, db, login_as):
    teacher = login_as("instructor")
    cohort, role, ann, ben, cy = setup_class(db, teacher)
    page = client.get(f"/teach/cohorts/{cohort.id}/learners/{ann.id}").get_data(as_text=True)
    assert page.count("Question by question") == 2 and "50%" in page and "100%" in page
    attempt = make_attempt(ann, role, [False] * 8, picks=[0] * 8)
    db.session.commit()
    detail = client.get(f"/teach/cohorts/{cohort.id}/learners/{ann.id}/attempts/{attempt.id}").get_data(as_text=True)
    from markupsafe import escape
    assert str(escape(attempt.snapshot[0]["prompt"])) in detail and "Correct answer:" in detail


def test_views_and_exports_of_learners_results_are_audited(client, db, login_as):
    teacher = login_as("instructor")
    cohort, role, ann, ben, cy = setup_class(db, teacher)
    client.get(f"/teach/cohorts/{cohort.id}")
    client.get(f"/teach/cohorts/{cohort.id}/gradebook.csv")
    client.get(f"/teach/cohorts/{cohort.id}/learners/{ann.id}")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.not_like("login.%")).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["gradebook.view", "gradebook.export", "learner.view"]
    assert all(e.actor_id == teacher.id and e.request_id for e in events)
    assert events[2].subject_id == ann.id and events[0].target == f"cohort:{cohort.id}"
