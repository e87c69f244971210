"""Every page type in a real browser: accessibility (axe-core), phone width, keyboard only, and no JavaScript."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from app.extensions import db
from app.models import QuizAttempt
from tests.factories import DEFAULT_PASSWORD
from tests.world import INVITE_TOKEN, build_world

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def world(app, live_server):
    world = build_world()
    db.session.commit()  # the test holds no write lock while the browser works
    return world, live_server[1]


def pages(world) -> dict[str, list[str]]:
    """The page types each kind of visitor sees, with real objects."""
    w = world
    return {
        "anonymous": ["/", "/auth/login", "/auth/register", "/auth/reset", "/glossary", "/source", f"/verify/{w.certificate.code}",
                      f"/invite/{INVITE_TOKEN}", "/no-such-page",
                      "/codes", "/codes?q=ankle+sprain", "/codes/S93.401A", "/codes/E11", "/codes/Z99.999"],
        "owner": ["/", "/lessons/role-what-billers-and-coders-do", "/lessons/hipaa-practice-spotting-and-guarding-phi",
                  "/quizzes/role-quiz", f"/attempts/{w.attempt.id}", "/review", "/join", "/auth/password",
                  f"/policy/{w.policy_version.id}",
                  "/account/", "/account/close"],
        "teacher": ["/teach/", f"/teach/cohorts/{w.cohort.id}", f"/teach/cohorts/{w.cohort.id}/learners/{w.owner.id}",
                    f"/teach/cohorts/{w.cohort.id}/learners/{w.owner.id}/attempts/{w.attempt.id}",
                    f"/teach/cohorts/{w.cohort.id}/quizzes/role-quiz", "/teach/content/quizzes/role.yaml",
                    f"/teach/cohorts/{w.cohort.id}/due-dates", "/course"],
        "manager": ["/employer/", "/employer/hires", f"/employer/hires/{w.owner.id}", "/employer/assignments",
                    "/employer/policy", "/employer/evidence", f"/employer/certificates/{w.certificate.id}/revoke",
                    "/employer/hires/upload",
                    f"/employer/assignments/{w.assignment_id}"],
        "admin": ["/admin/users", "/admin/audit", "/admin/outbox", "/admin/xapi",
                  "/admin/", "/admin/users/new"],
    }


def signed_in_page(browser, base, email=None, **context):
    page = browser.new_context(**context).new_page()
    if email:
        page.goto(base + "/auth/login")
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Password").fill(DEFAULT_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        assert "/auth/login" not in page.url, "sign-in failed"
    return page


def visitors(world):
    return {"anonymous": None, "owner": world.owner.email, "teacher": world.teacher.email,
            "manager": world.manager.email, "admin": world.accounts["admin"].email}


def test_every_page_type_passes_axe_with_no_serious_or_critical_violation(browser, world):
    world, base = world
    axe, scanned, problems = Axe(), [], []
    for visitor, email in visitors(world).items():
        page = signed_in_page(browser, base, email)
        for path in pages(world)[visitor]:
            page.goto(base + path)
            result = axe.run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
            serious = [(v["id"], len(v["nodes"])) for v in result.response["violations"] if v["impact"] in ("serious", "critical")]
            scanned.append(path)
            if serious:
                problems.append((visitor, path, serious))
        page.context.close()
    print(f"axe: {len(scanned)} pages scanned")
    assert problems == []


def test_no_page_scrolls_sideways_on_a_phone(browser, world):
    world, base = world
    wide = []
    for visitor, email in visitors(world).items():
        page = signed_in_page(browser, base, email, viewport=PHONE)
        for path in pages(world)[visitor]:
            page.goto(base + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                wide.append((path, width))
        page.context.close()
    assert wide == [], wide


def right_choice_index(shown: dict) -> int:
    if shown["type"] == "true_false":
        return 0 if shown["answer"] else 1
    return shown["choices"].index(shown["answer"])


def test_a_quiz_can_be_completed_with_the_keyboard_alone(browser, world):
    world, base = world
    page = signed_in_page(browser, base, world.accounts["student"].email)
    page.goto(base + "/quizzes/role-quiz")
    page.get_by_role("button", name="Start the quiz").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/attempts/*")
    attempt = db.session.get(QuizAttempt, int(page.url.rsplit("/", 1)[1]))
    db.session.commit()
    while not page.evaluate("!!document.activeElement.closest('form.quiz')"):
        page.keyboard.press("Tab")
    for shown in attempt.snapshot:
        kind = shown["type"]
        if kind in ("single_choice", "true_false"):
            steps = right_choice_index(shown)
            for _ in range(steps):
                page.keyboard.press("ArrowDown")
            if steps == 0:
                page.keyboard.press("Space")
            assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none", "focus is visible"
        elif kind == "multiple_response":
            for number, choice in enumerate(shown["choices"]):
                if number:
                    page.keyboard.press("Tab")
                if choice in shown["answers"]:
                    page.keyboard.press("Space")
        else:
            page.keyboard.type(str(shown["answer"]) if kind == "numeric" else shown["accepted"][0])
        page.keyboard.press("Tab")
    while page.evaluate("document.activeElement.type") != "submit":
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/attempts/{attempt.id}")
    assert "100%" in page.locator(".score").inner_text()


def test_lessons_checks_and_a_quiz_work_without_javascript(browser, world):
    world, base = world
    page = signed_in_page(browser, base, world.accounts["student"].email, java_script_enabled=False)
    page.goto(base + "/lessons/role-what-billers-and-coders-do")
    check = page.locator("aside.check").first
    check.locator("input[type=radio], input[type=checkbox]").first.check()
    check.get_by_role("button", name="Check my answer").click()
    assert "check=0" in page.url and page.locator("aside.check .verdict").first.is_visible()
    page.goto(base + "/quizzes/role-quiz")
    page.get_by_role("button", name="Start the quiz").click()
    attempt = db.session.get(QuizAttempt, int(page.url.rsplit("/", 1)[1]))
    db.session.commit()
    for index, shown in enumerate(attempt.snapshot):
        question = page.locator(f"#question-{index + 1}")
        if shown["type"] in ("single_choice", "true_false"):
            question.locator("input").nth(right_choice_index(shown)).check()
        elif shown["type"] == "multiple_response":
            for number, choice in enumerate(shown["choices"]):
                if choice in shown["answers"]:
                    question.locator("input").nth(number).check()
        else:
            question.locator("input").fill(str(shown["answer"]) if shown["type"] == "numeric" else shown["accepted"][0])
    page.get_by_role("button", name="Hand in my answers").click()
    assert "100%" in page.locator(".score").inner_text()
