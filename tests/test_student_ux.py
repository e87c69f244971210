"""The learner's way through the course: the step after a passed quiz, a review queue that counts and tallies,
join links that survive creating an account, and a short, readable start-up."""


import html
import re
from datetime import timedelta

from alembic.script import ScriptDirectory
from sqlalchemy import select

from app.extensions import db
from app.models import Enrolment, Module, QuizAttempt, ReviewItem, User
from app.models.base import utcnow
from app.services import mail, review, structure
from config import BASE_DIR
from tests.factories import complete_lessons, complete_module, make_attempt, make_cohort, make_user, right_answer_form


def start(client, slug: str) -> QuizAttempt:
    response = client.post(f"/quizzes/{slug}/start")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return db.session.get(QuizAttempt, int(response.headers["Location"].rsplit("/", 1)[1]))


def hand_in(client, slug: str, wrong: int = 0) -> str:
    """Start and hand in the quiz with `wrong` wrong answers; the result page's text."""
    attempt = start(client, slug)
    response = client.post(f"/attempts/{attempt.id}", data=right_answer_form(attempt, wrong=wrong))
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def modules() -> list:
    return list(structure.current().modules)


def module(slug: str) -> Module:
    return db.session.scalar(select(Module).where(Module.slug == slug))


def finish_all_but(learner, *unfinished: str) -> None:
    """Every module complete except these; the last of the course is left with only its quiz to pass."""
    for info in modules():
        if info.slug not in unfinished and info.slug != "hipaa-day-one":
            complete_module(learner, info.slug)
    last = module("hipaa-day-one")
    complete_lessons(learner, last.lessons)
    for exercise in last.exercises:
        make_attempt(learner, exercise, [True] * 4)
    db.session.commit()


def test_a_passed_quiz_leads_to_the_next_modules_first_lesson(client, db, login_as):
    learner = login_as()
    complete_lessons(learner, module("role").lessons)
    db.session.commit()
    page = hand_in(client, "role-quiz")
    first = module("training").lessons[0]
    assert "Next step" in page and f'href="/lessons/{first.slug}"' in page
    assert "17 modules left before the final exam" in page


def test_a_failed_quiz_keeps_its_retry_advice_and_offers_no_next_step(client, db, login_as):
    learner = login_as()
    complete_lessons(learner, module("role").lessons)
    db.session.commit()
    page = hand_in(client, "role-quiz", wrong=4)
    assert "not passed yet" in page and "try again" in page
    assert "Next step" not in page and "/lessons/" + module("training").lessons[0].slug not in page


def test_the_last_module_passed_leads_to_the_final_exam(client, db, login_as):
    learner = login_as()
    finish_all_but(learner)
    page = hand_in(client, "hipaa-day-one-quiz")
    assert "Every module is complete" in page and 'href="/quizzes/final-exam"' in page


def test_modules_still_open_before_the_exam_are_named_with_links(client, db, login_as):
    learner = login_as()
    finish_all_but(learner, "outlook", "pay")
    page = hand_in(client, "hipaa-day-one-quiz")
    assert "2 modules left before the final exam:" in page and "/quizzes/final-exam" not in page
    for slug in ("outlook", "pay"):
        assert f'href="/lessons/{module(slug).lessons[0].slug}"' in page


def review_answers(items, wrong_ids=()) -> dict:
    """The review form answering these items, wrongly for the ids in `wrong_ids`."""
    form = {"items": [str(item.id) for item in items]}
    for item in items:
        answers = right_answer_form(QuizAttempt(snapshot=[review.present(item)]), wrong=int(item.id in wrong_ids))
        form.update({key.replace("q0", f"q{item.id}", 1): value for key, value in answers.items()})
    return form


