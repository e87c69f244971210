"""End to end in a real headless Chromium: register, read a lesson, pass a quiz, see progress."""

from app.extensions import db
from app.models import QuizAttempt
from tests.test_registration import mailed_link


def answer_correctly(page, attempt: QuizAttempt) -> None:
    for index, shown in enumerate(attempt.snapshot):
        question = page.locator(f"#question-{index + 1}")
        kind = shown["type"]
        if kind == "single_choice":
            question.get_by_label(shown["answer"], exact=True).check()
        elif kind == "multiple_response":
            for choice in shown["answers"]:
                question.get_by_label(choice, exact=True).check()
        elif kind == "true_false":
            question.get_by_label("True" if shown["answer"] else "False", exact=True).check()
        elif kind == "numeric":
            question.locator("input").fill(str(shown["answer"]))
        else:
            question.locator("input").fill(shown["accepted"][0])


def test_a_learner_registers_reads_a_lesson_passes_a_quiz_and_sees_progress(browser, live_server, smtp):
    app, base = live_server
    page = browser.new_page()
    page.goto(base + "/")
    page.get_by_role("link", name="Create a free account").click()
    page.get_by_label("Your name").fill("Robin Browser")
    page.get_by_label("E-mail address").fill("robin@example.com")
    page.get_by_label("Password", exact=True).fill("a browser test password")
    page.get_by_label("Repeat the password").fill("a browser test password")
    page.get_by_role("button", name="Create account").click()
    page.goto(base + mailed_link(smtp, "robin@example.com", "/auth/confirm/"))  # the e-mailed link confirms the address
    page.get_by_role("button", name="Confirm my address").click()
    page.get_by_label("E-mail address").fill("robin@example.com")
    page.get_by_label("Password").fill("a browser test password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_text("0% complete").is_visible()

    page.get_by_role("link", name="Start:").click()
    first_lesson = page.locator("h1").inner_text()
    lesson_url = page.url
    check = page.locator("aside.check").first
    check.locator("input[type=radio], input[type=checkbox]").first.check()
    check.get_by_role("button", name="Check my answer").click()
    check.locator(".verdict").wait_for()
    assert page.url == lesson_url, "with JavaScript the check answers in place"
    assert check.locator(".explanation").inner_text().strip()
    page.get_by_role("button", name="Mark as complete and continue").click()
    assert page.locator("h1").inner_text() != first_lesson

    page.goto(base + "/quizzes/role-quiz")
    page.get_by_role("button", name="Start the quiz").click()
    attempt_id = int(page.url.rsplit("/", 1)[1])
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        snapshot_attempt = QuizAttempt(snapshot=attempt.snapshot)
        db.session.remove()
    answer_correctly(page, snapshot_attempt)
    page.get_by_role("button", name="Hand in my answers").click()
    assert page.get_by_text("100%").first.is_visible()
    assert "passed" in page.locator(".score").inner_text()

    page.goto(base + "/")
    assert page.get_by_text("best quiz score 100% (passed").is_visible()
    assert page.get_by_text("1 of 2 lessons read").first.is_visible()
    percent = int(page.locator(".overview strong").inner_text().split("%")[0])
    assert 0 < percent < 100
