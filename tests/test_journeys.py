"""Whole journeys in a real browser (the `page` fixture keeps a screenshot and the HTML of a failure)."""

import hashlib
import re
from datetime import timedelta
from pathlib import Path

from app.extensions import db
from app.models import Invitation, QuizAttempt, User
from app.models.base import utcnow
from app.services import assignments, local_time
from app.services.progress import course_modules
from tests.factories import DEFAULT_PASSWORD, make_cohort, make_organisation, make_user
from tests.test_registration import mailed_link
from tests.world import INVITE_TOKEN


def sign_in(page, base, email, password=DEFAULT_PASSWORD):
    page.goto(base + "/auth/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def answer(page, attempt: QuizAttempt, right: bool) -> None:
    for index, shown in enumerate(attempt.snapshot):
        question = page.locator(f"#question-{index + 1}")
        kind = shown["type"]
        if kind in ("single_choice", "true_false"):
            options = shown["choices"] if kind == "single_choice" else [True, False]
            target = shown["answer"]
            pick = options.index(target) if right else next(i for i, o in enumerate(options) if o != target)
            question.locator("input").nth(pick).check()
        elif kind == "multiple_response":
            for number, choice in enumerate(shown["choices"]):
                if (choice in shown["answers"]) == right:
                    question.locator("input").nth(number).check()
        elif kind == "ordering":
            for number, item in enumerate(shown["items"]):
                question.locator("select").nth(number).select_option(str(shown["correct_order"].index(item) + 1))
        elif kind == "matching":
            key = {pair["prompt"]: pair["match"] for pair in shown["pairs"]}
            for number, prompt in enumerate(shown["prompts"]):
                question.locator("select").nth(number).select_option(str(shown["options"].index(key[prompt])))
        else:
            value = str(shown["answer"]) if kind == "numeric" else shown["accepted"][0]
            question.locator("input").fill(value if right else "999999")


def take_quiz(page, base, slug: str, right: bool, button: str = "Start the quiz") -> None:
    """Open a quiz, start it with `button`, answer every question right (or wrong) and hand it in."""
    page.goto(base + f"/quizzes/{slug}")
    page.get_by_role("button", name=button).click()
    attempt = db.session.get(QuizAttempt, int(page.url.rsplit("/", 1)[1]))
    db.session.commit()  # the test holds no write lock while the browser works
    answer(page, attempt, right=right)
    page.get_by_role("button", name="Hand in my answers").click()


def test_a_manager_invites_assigns_sees_overdue_then_completed_and_verifies_the_certificate(app, page, live_server, monkeypatch):
    app, base = live_server
    manager = make_user("employer", email="journey.manager@example.com")
    db.session.commit()
    sign_in(page, base, manager.email)
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Compliance").click()
    page.get_by_label("Organisation name").fill("Journey Clinic")
    page.get_by_role("button", name="Create").click()
    page.get_by_label("Name").fill("Hana Hire")
    page.get_by_label("E-mail address").fill("hana.hire@example.com")
    page.get_by_label("Job role").fill("coder")
    page.get_by_role("button", name="Send invitation").click()
    assert page.get_by_text("Invitation sent to hana.hire@example.com").is_visible()
    from app.models import EmailMessage
    from app.services.mail import render_body
    link = re.search(r"http://localhost(/invite/\S+)", render_body(db.session.query(EmailMessage).one())).group(1)
    db.session.commit()

    page.get_by_role("link", name="Required training").click()
    page.get_by_label("Training name").fill("Annual HIPAA training")
    page.get_by_label("These modules:").check()
    page.get_by_label("Patient confidentiality and HIPAA").check()
    page.get_by_label("Fixed due date").fill((utcnow() + timedelta(days=10)).date().isoformat())
    page.get_by_label("Repeat every year").check()
    page.get_by_role("button", name="Assign").click()
    assert page.get_by_text("“Annual HIPAA training” assigned.").is_visible()
    page.get_by_role("button", name="Sign out").click()

    page.goto(base + link)
    page.get_by_label("Your name").fill("Hana Hire")
    page.get_by_label("Password", exact=True).fill("hana's long journey password")
    page.get_by_label("Repeat the password").fill("hana's long journey password")
    page.get_by_role("button", name="Create account and accept").click()
    assert page.get_by_role("heading", name="Your required training").is_visible()
    page.get_by_role("button", name="Sign out").click()

    later = utcnow() + timedelta(days=12)  # past the due date in every time zone
    monkeypatch.setattr(local_time, "utcnow", lambda: later)  # time moves forward past the due date
    sign_in(page, base, manager.email)
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Compliance").click()
    assert page.locator(".counts").get_by_text("Overdue").is_visible()
    assert page.locator("table.matrix").get_by_text("Overdue").is_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, base, "hana.hire@example.com", "hana's long journey password")
    hana = db.session.query(User).filter_by(email="hana.hire@example.com").one()
    db.session.commit()
    module = next(m for m in course_modules() if m.slug == "confidentiality")
    db.session.commit()  # no write lock held by the test while the browser works
    for lesson in module.lessons:
        page.goto(base + f"/lessons/{lesson.slug}")
        page.get_by_role("button", name="Mark as complete and continue").click()
    take_quiz(page, base, "confidentiality-quiz", right=True)
    page.goto(base + "/")
    assert page.locator(".required").get_by_text("Completed").is_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, base, manager.email)
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Compliance").click()
    assert page.locator("table.matrix").get_by_text("Completed").is_visible()
    page.get_by_role("link", name="Hana Hire").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this hire's evidence pack (ZIP)").click()
    assert download.value.suggested_filename.endswith(".zip")
    from app.models import Certificate
    code = db.session.query(Certificate).filter_by(user_id=hana.id).one().code
    db.session.commit()
    page.get_by_role("button", name="Sign out").click()
    page.goto(base + f"/verify/{code}")
    assert page.get_by_text("This certificate is valid").is_visible()
    # The holder shares the link: the page names them and the issuer, and nothing more (no e-mail address).
    assert "<dd>Hana Hire</dd>" in page.content() and "Journey Clinic" in page.content() and hana.email not in page.content()


