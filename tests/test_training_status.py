"""One status everywhere: the manager's matrix, the hire's page and the hire's own dashboard agree, a training that
waits only for the policy says so, and updating a person's training costs the same whatever its number."""

import re
from datetime import date

from sqlalchemy import func, select

from app.models import HireTraining, Module
from app.services import policy
from app.services.bench import QueryCounter
from tests.conftest import sign_in
from tests.factories import add_hire, complete_module, make_organisation, make_user
from tests.test_compliance import assign

STATUS = re.compile(r'class="status status-[a-z-]+">([^<]+)<')


def statuses(client, url) -> list[str]:
    return STATUS.findall(client.get(url).get_data(as_text=True))


def org_with_hire(db, slugs=("role",)):
    manager = make_user("employer", name="Mona Manager")
    organisation = make_organisation(manager)
    hire = make_user(name="Hana Hire")
    add_hire(organisation, hire, hire_date=date(2026, 11, 1))
    assign(organisation, manager, module_slugs=list(slugs), due_days=None, due_date=date(2099, 1, 1))
    db.session.commit()
    return manager, organisation, hire


def test_after_one_lesson_every_page_says_in_progress(app, db):
    manager, organisation, hire = org_with_hire(db)
    learner, boss = app.test_client(), app.test_client()
    sign_in(learner, hire.email)
    sign_in(boss, manager.email)
    assert statuses(learner, "/") == ["Assigned"]
    assert statuses(boss, "/employer/") == ["Assigned"]
    lesson = db.session.scalar(select(Module).where(Module.slug == "role")).lessons[0]
    assert learner.post(f"/lessons/{lesson.slug}/complete").status_code == 302
    assert statuses(learner, "/") == ["In progress"]
    assert statuses(boss, "/employer/") == ["In progress"]
    assert statuses(boss, f"/employer/hires/{hire.id}") == ["In progress"]


def test_a_training_waiting_only_for_the_policy_says_so(app, db):
    manager, organisation, hire = org_with_hire(db, slugs=("confidentiality",))
    version = policy.publish(organisation, manager, "Keep patient information private.")
    complete_module(hire, "confidentiality")
    db.session.commit()
    learner, boss = app.test_client(), app.test_client()
    sign_in(learner, hire.email)
    sign_in(boss, manager.email)
    last = db.session.scalar(select(Module).where(Module.slug == "confidentiality")).lessons[-1]
    learner.post(f"/lessons/{last.slug}/complete")
    page = learner.get("/").get_data(as_text=True)
    assert STATUS.findall(page) == ["Policy to acknowledge"]
    assert "Acknowledge the policy to finish" in page and f"/policy/{version.id}" in page
    assert statuses(boss, "/employer/") == ["Policy to acknowledge"]
    assert learner.post(f"/policy/{version.id}", data={"agree": "y"}).status_code == 302
    assert statuses(learner, "/") == ["Completed"]
    assert statuses(boss, "/employer/") == ["Completed"]


def test_marking_a_lesson_complete_costs_the_same_with_0_5_or_20_open_trainings(app, db):
    manager = make_user("employer")
    organisation = make_organisation(manager)
    hire = make_user()
    add_hire(organisation, hire)
    db.session.commit()
    client = app.test_client()
    sign_in(client, hire.email)
    lessons = [db.session.scalar(select(Module).where(Module.slug == slug)).lessons[0] for slug in ("training", "outlook", "workplace")]
    counts = []
    for total, lesson in zip((0, 5, 20), lessons, strict=True):
        while db.session.scalar(select(func.count()).select_from(HireTraining).where(HireTraining.user_id == hire.id)) < total:
            assign(organisation, manager, title="Role", module_slugs=["role", "pay"])
            db.session.commit()
        token = client.csrf_token()
        with QueryCounter() as counter:
            assert client.post(f"/lessons/{lesson.slug}/complete", data={"csrf_token": token}).status_code == 302
        counts.append(counter.count)
    assert counts[0] <= counts[1] == counts[2], counts


def test_the_rebuild_command_finds_and_fixes_a_standing_that_drifted(app, db):
    manager, organisation, hire = org_with_hire(db)
    complete_module(hire, "role")  # recorded behind the app's back: nothing updated the cycle
    db.session.commit()
    runner = app.test_cli_runner()
    checked = runner.invoke(args=["summaries", "rebuild", "--check"])
    assert checked.exit_code == 1 and "started_at was None" in checked.output and "complete was False" in checked.output
    training = db.session.scalar(select(HireTraining).where(HireTraining.user_id == hire.id))
    db.session.refresh(training)
    assert training.completed_at is None, "--check changes nothing"
    fixed = runner.invoke(args=["summaries", "rebuild"])
    assert fixed.exit_code == 0 and "2 difference(s) found and fixed" in fixed.output
    db.session.refresh(training)
    assert training.completed_at is not None and training.started_at is not None
    again = runner.invoke(args=["summaries", "rebuild", "--check"])
    assert again.exit_code == 0 and "0 difference(s)" in again.output
