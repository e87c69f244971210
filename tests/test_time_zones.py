"""Dates in the organisation's time zone: due and overdue turn at local midnight, on screen and on the certificate."""

from datetime import date, datetime

import pytest
from sqlalchemy import select

from app import create_app
from app.models import Certificate, HireTraining
from app.services import assignments, compliance, local_time
from tests.conftest import config_for, sign_in
from tests.factories import add_hire, complete_module, make_organisation, make_user
from tests.test_compliance import assign

DUE = date(2026, 12, 1)
# 21:30 on 1 December in Chicago is already 2 December in UTC; 00:30 on 2 December in Chicago is 06:30 UTC.
EVENING_OF_THE_DUE_DAY = datetime(2026, 12, 2, 3, 30)
AFTER_LOCAL_MIDNIGHT = datetime(2026, 12, 2, 6, 30)


def chicago_hire(db):
    manager = make_user("employer", name="Mona Manager")
    organisation = make_organisation(manager)
    organisation.time_zone = "America/Chicago"
    hire = make_user(name="Hana Hire")
    add_hire(organisation, hire)
    assign(organisation, manager, module_slugs=["role"], due_days=None, due_date=DUE)
    db.session.commit()
    return manager, organisation, hire


def matrix_status(client, monkeypatch, now) -> str:
    monkeypatch.setattr(local_time, "utcnow", lambda: now)
    page = client.get("/employer/").get_data(as_text=True)
    return "Overdue" if 'class="status status-overdue"' in page else "on time"


def test_a_training_due_today_is_not_overdue_in_the_evening_where_the_hires_work(app, client, db, monkeypatch):
    manager, organisation, hire = chicago_hire(db)
    sign_in(client, manager.email)
    assert matrix_status(client, monkeypatch, EVENING_OF_THE_DUE_DAY) == "on time"
    assert matrix_status(client, monkeypatch, AFTER_LOCAL_MIDNIGHT) == "Overdue"
    learner = app.test_client()
    sign_in(learner, hire.email)
    monkeypatch.setattr("app.learn.routes.utcnow", lambda: EVENING_OF_THE_DUE_DAY)  # the dashboard reads the time once
    assert 'class="status status-overdue"' not in learner.get("/").get_data(as_text=True)
    monkeypatch.setattr("app.learn.routes.utcnow", lambda: AFTER_LOCAL_MIDNIGHT)
    assert 'class="status status-overdue"' in learner.get("/").get_data(as_text=True)


def test_the_same_moment_is_another_day_in_another_zone(app, db):
    manager, organisation, hire = chicago_hire(db)
    training = db.session.scalar(select(HireTraining).where(HireTraining.user_id == hire.id))
    assert compliance.status_of(training, local_time.today(organisation, EVENING_OF_THE_DUE_DAY)) == "Assigned"
    organisation.time_zone = "UTC"
    assert compliance.status_of(training, local_time.today(organisation, EVENING_OF_THE_DUE_DAY)) == "Overdue"


def test_an_organisation_without_a_zone_uses_the_configured_default(app, db):
    manager = make_user("employer")
    organisation = make_organisation(manager)
    assert organisation.time_zone == ""
    app.config["DEFAULT_TIME_ZONE"] = "Asia/Tokyo"
    assert local_time.today(organisation, datetime(2026, 12, 1, 16)) == date(2026, 12, 2)
    app.config["DEFAULT_TIME_ZONE"] = "America/Los_Angeles"
    assert local_time.today(organisation, datetime(2026, 12, 1, 6)) == date(2026, 11, 30)


def test_completion_and_expiry_dates_are_local_dates(app, db):
    manager, organisation, hire = chicago_hire(db)
    complete_module(hire, "role", when=EVENING_OF_THE_DUE_DAY)
    rule = db.session.scalar(select(HireTraining).where(HireTraining.user_id == hire.id)).assignment
    rule.yearly = True
    [training] = assignments.refresh_completions(hire, now=EVENING_OF_THE_DUE_DAY)
    certificate = db.session.scalar(select(Certificate).where(Certificate.hire_training_id == training.id))
    assert certificate.completed_on == date(2026, 12, 1)  # still 1 December in Chicago
    assert training.expires_on == date(2027, 12, 1)


def test_a_manager_sets_the_zone_and_an_unknown_zone_is_refused(app, client, db, login_as):
    manager = login_as("employer")
    organisation = make_organisation(manager)
    db.session.commit()
    assert client.get("/employer/settings").status_code == 200
    bad = client.post("/employer/settings", data={"name": organisation.name, "time_zone": "Mars/Olympus_Mons"})
    assert bad.status_code == 422 and "Not a valid choice" in bad.get_data(as_text=True)
    db.session.refresh(organisation)
    assert organisation.time_zone == ""
    good = client.post("/employer/settings", data={"name": organisation.name, "time_zone": "America/Denver"})
    assert good.status_code == 302
    db.session.refresh(organisation)
    assert organisation.time_zone == "America/Denver"


def test_a_bad_default_zone_stops_the_app_at_start(database):
    with pytest.raises(RuntimeError, match="DEFAULT_TIME_ZONE"):
        create_app(config_for(database, DEFAULT_TIME_ZONE="Nowhere/Land"))


def test_the_daily_run_uses_each_organisations_own_date(app, db):
    from app.services.reminders import send_reminders

    hires = {}
    for zone in ("Asia/Tokyo", "America/Los_Angeles"):
        manager = make_user("employer")
        organisation = make_organisation(manager, name=f"Clinic in {zone}")
        organisation.time_zone = zone
        hire = make_user(name=f"Hire in {zone}")
        add_hire(organisation, hire)
        assign(organisation, manager, module_slugs=["role"], due_days=None, due_date=DUE)
        hires[zone] = hire
    db.session.commit()
    # 18:00 UTC on 1 December: 2 December in Tokyo (overdue there), still 1 December in Los Angeles (due today).
    report = send_reminders(now=datetime(2026, 12, 1, 18, 0))
    assert any(line.startswith("overdue to") and hires["Asia/Tokyo"].email in line for line in report.sent), report.sent
    assert any(line.startswith("due-3 to") and hires["America/Los_Angeles"].email in line for line in report.sent), report.sent
