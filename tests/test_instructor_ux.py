"""Instructors' exceptions and due dates: extra attempts at a limited quiz, excusals from a quiz, and cohort due dates
that learners see on their dashboard; every change is audited, confirmed when withdrawn, and refused on bad input."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import AttemptGrant, AuditEvent, DueDate, Excusal, Quiz
from app.models.base import utcnow
from app.services import certificates, cohort_exceptions, due_dates, gradebook, gradebook_stats, quizzes
from app.services.progress import course_progress
from tests.conftest import sign_in
from tests.factories import make_attempt, make_cohort, make_user, quiz


def limit(slug: str, attempts: int) -> Quiz:
    """Give a quiz an attempt limit (the course's own quizzes allow unlimited attempts)."""
    row = quiz(slug)
    row.attempts_allowed = attempts
    return row


def actions(db, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.fixture
def klass(db, login_as):
    """A signed-in instructor with a cohort of two learners; Ann has used her one attempt at the role quiz."""
    teacher = login_as("instructor")
    ann, ben = make_user(name="Ann Able"), make_user(name="Ben Bold")
    cohort = make_cohort(teacher, [ann, ben])
    role = limit("role-quiz", 1)
    make_attempt(ann, role, [True, False, False, False] * 2)
    db.session.commit()
    return teacher, cohort, role, ann, ben


def learner_url(cohort, learner) -> str:
    return f"/teach/cohorts/{cohort.id}/learners/{learner.id}"


def test_a_granted_attempt_lets_the_learner_start_again_and_is_shown_and_audited(client, db, klass):
    teacher, cohort, role, ann, _ben = klass
    assert quizzes.attempts_left(ann, role) == 0
    with pytest.raises(quizzes.QuizError):
        quizzes.start_attempt(ann, role)
    response = client.post(learner_url(cohort, ann) + "/grants", data={"grant_quiz": role.id, "extra": 2})
    assert response.status_code == 302
    page = client.get(learner_url(cohort, ann)).get_data(as_text=True)
    assert "has 2 more attempts at" in page and "+2</strong> attempts" in page
    assert quizzes.attempts_left(ann, role) == 2
    assert quizzes.start_attempt(ann, role).submitted_at is None
    event = actions(db, "attempt.grant")[0]
    assert (event.actor_id, event.subject_id, event.details) == (teacher.id, ann.id, {"quiz": "role-quiz", "extra": 2})


def test_a_grant_ends_when_the_learner_leaves_the_cohort(client, db, klass):
    _teacher, cohort, role, ann, _ben = klass
    client.post(learner_url(cohort, ann) + "/grants", data={"grant_quiz": role.id, "extra": 1})
    assert quizzes.attempts_left(ann, role) == 1
    client.post(learner_url(cohort, ann) + "/remove")
    assert quizzes.attempts_left(ann, role) == 0


@pytest.mark.parametrize("data, message", [
    ({"extra": 0}, "Number must be between 1 and 10."),
    ({"extra": 11}, "Number must be between 1 and 10."),
    ({"extra": "lots"}, "Not a valid integer value."),
    ({"extra": 1, "grant_quiz": "unlimited"}, "Not a valid choice"),
])
def test_a_bad_grant_says_why_and_grants_nothing(client, db, klass, data, message):
    _teacher, cohort, role, ann, _ben = klass
    unlimited = quiz("workplace-quiz")
    form = {"grant_quiz": role.id} | data
    if form["grant_quiz"] == "unlimited":
        form["grant_quiz"] = unlimited.id
    response = client.post(learner_url(cohort, ann) + "/grants", data=form)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AttemptGrant)) == 0


def test_only_staff_who_see_the_cohort_can_grant_or_excuse(app, client, db, klass):
    _teacher, cohort, role, ann, _ben = klass
    other = make_user("instructor")
    db.session.commit()
    stranger = app.test_client()
    sign_in(stranger, other.email)
    assert stranger.post(learner_url(cohort, ann) + "/grants", data={"grant_quiz": role.id, "extra": 1}).status_code == 404
    assert stranger.post(learner_url(cohort, ann) + "/excusals", data={"excuse_quiz": role.id}).status_code == 404
    learner = app.test_client()
    sign_in(learner, ann.email)
    assert learner.post(learner_url(cohort, ann) + "/grants", data={"grant_quiz": role.id, "extra": 1}).status_code in (403, 404)
    assert client.post(learner_url(cohort, ann) + "/grants", data={"grant_quiz": role.id, "extra": 1}, csrf=False).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(AttemptGrant)) == 0
    assert db.session.scalar(select(func.count()).select_from(Excusal)) == 0


