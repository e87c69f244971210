"""Every route in the URL map, as every role, with hostile values in its path and query and form: never a 500."""

import re

import pytest
from sqlalchemy import select

from app.models import Lesson
from tests.conftest import CSRF_META, sign_in
from tests.world import build_world, url_values

pytestmark = pytest.mark.slow

ARGUMENT = re.compile(r"<(?:([a-z]+)(?:\([^)]*\))?:)?([a-z_]+)>")
HUGE = [str(2**31), str(2**63), "9" * 40]
HOSTILE_TEXT = ["a%00b", "x" * 300, "%C2%B2", "..%2F..%2Fconfig.py", "%FF%FE", "%E2%80%AE", "'%20OR%201=1--"]
QUERIES = [
    "sort=quiz:%C2%B2&show=not-passed:%C2%B2&page=%C2%B2&check=%C2%B2&training=%C2%B2&attempts=%C2%B2&items=%C2%B2",
    f"sort=quiz:{2**63}&show=not-passed:{2**63}&page={2**63}&check={2**63}&training={2**31}&hire_id={2**63}&number={2**63}",
    "q=a%00b&person=a%00b&action=a%00b",
    "q=" + "x" * 3000 + "&start=9999-12-31&end=0001-01-01&action=%FF&person=%E2%80%AE&next=//evil.example&status=%C2%B2&role=x",
    "start=99999-01-01&end=2026-02-30&page=-1&page=0&check=-1&answer=%C2%B2&answer=" + str(2**63),
]
FORMS = [
    {"name": "x" * 300, "title": "x" * 300, "email": "x" * 300 + "@example.com", "items": ["\u00b2", str(2**63)],
     "hire_id": str(2**63), "due_days": "9" * 30, "due_date": "9999-12-31", "hire_date": "9999-12-31", "role": "\u00b2",
     "code": "\u00b2" * 10, "text": "x" * 100_000, "display_name": "\u202e" * 50, "password": "x" * 5000,
     "job_role": "x" * 300, "scope": "modules", "modules": ["nope"], "audience": "hire", "due_kind": "relative", "q1": str(2**63)},
    {"name": "a\x00b", "email": "a\x00b@example.com", "items": "\x00", "text": "\x00"},
]
NOT_WALKED = {"static", "auth.logout"}  # files on disk; signing out would end the walk for that role


def fill(rule: str, values: dict[str, str]) -> str:
    return ARGUMENT.sub(lambda match: values[match.group(2)], rule)


def hostile_paths(rule) -> list[str]:
    """The route's path with each hostile value in every argument (int arguments get huge numbers and text too)."""
    converters = {name: kind or "default" for kind, name in ARGUMENT.findall(rule.rule)}
    if not converters:
        return []
    paths = []
    for n in range(max(len(HUGE), len(HOSTILE_TEXT))):
        paths.append(fill(rule.rule, {name: HUGE[n % len(HUGE)] if kind == "int" else HOSTILE_TEXT[n % len(HOSTILE_TEXT)]
                                      for name, kind in converters.items()}))
    paths.append(fill(rule.rule, {name: HOSTILE_TEXT[2] for name in converters}))  # Unicode digits in int arguments too
    return paths


def test_no_route_answers_500_to_hostile_values_as_any_role(app, db, client, capsys):
    world = build_world()
    lesson = db.session.scalar(select(Lesson).order_by(Lesson.id))
    people = {"anonymous": None, "student": world.owner, "instructor": world.teacher, "employer manager": world.manager,
              "admin": world.accounts["admin"]}
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint not in NOT_WALKED]
    failures, requests = [], 0
    for role, person in people.items():
        visitor = app.test_client()
        if person is not None:
            assert sign_in(visitor, person.email).status_code == 302, role
        token = CSRF_META.search(visitor.get("/auth/login", follow_redirects=True).get_data(as_text=True)).group(1)
        for rule in rules:
            arguments = set(rule.arguments)
            valid = fill(rule.rule, {k: str(v) for k, v in url_values(world, rule.endpoint, arguments).items()}) if arguments else rule.rule
            if "lesson" in rule.endpoint or "check" in rule.endpoint:
                valid = valid.replace("role-quiz", lesson.slug)
            for path in hostile_paths(rule) + [f"{valid}?{query}" for query in QUERIES]:
                for method in sorted(rule.methods & {"GET", "POST"}):
                    if method == "GET":
                        response = visitor.get(path)
                        requests += 1
                        if response.status_code >= 500:
                            failures.append((role, method, path[:200], response.status_code))
                        continue
                    for form in FORMS:
                        response = visitor.post(path, data={**form, "csrf_token": token})
                        requests += 1
                        if response.status_code >= 500:
                            failures.append((role, method, path[:200], response.status_code))
    with capsys.disabled():
        print(f"\nURL map walk: {len(rules)} routes, {len(people)} roles, {requests} requests, {len(failures)} answered 5xx")
    assert failures == []
    assert requests > 1000
