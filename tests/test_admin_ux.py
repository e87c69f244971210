"""Admins: the users page (role filter, dates, paging, creating an account), giving up one's own admin role, and the
audit page (action list, CSV export)."""

import csv
import io
import re
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from app.extensions import db as _db
from app.models import AuditEvent, EmailMessage, User
from app.services import audit, mail
from tests.conftest import sign_in
from tests.factories import make_user


def count(model) -> int:
    return _db.session.scalar(select(func.count()).select_from(model))


def events(action: str) -> list[AuditEvent]:
    return list(_db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# Users page


def test_a_sign_in_is_recorded_and_the_users_page_shows_when_each_account_was_created_and_last_signed_in(client, db, login_as):
    admin = login_as("admin")
    other = make_user(email="never@example.test")
    db.session.commit()
    db.session.refresh(admin)
    assert admin.last_sign_in_at is not None and (datetime.utcnow() - admin.last_sign_in_at).total_seconds() < 120
    html = client.get("/admin/users").get_data(as_text=True)
    assert "Last sign-in" in html and "Created" in html
    assert admin.last_sign_in_at.strftime("%d %b %Y %H:%M") in html
    row = html[html.index(other.email):]
    row = row[:row.index("</tr>")]
    assert other.created_at.strftime("%d %b %Y") in row and "Never" in row


def test_the_users_page_filters_by_role_and_keeps_the_search(client, db, login_as):
    login_as("admin")
    make_user("instructor", email="pat.teacher@example.test")
    make_user("student", email="pat.learner@example.test")
    make_user("instructor", email="sam.teacher@example.test")
    db.session.commit()
    html = client.get("/admin/users", query_string={"role": "instructor"}).get_data(as_text=True)
    assert "pat.teacher@" in html and "sam.teacher@" in html and "pat.learner@" not in html
    html = client.get("/admin/users", query_string={"role": "instructor", "q": "pat"}).get_data(as_text=True)
    assert "pat.teacher@" in html and "sam.teacher@" not in html and "pat.learner@" not in html
    assert '<option value="instructor" selected>' in html and 'value="pat"' in html
    html = client.get("/admin/users", query_string={"role": "emperor"}).get_data(as_text=True)
    assert "pat.learner@" in html and "pat.teacher@" in html, "an unknown role filters nothing"


def test_the_users_page_is_paged_and_the_pager_keeps_the_filters(client, db, login_as):
    login_as("admin")
    for number in range(53):
        make_user("employer", email=f"boss{number:02d}@example.test")
    db.session.commit()
    first = client.get("/admin/users", query_string={"role": "employer"}).get_data(as_text=True)
    assert "Showing 1–50 of 53 accounts" in first and "boss49@" in first and "boss50@" not in first
    assert re.search(r'href="/admin/users\?[^"]*role=employer[^"]*page=2', first.replace("&amp;", "&"))
    second = client.get("/admin/users", query_string={"role": "employer", "page": 2}).get_data(as_text=True)
    assert "Showing 51–53 of 53 accounts" in second and "boss52@" in second and "boss00@" not in second


def test_an_admin_creates_an_account_whose_owner_chooses_a_password_through_the_e_mailed_link(client, db, login_as):
    admin = login_as("admin")
    response = client.post("/admin/users/new", data={"display_name": "Robin Coder", "email": "  Robin.Coder@Example.COM ",
                                                      "role": "instructor"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "robin.coder@example.com"))
    assert user is not None and user.role == "instructor" and user.display_name == "Robin Coder"
    assert user.email_confirmed_at is None, "the address is proven by following the link"
    assert "robin.coder@example.com is created as instructor" in client.get(response.location).get_data(as_text=True)
    [event] = events("user.create")
    assert event.actor_id == admin.id and event.subject_id == user.id and event.details == {"role": "instructor"}

    [message] = db.session.scalars(select(EmailMessage).where(EmailMessage.to == user.email))
    assert "/auth/reset/" not in message.body, "the link is made when the e-mail is sent"
    link = re.search(r"http://localhost(/auth/reset/\S+)", mail.render_body(message)).group(1)
    client.post("/auth/logout")
    chosen = "a password robin chose 7"
    assert client.post(link, data={"password": chosen, "confirm": chosen}).status_code == 302
    client.post("/auth/logout")
    assert sign_in(client, user.email, chosen).status_code == 302
    db.session.refresh(user)
    assert user.email_confirmed_at is not None and user.last_sign_in_at is not None


def test_a_taken_or_invalid_address_gets_a_clear_message_and_creates_nothing(client, db, login_as):
    login_as("admin")
    make_user(email="taken@example.com")
    db.session.commit()
    users, mails = count(User), count(EmailMessage)
    taken = client.post("/admin/users/new", data={"display_name": "Twin", "email": "TAKEN@example.com", "role": "student"})
    assert taken.status_code == 422
    assert "already exists" in taken.get_data(as_text=True)
    invalid = client.post("/admin/users/new", data={"display_name": "Nobody", "email": "not an address", "role": "student"})
    assert invalid.status_code == 422 and "Invalid email address" in invalid.get_data(as_text=True)
    bad_role = client.post("/admin/users/new", data={"display_name": "Eve", "email": "eve@example.com", "role": "emperor"})
    assert bad_role.status_code == 422
    assert (count(User), count(EmailMessage)) == (users, mails) and events("user.create") == []


def test_only_admins_create_accounts(client, db, login_as):
    login_as("instructor")
    assert client.post("/admin/users/new", data={"display_name": "X", "email": "x@example.com", "role": "admin"}).status_code == 403
    assert db.session.scalar(select(User).where(User.email == "x@example.com")) is None


# Giving up one's own admin role


def test_demoting_yourself_asks_for_confirmation_then_signs_you_out(client, db, login_as):
    make_user("admin", email="second.admin@example.test")
    admin = login_as("admin")
    response = client.post(f"/admin/users/{admin.id}/role", data={"role": "instructor"})
    assert response.status_code == 302 and "/admin/users/me/role?role=instructor" in response.location
    db.session.refresh(admin)
    assert admin.role == "admin", "nothing changes before the confirmation"
    page = client.get(response.location).get_data(as_text=True)
    assert "Stop being an admin?" in page and "Yes, make me instructor" in page and 'aria-current="page"' in page
    done = client.post(response.location, data={"role": "instructor"})
    assert done.status_code == 302 and "/auth/login" in done.location
    db.session.refresh(admin)
    assert admin.role == "instructor"
    assert "You are now instructor" in client.get(done.location).get_data(as_text=True)
    assert client.get("/admin/users").status_code == 302, "signed out"
    [event] = events("user.role_change")
    assert event.subject_id == admin.id and event.details == {"old": "admin", "new": "instructor"}


def test_the_last_active_admin_is_refused_with_a_clear_message_before_any_confirmation(client, db, login_as):
    make_user("admin", email="gone.admin@example.test").active = False
    admin = login_as("admin")
    response = client.post(f"/admin/users/{admin.id}/role", data={"role": "student"}, follow_redirects=True)
    assert "You are the only active admin" in response.get_data(as_text=True)
    direct = client.post("/admin/users/me/role?role=student", data={"role": "student"}, follow_redirects=True)
    assert "You are the only active admin" in direct.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.role == "admin" and events("user.role_change") == []


def test_the_confirmation_refuses_a_role_that_is_not_listed(client, db, login_as):
    make_user("admin")
    admin = login_as("admin")
    page = client.get("/admin/users/me/role?role=emperor", follow_redirects=True).get_data(as_text=True)
    assert "Choose one of the listed roles." in page
    client.post("/admin/users/me/role?role=admin", data={"role": "emperor"})
    db.session.refresh(admin)
    assert admin.role == "admin"


def test_changing_another_admins_role_needs_no_confirmation(client, db, login_as):
    other = make_user("admin")
    login_as("admin")
    client.post(f"/admin/users/{other.id}/role", data={"role": "employer"})
    db.session.refresh(other)
    assert other.role == "employer"


# Audit page


def test_the_audit_page_lists_the_recorded_actions_and_filters_by_one_exactly(client, db, login_as):
    admin = login_as("admin")
    user = make_user()
    audit.record("password.reset", user, subject=user)
    audit.record("password.reset_throttled", None, email=user.email)
    db.session.commit()
    html = client.get("/admin/audit").get_data(as_text=True)
    assert '<option value="password.reset">' in html and '<option value="login.success">' in html
    assert '<option value="password.">Every password action</option>' in html
    exact = client.get("/admin/audit", query_string={"action": "password.reset"}).get_data(as_text=True)
    assert "password.reset_throttled" not in exact.split('<table class="audit">', 1)[1] and "Showing 1–1 of 1 event" in exact
    group = client.get("/admin/audit", query_string={"action": "password."}).get_data(as_text=True)
    assert "Showing 1–2 of 2 events" in group
    assert admin.email in client.get("/admin/audit", query_string={"action": "login.success"}).get_data(as_text=True)


def test_the_audit_page_shows_whole_request_ids_and_unwrapped_times(client, db, login_as):
    login_as("admin")
    html = client.get("/admin/audit").get_data(as_text=True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "login.success"))
    assert len(event.request_id) == 32 and f"<code>{event.request_id}</code>" in html
    assert '<td class="when"><time' in html
    css = client.get("/static/css/app.css").get_data(as_text=True)
    assert ".audit .when { white-space: nowrap; }" in css or ".users .when, .audit .when { white-space: nowrap; }" in css


