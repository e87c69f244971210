"""Employers (issue 16): pending invitations, the CSV upload's result page and template, assignments changed and
ended, who acknowledged which policy version, and what a yearly renewal asks of a hire."""

import io
import re
import zipfile
from datetime import date, datetime

from sqlalchemy import func, select

from app.models import AuditEvent, EmailMessage, HireTraining, Invitation, Lesson, Module
from app.services import assignments, compliance, mail, policy
from app.services.local_time import local_date
from app.services.reminders import send_reminders
from tests.conftest import sign_in
from tests.factories import add_hire, complete_module, make_organisation, make_user


def actions(db, name: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == name)))


def invitation_link(message) -> str:
    return re.search(r"http://localhost(/invite/\S+)", message.get_body(("plain",)).get_content()).group(1)


def manager_with_organisation(db, login_as):
    manager = login_as("employer")
    organisation = make_organisation(manager)
    db.session.commit()
    return manager, organisation


def test_pending_invitations_are_listed_with_their_expiry(client, db, login_as):
    _manager, organisation = manager_with_organisation(db, login_as)
    client.post("/employer/hires", data={"name": "Pat Sample", "email": "pat@example.com", "job_role": "coder"})
    page = client.get("/employer/hires").get_data(as_text=True)
    invitation = db.session.scalar(select(Invitation))
    assert "Pending invitations" in page and "pat@example.com" in page
    # The day where the organisation works: just after midnight UTC it is still the day before in Chicago.
    assert local_date(organisation, invitation.expires_at).strftime("%-d %b %Y") in page
    assert f"/employer/invitations/{invitation.id}/revoke" in page


def test_inviting_a_pending_address_again_offers_a_resend_instead_of_a_second_link(client, db, login_as):
    manager_with_organisation(db, login_as)
    client.post("/employer/hires", data={"name": "Pat Sample", "email": "pat@example.com"})
    again = client.post("/employer/hires", data={"name": "Pat Sample", "email": "PAT@example.com"})
    page = again.get_data(as_text=True)
    assert again.status_code == 422
    assert "already invited on" in page and "expires on" in page and "Resend it?" in page
    assert "Resend the invitation to pat@example.com" in page
    assert db.session.scalar(select(func.count(Invitation.id))) == 1
    assert db.session.scalar(select(func.count(EmailMessage.id))) == 1


def test_a_resent_invitation_has_a_new_link_and_the_old_one_stops_working(client, db, login_as, smtp):
    manager_with_organisation(db, login_as)
    client.post("/employer/hires", data={"name": "Pat Sample", "email": "pat@example.com"})
    mail.deliver_pending()
    old_link = invitation_link(smtp.to("pat@example.com")[0])
    first = db.session.scalar(select(Invitation))
    response = client.post(f"/employer/invitations/{first.id}/resend")
    assert response.status_code == 302
    mail.deliver_pending()
    new_link = invitation_link(smtp.to("pat@example.com")[1])
    assert new_link != old_link
    assert len(actions(db, "invitation.resend")) == 1
    client.post("/auth/logout")
    assert client.get(old_link).status_code == 410
    assert "Create your account" in client.get(new_link).get_data(as_text=True)


def test_revoking_asks_first_then_the_link_opens_nothing(client, db, login_as, smtp):
    manager_with_organisation(db, login_as)
    client.post("/employer/hires", data={"name": "Pat Sample", "email": "pat@example.com"})
    mail.deliver_pending()
    link = invitation_link(smtp.to("pat@example.com")[0])
    invitation = db.session.scalar(select(Invitation))
    confirm = client.get(f"/employer/invitations/{invitation.id}/revoke")
    assert "Revoke the invitation to pat@example.com?" in confirm.get_data(as_text=True)
    assert db.session.get(Invitation, invitation.id).revoked_at is None, "a GET changes nothing"
    client.post(f"/employer/invitations/{invitation.id}/revoke")
    assert "No invitations are waiting" in client.get("/employer/hires").get_data(as_text=True)
    assert [e.details["email"] for e in actions(db, "invitation.revoke")] == ["pat@example.com"]
    client.post("/auth/logout")
    refused = client.get(link)
    assert refused.status_code == 410 and "withdrawn" in refused.get_data(as_text=True)


