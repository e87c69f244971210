"""The code browser and a coding case in a real browser: results while typing, picking a code into the answer."""

import re

from app.content.sync import sync_content
from app.extensions import db
from tests.coding_content import add_coding_content
from tests.factories import DEFAULT_PASSWORD, make_user

PHONE = {"width": 375, "height": 740}


def test_results_update_while_the_learner_types(page, live_server):
    _, base = live_server
    page.goto(base + "/codes")
    page.get_by_label("Search codes: words, an abbreviation or a code").press_sequentially("ankle spr", delay=30)
    page.locator("#code-results li", has_text="S93.4").first.wait_for()
    assert "q=ankle+spr" in page.url  # the address follows, so reloading or sharing keeps the search
    assert page.locator("#code-results").get_by_text("Sprain of ankle", exact=True).count() == 1


def test_a_coding_case_opens_the_lookup_beside_it_and_a_code_can_be_picked(browser, app, content, live_server):
    _, base = live_server
    add_coding_content(content)
    sync_content(content)
    learner = make_user()
    db.session.commit()
    for viewport in (PHONE, {"width": 1280, "height": 800}):
        page = browser.new_context(viewport=viewport).new_page()
        page.set_default_timeout(5000)
        page.goto(base + "/auth/login")
        page.get_by_label("E-mail address").fill(learner.email)
        page.get_by_label("Password").fill(DEFAULT_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(base + "/quizzes/coding-demo")
        page.get_by_role("button", name=re.compile("Start the quiz|Resume your attempt")).click()
        lookup = page.get_by_role("link", name="Look up codes").first
        lookup.click()
        assert lookup.get_attribute("aria-expanded") == "true"
        page.get_by_label("Find a code").first.press_sequentially("diabetic polyneuropathy type 2", delay=20)
        page.get_by_role("button", name="Use E11.42").click()
        assert "E11.42" in page.locator("textarea").first.input_value()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page.context.close()
