"""Bad input never causes a 500: Unicode digits, ids too large for the database, far dates, NUL, long file names."""

import hashlib
from datetime import date, timedelta

import pytest
from flask import request
from sqlalchemy import select

from app.models import HireTraining, Invitation, Membership
from app.models.base import utcnow
from tests.conftest import POSTGRES_URL, sign_in
from tests.factories import make_cohort, make_organisation, make_user, quiz
from tests.test_compliance import assign

SUPERSCRIPT_TWO = "\u00b2"  # "²": str.isdigit() says yes, int() says no


def test_unicode_digits_in_gradebook_filters_and_sorting_are_ignored(client, db, login_as):
    teacher = login_as("instructor")
    cohort = make_cohort(teacher, [make_user(name="Some Learner")])
    db.session.commit()
    for query in ({"sort": f"quiz:{SUPERSCRIPT_TWO}"}, {"show": f"not-passed:{SUPERSCRIPT_TWO}"},
                  {"sort": "quiz:99999999999999999999999", "show": "not-passed:99999999999999999999999"}):
        response = client.get(f"/teach/cohorts/{cohort.id}", query_string=query)
        assert response.status_code == 200 and "Some Learner" in response.get_data(as_text=True), query


def test_unicode_digits_in_review_items_are_skipped(client, db, login_as):
    login_as()
    response = client.post("/review", data={"items": [SUPERSCRIPT_TWO, "9" * 40]})
    assert response.status_code == 200


@pytest.mark.parametrize("huge", [2**31, 2**63, 10**30])
def test_ids_too_large_for_the_database_are_not_found(client, login_as, huge):
    login_as()
    for path in (f"/attempts/{huge}", f"/policy/{huge}", f"/certificates/{huge}.pdf", f"/lessons/x/checks/{huge}"):
        response = client.get(path)
        assert response.status_code == 404 and "There is no page at this address." in response.get_data(as_text=True), path
    assert client.post(f"/attempts/{huge}/draft").status_code == 404


def test_a_number_too_large_for_the_database_anywhere_gets_a_400_not_a_500(app, db):
    from app.models import User

    @app.route("/test-only/users")
    def look_up():
        """A view that passes a query number straight to the database, as a careless new view might."""
        return str(db.session.get(User, int(request.args["id"])))

    for huge in (2**63, 2**31) if POSTGRES_URL else (2**63,):
        response = app.test_client().get("/test-only/users", query_string={"id": huge})
        assert response.status_code == 400 and "out of range" in response.get_data(as_text=True)


def test_a_hire_dated_9999_12_31_with_a_relative_due_date_can_accept_the_invitation(client, db, login_as):
    manager = make_user("employer")
    organisation = make_organisation(manager)
    assign(organisation, manager, title="Role basics", module_slugs=["role"], due_days=30)
    token = "far-future-hire-invitation-token"
    db.session.add(Invitation(organisation_id=organisation.id, email="far.future@example.com", name="Far Future",
                              hire_date=date(9999, 12, 31), token_hash=hashlib.sha256(token.encode()).hexdigest(),
                              invited_by=manager.id, expires_at=utcnow() + timedelta(days=7)))
    db.session.commit()
    hire = login_as(email="far.future@example.com")
    response = client.post(f"/invite/{token}")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert db.session.scalar(select(Membership).where(Membership.user_id == hire.id)).hire_date == date(9999, 12, 31)
    assert db.session.scalar(select(HireTraining.due_on).where(HireTraining.user_id == hire.id)) == date.max
    assert client.get("/").status_code == 200
    client.post("/auth/logout")
    sign_in(client, manager.email)
    assert client.get("/employer/").status_code == 200 and client.get(f"/employer/hires/{hire.id}").status_code == 200


@pytest.mark.parametrize("path", ["/glossary?q=a%00b", "/verify/a%00b", "/lessons/a%00b", "/glossary?a%00b=1"])
def test_a_nul_character_in_the_address_gets_a_clear_400(client, path):
    response = client.get(path)
    assert response.status_code == 400 and "NUL character" in response.get_data(as_text=True)


def test_a_nul_character_in_a_form_gets_a_clear_400_and_changes_nothing(client, db, login_as):
    teacher = login_as("instructor")
    response = client.post("/teach/", data={"name": "Class\x00 of 2027"})
    assert response.status_code == 400 and "NUL character" in response.get_data(as_text=True)
    from app.models import Cohort
    assert db.session.scalars(select(Cohort).where(Cohort.instructor_id == teacher.id)).all() == []


def test_a_file_name_too_long_for_the_file_system_is_not_found(client, login_as):
    login_as("instructor")
    response = client.get("/teach/content/quizzes/" + "a" * 300 + ".yaml")
    assert response.status_code == 404
    assert client.get("/teach/content/quizzes/role.yaml").status_code == 200


@pytest.mark.skipif(not POSTGRES_URL, reason="SQLite stores ids up to 2^63 - 1")
def test_on_postgresql_an_id_just_past_2_31_is_not_found(client, login_as):
    login_as()
    assert client.get(f"/attempts/{2**31}").status_code == 404
    assert quiz().id < 2**31
