"""A training manager's journey in a real browser: invite, revoke, upload, change and end training; a hire's
acknowledgement checkbox beside its label."""

from datetime import date

import pytest

from app.extensions import db as _db
from app.services import assignments, policy
from tests.factories import add_hire, make_organisation, make_user
from tests.test_browser_pages import PHONE, signed_in_page


def test_a_manager_invites_revokes_uploads_and_changes_then_ends_training(browser, app, live_server):
    base = live_server[1]
    manager = make_user("employer")
    organisation = make_organisation(manager)
    hire = make_user(name="Hana Hire")
    add_hire(organisation, hire)
    assignments.create(organisation, manager, "HIPAA essentials", ["confidentiality"], "everyone", None, "", None, 30, False,
                       date(2026, 11, 27))
    version = policy.publish(organisation, manager, "Keep patient data private.")
    _db.session.commit()  # the test holds no write lock while the browser works

    page = signed_in_page(browser, base, manager.email, viewport={"width": 1280, "height": 900})
    page.goto(base + "/employer/hires")
    page.get_by_label("Name").fill("Pat Sample")
    page.get_by_label("E-mail address").fill("pat@example.com")
    page.get_by_role("button", name="Send invitation").click()
    pending = page.locator("#pending")
    assert "pat@example.com" in pending.inner_text()
    pending.get_by_role("link", name="Revoke the invitation to pat@example.com").click()
    assert "Revoke the invitation to pat@example.com?" in page.locator("h1").inner_text()
    page.get_by_role("button", name="Revoke the invitation").click()
    assert "No invitations are waiting" in page.locator("#pending").inner_text()

    page.get_by_role("link", name="Upload a CSV of hires").click()
    page.get_by_label("CSV file").set_input_files(files=[{"name": "hires.csv", "mimeType": "text/csv",
                                                          "buffer": b"name,email,job_role,hire_date\nAnn Able,ann@example.com,coder,\n"}])
    page.get_by_role("button", name="Upload and invite").click()
    assert page.url.endswith("/employer/hires/upload")
    assert "1 invitation sent." in page.locator(".report").inner_text()
    response = page.reload()
    assert response.status == 200 and page.get_by_label("CSV file").is_visible(), "a reload shows the form, not a 405"

    page.goto(base + "/employer/assignments")
    page.get_by_role("link", name="Change HIPAA essentials").click()
    page.get_by_label("Days after the hire date").fill("45")
    page.get_by_role("button", name="Save the changes").click()
    assert "“HIPAA essentials” changed." in page.locator(".flash").first.inner_text()
    assert "45 days after the hire date" in page.locator("table").inner_text()
    page.get_by_role("link", name="End HIPAA essentials").click()
    page.get_by_role("button", name="End the training").click()
    assert "Ended" in page.locator("table").inner_text()
    page.context.close()

    phone = signed_in_page(browser, base, manager.email, viewport=PHONE)
    phone.goto(base + "/employer/hires")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.context.close()

    learner = signed_in_page(browser, base, hire.email, viewport={"width": 1280, "height": 900})
    learner.goto(base + f"/policy/{version.id}")
    box = learner.locator("input#agree").bounding_box()
    label = learner.locator("label.agree").bounding_box()
    assert box["x"] == pytest.approx(label["x"], abs=4), "the checkbox starts the line, left-aligned"
    assert label["height"] < 2 * box["height"], "beside its label on one line, not above it"
    learner.context.close()

