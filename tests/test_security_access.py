"""The access matrix: every route, as every role, against objects that belong to someone else."""

import pytest
from flask import url_for
from sqlalchemy import func, select

from app.extensions import db as _db
from app.models import AuditEvent
from tests.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD
from tests.world import SECRET_NAME, build_world, url_values

ROLES = ("anonymous", "student", "instructor", "employer", "admin")
UNCHECKED_LEAKS = {"admin"}
# The certificate check names its holder by design (the holder is the one who shares its unguessable link),
# and still nothing else about them.
NAMES_THE_HOLDER = {"employer.verify"}


def routes(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def test_every_view_declares_its_access_rule(app):
    undeclared = [rule.rule for rule in routes(app) if not hasattr(app.view_functions[rule.endpoint], "access")]
    assert undeclared == []


def table_counts(db) -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables if table.name not in ("audit_events", "throttles")}  # sign-in bookkeeping


def test_the_access_matrix(app, client, db):
    world = build_world()
    before = table_counts(db)
    checked = 0
    with app.test_request_context():
        urls = [(rule, url_for(rule.endpoint, **url_values(world, rule.endpoint, set(rule.arguments))))
                for rule in routes(app) if "GET" in rule.methods]
    for role in ROLES:
        if role != "anonymous":
            assert sign_in(client, world.accounts[role].email, DEFAULT_PASSWORD).status_code == 302
        for rule, url in urls:
            access = app.view_functions[rule.endpoint].access
            response = client.get(url)
            body = response.get_data()
            checked += 1
            if role == "anonymous" and access != "public":
                assert response.status_code == 302 and "/auth/login" in response.headers["Location"], url
            elif isinstance(access, tuple) and role not in access:
                assert response.status_code == 403, (role, url, response.status_code)
            if role not in UNCHECKED_LEAKS:
                assert b"secret.owner@example.com" not in body, (role, url)
                assert rule.endpoint in NAMES_THE_HOLDER or SECRET_NAME.encode() not in body, (role, url)
            assert response.status_code < 500, (role, url)
        if role != "anonymous":
            client.post("/auth/logout")
    assert checked == len(ROLES) * len(urls)
    assert table_counts(db) == before, "no GET changes a row (the audit trail and sign-in throttles aside)"
    print(f"access matrix: {checked} requests")


def test_the_owner_and_their_instructor_and_manager_do_see_it(app, client, db):
    world = build_world()
    sign_in(client, world.owner.email)
    assert client.get(f"/attempts/{world.attempt.id}").status_code == 200
    client.post("/auth/logout")
    teacher = _db.session.get(type(world.owner), world.cohort.instructor_id)
    sign_in(client, teacher.email)
    assert SECRET_NAME in client.get(f"/teach/cohorts/{world.cohort.id}/learners/{world.owner.id}").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.subject_id == world.owner.id)) >= 1


@pytest.mark.parametrize("field", ["role", "organisation_id", "active", "session_nonce", "id"])
def test_extra_fields_in_a_registration_change_nothing(client, db, field):
    data = {"display_name": "Mass Assigner", "email": "mass@example.com", "password": "a long enough password",
            "confirm": "a long enough password", field: "admin" if field == "role" else "1"}
    assert client.post("/auth/register", data=data).status_code == 302
    from app.models import User
    user = db.session.scalar(select(User).where(User.email == "mass@example.com"))
    assert (user.role, user.active) == ("student", True) and user.session_nonce != "1"


def test_extra_fields_cannot_move_a_cohort_or_a_hire_to_someone_else(client, db, login_as):
    world = build_world()
    teacher = login_as("instructor")
    client.post("/teach/", data={"name": "Mine", "instructor_id": str(world.cohort.instructor_id)})
    from app.models import Cohort
    mine = db.session.scalar(select(Cohort).where(Cohort.name == "Mine"))
    assert mine.instructor_id == teacher.id
    client.post("/auth/logout")
    manager = login_as("employer")
    client.post("/employer/setup", data={"name": "Own org", "time_zone": "UTC"})
    client.post("/employer/hires", data={"name": "N", "email": "n@example.com", "organisation_id": str(world.organisation.id)})
    from app.models import Invitation
    invitation = db.session.scalar(select(Invitation).where(Invitation.email == "n@example.com"))
    assert invitation.organisation_id != world.organisation.id and invitation.invited_by == manager.id
