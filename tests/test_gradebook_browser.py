"""The gradebook as an instructor sees it in a browser: a fixed learner column with the quiz columns scrolling inside
the table, compact charts, readable chart labels, and every column reachable on a phone."""

from datetime import datetime, timedelta

from app.extensions import db
from app.services import structure
from tests.factories import make_attempt, make_cohort, make_user, quiz
from tests.test_browser_pages import signed_in_page

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def _class_of_60(app):
    teacher = make_user("instructor", name="Ines Instructor")
    learners = [make_user(name=f"Learner {n:03d}") for n in range(60)]
    cohort = make_cohort(teacher, learners)
    graded = [quiz(info.slug) for info in structure.graded_quizzes(structure.load())[:3]]
    start = datetime(2026, 11, 2, 10)
    for n, learner in enumerate(learners):
        for k, graded_quiz in enumerate(graded):
            make_attempt(learner, graded_quiz, [n % (k + 2) != 0] * 4, when=start + timedelta(days=(n + 7 * k) % 28))
    db.session.commit()
    return teacher, cohort


def _sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")


def test_the_gradebook_keeps_its_learner_column_and_stays_compact(app, browser, live_server):
    teacher, cohort = _class_of_60(app)
    _server_app, base = live_server
    page = signed_in_page(browser, base, teacher.email, viewport=DESKTOP)
    page.goto(f"{base}/teach/cohorts/{cohort.id}")
    assert page.get_by_text("Showing 1–50 of 60 learners").is_visible()
    assert not _sideways(page), "the page itself never scrolls sideways"
    wrap = page.locator(".gradebook-wrap")
    assert wrap.evaluate("w => w.scrollWidth > w.clientWidth"), "the quiz columns scroll inside the table"
    first_name = page.locator("tbody th.pinned").first
    left_before = first_name.bounding_box()["x"]
    wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
    assert abs(first_name.bounding_box()["x"] - left_before) < 2, "the learner column stays put"
    charts = [box for box in (figure.bounding_box() for figure in page.locator("figure.chart.mini").all()) if box]
    assert len(charts) == 3 and all(box["height"] < 220 for box in charts), "one small histogram per attempted quiz"
    assert len({round(box["y"]) for box in charts}) == 1, "side by side, as small multiples"
    labels = page.locator("figure.chart:not(.mini) svg text[y='220']")
    assert labels.count() == 2, "four weeks of attempts draw more than one point"
    first, last = labels.nth(0).bounding_box(), labels.nth(1).bounding_box()
    assert first["x"] + first["width"] < last["x"], "the first and last date labels do not overlap"
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/teach/cohorts/{cohort.id}")
    assert not _sideways(page)
    wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
    last_column = page.locator(".gradebook thead th").last.bounding_box()
    assert 0 <= last_column["x"] and last_column["x"] + last_column["width"] <= PHONE["width"] + 1, "every column is reachable"
    page.context.close()