def test_the_csv_export_holds_the_filtered_events_and_is_audited(client, db, login_as):
    admin = login_as("admin")
    learner = make_user(email="learner@example.test")
    audit.record("results.view", admin, subject=learner, target="attempt:7", note="=HYPERLINK(1)")
    audit.record("password.reset", learner, subject=learner)
    db.session.commit()
    response = client.get("/admin/audit.csv", query_string={"action": "results.view", "person": "learner@"})
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["When (UTC)", "Action", "Who", "Whose data", "Target", "Details", "Request id", "Event id"]
    assert len(rows) == 2
    assert rows[1][1:6] == ["results.view", admin.email, learner.email, "attempt:7", "note==HYPERLINK(1)"]
    [export] = events("audit.export")
    assert export.actor_id == admin.id and export.details == {"events": 1, "filters": {"action": "results.view",
                                                                                       "person": "learner@"}}
    page = client.get("/admin/audit", query_string={"action": "results.view"}).get_data(as_text=True)
    assert 'href="/admin/audit.csv?action=results.view' in page


def test_only_admins_export_the_audit_trail(client, db, login_as):
    login_as("instructor")
    assert client.get("/admin/audit.csv").status_code == 403
    assert events("audit.export") == []


def test_every_admin_page_has_breadcrumbs_back_to_the_admin_home(client, db, login_as):
    login_as("admin")
    home = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/users"' in home and 'href="/admin/audit"' in home
    for path in ("/admin/users", "/admin/users/new", "/admin/audit", "/admin/outbox", "/admin/xapi"):
        html = client.get(path).get_data(as_text=True)
        assert '<nav class="crumbs"' in html and '<a href="/admin/">Admin</a>' in html, path


