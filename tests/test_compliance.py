"""Required training: due dates, statuses across dates, automatic assignment, reminders once, renewals, access."""

import csv
import io
from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.models import AuditEvent, HireTraining
from app.services import assignments, compliance
from app.services.bench import QueryCounter
from app.services.reminders import send_reminders
from tests.conftest import sign_in
from tests.factories import add_hire, complete_module, make_organisation, make_user

TODAY = date(2026, 11, 27)


def setup_org(db, hires=1, job_role="coder"):
    manager = make_user("employer", name="Mona Manager")
    organisation = make_organisation(manager)
    people = []
    for n in range(hires):
        person = make_user(name=f"Hire {n:04d}")
        add_hire(organisation, person, job_role=job_role, hire_date=date(2026, 11, 1))
        people.append(person)
    return manager, organisation, people


def assign(organisation, manager, **overrides):
    fields = {"title": "HIPAA essentials", "module_slugs": ["confidentiality"], "audience": "everyone", "hire_id": None,
              "job_role": "", "due_date": None, "due_days": 30, "yearly": False, "today": TODAY}
    fields.update(overrides)
    return assignments.create(organisation, manager, **fields)


def training_of(db, user) -> HireTraining:
    return db.session.scalars(select(HireTraining).where(HireTraining.user_id == user.id).order_by(HireTraining.cycle.desc())).first()


def test_due_dates_are_fixed_or_relative_to_the_hire_date(app, db):
    manager, organisation, [hire] = setup_org(db)
    relative = assign(organisation, manager, due_days=30)
    fixed = assign(organisation, manager, title="Ergonomics", module_slugs=["ergonomics"], due_days=None, due_date=date(2027, 1, 15))
    dues = {t.assignment_id: t.due_on for t in db.session.scalars(select(HireTraining))}
    assert dues == {relative.id: date(2026, 12, 1), fixed.id: date(2027, 1, 15)}


def test_status_moves_through_assigned_in_progress_overdue_completed_expiring_expired():
    training = HireTraining(due_on=date(2026, 12, 1), assigned_at=datetime(2026, 11, 1), policy_pending=False)
    assert compliance.status_of(training, date(2026, 11, 20)) == "Assigned"
    training.started_at = datetime(2026, 11, 10)
    assert compliance.status_of(training, date(2026, 11, 20)) == "In progress"
    assert compliance.status_of(training, date(2026, 12, 1)) == "In progress"
    training.policy_pending = True
    assert compliance.status_of(training, date(2026, 12, 1)) == "Policy to acknowledge"
    assert compliance.status_of(training, date(2026, 12, 2)) == "Overdue"
    training.completed_at, training.expires_on, training.policy_pending = datetime(2026, 12, 5), date(2027, 12, 5), False
    assert compliance.status_of(training, date(2027, 11, 4)) == "Completed"
    assert compliance.status_of(training, date(2027, 11, 5)) == "Expiring"
    assert compliance.status_of(training, date(2027, 12, 6)) == "Expired"


def test_role_based_training_reaches_new_hires_automatically(app, db):
    manager, organisation, _ = setup_org(db, hires=0)
    rule = assign(organisation, manager, audience="role", job_role="Coder")
    biller, coder = make_user(), make_user()
    assert assignments.apply_rules_to_new_hire(add_hire(organisation, biller, job_role="biller"), TODAY) == 0
    assert assignments.apply_rules_to_new_hire(add_hire(organisation, coder, job_role="coder"), TODAY) == 1
    assert training_of(db, coder).assignment_id == rule.id and training_of(db, biller) is None


def test_completing_the_modules_completes_the_training_and_issues_a_certificate(client, db, login_as):
    manager, organisation, _ = setup_org(db, hires=0)
    hire = login_as()
    add_hire(organisation, hire)
    assign(organisation, manager, module_slugs=["role"])
    module = complete_module(hire, "role")
    last_lesson = module.lessons[-1]
    db.session.commit()
    client.post(f"/lessons/{last_lesson.slug}/complete")  # any learner action re-checks required training
    training = training_of(db, hire)
    db.session.refresh(training)
    assert training.completed_at is not None
    page = client.get("/").get_data(as_text=True)
    assert "Your required training" in page and "Completed" in page and "/certificates/" in page


