"""Kept pages (gradebook, compliance matrix, learner dashboard) are never stale: the data stamp moves with every
committed change, and a page kept under an old stamp is not shown again."""

import re
from datetime import date

from sqlalchemy import select, text

from app import data_stamp, unit_of_work
from app.models import Lesson, Module, User
from app.services import assignments, audit, certificates
from app.services.progress import course_modules
from tests.conftest import CSRF_META as META_TOKEN
from tests.conftest import sign_in
from tests.factories import add_hire, complete_module, make_cohort, make_organisation, make_user
from tests.test_compliance import assign
from tests.test_progress import pass_quiz

CLAIM_TOKEN = re.compile(r'class="course-certificate"><input type="hidden" name="csrf_token" value="([^"]+)"')


def stamp(db) -> int:
    value = db.session.execute(text("SELECT value FROM data_stamps")).scalar_one()
    db.session.rollback()
    return value


def test_the_stamp_moves_with_each_committed_change_and_only_then(app, db):
    before = stamp(db)
    with app.test_request_context("/"):
        audit.record("gradebook.view", None, target="cohort:1")  # a page view's audit event changes no page
    assert stamp(db) == before
    db.session.add(User(email="rolled@example.com", display_name="Rolled Back", password_hash="x", role="student"))
    db.session.flush()
    db.session.rollback()
    assert stamp(db) == before, "a change rolled back leaves the stamp"
    make_user(name="Kept Keen")
    db.session.commit()
    moved = stamp(db)
    assert moved != before
    with unit_of_work.transaction():
        db.session.execute(text("UPDATE users SET display_name = 'Renamed' WHERE display_name = 'Kept Keen'"))
    assert stamp(db) != moved, "a statement written by hand moves it too"


def test_the_gradebook_shows_a_submission_made_after_it_was_kept(app, client, db, login_as):
    teacher = login_as("instructor")
    learner = make_user(name="Lee Later")
    cohort = make_cohort(teacher, [learner])
    db.session.commit()
    address = f"/teach/cohorts/{cohort.id}"
    first = client.get(address).get_data(as_text=True)
    assert "Lee Later" in first and "100% <span" not in first
    assert client.get(address).get_data(as_text=True).count("Lee Later") == first.count("Lee Later")
    learner_browser = app.test_client()
    sign_in(learner_browser, learner.email)
    pass_quiz(learner_browser, db, "role-quiz")
    assert "100% <span" in client.get(address).get_data(as_text=True), "the kept gradebook gave way to the new result"


def test_the_compliance_matrix_shows_a_completion_made_after_it_was_kept(client, db, login_as):
    manager = login_as("employer")
    organisation = make_organisation(manager)
    hire = make_user(name="Dee Done")
    add_hire(organisation, hire, hire_date=date(2026, 1, 1))
    assign(organisation, manager, module_slugs=["role"], due_days=3650)
    db.session.commit()
    assert "<strong>0</strong> Completed" in client.get("/employer/").get_data(as_text=True)
    complete_module(hire, "role")
    assignments.refresh_completions(db.session.get(User, hire.id))
    db.session.commit()
    assert "<strong>1</strong> Completed" in client.get("/employer/").get_data(as_text=True)


def test_the_dashboard_shows_a_lesson_completed_after_it_was_kept(client, db, login_as):
    login_as()
    first = client.get("/").get_data(as_text=True)
    assert "<strong>0% complete</strong>" in first
    lesson = db.session.scalar(select(Lesson).join(Module).order_by(Module.position, Lesson.position))
    assert client.post(f"/lessons/{lesson.slug}/complete").status_code == 302
    assert "<strong>0% complete</strong>" not in client.get("/").get_data(as_text=True)


def test_a_kept_dashboard_carries_each_session_its_own_form_token(app, db):
    learner = make_user(name="Two Browsers")
    for module in course_modules():
        complete_module(learner, module.slug)
    db.session.commit()
    browsers = []
    for _ in range(2):
        browser = app.test_client()
        sign_in(browser, learner.email)
        page = browser.get("/").get_data(as_text=True)
        assert "Get your course certificate" in page or "final exam" in page
        browsers.append((browser, page))
    first, second = browsers
    for _browser, page in browsers:
        assert data_stamp.CSRF_SLOT not in page
        assert CLAIM_TOKEN.search(page) is None or CLAIM_TOKEN.search(page).group(1) == META_TOKEN.search(page).group(1)
    pass_quiz(second[0], db, "final-exam")
    db.session.delete(certificates.course_certificate(learner))  # as before course certificates existed: one to claim
    db.session.commit()
    tokens = []
    for browser, _page in browsers:
        page = browser.get("/").get_data(as_text=True)
        tokens.append(CLAIM_TOKEN.search(page).group(1))
        assert tokens[-1] == META_TOKEN.search(page).group(1), "the claim form holds this session's own token"
    assert tokens[0] != tokens[1], "the second browser got its own token, not the one in the page kept for the first"
    assert first[0].post("/certificates/course", data={"csrf_token": tokens[0]}).status_code == 302