def test_an_excused_quiz_shows_excused_and_leaves_the_not_passed_filter_but_passes_nothing(client, db, klass):
    teacher, cohort, role, ann, ben = klass
    response = client.post(learner_url(cohort, ann) + "/excusals", data={"excuse_quiz": role.id})
    assert response.status_code == 302
    assert cohort_exceptions.excused(cohort.id) == {(ann.id, role.id)}
    assert "Excused" in client.get(learner_url(cohort, ann)).get_data(as_text=True)
    book = gradebook.build(cohort)
    rows = {row.user.id: row for row in gradebook.every_row(book, gradebook.View(f"not-passed:{role.id}"), utcnow())}
    assert set(rows) == {ben.id}, "Ann is excused, so she is not missing the quiz"
    page = client.get(f"/teach/cohorts/{cohort.id}").get_data(as_text=True)
    assert '<span class="excused">Excused</span>' in page
    # Records fail closed: the excusal passes no quiz, completes nothing and earns no certificate.
    assert not course_progress(ann).for_module(role.module_id).passed
    assert certificates.course_certificate(ann) is None
    event = actions(db, "quiz.excuse")[0]
    assert (event.actor_id, event.subject_id, event.details) == (teacher.id, ann.id, {"quiz": "role-quiz"})


def test_withdrawing_an_excusal_asks_first_then_counts_the_quiz_again(client, db, klass):
    _teacher, cohort, role, ann, _ben = klass
    client.post(learner_url(cohort, ann) + "/excusals", data={"excuse_quiz": role.id})
    url = learner_url(cohort, ann) + f"/excusals/{role.id}/withdraw"
    confirm = client.get(url).get_data(as_text=True)
    assert "Withdraw the excusal" in confirm and cohort_exceptions.excused(cohort.id)
    assert client.post(url).status_code == 302
    assert cohort_exceptions.excused(cohort.id) == set()
    assert actions(db, "quiz.excuse_withdraw")[0].subject_id == ann.id
    assert "already withdrawn" in client.get(url, follow_redirects=True).get_data(as_text=True)


def test_a_due_date_shows_in_the_gradebook_header_and_on_members_dashboards_only(app, client, db, klass):
    teacher, cohort, role, ann, _ben = klass
    outsider = make_user(name="Out Sider")
    db.session.commit()
    day = utcnow().date() + timedelta(days=30)
    response = client.post(f"/teach/cohorts/{cohort.id}/due-dates", data={"due_quiz": role.id, "due_on": day.isoformat()})
    assert response.status_code == 302
    label = f"Due {day.day} {day:%b %Y}"
    assert label in client.get(f"/teach/cohorts/{cohort.id}").get_data(as_text=True)
    assert actions(db, "cohort.due_date")[0].details == {"quiz": "role-quiz", "due_on": day.isoformat()}
    member, stranger = app.test_client(), app.test_client()
    sign_in(member, ann.email)
    sign_in(stranger, outsider.email)
    assert label in member.get("/").get_data(as_text=True)
    assert label not in stranger.get("/").get_data(as_text=True)


def test_an_overdue_quiz_is_marked_overdue_for_the_learner_and_a_passed_one_is_not(app, db, klass):
    teacher, cohort, role, ann, ben = klass
    past = utcnow().date() - timedelta(days=3)
    db.session.add(DueDate(cohort_id=cohort.id, quiz_id=role.id, due_on=past, set_by=teacher.id))
    db.session.commit()
    client = app.test_client()
    sign_in(client, ben.email)
    assert f"Overdue: was due {past.day} {past:%b %Y}" in client.get("/").get_data(as_text=True)
    make_attempt(ben, role, [True] * 8)
    assert "Overdue" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("value, message", [
    ("yesterday", "The due date is in the past"),
    ("", "Enter a date"),
    ("2027-02-30", "Not a valid date value."),
    ("9999-12-31", "Choose a date before 2100."),
])
def test_a_due_date_in_the_past_or_malformed_is_refused(client, db, klass, value, message):
    _teacher, cohort, role, _ann, _ben = klass
    if value == "yesterday":
        value = (utcnow().date() - timedelta(days=1)).isoformat()
    response = client.post(f"/teach/cohorts/{cohort.id}/due-dates", data={"due_quiz": role.id, "due_on": value})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert due_dates.for_cohort(cohort.id) == {}