def test_an_instructor_creates_a_cohort_watches_a_score_appear_and_exports_the_gradebook(app, browser, page, live_server):
    _app, base = live_server
    teacher = make_user("instructor", email="journey.teacher@example.com")
    learner = make_user(email="journey.learner@example.com", name="Lee Learner")
    db.session.commit()
    sign_in(page, base, teacher.email)
    page.get_by_role("link", name="Cohorts").click()
    page.get_by_label("Cohort name").fill("Evening class")
    page.get_by_role("button", name="Create cohort").click()
    code = page.locator(".invite strong code").inner_text()
    assert "Nobody has joined yet" in page.content()

    student = browser.new_context().new_page()
    student.set_default_timeout(5000)
    sign_in(student, base, learner.email)
    student.get_by_role("link", name="Join a cohort with a code").click()
    student.get_by_label("Join code").fill(code.lower())
    student.get_by_role("button", name="Join").click()
    assert student.get_by_text("You joined “Evening class”.").is_visible()
    take_quiz(student, base, "role-quiz", right=True)
    student.context.close()

    page.reload()
    row = page.locator("table.gradebook tbody tr", has_text="Lee Learner")
    assert "100%" in row.inner_text()
    row.get_by_role("link", name="Lee Learner").click()
    page.get_by_role("link", name="Question by question").first.click()
    assert page.get_by_text("The questions exactly as they were shown in this attempt.").is_visible()
    page.get_by_role("link", name="Evening class").click()
    page.locator("table.summary tr", has_text="Quiz: The role and where it fits").get_by_role("link", name="Item analysis").click()
    assert "upper-minus-lower" in page.content()
    page.get_by_role("link", name="Evening class").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV of these learners").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "Lee Learner" in text and text.startswith("Learner,E-mail")
    assert Path(download.value.path()).read_bytes().startswith("\ufeff".encode()), "the BOM Excel needs to read UTF-8"


def test_a_student_joins_learns_fails_then_passes_downloads_a_certificate_and_does_a_scenario(app, page, live_server, smtp):
    _app, base = live_server


    cohort = make_cohort(make_user("instructor"), name="Day class")
    manager = make_user("employer")
    organisation = make_organisation(manager, name="Student Journey Clinic")
    assignments.create(organisation, manager, "Role basics", ["role"], "everyone", None, "", None, 30, False, utcnow().date())
    db.session.add(Invitation(organisation_id=organisation.id, email="sam.student@example.com", name="Sam",
                              token_hash=hashlib.sha256(INVITE_TOKEN.encode()).hexdigest(), invited_by=manager.id,
                              expires_at=utcnow() + timedelta(days=7)))
    db.session.commit()

    page.goto(base + "/auth/register")
    page.get_by_label("Your name").fill("Sam Student")
    page.get_by_label("E-mail address").fill("sam.student@example.com")
    page.get_by_label("Password", exact=True).fill("sam's long student password")
    page.get_by_label("Repeat the password").fill("sam's long student password")
    page.get_by_role("button", name="Create account").click()
    assert "We have sent a message to sam.student@example.com" in page.content()
    page.goto(base + mailed_link(smtp, "sam.student@example.com", "/auth/confirm/"))
    page.get_by_role("button", name="Confirm my address").click()
    sign_in(page, base, "sam.student@example.com", "sam's long student password")
    page.get_by_role("link", name="Join a cohort with a code").click()
    join_code = cohort.join_code
    db.session.commit()  # reading it began a transaction: the test holds no write lock while the browser works
    page.get_by_label("Join code").fill(join_code)
    page.get_by_role("button", name="Join").click()
    page.goto(base + f"/invite/{INVITE_TOKEN}")
    page.get_by_role("button", name="Accept as sam.student@example.com").click()
    assert page.get_by_role("heading", name="Your required training").is_visible()

    page.get_by_role("link", name="Start:").click()
    check = page.locator("aside.check").first
    check.locator("input[type=radio], input[type=checkbox]").first.check()
    check.get_by_role("button", name="Check my answer").click()
    check.locator(".verdict").wait_for()
    page.get_by_role("button", name="Mark as complete and continue").click()
    page.get_by_role("button", name="Mark as complete and continue").click()  # the module's last lesson leads to its quiz
    for right in (False, True):
        take_quiz(page, base, "role-quiz", right=right, button="Retake the quiz" if right else "Start the quiz")
        assert ("not passed yet" not in page.locator(".score").inner_text()) == right
    page.goto(base + "/")
    link = page.locator(".required").get_by_role("link", name="Download").get_attribute("href")
    certificate = page.context.request.get(base + link)  # with the learner's cookies, as the link would
    assert certificate.ok and certificate.body().startswith(b"%PDF")

    take_quiz(page, base, "visit-to-payment-follow-the-claim", right=True)
    assert "100%" in page.locator(".score").inner_text()