def test_the_dashboard_counts_filters_and_exports_what_is_on_screen(client, db, login_as):
    manager = login_as("employer")
    organisation = make_organisation(manager)
    late, done, fresh = make_user(name="Late Lee"), make_user(name="Done Dee"), make_user(name="Fresh Fay")
    add_hire(organisation, late, hire_date=date(2026, 1, 1))
    add_hire(organisation, done, hire_date=date(2026, 1, 1))
    add_hire(organisation, fresh, job_role="biller", hire_date=date(2030, 1, 1))
    assign(organisation, manager, module_slugs=["role"], due_days=30)
    complete_module(done, "role")
    assignments.refresh_completions(done)
    db.session.commit()
    page = client.get("/employer/").get_data(as_text=True)
    assert "<strong>1</strong> Overdue" in page and "<strong>1</strong> Completed" in page and "<strong>1</strong> Assigned" in page
    overdue = client.get("/employer/", query_string={"status": "Overdue"}).get_data(as_text=True)
    assert "Late Lee" in overdue and "Done Dee" not in overdue
    overdue_csv = client.get("/employer/compliance.csv", query_string={"status": "Overdue"}).data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(overdue_csv)))
    assert [row["Hire"] for row in rows] == ["Late Lee"] and rows[0][f"Training {training_of(db, late).assignment_id}: status"] == "Overdue"
    billers = client.get("/employer/compliance.csv", query_string={"role": "biller"}).data.decode("utf-8-sig")
    assert [r["Hire"] for r in csv.DictReader(io.StringIO(billers))] == ["Fresh Fay"]
    actions = [e.action for e in db.session.scalars(select(AuditEvent))]
    assert "compliance.view" in actions and "compliance.export" in actions


def test_reminders_go_once_through_smtp_at_7_and_3_days_and_after_the_due_date(app, db, smtp):
    manager, organisation, [hire] = setup_org(db)
    assign(organisation, manager, due_days=None, due_date=TODAY + timedelta(days=7))
    db.session.commit()
    runner = app.test_cli_runner()

    def run(day):
        result = runner.invoke(args=["reminders", "send", "--today", day.isoformat()])
        assert result.exit_code == 0, result.output
        return result.output

    assert "due-7 to" in run(TODAY)
    assert "0 reminder(s)" in run(TODAY), "running again the same day sends nothing"
    assert "due-3 to" in run(TODAY + timedelta(days=4))
    assert "0 reminder(s)" in run(TODAY + timedelta(days=5))
    output = run(TODAY + timedelta(days=8))
    assert "overdue to" in output and "digest to" in output
    assert "0 reminder(s)" in run(TODAY + timedelta(days=8))
    subjects = [m["Subject"] for m in smtp.to(hire.email)]
    assert len(subjects) == 3 and subjects[2].startswith("Overdue")
    [digest] = smtp.to(manager.email)
    assert hire.display_name in smtp.body(digest)


def test_yearly_training_expires_renews_and_must_be_passed_again(app, db):
    manager, organisation, [hire] = setup_org(db)
    rule = assign(organisation, manager, module_slugs=["role"], yearly=True)
    complete_module(hire, "role", when=datetime(2026, 11, 20))
    [first] = assignments.refresh_completions(hire, now=datetime(2026, 11, 20, 9))
    assert first.expires_on == date(2027, 11, 20)
    report = send_reminders(date(2027, 10, 25))
    assert any(line.startswith("expiry-30") for line in report.sent)
    report = send_reminders(date(2027, 11, 21))
    assert report.renewed == 1
    second = training_of(db, hire)
    assert (second.cycle, second.assignment_id, second.due_on) == (2, rule.id, date(2027, 12, 20))
    assert assignments.refresh_completions(hire, now=datetime(2027, 11, 22)) == [], "old passes do not count again"
    from app.models import Module
    module = db.session.scalar(select(Module).where(Module.slug == "role"))
    from tests.factories import make_attempt
    for graded in [module.quiz, *module.exercises]:
        make_attempt(hire, graded, [True] * 4, when=second.assigned_at + timedelta(minutes=1))
    [renewed] = assignments.refresh_completions(hire, now=second.assigned_at + timedelta(minutes=2))
    assert renewed.cycle == 2
    from app.models import Certificate
    assert len(db.session.scalars(select(Certificate).where(Certificate.user_id == hire.id)).all()) == 2, "earlier certificates stay"


