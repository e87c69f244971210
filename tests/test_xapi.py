"""xAPI: statements about lessons and quizzes reach a real Learning Record Store, and none is lost when it is down."""

import time

import pytest
from sqlalchemy import func, select, update

from app import create_app
from app.extensions import db
from app.models import Lesson, Module, QuizAttempt, XapiStatement
from app.services import xapi_delivery
from tests.conftest import config_for
from tests.factories import right_answer_form
from tests.lrs import PASSWORD, USERNAME

VERB = "http://adlnet.gov/expapi/verbs/"


def first_lesson() -> Lesson:
    return db.session.scalar(select(Lesson).join(Module).where(Module.slug == "role").order_by(Lesson.position))


def take_quiz(client, wrong: int = 0, slug: str = "role-quiz") -> QuizAttempt:
    response = client.post(f"/quizzes/{slug}/start")
    attempt = db.session.get(QuizAttempt, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert client.post(f"/attempts/{attempt.id}", data=right_answer_form(attempt, wrong=wrong)).status_code == 302
    db.session.refresh(attempt)
    db.session.commit()  # SQLite: a test's open transaction would hold the write lock the background sender needs
    return attempt


def use_store(app, endpoint: str, background: bool = True) -> None:
    app.config.update(XAPI_ENDPOINT=endpoint, XAPI_USERNAME=USERNAME, XAPI_PASSWORD=PASSWORD,
                      XAPI_SEND_IN_BACKGROUND=background, XAPI_TIMEOUT=3)


def queued(status: str | None = None) -> list[XapiStatement]:
    query = select(XapiStatement).order_by(XapiStatement.id)
    if status:
        query = query.where(XapiStatement.status == status)
    db.session.expire_all()
    rows = list(db.session.scalars(query))
    db.session.commit()  # as in take_quiz: release the write lock
    return rows


def test_without_a_store_nothing_is_queued(app, client, login_as):
    login_as()
    client.post(f"/lessons/{first_lesson().slug}/complete")
    take_quiz(client)
    assert db.session.scalar(select(func.count()).select_from(XapiStatement)) == 0


def test_lesson_and_quiz_statements_reach_the_store_as_the_learner_goes(app, client, login_as, lrs):
    use_store(app, lrs.endpoint)
    learner = login_as()
    lesson = first_lesson()
    assert client.post(f"/lessons/{lesson.slug}/complete").status_code == 302
    client.post(f"/lessons/{lesson.slug}/complete")  # a second click completes nothing new
    failed = take_quiz(client, wrong=5)
    passed = take_quiz(client)
    questions = len(failed.snapshot) + len(passed.snapshot)
    expected = 1 + 2 * 3 + questions  # lesson completed; per attempt attempted, completed, passed/failed; answers

    stored = lrs.wait_for(expected)  # posted by the background sender after each commit
    deadline = time.monotonic() + 10
    while queued("queued") and time.monotonic() < deadline:  # the sender records "sent" just after the store answers
        time.sleep(0.1)

    assert len(stored) == expected
    assert queued("queued") == []
    assert {s["id"] for s in stored} == {row.statement_id for row in queued("sent")}
    by_verb: dict[str, list[dict]] = {}
    for statement in stored:
        by_verb.setdefault(statement["verb"]["id"].removeprefix(VERB), []).append(statement)
    assert {verb: len(found) for verb, found in by_verb.items()} == {
        "completed": 3, "attempted": 2, "answered": questions, "passed": 1, "failed": 1}
    for statement in stored:
        assert statement["actor"]["account"] == {"homePage": "http://localhost", "name": str(learner.id)}
        assert statement["context"]["contextActivities"]["grouping"][0]["id"] == "http://localhost/"
    lesson_done = next(s for s in by_verb["completed"] if s["object"]["id"].endswith(f"/lessons/{lesson.slug}"))
    assert lesson_done["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/lesson"
    verdict = by_verb["passed"][0]
    assert verdict["object"]["id"] == "http://localhost/quizzes/role-quiz"
    assert verdict["result"]["success"] is True
    assert verdict["result"]["score"] == {"scaled": 1.0, "raw": len(passed.snapshot), "min": 0, "max": len(passed.snapshot)}
    low = by_verb["failed"][0]["result"]
    assert low["success"] is False and low["score"]["raw"] == len(failed.snapshot) - 5
    # Everything about one attempt shares a registration; the answers hang under their quiz.
    quiz_statements = [s for s in stored if s is not lesson_done]
    assert len({s["context"]["registration"] for s in quiz_statements}) == 2 and "registration" not in lesson_done["context"]
    answer = by_verb["answered"][0]
    assert answer["object"]["id"].startswith("http://localhost/quizzes/role-quiz#")
    assert answer["context"]["contextActivities"]["parent"][0]["id"] == "http://localhost/quizzes/role-quiz"
    assert sum(s["result"]["success"] for s in by_verb["answered"]) == questions - 5
    # The store keeps each answer as a typed interaction with its correct-response pattern.
    assert all(s["object"]["definition"]["interactionType"] and s["object"]["definition"]["correctResponsesPattern"]
               for s in by_verb["answered"])


def test_an_unreachable_store_loses_nothing_and_a_later_send_delivers_each_statement_once(app, client, login_as, lrs):
    closed_port = "http://127.0.0.1:9/xAPI/"  # the discard port: nothing listens there
    use_store(app, closed_port, background=False)
    login_as()
    take_quiz(client)
    waiting = queued()
    assert waiting and all(row.status == "queued" for row in waiting)

    counts = xapi_delivery.deliver_pending()
    assert counts == {"sent": 0, "retry": len(waiting), "rejected": 0}
    for row in queued():
        assert row.status == "queued" and row.attempts == 1 and "Connection refused" in row.last_error
        assert row.next_attempt_at > row.created_at and row.claim is None

    use_store(app, lrs.endpoint, background=False)
    assert xapi_delivery.deliver_pending() == {"sent": 0, "retry": 0, "rejected": 0}  # still waiting out the delay
    result = app.test_cli_runner().invoke(args=["xapi", "send", "--all"])
    assert result.exit_code == 0, result.output
    assert f"{len(waiting)} sent, 0 to retry later, 0 rejected" in result.output
    stored = lrs.statements()
    assert sorted(s["id"] for s in stored) == sorted(row.statement_id for row in waiting)

    # A sender that died after posting (its lease expired) posts again: the store still keeps one copy.
    db.session.execute(update(XapiStatement).values(status="queued", next_attempt_at=XapiStatement.created_at))
    db.session.commit()
    assert xapi_delivery.deliver_pending()["sent"] == len(waiting)
    assert len(lrs.statements()) == len(waiting)


def test_a_statement_the_store_refuses_is_set_aside_and_the_rest_are_delivered(app, client, login_as, lrs):
    use_store(app, lrs.endpoint, background=False)
    login_as()
    client.post(f"/lessons/{first_lesson().slug}/complete")
    take_quiz(client)
    rows = queued()
    # Same id, different content from a statement the store already holds: it must answer 409 Conflict.
    xapi_delivery.post_statements([rows[0].body])
    rows[0].body = rows[0].body | {"result": {"completion": False}}
    db.session.commit()

    counts = xapi_delivery.deliver_pending()

    assert counts == {"sent": len(rows) - 1, "retry": 0, "rejected": 1}
    refused = queued("rejected")
    assert [row.id for row in refused] == [rows[0].id] and "409" in refused[0].last_error
    assert len(lrs.statements()) == len(rows)


def test_wrong_credentials_keep_statements_queued(app, client, login_as, lrs):
    use_store(app, lrs.endpoint, background=False)
    app.config["XAPI_PASSWORD"] = "not the password"
    login_as()
    take_quiz(client)
    counts = xapi_delivery.deliver_pending()
    assert counts["sent"] == 0 and counts["retry"] > 0
    assert all(row.status == "queued" and "HTTP 401" in row.last_error for row in queued())
    result = app.test_cli_runner().invoke(args=["xapi", "send", "--all"])
    assert result.exit_code == 1 and "stay queued" in result.output  # cron reports a store that refuses us
    assert lrs.statements() == []


def test_two_senders_never_claim_the_same_statement(app, client, login_as):
    use_store(app, "http://127.0.0.1:9/xAPI/", background=False)
    login_as()
    take_quiz(client)
    first = xapi_delivery._claim(5, due_only=True)
    second = xapi_delivery._claim(100, due_only=True)
    assert len(first) == 5
    assert not {row.id for row in first} & {row.id for row in second}
    assert len(first) + len(second) == len(queued())


def test_a_rolled_back_action_queues_nothing(app, login_as):
    use_store(app, "http://127.0.0.1:9/xAPI/", background=False)
    learner = login_as()
    from app.services.progress import mark_lesson_complete

    mark_lesson_complete(learner, first_lesson())
    db.session.rollback()
    assert queued() == [] and "xapi_queued" not in db.session.info


def test_an_endpoint_that_is_not_http_is_refused_at_start_up(database):
    with pytest.raises(RuntimeError, match="XAPI_ENDPOINT"):
        create_app(config_for(database, XAPI_ENDPOINT="file:///etc/passwd"))


def test_an_admin_sees_what_waits_and_can_send_it_now(app, client, login_as, lrs):
    from app.services import quizzes
    from tests.factories import make_user, quiz

    use_store(app, "http://127.0.0.1:9/xAPI/", background=False)
    learner = make_user()
    attempt = quizzes.start_attempt(learner, quiz())
    answers, _ = quizzes.parse_answers(attempt, _multidict(right_answer_form(attempt)))
    quizzes.submit_attempt(attempt, answers)
    db.session.commit()
    xapi_delivery.deliver_pending()
    waiting = len(queued("queued"))
    login_as("admin")

    page = client.get("/admin/xapi").get_data(as_text=True)
    assert f"Waiting: <strong>{waiting}</strong>" in page and "Connection refused" in page
    use_store(app, lrs.endpoint, background=False)
    assert client.post("/admin/xapi/send", csrf=False).status_code == 400
    assert queued("sent") == []
    response = client.post("/admin/xapi/send", follow_redirects=True)
    assert f"{waiting} sent, 0 to retry later" in response.get_data(as_text=True)
    assert len(lrs.statements()) == waiting


def test_only_admins_see_the_statement_queue(client, login_as):
    login_as("instructor")
    assert client.get("/admin/xapi").status_code == 403
    assert client.post("/admin/xapi/send").status_code == 403


def _multidict(data: dict):
    from werkzeug.datastructures import MultiDict

    return MultiDict(data)
