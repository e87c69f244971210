"""Hostile and malformed input (Hypothesis): nothing executable is ever rendered, no form ever fails with a 500."""

import itertools
import re
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD, add_hire, make_cohort, make_organisation, make_user

HOSTILE = st.sampled_from([
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>", "javascript:alert(1)",
    "\"><script>alert(1)</script>", "'><a href=javascript:alert(1)>x</a>", "{{ 7*7 }}", "{% raw %}x", "${7*7}",
    "<iframe src=//evil.example>", "<a href=\"javascript:alert(1)\">click</a>", "</textarea><script>alert(1)</script>",
])
TEXT = st.tuples(HOSTILE, st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20)).map("".join)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
SAFE_SCRIPT_SRC = re.compile(r"^/static/js/[a-z]+\.js(\?v=[0-9a-f]+)?$")
counter = itertools.count()


class Markup(HTMLParser):
    """Collects what a browser would run: script elements, event-handler attributes, script URLs, frames."""

    def __init__(self) -> None:
        super().__init__()
        self.dangers: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not SAFE_SCRIPT_SRC.match(attributes.get("src") or ""):
            self.dangers.append(f"<script {attributes}>")
        if tag in ("iframe", "object", "embed", "frame", "base"):
            self.dangers.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.dangers.append(f"{tag} {name}=")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(("javascript:", "data:")):
                self.dangers.append(f"{tag} {name}={value}")


def assert_inert(html: str) -> None:
    """No script, event handler, script URL or frame that the page did not write itself; no template ran."""
    parser = Markup()
    parser.feed(html)
    assert parser.dangers == []
    assert ">49<" not in html and " 49 " not in html


@SETTINGS
@given(name=TEXT, cohort_name=TEXT, answer=TEXT)
def test_hostile_names_and_answers_render_as_text(app, db, name, cohort_name, answer):
    n = next(counter)
    learner = make_user(name=name[:80], email=f"learner{n}@fuzz.example")
    teacher = make_user("instructor", email=f"teacher{n}@fuzz.example")
    cohort = make_cohort(teacher, [learner], name=cohort_name[:120])
    db.session.commit()
    client = app.test_client()
    sign_in(client, learner.email, DEFAULT_PASSWORD)
    attempt_url = client.post("/quizzes/role-quiz/start").headers["Location"]
    form = {f"q{i}": answer[:200] for i in range(12)}
    for page in (client.get("/"), client.post(attempt_url, data=form), client.get(attempt_url)):
        assert page.status_code < 500
        assert_inert(page.get_data(as_text=True))
    client.post("/auth/logout")
    sign_in(client, teacher.email, DEFAULT_PASSWORD)
    for url in ("/teach/", f"/teach/cohorts/{cohort.id}", f"/teach/cohorts/{cohort.id}/learners/{learner.id}",
                f"/teach/cohorts/{cohort.id}/quizzes/role-quiz"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.get_data(as_text=True))


@SETTINGS
@given(organisation_name=TEXT, policy_text=TEXT, hire_name=TEXT)
def test_hostile_organisation_policy_and_hire_names_render_as_text(app, db, organisation_name, policy_text, hire_name):
    n = next(counter)
    manager = make_user("employer", email=f"manager{n}@fuzz.example")
    organisation = make_organisation(manager, name=organisation_name[:160])
    hire = make_user(name=hire_name[:80], email=f"hire{n}@fuzz.example")
    add_hire(organisation, hire)
    db.session.commit()
    client = app.test_client()
    sign_in(client, manager.email, DEFAULT_PASSWORD)
    client.post("/employer/policy", data={"text": policy_text})
    client.post("/employer/assignments", data={"title": hire_name[:160], "scope": "course", "audience": "everyone",
                                               "due_kind": "relative", "due_days": "30"})
    for url in ("/employer/", f"/employer/hires/{hire.id}", "/employer/policy", "/employer/assignments"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.get_data(as_text=True))
    client.post("/auth/logout")
    sign_in(client, hire.email, DEFAULT_PASSWORD)
    dashboard = client.get("/").get_data(as_text=True)
    assert_inert(dashboard)
    version = re.search(r"/policy/(\d+)", dashboard)
    if version:
        assert_inert(client.get(f"/policy/{version.group(1)}").get_data(as_text=True))


FORMS = {
    ("anonymous", "/auth/register"): ["display_name", "email", "password", "confirm"],
    ("anonymous", "/auth/login"): ["email", "password", "next"],
    ("anonymous", "/auth/reset"): ["email"],
    ("student", "/join"): ["code"],
    ("student", "/auth/password"): ["current", "password", "confirm"],
    ("student", "/review"): ["items", "q1"],
    ("student", "/account/name"): ["display_name"],
    ("student", "/account/email"): ["email", "password"],
    ("student", "/account/close"): ["password"],
    ("instructor", "/teach/"): ["name", "starts_on", "ends_on"],
    ("employer", "/employer/hires"): ["name", "email", "job_role", "hire_date"],
    ("employer", "/employer/assignments"): ["title", "scope", "modules", "audience", "hire_id", "job_role", "due_kind",
                                            "due_date", "due_days", "yearly"],
    ("employer", "/employer/policy"): ["text"],
    ("admin", "/admin/users/1/role"): ["role"],
}
VALUE = st.one_of(
    st.just(""), st.just("x" * 100_000), st.text(max_size=50), st.integers().map(str), st.just("2026-13-45"),
    st.just("-1"), st.just("9" * 40), st.just("\x00\x01"), st.binary(max_size=30).map(lambda b: b.decode("latin-1")),
)


@SETTINGS
@given(data=st.data())
def test_every_form_survives_oversized_empty_binary_and_wrong_type_values(app, db, data):
    n = next(counter)
    accounts = {role: make_user(role, email=f"{role}{n}@fuzz.example") for role in ("student", "instructor", "employer", "admin")}
    make_organisation(accounts["employer"])
    db.session.commit()
    for index, ((role, url), fields) in enumerate(FORMS.items()):
        client = app.test_client()
        # One client address per form and example, as from many visitors; a fuzzed e-mail value that repeats
        # (such as "-1") still meets its own address's sign-in delay, a clear 429 with the form's message.
        client.environ_base["REMOTE_ADDR"] = f"10.{n // 250 % 250}.{n % 250}.{index}"
        if role != "anonymous":
            sign_in(client, accounts[role].email, DEFAULT_PASSWORD)
        form = {field: data.draw(VALUE, label=f"{url} {field}") for field in fields}
        response = client.post(url, data=form)
        assert response.status_code in (200, 302, 400, 404, 413, 422, 429), (url, response.status_code)
        if response.status_code in (200, 422, 429) and url not in ("/review", "/auth/reset"):
            page = response.get_data(as_text=True)
            assert 'class="error"' in page or 'role="alert"' in page or 'role="status"' in page, url