def test_removing_a_due_date_asks_first(client, db, klass):
    _teacher, cohort, role, ann, _ben = klass
    day = utcnow().date() + timedelta(days=5)
    client.post(f"/teach/cohorts/{cohort.id}/due-dates", data={"due_quiz": role.id, "due_on": day.isoformat()})
    url = f"/teach/cohorts/{cohort.id}/due-dates/{role.id}/remove"
    assert "Remove the due date" in client.get(url).get_data(as_text=True)
    assert due_dates.for_cohort(cohort.id) == {role.id: day}
    client.post(url)
    assert due_dates.for_cohort(cohort.id) == {}
    assert due_dates.for_learner(ann) == {}


def test_gradebook_csv_marks_an_excused_quiz(client, db, klass):
    _teacher, cohort, role, ann, ben = klass
    client.post(learner_url(cohort, ben) + "/excusals", data={"excuse_quiz": role.id})
    text = client.get(f"/teach/cohorts/{cohort.id}/gradebook.csv").get_data(as_text=True)
    lines = {line.split(",")[0]: line for line in text.splitlines()}
    assert "excused" in lines["Ben Bold"] and "excused" not in lines["Ann Able"]


def serious_violations(page) -> list:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
    return [(v["id"], len(v["nodes"])) for v in result.response["violations"] if v["impact"] in ("serious", "critical")]


def test_the_instructor_journey_in_a_browser(browser, app, db, live_server):
    """Open a learner, grant an attempt, excuse a quiz, set a due date; the learner sees it; the learner page fits a phone."""
    from tests.test_browser_pages import PHONE, signed_in_page

    base = live_server[1]
    teacher, ann = make_user("instructor"), make_user(name="Ann Able")
    cohort = make_cohort(teacher, [ann], name="Evening class")
    role = limit("role-quiz", 1)
    make_attempt(ann, role, [False] * 8)
    role_title, excused_title = role.title, quiz("workplace-quiz").title
    db.session.commit()  # the test holds no write lock while the browser works
    day = utcnow().date() + timedelta(days=20)
    page = signed_in_page(browser, base, teacher.email, viewport={"width": 1280, "height": 900})
    page.set_default_timeout(10000)
    page.goto(base + f"/teach/cohorts/{cohort.id}")
    page.get_by_role("link", name="Ann Able").click()
    page.get_by_label("Quiz with an attempt limit").select_option(label=role_title)
    page.get_by_label("Extra attempts").fill("1")
    page.get_by_role("button", name="Grant the attempts").click()
    assert "has 1 more attempt at" in page.content()
    page.get_by_label("Quiz to excuse").select_option(label=excused_title)
    page.get_by_role("button", name="Excuse from this quiz").click()
    assert page.locator(".excusals").get_by_text("Excused").is_visible()
    page.get_by_role("link", name="Evening class").click()
    page.get_by_label("Quiz", exact=True).select_option(label=role_title)
    page.get_by_label("Due date").fill(day.isoformat())
    page.get_by_role("button", name="Set the due date").click()
    page.goto(base + f"/teach/cohorts/{cohort.id}")
    assert page.locator("table.gradebook thead").get_by_text(f"Due {day.day} {day:%b %Y}").is_visible()
    page.goto(base + learner_url(cohort, ann))
    assert serious_violations(page) == [], "the learner page with a grant and an excusal"
    page.set_viewport_size(PHONE)
    page.goto(base + learner_url(cohort, ann))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.context.close()
    learner = signed_in_page(browser, base, ann.email)
    learner.goto(base + "/")
    assert learner.locator(".due-list").get_by_text(f"Due {day.day} {day:%b %Y}").is_visible()
    assert serious_violations(learner) == [], "the dashboard with a due date"
    assert quizzes.attempts_left(ann, db.session.get(Quiz, role.id)) == 1
    learner.context.close()


def test_the_not_passed_figures_follow_an_excusal_at_once(client, db, klass):
    _teacher, cohort, role, ann, _ben = klass
    url = f"/teach/cohorts/{cohort.id}?show=not-passed:{role.id}"
    assert "Showing 1–2 of 2 learners" in client.get(url).get_data(as_text=True)
    client.post(learner_url(cohort, ann) + "/excusals", data={"excuse_quiz": role.id})
    page = client.get(url).get_data(as_text=True)
    assert "Showing 1–1 of 1 learner" in page and "Ann Able" not in page.split("<h2>Learners</h2>")[1]
    book = gradebook.build(cohort)
    view = gradebook.View(f"not-passed:{role.id}")
    figures = gradebook_stats.figures(book, view, gradebook.matching(book, view, utcnow()), utcnow())
    assert next(s for s in figures.summaries if s.quiz.id == role.id).attempted == 0, "Ann's attempt left with her"