def test_the_review_queue_counts_what_is_due_and_tallies_a_round(client, db, login_as, monkeypatch):
    learner = login_as()
    complete_lessons(learner, module("role").lessons)
    db.session.commit()
    hand_in(client, "role-quiz", wrong=3)
    now = utcnow()
    assert "Nothing to review right now" in client.get("/review").get_data(as_text=True)
    assert "comes due in 23 hours" in client.get("/review").get_data(as_text=True)
    monkeypatch.setattr(review, "utcnow", lambda: now + timedelta(days=1, hours=1))
    page = client.get("/review").get_data(as_text=True)
    assert "3 questions due now" in page
    items = db.session.scalars(select(ReviewItem).where(ReviewItem.user_id == learner.id).order_by(ReviewItem.id)).all()
    result = client.post("/review", data=review_answers(items, wrong_ids={items[0].id})).get_data(as_text=True)
    assert "You got 2 of 3 right; 1 comes back tomorrow, 2 come back in 3 days." in result
    assert "Nothing to review right now" in result and "comes due tomorrow" in result


def test_a_tally_names_questions_learned_for_good():
    tally = review.Tally(right=3, total=3, back_in=((7, 2),), learned=1)
    assert tally.sentence() == "You got 3 of 3 right; 2 come back in 7 days, 1 is learned and will not come back."
    assert review.Tally(0, 1, ((1, 1),), 0).sentence() == "You got 0 of 1 right; 1 comes back tomorrow."


PASSWORD = "correct horse battery"


def mailed_link(smtp, to: str, path: str) -> str:
    """Deliver the outbox, then the local part of the last link to `path` mailed to `to`."""
    mail.deliver_pending()
    links = [found for message in smtp.to(to) for found in re.findall(rf"http://localhost({re.escape(path)}\S+)", smtp.body(message))]
    assert links, f"no {path} link mailed to {to}"
    return links[-1]


def test_a_join_link_survives_creating_an_account_and_confirming_it(client, db, smtp):
    cohort = make_cohort(make_user("instructor"), name="Evening class")
    db.session.commit()
    to_sign_in = client.get(f"/join/{cohort.join_code}").headers["Location"]
    sign_in_page = client.get(to_sign_in).get_data(as_text=True)
    register_links = set(re.findall(r'href="(/auth/register[^"]*)"', sign_in_page))
    assert register_links == {f"/auth/register?next=/join/{cohort.join_code}"}, "the header's link and the page's"
    register_link = register_links.pop()
    form = client.get(html.unescape(register_link)).get_data(as_text=True)
    assert f'name="next" type="hidden" value="/join/{cohort.join_code}"' in form
    answer = client.post("/auth/register", data={"display_name": "Jo New", "email": "jo@example.com", "password": PASSWORD,
                                                 "confirm": PASSWORD, "next": f"/join/{cohort.join_code}"})
    assert answer.headers["Location"] == f"/auth/login?next=/join/{cohort.join_code}"
    confirmed = client.post(mailed_link(smtp, "jo@example.com", "/auth/confirm/"))
    assert confirmed.headers["Location"] == f"/auth/login?next=/join/{cohort.join_code}"
    signed_in = client.post("/auth/login", data={"email": "jo@example.com", "password": PASSWORD,
                                                 "next": f"/join/{cohort.join_code}"})
    assert signed_in.headers["Location"] == f"/join/{cohort.join_code}"
    assert "Join “Evening class”" in client.get(signed_in.headers["Location"]).get_data(as_text=True)
    joined = client.post("/join", data={"code": cohort.join_code}, follow_redirects=True).get_data(as_text=True)
    learner = db.session.scalar(select(User).where(User.email == "jo@example.com"))
    assert "You joined “Evening class”" in joined
    assert db.session.scalar(select(Enrolment).filter_by(cohort_id=cohort.id, user_id=learner.id)) is not None


def test_a_next_to_another_site_is_dropped_on_the_way_through_registration(client, db, smtp):
    for bad in ("https://evil.example/join/X", "//evil.example/", "/\\evil.example"):
        page = client.get("/auth/login", query_string={"next": bad}).get_data(as_text=True)
        assert set(re.findall(r'href="(/auth/register[^"]*)"', page)) == {"/auth/register"}
    answer = client.post("/auth/register", data={"display_name": "Al", "email": "al@example.com", "password": PASSWORD,
                                                 "confirm": PASSWORD, "next": "https://evil.example/"})
    assert answer.headers["Location"] == "/auth/login"
    confirmed = client.post(mailed_link(smtp, "al@example.com", "/auth/confirm/"))
    assert confirmed.headers["Location"] == "/auth/login"


