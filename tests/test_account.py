"""What every signed-in person meets: a home for their role after sign-in, and an account page to change the name
and the e-mail address (confirmed by a link to the new one), download their own records, and close the account."""

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, EmailMessage, User
from app.services.accounts import find_user
from tests import test_everyone_ux
from tests.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD, make_attempt, make_organisation, make_user, quiz
from tests.test_browser_pages import PHONE, signed_in_page
from tests.test_registration import mailed_link
from tests.world import build_world


def has_link(html: str, href: str, text: str) -> bool:
    """Whether the page links to `href` with this text."""
    return re.search(rf'<a [^>]*href="{re.escape(href)}"[^>]*>{re.escape(text)}</a>', html) is not None


def actions(user) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.subject_id == user.id).order_by(AuditEvent.id)))


# Role homes


@pytest.mark.parametrize("role, home", [("student", "/"), ("instructor", "/teach/"), ("admin", "/admin/users"),
                                        ("employer", "/employer/setup")])
def test_each_role_lands_on_its_own_home_after_sign_in_and_at_the_root(client, db, role, home):
    user = make_user(role)
    db.session.commit()
    response = sign_in(client, user.email)
    assert response.status_code == 302 and response.headers["Location"] == home
    root = client.get("/")
    if role == "student":
        assert root.status_code == 200 and "Your course" in root.get_data(as_text=True)
    else:
        assert root.status_code == 302 and root.headers["Location"] == home


def test_an_employer_with_an_organisation_lands_on_compliance(client, db):
    manager = make_user("employer")
    make_organisation(manager)
    db.session.commit()
    assert sign_in(client, manager.email).headers["Location"] == "/employer/"


def test_a_safe_next_wins_over_the_role_home_and_an_unsafe_one_does_not(app, db):
    teacher = make_user("instructor")
    db.session.commit()
    for target, expected in (("/glossary?q=phi", "/glossary?q=phi"), ("//evil.example/", "/teach/"),
                             ("https://evil.example/", "/teach/")):
        client = app.test_client()
        response = client.post("/auth/login", data={"email": teacher.email, "password": DEFAULT_PASSWORD, "next": target})
        assert response.headers["Location"] == expected, target
    assert client.get("/auth/login").headers["Location"] == "/teach/", "signed in already: the home"


def test_the_header_offers_each_role_its_places_and_staff_the_learner_course(client, db, login_as):
    login_as("instructor")
    html = client.get("/teach/").get_data(as_text=True)
    assert has_link(html, "/teach/", "Cohorts") and has_link(html, "/course", "Learner course")
    assert has_link(html, "/account/", "Your account")
    course = client.get("/course")
    assert course.status_code == 200 and "module-role" in course.get_data(as_text=True), "staff can open the course"


def test_a_learner_header_shows_the_course_and_the_account_but_no_staff_places(client, db, login_as):
    login_as()
    html = client.get("/").get_data(as_text=True)
    assert has_link(html, "/", "Your course") and has_link(html, "/account/", "Your account")
    assert "Cohorts" not in html and "Compliance" not in html and "/admin/users" not in html


# The name


def test_the_name_can_be_changed_and_is_validated_like_at_registration(client, db, login_as):
    user = login_as(name="Old Name")
    html = client.get("/account/").get_data(as_text=True)
    ids = re.findall(r' id="([^"]+)"', html)
    assert 'value="Old Name"' in html and len(ids) == len(set(ids)), "two forms on the page, no id repeated"
    response = client.post("/account/name", data={"display_name": "  New Name  "})
    assert response.status_code == 302 and response.headers["Location"] == "/account/"
    db.session.expire_all()
    assert db.session.get(User, user.id).display_name == "New Name"
    assert "account.rename" in actions(user)
    for bad in ("   ", "x" * 81, "Two\nlines"):
        refused = client.post("/account/name", data={"display_name": bad})
        assert refused.status_code == 422 and 'class="error"' in refused.get_data(as_text=True), repr(bad)
    db.session.expire_all()
    assert db.session.get(User, user.id).display_name == "New Name"


# The e-mail address


def ask_for(client, address: str, password: str = DEFAULT_PASSWORD):
    return client.post("/account/email", data={"email": address, "password": password})


