"""Who sees what: role checks, other instructors' cohorts, and admin account management."""

from sqlalchemy import select

from app.models import AuditEvent, User
from tests.conftest import sign_in
from tests.factories import make_attempt, make_cohort, make_user, quiz


def test_students_and_employers_get_403_on_instructor_and_admin_pages(client, db, login_as):
    teacher = make_user("instructor")
    cohort = make_cohort(teacher)
    db.session.commit()
    for role in ("student", "employer"):
        login_as(role)
        for url in ("/teach/", f"/teach/cohorts/{cohort.id}", f"/teach/cohorts/{cohort.id}/gradebook.csv", "/admin/users"):
            assert client.get(url).status_code == 403, (role, url)
        client.post("/auth/logout")


def test_another_instructors_cohort_learner_and_attempt_are_not_found(client, db, login_as):
    owner = make_user("instructor")
    learner = make_user()
    cohort = make_cohort(owner, [learner])
    attempt = make_attempt(learner, quiz(), [True] * 8)
    db.session.commit()
    login_as("instructor")
    base = f"/teach/cohorts/{cohort.id}"
    for url in (base, f"{base}/gradebook.csv", f"{base}/learners/{learner.id}", f"{base}/learners/{learner.id}/attempts/{attempt.id}",
                f"{base}/quizzes/role-quiz", f"{base}/quizzes/role-quiz.csv", f"{base}/archive", f"{base}/learners/{learner.id}/remove"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"{base}/archive").status_code == 404


def test_a_learner_outside_the_instructors_cohorts_is_never_shown_or_exported(client, db, login_as):
    teacher = login_as("instructor")
    mine, stranger = make_user(name="Mine Member"), make_user(name="Stranger Danger")
    cohort = make_cohort(teacher, [mine])
    make_cohort(make_user("instructor"), [stranger])
    make_attempt(stranger, quiz(), [True] * 8)
    db.session.commit()
    assert client.get(f"/teach/cohorts/{cohort.id}/learners/{stranger.id}").status_code == 404
    for url in (f"/teach/cohorts/{cohort.id}", f"/teach/cohorts/{cohort.id}/gradebook.csv", f"/teach/cohorts/{cohort.id}/quizzes/role-quiz"):
        body = client.get(url).get_data(as_text=True)
        assert "Stranger Danger" not in body and stranger.email not in body
    assert "Mine Member" in client.get(f"/teach/cohorts/{cohort.id}").get_data(as_text=True)


def test_an_admin_finds_users_and_changes_a_role(client, db, login_as):
    admin = login_as("admin")
    target = make_user(name="Role Changer")
    db.session.commit()
    page = client.get("/admin/users", query_string={"q": "role chan"}).get_data(as_text=True)
    assert target.email in page and admin.email not in page
    client.post(f"/admin/users/{target.id}/role", data={"role": "instructor"})
    db.session.refresh(target)
    assert target.role == "instructor"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.role_change"))
    assert event.subject_id == target.id and event.details == {"old": "student", "new": "instructor"}
    client.post(f"/admin/users/{target.id}/role", data={"role": "emperor"})
    db.session.refresh(target)
    assert target.role == "instructor"


def test_deactivation_asks_first_blocks_sign_in_ends_sessions_and_keeps_history(app, client, db, login_as):
    user = make_user()
    make_attempt(user, quiz(), [True] * 8)
    db.session.commit()
    their_client = app.test_client()
    sign_in(their_client, user.email)
    assert their_client.get("/quizzes/role-quiz").status_code == 200
    login_as("admin")
    assert "Deactivate" in client.get(f"/admin/users/{user.id}/deactivate").get_data(as_text=True)
    client.post(f"/admin/users/{user.id}/deactivate")
    db.session.refresh(user)
    assert user.active is False
    assert their_client.get("/quizzes/role-quiz").status_code == 302, "their open session ended"
    assert sign_in(app.test_client(), user.email).status_code == 200, "they cannot sign in"
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.subject_id == user.id)).all()
    assert actions.count("user.deactivate") == 1
    client.post(f"/admin/users/{user.id}/reactivate")
    assert sign_in(app.test_client(), user.email).status_code == 302


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(client, db, login_as):
    admin = login_as("admin")
    client.post(f"/admin/users/{admin.id}/role", data={"role": "student"})
    client.post(f"/admin/users/{admin.id}/deactivate")
    refreshed = db.session.get(User, admin.id)
    db.session.refresh(refreshed)
    assert refreshed.role == "admin" and refreshed.active
