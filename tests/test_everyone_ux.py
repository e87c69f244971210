"""What every visitor meets: valid form markup, a favicon, a header that folds into a menu on a phone, tap targets
of at least 24 by 24 pixels, finished modules folded away, and staff pages that speak of the learner."""

import pytest

from app.extensions import db
from tests.conftest import sign_in
from tests.test_browser_pages import PHONE, pages, signed_in_page, visitors
from tests.world import build_world


@pytest.fixture
def world_client(app, client):
    world = build_world()
    db.session.commit()
    return world, client


def test_no_page_renders_autocomplete_none_and_every_page_has_a_favicon(app, world_client):
    world, _ = world_client
    for visitor, email in visitors(world).items():
        client = app.test_client()
        if email:
            sign_in(client, email)
        for path in pages(world)[visitor]:
            html = client.get(path).get_data(as_text=True)
            assert 'autocomplete="None"' not in html, (visitor, path)
            assert 'rel="icon"' in html, (visitor, path)
    with app.test_client().get("/static/favicon.svg") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"


def test_the_staff_view_of_an_attempt_speaks_of_the_learner(app, world_client):
    world, client = world_client
    sign_in(client, world.teacher.email)
    html = client.get(f"/teach/cohorts/{world.cohort.id}/learners/{world.owner.id}/attempts/{world.attempt.id}").get_data(as_text=True)
    assert "The learner’s answer:" in html and "Your answer:" not in html


def test_a_finished_module_is_folded_on_the_dashboard(app, world_client):
    world, client = world_client
    sign_in(client, world.owner.email)
    html = client.get("/").get_data(as_text=True)
    start = html.index('id="module-role"')
    assert '<details class="done-items">' in html[start:start + 2000]


@pytest.fixture
def browser_world(app, live_server):
    world = build_world()
    db.session.commit()
    return world, live_server[1]


def test_on_a_phone_the_header_is_a_menu_and_targets_are_big_enough(browser, browser_world):
    world, base = browser_world
    page = signed_in_page(browser, base, world.accounts["student"].email, viewport=PHONE)
    page.goto(base + "/")
    header = page.locator("header.site").bounding_box()
    assert header["height"] < 80, "the header is one row"
    assert not page.get_by_role("link", name="Glossary").is_visible()
    page.get_by_text("Menu").click()
    assert page.get_by_role("link", name="Glossary").is_visible()
    page.goto(base + "/quizzes/role-quiz")
    page.get_by_role("button", name="Start the quiz").click()
    boxes = [box for box in (e.bounding_box() for e in page.locator("input[type=radio], input[type=checkbox]").all()) if box]
    assert boxes and all(box["width"] >= 24 and box["height"] >= 24 for box in boxes)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(base + "/")
    assert page.get_by_role("link", name="Glossary").is_visible(), "on a desktop the links show without a menu"
    page.context.close()


def test_every_staff_page_has_one_breadcrumb_trail_ending_at_the_page(app, world_client):
    """Staff pages (and their confirmations) share one breadcrumb pattern: a single trail from the role's home, the
    last step marked as the current page and not a link."""
    import re

    world, _ = world_client
    staff = {"teacher": [f"/teach/cohorts/{world.cohort.id}/archive",
                         f"/teach/cohorts/{world.cohort.id}/learners/{world.owner.id}/remove"],
             "manager": [f"/employer/hires/{world.owner.id}/remove", "/employer/settings"],
             "admin": []}
    for visitor, extra in staff.items():
        client = app.test_client()
        sign_in(client, visitors(world)[visitor])
        for path in [p for p in pages(world)[visitor] if p != "/course"] + extra:
            html = client.get(path).get_data(as_text=True)
            trails = re.findall(r'<nav class="crumbs" aria-label="Breadcrumb"><ol>(.*?)</ol></nav>', html, re.S)
            assert len(trails) == 1, (visitor, path)
            steps = re.findall(r"<li>(.*?)</li>", trails[0], re.S)
            assert steps and 'aria-current="page"' in steps[-1] and "<a " not in steps[-1], (visitor, path)
            assert all("<a href=" in step for step in steps[:-1]), (visitor, path)