def test_a_new_address_is_used_only_after_its_owner_opens_the_link_signed_in(app, client, db, login_as, smtp):
    user = login_as(email="old.address@example.com")
    other_session = app.test_client()
    sign_in(other_session, user.email)
    response = ask_for(client, "New.Address@Example.com")
    assert response.status_code == 302
    assert "a link to confirm it is on its way" in client.get("/account/").get_data(as_text=True)
    assert find_user("old.address@example.com") is not None and find_user("new.address@example.com") is None
    link = mailed_link(smtp, "new.address@example.com", "/account/email/")
    page = client.get(link)
    assert page.status_code == 200 and "new.address@example.com" in page.get_data(as_text=True)
    assert find_user("new.address@example.com") is None, "opening the link shows a button and changes nothing"
    assert client.post(link).status_code == 302
    db.session.expire_all()
    changed = db.session.get(User, user.id)
    assert changed.email == "new.address@example.com" and changed.email_confirmed_at is not None
    assert "account.email_change_request" in actions(user) and "account.email_change" in actions(user)
    assert client.get("/account/").status_code == 200, "this session goes on"
    assert other_session.get("/account/").status_code == 302, "every other session has ended"
    assert client.post(link).status_code == 302 and "That link is invalid" in client.get("/account/").get_data(as_text=True)
    notices = db.session.scalars(select(EmailMessage).where(EmailMessage.to == "old.address@example.com",
                                                            EmailMessage.kind == "email-changed")).all()
    assert len(notices) == 1, "the old address is told"
    assert sign_in(app.test_client(), "new.address@example.com").status_code == 302


def test_the_link_does_nothing_for_another_account_or_a_visitor(app, client, db, login_as, smtp):
    owner = login_as(email="owner@example.com")
    ask_for(client, "wanted@example.com")
    link = mailed_link(smtp, "wanted@example.com", "/account/email/")
    visitor = app.test_client()
    assert "/auth/login" in visitor.get(link).headers["Location"], "a visitor is asked to sign in first"
    intruder = make_user(email="intruder@example.com")
    db.session.commit()
    other = app.test_client()
    sign_in(other, intruder.email)
    assert other.post(link).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, owner.id).email == "owner@example.com"
    assert db.session.get(User, intruder.id).email == "intruder@example.com"
    assert client.post(link[:-3] + "xyz").status_code == 302 and find_user("wanted@example.com") is None, "forged"


@pytest.mark.parametrize("taken", ["taken@example.com", "TAKEN@example.com", "t\u0430ken@example.com"])
def test_an_address_in_use_gets_the_same_answer_and_changes_nothing(client, db, login_as, taken):
    make_user(email="taken@example.com")
    user = login_as(email="mine@example.com")
    free = ask_for(client, "free@example.com")
    free_message = client.get("/account/").get_data(as_text=True)
    used = ask_for(client, taken)
    used_message = client.get("/account/").get_data(as_text=True)
    assert free.status_code == used.status_code == 302
    assert ("a link to confirm it is on its way" in free_message) and ("a link to confirm it is on its way" in used_message)
    kinds = db.session.scalars(select(EmailMessage.to).where(EmailMessage.kind == "email-change")).all()
    assert kinds == ["free@example.com"], "no link goes to an address another account has"
    db.session.expire_all()
    assert db.session.get(User, user.id).email == "mine@example.com"


def test_an_address_change_needs_the_password_and_a_real_address(client, db, login_as):
    user = login_as(email="mine@example.com")
    wrong = ask_for(client, "new@example.com", password="not my password at all")
    assert wrong.status_code == 422 and "That is not your password." in wrong.get_data(as_text=True)
    assert ask_for(client, "not an address").status_code == 422
    same = ask_for(client, "MINE@example.com")
    assert same.status_code == 422 and "already your address" in same.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(EmailMessage).where(EmailMessage.kind == "email-change")) == 0
    assert "account.password_failure" in actions(user)


def test_a_link_stops_working_when_another_account_took_the_address_meanwhile(client, db, login_as, smtp):
    user = login_as(email="mine@example.com")
    ask_for(client, "race@example.com")
    link = mailed_link(smtp, "race@example.com", "/account/email/")
    make_user(email="race@example.com")
    db.session.commit()
    client.post(link)
    db.session.expire_all()
    assert db.session.get(User, user.id).email == "mine@example.com"
    assert "That address cannot be used" in client.get("/account/").get_data(as_text=True)


# The data