def test_a_manager_sees_only_their_own_organisation(client, db, login_as):
    other_manager, other_org, [stranger] = setup_org(db)
    assign(other_org, other_manager)
    manager = login_as("employer")
    organisation = make_organisation(manager, name="Mine")
    db.session.commit()
    for url in (f"/employer/hires/{stranger.id}", f"/employer/hires/{stranger.id}/remove", f"/employer/hires/{stranger.id}/evidence.zip"):
        assert client.get(url).status_code == 404, url
    assert stranger.display_name not in client.get("/employer/").get_data(as_text=True)
    assert stranger.email not in client.get("/employer/compliance.csv").get_data(as_text=True)
    del organisation


def test_students_cannot_reach_employer_pages(client, db, login_as):
    login_as()
    for url in ("/employer/", "/employer/hires", "/employer/assignments", "/employer/policy", "/employer/evidence.zip"):
        assert client.get(url).status_code == 403, url


def test_the_dashboard_query_count_does_not_grow_with_hires(client, db, login_as):
    manager = login_as("employer")
    organisation = make_organisation(manager)
    db.session.commit()
    counts = []
    for extra in (10, 100):
        for _ in range(extra):
            add_hire(organisation, make_user(), hire_date=date(2026, 1, 1))
        db.session.flush()
        if not counts:
            for n in range(5):
                assign(organisation, manager, title=f"Training {n}", module_slugs=["role"])
        db.session.commit()
        client.get("/employer/")
        with QueryCounter() as counter:
            assert client.get("/employer/").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_the_dashboard_reads_in_sql_the_status_each_cycle_has_in_python(app, db):
    """Every status, on the days around each boundary, is the same from the SQL page as from status_of."""
    from app.services import compliance_board

    manager, organisation, people = setup_org(db, hires=6)
    assign(organisation, manager, yearly=True)
    cycles = {t.user_id: t for t in db.session.scalars(select(HireTraining))}
    shapes = [{}, {"started_at": datetime(2026, 11, 10)}, {"started_at": datetime(2026, 11, 10), "policy_pending": True},
              {"completed_at": datetime(2026, 11, 20)},
              {"completed_at": datetime(2026, 11, 20), "expires_on": date(2027, 1, 10)},
              {"completed_at": datetime(2026, 11, 20), "expires_on": date(2026, 12, 10)}]
    for person, shape in zip(people, shapes, strict=True):
        for name, value in shape.items():
            setattr(cycles[person.id], name, value)
    db.session.flush()
    seen = set()
    for today in [TODAY + timedelta(days=n) for n in range(0, 60, 3)] + [date(2026, 12, 11), date(2027, 1, 11)]:
        board = compliance_board.board_page(organisation.id, today, compliance_board.Filters(), 1)
        for row in board.rows:
            [cell] = row.cells.values()
            assert cell.status == compliance.status_of(cycles[row.user.id], today), (today, row.user.display_name)
            seen.add(cell.status)
        assert sum(board.counts.values()) == 6 and board.hires == 6
    assert seen == set(compliance.STATUSES)


def test_the_dashboard_pages_and_filters_in_sql(app, db, client):
    manager, organisation, people = setup_org(db, hires=120)
    assign(organisation, manager)
    complete_module(people[0], "confidentiality")
    assignments.refresh_completions(people[0], now=datetime(2026, 11, 28))
    db.session.commit()
    assert sign_in(client, manager.email).status_code == 302
    first = client.get("/employer/").get_data(as_text=True)
    assert "Page 1 of 3 (120 in all)" in first and first.count('href="/employer/hires/') >= 50
    last = client.get("/employer/?page=99").get_data(as_text=True)
    assert "Page 3 of 3" in last and "Hire 0119" in last and "Hire 0000" not in last
    done = client.get("/employer/?status=Completed").get_data(as_text=True)
    assert "Hire 0000" in done and "Hire 0001" not in done
    exported = client.get("/employer/compliance.csv?status=Completed").get_data(as_text=True)
    assert [line["Hire"] for line in csv.DictReader(io.StringIO(exported.lstrip("\ufeff")))] == ["Hire 0000"]