def test_another_organisations_invitation_cannot_be_revoked_or_resent(app, client, db, login_as):
    manager_with_organisation(db, login_as)
    client.post("/employer/hires", data={"name": "Pat Sample", "email": "pat@example.com"})
    invitation = db.session.scalar(select(Invitation))
    other = app.test_client()
    stranger = make_user("employer")
    make_organisation(stranger, name="Elsewhere")
    db.session.commit()
    sign_in(other, stranger.email)
    assert other.get(f"/employer/invitations/{invitation.id}/revoke").status_code == 404
    assert other.post(f"/employer/invitations/{invitation.id}/resend").status_code == 404
    assert db.session.get(Invitation, invitation.id).revoked_at is None


def test_a_csv_upload_redirects_to_a_result_page_that_can_be_reloaded(client, db, login_as):
    manager_with_organisation(db, login_as)
    csv_text = "name,email,job_role,hire_date\nAnn Able,ann@example.com,coder,\nBad,not-an-email,coder,\n"
    response = client.post("/employer/hires/upload", data={"file": (io.BytesIO(csv_text.encode()), "hires.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith("/employer/hires/upload")
    page = client.get("/employer/hires/upload").get_data(as_text=True)
    assert "1 invitation sent." in page and "1 line skipped" in page and "Line 3: “not-an-email”" in page
    reloaded = client.get("/employer/hires/upload")
    assert reloaded.status_code == 200 and "Upload result" not in reloaded.get_data(as_text=True)
    assert 'type="file"' in reloaded.get_data(as_text=True)


def test_the_csv_template_uploads_as_is(client, db, login_as):
    manager_with_organisation(db, login_as)
    template = client.get("/employer/hires/template.csv")
    assert template.mimetype == "text/csv"
    lines = template.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == "name,email,job_role,hire_date" and len(lines) == 2 and "@example.com" in lines[1]
    assert "/employer/hires/template.csv" in client.get("/employer/hires/upload").get_data(as_text=True)
    client.post("/employer/hires/upload", data={"file": (io.BytesIO(template.get_data()), "t.csv")},
                content_type="multipart/form-data")
    assert "1 invitation sent." in client.get("/employer/hires/upload").get_data(as_text=True)


# Assignments changed and ended.

def hire_with_training(db, login_as, **overrides):
    manager, organisation = manager_with_organisation(db, login_as)
    hire = make_user(name="Hana Hire")
    add_hire(organisation, hire, hire_date=date(2026, 11, 1))
    fields = {"title": "HIPAA essentials", "module_slugs": ["confidentiality"], "audience": "everyone", "hire_id": None,
              "job_role": "", "due_date": None, "due_days": 30, "yearly": False, "today": date(2026, 11, 27)}
    fields.update(overrides)
    rule = assignments.create(organisation, manager, **fields)
    db.session.commit()
    return manager, organisation, hire, rule


def test_an_assignment_is_changed_and_open_cycles_follow(client, db, login_as):
    _manager, _organisation, hire, rule = hire_with_training(db, login_as)
    page = client.get(f"/employer/assignments/{rule.id}").get_data(as_text=True)
    assert 'value="confidentiality" checked' in page and 'value="30"' in page
    response = client.post(f"/employer/assignments/{rule.id}", data={
        "title": "HIPAA essentials", "scope": "modules", "modules": ["confidentiality", "ergonomics"],
        "due_kind": "relative", "due_days": "60", "yearly": "y"})
    assert response.status_code == 302
    training = db.session.scalar(select(HireTraining).where(HireTraining.user_id == hire.id))
    assert training.due_on == date(2026, 12, 31)
    db.session.refresh(rule)
    assert [m.slug for m in rule.modules] == ["confidentiality", "ergonomics"] and rule.yearly
    [event] = actions(db, "assignment.change")
    assert event.details["due_days"] == ["30", "60"] and "modules" in event.details
    ergonomics = db.session.scalar(select(Module.title).where(Module.slug == "ergonomics"))
    listing = client.get("/employer/assignments").get_data(as_text=True).split("<tbody>")[1].split("</tbody>")[0]
    assert ergonomics in listing and "60 days after the hire date" in listing and "every year" in listing


def test_dropping_a_module_the_hire_has_not_done_completes_their_open_cycle(client, db, login_as):
    _manager, _organisation, hire, rule = hire_with_training(db, login_as, module_slugs=["role", "ergonomics"])
    complete_module(hire, "role")
    assignments.refresh_completions(hire)
    db.session.commit()
    assert db.session.scalar(select(HireTraining.completed_at).where(HireTraining.user_id == hire.id)) is None
    client.post(f"/employer/assignments/{rule.id}", data={"title": "HIPAA essentials", "scope": "modules", "modules": ["role"],
                                                          "due_kind": "relative", "due_days": "30"})
    assert db.session.scalar(select(HireTraining.completed_at).where(HireTraining.user_id == hire.id)) is not None


def test_a_bad_change_says_why_and_changes_nothing(client, db, login_as):
    _manager, _organisation, _hire, rule = hire_with_training(db, login_as)
    response = client.post(f"/employer/assignments/{rule.id}", data={"title": "HIPAA essentials", "scope": "modules",
                                                                      "due_kind": "relative", "due_days": "60"})
    assert response.status_code == 422 and "Choose at least one module" in response.get_data(as_text=True)
    db.session.refresh(rule)
    assert rule.due_days == 30 and [m.slug for m in rule.modules] == ["confidentiality"]


def test_ending_an_assignment_asks_first_and_stops_it_making_anyone_overdue(client, db, login_as):
    _manager, organisation, hire, rule = hire_with_training(db, login_as, due_days=None, due_date=date(2026, 1, 1))
    assert "<strong>1</strong> Overdue" in client.get("/employer/").get_data(as_text=True)
    confirm = client.get(f"/employer/assignments/{rule.id}/end").get_data(as_text=True)
    assert "End “HIPAA essentials”?" in confirm
    db.session.refresh(rule)
    assert rule.ended_at is None, "a GET changes nothing"
    client.post(f"/employer/assignments/{rule.id}/end")
    db.session.refresh(rule)
    assert rule.ended_at is not None and len(actions(db, "assignment.end")) == 1
    dashboard = client.get("/employer/").get_data(as_text=True)
    assert '<th scope="col">HIPAA essentials' not in dashboard and "<strong>0</strong> Overdue" in dashboard
    assert "Ended" in client.get(f"/employer/hires/{hire.id}").get_data(as_text=True), "the history stays"
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/employer/hires/{hire.id}/evidence.zip").data))
    index = archive.read("index.csv").decode()
    assert "HIPAA essentials" in index and ",Ended," in index
    assert compliance.trainings_for(hire) == []
    assert not any("HIPAA" in line for line in send_reminders(date(2026, 12, 1)).sent)
    assert client.post(f"/employer/assignments/{rule.id}", data={"title": "x", "scope": "course", "due_kind": "relative",
                                                                 "due_days": "5"}).status_code == 302
    db.session.refresh(rule)
    assert rule.title == "HIPAA essentials", "an ended training cannot be changed"


def test_an_ended_assignment_no_longer_holds_its_modules_in_the_course(client, db, login_as):
    from app.content.sync import _still_required
    _manager, _organisation, _hire, rule = hire_with_training(db, login_as, module_slugs=["ergonomics"])
    module = db.session.scalar(select(Module).where(Module.slug == "ergonomics"))
    assert "end or change that assignment first" in _still_required([module])[0].message
    assignments.end(rule)
    assert _still_required([module]) == []


def test_another_organisations_assignment_is_out_of_reach(app, client, db, login_as):
    _manager, _organisation, _hire, rule = hire_with_training(db, login_as)
    stranger = make_user("employer")
    make_organisation(stranger, name="Elsewhere")
    db.session.commit()
    other = app.test_client()
    sign_in(other, stranger.email)
    assert other.get(f"/employer/assignments/{rule.id}").status_code == 404
    assert other.post(f"/employer/assignments/{rule.id}/end").status_code == 404


# Policy acknowledgements on screen and in the evidence pack.

def test_managers_see_who_acknowledged_which_version_and_the_pack_holds_its_text(client, db, login_as):
    manager, organisation = manager_with_organisation(db, login_as)
    early, late = make_user(name="Early Bird"), make_user(name="Late Comer")
    add_hire(organisation, early)
    add_hire(organisation, late)
    first = policy.publish(organisation, manager, "Version one words.")
    policy.attest(early, first)
    second = policy.publish(organisation, manager, "Version two words.")
    policy.attest(early, second)
    db.session.commit()
    page = client.get("/employer/policy").get_data(as_text=True)
    assert "Not yet acknowledged version 2:" in page and "Late Comer" in page.split("Not yet acknowledged")[1].split("</p>")[0]
    table = page.split("<tbody>")[1]
    assert table.count("Early Bird") == 2 and "(earlier version)" in table
    assert "Version 2 acknowledged on" in client.get(f"/employer/hires/{early.id}").get_data(as_text=True)
    archive = zipfile.ZipFile(io.BytesIO(client.get("/employer/evidence.zip").data))
    assert archive.read("policies/version-1.txt").decode().endswith("Version one words.\n")
    assert "Version two words." in archive.read("policies/version-2.txt").decode()
    assert "policies/version-2.txt" in archive.read("attestations.csv").decode()


def test_the_acknowledgement_checkbox_sits_beside_its_label(client, db, login_as):
    manager = make_user("employer")
    organisation = make_organisation(manager)
    learner = login_as()
    add_hire(organisation, learner)
    version = policy.publish(organisation, manager, "Keep it private.")
    db.session.commit()
    page = client.get(f"/policy/{version.id}").get_data(as_text=True)
    assert '<label class="choice agree"><input id="agree"' in page
    css = client.get("/static/css/app.css").get_data(as_text=True)
    assert ".field label.choice.agree { justify-content: flex-start" in css


# The hire's own view: where Start leads, and what a yearly renewal asks.

def test_start_opens_the_first_unfinished_required_lesson(client, db, login_as):
    manager = make_user("employer")
    organisation = make_organisation(manager)
    learner = login_as()
    add_hire(organisation, learner)
    assignments.create(organisation, manager, "HIPAA practice", ["hipaa-practice"], "everyone", None, "", None, 30, False,
                       date(2026, 11, 27))
    db.session.commit()

    def first_lesson(slug):
        module = db.session.scalar(select(Module).where(Module.slug == slug))
        return db.session.scalar(select(Lesson).where(Lesson.module_id == module.id).order_by(Lesson.position)).slug

    page = client.get("/").get_data(as_text=True)
    required = page.split("Your required training")[1].split("</section>")[0]
    assert f'href="/lessons/{first_lesson("confidentiality")}"' in required, "a locked module's prerequisite comes first"
    complete_module(learner, "confidentiality")
    db.session.commit()
    required = client.get("/").get_data(as_text=True).split("Your required training")[1].split("</section>")[0]
    assert f'href="/lessons/{first_lesson("hipaa-practice")}"' in required
    assert first_lesson("role") not in required


def test_after_a_yearly_renewal_the_hire_is_told_what_to_redo(client, db, login_as):
    manager = make_user("employer")
    organisation = make_organisation(manager)
    learner = login_as()
    add_hire(organisation, learner, hire_date=date(2026, 11, 1))
    assignments.create(organisation, manager, "Role refresher", ["role"], "everyone", None, "", None, 30, True,
                       date(2026, 11, 1))
    complete_module(learner, "role", when=datetime(2026, 11, 3))
    assignments.refresh_completions(learner, now=datetime(2026, 11, 3, 9))
    send_reminders(date(2027, 11, 4))
    renewed = db.session.scalar(select(HireTraining).where(HireTraining.cycle == 2))
    renewed.assigned_at = datetime(2027, 11, 4, 6)
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "Your yearly training “Role refresher” restarted on 4 Nov 2027: redo" in page
    notice = page.split('class="restart"')[1].split("</p>")[0]
    assert "/quizzes/role-quiz" in notice
    assert "cycle 2, started 4 Nov 2027" in page