# In a browser


def test_an_admin_creates_a_user_filters_tries_to_demote_themself_and_exports_the_audit_trail(browser, app, live_server):
    from tests.test_browser_pages import PHONE, signed_in_page

    base = live_server[1]
    admin = make_user("admin", email="head.admin@example.com")
    make_user("admin", email="deputy.admin@example.com")
    _db.session.commit()
    page = signed_in_page(browser, base, admin.email, viewport={"width": 1280, "height": 800})
    page.set_default_timeout(10000)

    page.goto(base + "/admin/users")
    page.get_by_text("Create a user", exact=True).click()
    page.get_by_label("Name", exact=True).fill("Jordan Newcomer")
    page.get_by_label("E-mail address").fill("Jordan.Newcomer@example.com")
    page.locator("select#role").select_option("instructor")
    page.get_by_role("button", name="Create and e-mail a link").click()
    page.get_by_text("jordan.newcomer@example.com is created as instructor").wait_for()

    page.get_by_role("link", name="Outbox", exact=True).click()
    message = page.locator("details.message", has_text="to jordan.newcomer@example.com")
    assert "Your Billing & Coding Academy account" in message.inner_text()
    message.locator("summary").click()
    assert mail.LINK_PLACEHOLDER in message.inner_text(), "the link is made when sent, never shown"

    page.get_by_role("link", name="Users", exact=True).click()
    page.locator("#role-filter").select_option("instructor")
    page.get_by_role("button", name="Show").click()
    table = page.locator("table.users")
    assert "jordan.newcomer@example.com" in table.inner_text() and admin.email not in table.inner_text()
    assert "Never" in table.inner_text(), "the new account has not signed in"
    assert page.locator("#role-filter").input_value() == "instructor"

    page.locator("#role-filter").select_option("admin")
    page.get_by_role("button", name="Show").click()
    page.locator(f"#role-{admin.id}").select_option("student")
    page.get_by_role("button", name=f"Change the role of {admin.email}").click()
    page.get_by_role("heading", name="Stop being an admin?").wait_for()
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("heading", name="Users").wait_for()
    _db.session.expire_all()
    assert _db.session.get(User, admin.id).role == "admin", "cancelling changes nothing"
    _db.session.commit()  # reading it began a transaction: the test holds no write lock while the browser works

    page.get_by_role("link", name="Audit", exact=True).click()
    page.locator("select#action").select_option("user.create")
    page.get_by_role("button", name="Filter").click()
    assert "Showing 1–1 of 1 event" in page.locator("main").inner_text()
    request_id = page.locator("td.request code").first
    assert request_id.evaluate("e => e.getBoundingClientRect().right <= document.documentElement.clientWidth")
    assert len(request_id.inner_text()) == 32, "the whole request id shows"
    when = page.locator("td.when time").first
    assert when.evaluate("e => e.getClientRects().length === 1"), "the time stays on one line"
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these events as CSV").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["When (UTC)", "Action", "Who"]
    assert [row[1] for row in rows[1:]] == ["user.create"] and rows[1][3] == "jordan.newcomer@example.com"

    page.set_viewport_size(PHONE)
    page.goto(base + "/admin/users")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scroll on a phone"
    page.context.close()