def test_setup_prints_a_short_readable_start_up_and_suggests_a_command_that_exists(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["setup"])
    assert first.exit_code == 0, first.output
    lines = first.output.strip().splitlines()
    head = ScriptDirectory(str(BASE_DIR / "migrations")).get_current_head()
    assert lines[0] == f"Database: up to date (revision {head})"
    assert re.fullmatch(r"Course: 18 modules, \d+ lessons, \d+ quizzes and exercises, \d+ questions \(up to date, .*\)", lines[1])
    assert lines[2].startswith("Code set: ICD-10-CM") and "already loaded" in lines[2]
    assert lines[3].startswith("Demo accounts (development only") and "student@demo.example" in lines[4]
    assert lines[-1] == f"Open {app.config['BASE_URL']} in your browser."
    assert len(lines) == 9 and "INFO" not in first.output and "alembic" not in first.output
    second = runner.invoke(args=["setup"]).output
    assert "Demo accounts already exist" in second and "flask --app app users set-password --email EMAIL" in second
    assert runner.invoke(args=["users", "set-password", "--help"]).exit_code == 0, "the suggested command exists"
    assert "Will assume" in runner.invoke(args=["setup", "-v"]).output, "-v shows Alembic's steps again"


def test_a_visitor_joins_through_a_new_account_then_passes_a_quiz_and_follows_the_next_step(browser, live_server, smtp, db):
    from axe_playwright_python.sync_playwright import Axe

    from tests.test_browser import answer_correctly
    from tests.test_browser_pages import PHONE

    app, base = live_server
    cohort = make_cohort(make_user("instructor"), name="Evening class")
    code, training_lesson = cohort.join_code, module("training").lessons[0].title
    db.session.commit()
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.set_default_timeout(10000)
    page.goto(f"{base}/join/{code}")
    assert "/auth/login" in page.url
    page.locator("main").get_by_role("link", name="Create an account").click()
    page.get_by_label("Your name").fill("Sam Joiner")
    page.get_by_label("E-mail address").fill("sam@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.goto(base + mailed_link(smtp, "sam@example.com", "/auth/confirm/"))
    page.get_by_role("button", name="Confirm my address").click()
    page.get_by_label("E-mail address").fill("sam@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.url == f"{base}/join/{code}" and page.locator("h1").inner_text() == "Join “Evening class”"
    page.get_by_role("button", name="Join the cohort").click()
    assert page.get_by_text("You joined “Evening class”.").is_visible()
    learner = db.session.scalar(select(User).where(User.email == "sam@example.com"))
    assert db.session.scalar(select(Enrolment).filter_by(cohort_id=cohort.id, user_id=learner.id)) is not None
    db.session.rollback()  # the test holds no lock while the browser writes

    page.goto(base + "/quizzes/role-quiz")
    page.get_by_role("button", name="Start the quiz").click()
    attempt = db.session.get(QuizAttempt, int(page.url.rsplit("/", 1)[1]))
    answer_correctly(page, QuizAttempt(snapshot=attempt.snapshot))
    db.session.rollback()
    page.get_by_role("button", name="Hand in my answers").click()
    result_url = page.url
    assert "passed" in page.locator(".score").inner_text()
    violations = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}})
    assert [v["id"] for v in violations.response["violations"] if v["impact"] in ("serious", "critical")] == []
    page.locator(".next-step").get_by_role("link", name=f"Start “{training_lesson}”").click()
    assert page.locator("h1").inner_text() == training_lesson

    page.set_viewport_size(PHONE)
    page.goto(result_url)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scroll on a phone"
    box = page.locator(".next-step .button").bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24 and box["x"] + box["width"] <= PHONE["width"]
    page.context.close()