def test_the_download_holds_only_my_own_records_as_json_and_as_csv(app, client, db):
    world = build_world()
    make_attempt(world.accounts["student"], quiz(), [True, True])
    db.session.commit()
    sign_in(client, world.owner.email)
    response = client.get("/account/data.json")
    assert response.mimetype == "application/json" and "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["profile"]["email"] == world.owner.email
    own_attempts = db.session.scalar(select(func.count()).select_from(type(world.attempt)).where(
        type(world.attempt).user_id == world.owner.id))
    assert len(data["attempts"]) == own_attempts and world.attempt.id in [a["id"] for a in data["attempts"]]
    assert data["lessons"] and all(row["completed_at"] for row in data["lessons"])
    assert [c["code"] for c in data["certificates"]] == [world.certificate.code]
    assert "snapshot" not in response.get_data(as_text=True), "no answer key"
    archive = zipfile.ZipFile(io.BytesIO(client.get("/account/data.zip").data))
    assert sorted(archive.namelist()) == ["attempts.csv", "certificates.csv", "lessons.csv", "profile.csv"]
    attempts_csv = archive.read("attempts.csv").decode("utf-8-sig").splitlines()
    assert len(attempts_csv) == own_attempts + 1
    assert world.certificate.code in archive.read("certificates.csv").decode("utf-8-sig")
    formats = db.session.scalars(select(AuditEvent.details).where(AuditEvent.action == "account.data_export",
                                                                  AuditEvent.subject_id == world.owner.id)).all()
    assert [d["format"] for d in formats] == ["json", "zip"]
    assert app.test_client().get("/account/data.json").status_code == 302, "visitors are sent to sign in"


# Closing the account


def test_closing_needs_the_password_and_then_refuses_sign_in(app, client, db):
    world = build_world()
    sign_in(client, world.owner.email)
    other_session = app.test_client()
    sign_in(other_session, world.owner.email)
    page = client.get("/account/close").get_data(as_text=True)
    assert "45 CFR 164.530(j)" in page and "6 years" in page and "administrator" in page
    assert "employer's training and policy acknowledgement records" in page
    wrong = client.post("/account/close", data={"password": "not my password at all"})
    assert wrong.status_code == 422 and db.session.get(User, world.owner.id).active
    response = client.post("/account/close", data={"password": DEFAULT_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    db.session.expire_all()
    closed = db.session.get(User, world.owner.id)
    assert not closed.active and closed.email == world.owner.email and closed.display_name == world.owner.display_name
    assert other_session.get("/account/").status_code == 302 and client.get("/account/").status_code == 302
    assert sign_in(app.test_client(), world.owner.email).status_code == 200, "sign-in is refused"
    assert "account.close" in actions(closed)


def test_wrong_passwords_are_slowed_down_and_then_even_the_right_one_waits(client, db, login_as):
    user = login_as()
    for _ in range(5):
        assert client.post("/account/close", data={"password": "not my password at all"}).status_code == 422
    slowed = client.post("/account/close", data={"password": DEFAULT_PASSWORD})
    assert slowed.status_code == 429 and "Too many wrong passwords" in slowed.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).active
    assert ask_for(client, "elsewhere@example.com").status_code == 429, "the address form shares the count"


def test_the_only_admin_cannot_close_their_account(client, db, login_as):
    admin = login_as("admin")
    response = client.post("/account/close", data={"password": DEFAULT_PASSWORD})
    assert response.status_code == 409 and "only active administrator" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, admin.id).active
    assert client.get("/account/").status_code == 200, "still signed in"


def test_a_second_admin_can_close_theirs(client, db, login_as):
    make_user("admin")
    admin = login_as("admin")
    assert client.post("/account/close", data={"password": DEFAULT_PASSWORD}).status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, admin.id).active


# In a browser, in the world the other everyday-use tests share
browser_world = test_everyone_ux.browser_world


def test_a_learner_and_an_instructor_find_their_homes_and_the_account_page(browser, browser_world):
    world, base = browser_world
    page = signed_in_page(browser, base, world.owner.email, viewport={"width": 1280, "height": 800}, accept_downloads=True)
    assert page.url == base + "/" and page.get_by_role("heading", level=1).count()
    page.get_by_role("link", name="Your account").click()
    page.wait_for_url("**/account/")
    page.get_by_label("Your name").fill("Quinlan Renamed")
    page.get_by_role("button", name="Save the name").click()
    assert page.get_by_text("Your name is changed.").is_visible()
    assert page.get_by_label("Your name").input_value() == "Quinlan Renamed"
    with page.expect_download() as info:
        page.get_by_role("link", name="Download as JSON").click()
    data = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert data["profile"]["name"] == "Quinlan Renamed" and data["certificates"]
    page.context.close()

    teacher = signed_in_page(browser, base, world.teacher.email, viewport={"width": 1280, "height": 800})
    assert teacher.url == base + "/teach/"
    teacher.get_by_role("link", name="Learner course").click()
    teacher.wait_for_url("**/course")
    teacher.context.close()

    phone = signed_in_page(browser, base, world.owner.email, viewport=PHONE)
    phone.goto(base + "/account/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.goto(base + "/account/close")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.context.close()
