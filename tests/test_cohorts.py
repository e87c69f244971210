"""Cohorts: creating, joining with a code or an invitation link, removing members, archiving."""

from datetime import date, timedelta

from sqlalchemy import func, select

from app.models import Cohort, Enrolment, QuizAttempt
from app.models.base import utcnow
from tests.conftest import sign_in
from tests.factories import make_attempt, make_cohort, make_user, quiz


def enrolled(db, cohort, user) -> bool:
    return db.session.scalar(select(func.count()).select_from(Enrolment).where(
        Enrolment.cohort_id == cohort.id, Enrolment.user_id == user.id, Enrolment.removed_at.is_(None))) == 1


def test_an_instructor_creates_a_cohort_with_a_join_code_and_link(client, db, login_as):
    login_as("instructor")
    response = client.post("/teach/", data={"name": "Evening class", "starts_on": "2026-09-01", "ends_on": "2026-12-20"})
    assert response.status_code == 302
    cohort = db.session.scalar(select(Cohort))
    assert cohort.name == "Evening class" and len(cohort.join_code) == 8
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert cohort.display_code in page and f"/join/{cohort.join_code}" in page


def test_a_cohort_cannot_end_before_it_starts(client, db, login_as):
    login_as("instructor")
    response = client.post("/teach/", data={"name": "Backwards", "starts_on": "2026-09-01", "ends_on": "2026-08-01"})
    assert response.status_code == 422
    assert "The end date must be on or after the start date." in response.get_data(as_text=True)
    assert db.session.scalar(select(Cohort)) is None


def test_a_learner_joins_with_a_code_ignoring_case_and_hyphens(client, db, login_as):
    teacher = make_user("instructor")
    cohort = make_cohort(teacher)
    learner = login_as()
    code = f"{cohort.join_code[:4].lower()}-{cohort.join_code[4:].lower()}"
    response = client.post("/join", data={"code": code})
    assert response.status_code == 302
    assert enrolled(db, cohort, learner)
    again = client.post("/join", data={"code": cohort.join_code}, follow_redirects=True)
    assert "already in" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 1


def test_an_invalid_code_says_so_and_joins_nothing(client, db, login_as):
    login_as()
    response = client.post("/join", data={"code": "ZZZZ-ZZZZ"})
    assert response.status_code == 422
    assert "That join code is not valid." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0


def test_an_expired_or_archived_cohort_cannot_be_joined(client, db, login_as):
    teacher = make_user("instructor")
    ended = make_cohort(teacher, name="Ended")
    ended.ends_on = date.today() - timedelta(days=1)
    archived = make_cohort(teacher, name="Archived")
    archived.archived_at = utcnow()
    learner = login_as()
    for cohort in (ended, archived):
        response = client.post("/join", data={"code": cohort.join_code})
        assert "can no longer be joined" in response.get_data(as_text=True)
        assert not enrolled(db, cohort, learner)


def test_an_invitation_link_asks_before_joining(client, db, login_as):
    teacher = make_user("instructor")
    cohort = make_cohort(teacher, name="Morning class")
    learner = login_as()
    page = client.get(f"/join/{cohort.join_code}")
    assert page.status_code == 200 and "Join “Morning class”" in page.get_data(as_text=True)
    assert not enrolled(db, cohort, learner), "a GET never joins"
    client.post("/join", data={"code": cohort.join_code})
    assert enrolled(db, cohort, learner)
    assert client.get("/join/NOPE1234").status_code == 404


def test_an_invitation_link_for_a_visitor_leads_through_sign_in(client, db):
    teacher = make_user("instructor")
    cohort = make_cohort(teacher)
    db.session.commit()
    response = client.get(f"/join/{cohort.join_code}")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_learner_may_belong_to_several_cohorts(client, db, login_as):
    teacher = make_user("instructor")
    first, second = make_cohort(teacher, name="First"), make_cohort(teacher, name="Second")
    learner = login_as()
    for cohort in (first, second):
        client.post("/join", data={"code": cohort.join_code})
    assert enrolled(db, first, learner) and enrolled(db, second, learner)
    assert "First, Second" in client.get("/").get_data(as_text=True)


def test_removing_a_learner_asks_first_and_keeps_their_history(client, db, login_as):
    learner = make_user()
    teacher = login_as("instructor")
    cohort = make_cohort(teacher, [learner])
    make_attempt(learner, quiz(), [True] * 8)
    db.session.commit()
    url = f"/teach/cohorts/{cohort.id}/learners/{learner.id}/remove"
    assert "They keep their own progress" in client.get(url).get_data(as_text=True)
    assert enrolled(db, cohort, learner)
    client.post(url)
    assert not enrolled(db, cohort, learner)
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt).where(QuizAttempt.user_id == learner.id)) == 1
    assert f"/learners/{learner.id}\"" not in client.get(f"/teach/cohorts/{cohort.id}").get_data(as_text=True)
    assert client.get(f"/teach/cohorts/{cohort.id}/learners/{learner.id}").status_code == 404


def test_archiving_asks_first_then_closes_the_code(client, db, login_as):
    teacher = login_as("instructor")
    cohort = make_cohort(teacher)
    db.session.commit()
    assert "Archive “Test cohort”?" in client.get(f"/teach/cohorts/{cohort.id}/archive").get_data(as_text=True)
    client.post(f"/teach/cohorts/{cohort.id}/archive")
    db.session.refresh(cohort)
    assert cohort.archived_at is not None
    client.post("/auth/logout")
    learner = make_user()
    db.session.commit()
    sign_in(client, learner.email)
    assert "can no longer be joined" in client.post("/join", data={"code": cohort.join_code}).get_data(as_text=True)
