"""Required training fails closed: real module references, no certificate for a requirement that cannot be met,
and which module needs the policy acknowledged is declared in the content, not in the code."""

from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from flask_migrate import upgrade
from sqlalchemy import select

from app import create_app
from app.content.sync import ContentError, sync_content
from app.extensions import db as _db
from app.models import Certificate, ContentVersion, HireTraining, Module
from app.services import assignments, policy
from config import BASE_DIR
from tests.conftest import POSTGRES_URL, config_for
from tests.factories import add_hire, complete_module, make_organisation, make_user
from tests.test_compliance import assign

NOW = datetime(2026, 11, 20, 10)


def hire_with(db, slugs):
    manager = make_user("employer", name="Mona Manager")
    organisation = make_organisation(manager)
    hire = make_user(name="Hana Hire")
    add_hire(organisation, hire)
    rule = assign(organisation, manager, title="Required basics", module_slugs=list(slugs))
    return manager, organisation, hire, rule


def drop_module(content: Path, slug: str) -> None:
    """Remove a module, its lessons and its quizzes from a copy of the course (as a content edit would)."""
    path = content / "lessons" / "modules.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["modules"] = [m for m in data["modules"] if m["slug"] != slug]
    for other in data["modules"]:
        other["requires"] = [r for r in other.get("requires", []) if r != slug]
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    for lesson in (content / "lessons").glob(f"{slug}-*.md"):
        lesson.unlink()
    for quiz in (content / "quizzes").glob("*.yaml"):
        if yaml.safe_load(quiz.read_text(encoding="utf-8")).get("module") == slug:
            quiz.unlink()


def test_a_sync_may_not_retire_a_module_an_unfinished_training_requires(app, db, content):
    _, organisation, hire, rule = hire_with(db, ["role", "training"])
    db.session.commit()
    drop_module(content, "training")
    with pytest.raises(ContentError) as refused:
        sync_content(content)
    message = "\n".join(str(p) for p in refused.value.problems)
    assert "'training'" in message and "Required basics" in message and organisation.name in message
    db.session.rollback()
    assert not db.session.scalar(select(Module.retired).where(Module.slug == "training"))
    # The hire finishes what is left of the course; the training still needs the module that stayed required.
    complete_module(hire, "role", when=NOW)
    assert assignments.refresh_completions(hire, now=NOW) == []
    assert db.session.scalar(select(Certificate).where(Certificate.user_id == hire.id)) is None


def test_once_every_hire_has_finished_the_module_may_leave_the_course(app, db, content):
    _, _, hire, _ = hire_with(db, ["training"])
    complete_module(hire, "training", when=NOW)
    assert len(assignments.refresh_completions(hire, now=NOW)) == 1
    db.session.commit()
    drop_module(content, "training")
    assert sync_content(content).changed
    assert db.session.scalar(select(Module.retired).where(Module.slug == "training"))


def test_a_requirement_whose_module_is_gone_is_never_complete(app, db):
    _, _, hire, rule = hire_with(db, ["role"])
    complete_module(hire, "role", when=NOW)
    db.session.scalar(select(Module).where(Module.slug == "role")).retired = True
    # As a content sync that retired it would, record a new content version: the course in force changes with it.
    db.session.add(ContentVersion(content_hash="module role retired", summary="role retired"))
    db.session.flush()
    assert assignments.refresh_completions(hire, now=NOW) == []
    rule.modules = []
    rule.whole_course = False
    db.session.flush()
    training = db.session.scalar(select(HireTraining).where(HireTraining.user_id == hire.id))
    assert not assignments.is_complete(training, hire)
    assert db.session.scalar(select(Certificate)) is None


def test_which_module_needs_the_policy_is_declared_in_the_content(app, db, content):
    manager, organisation, hire, _ = hire_with(db, ["confidentiality"])
    assert db.session.scalar(select(Module.acknowledge_policy).where(Module.slug == "confidentiality"))
    policy.publish(organisation, manager, "Keep patient information private.")
    complete_module(hire, "confidentiality", when=NOW)
    assert assignments.refresh_completions(hire, now=NOW) == []  # the policy is not acknowledged yet
    # The content moves the rule to another module: confidentiality no longer needs it, ergonomics does.
    path = content / "lessons" / "modules.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for module in data["modules"]:
        module.pop("acknowledge_policy", None)
        if module["slug"] == "ergonomics":
            module["acknowledge_policy"] = True
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    assert sync_content(content).changed
    _, other_org, other_hire, _ = hire_with(db, ["ergonomics"])
    policy.publish(other_org, manager, "Sit well.")
    complete_module(other_hire, "ergonomics", when=NOW)
    assert assignments.refresh_completions(other_hire, now=NOW) == []
    assert len(assignments.refresh_completions(hire, now=NOW)) == 1


def test_a_module_field_that_is_not_true_or_false_is_a_content_error(app, db, content):
    path = content / "lessons" / "modules.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("acknowledge_policy: true", "acknowledge_policy: sometimes"), encoding="utf-8")
    with pytest.raises(ContentError) as refused:
        sync_content(content)
    assert any("acknowledge_policy" in str(p) and "true or false" in str(p) for p in refused.value.problems)


@pytest.mark.skipif(bool(POSTGRES_URL), reason="builds its own SQLite file to migrate")
def test_the_migration_turns_module_slugs_into_references(tmp_path):
    app = create_app(config_for(tmp_path / "history.db"))
    with app.app_context():
        upgrade(directory=str(BASE_DIR / "migrations"), revision="0006")
        run = lambda sql: _db.session.execute(sa.text(sql))  # noqa: E731
        run("INSERT INTO modules (id, slug, title, position, summary, requires, retired) VALUES "
            "(1, 'role', 'R', 1, '', '[]', 0), (2, 'training', 'T', 2, '', '[]', 0), (3, 'confidentiality', 'C', 3, '', '[]', 0)")
        run("INSERT INTO users (id, email, display_name, password_hash, role, active, session_nonce, created_at) "
            "VALUES (1, 'm@example.com', 'M', 'x', 'employer', 1, 'n', '2026-01-01')")
        run("INSERT INTO organisations (id, name, created_at) VALUES (1, 'Org', '2026-01-01')")
        for n, slugs in enumerate(['["role", "training"]', '[]', '["no-such-module"]'], start=1):
            run(f"INSERT INTO assignments (id, organisation_id, title, module_slugs, audience, job_role, due_days, yearly, created_by, "  # noqa: S608
                f"created_at) VALUES ({n}, 1, 'T{n}', '{slugs}', 'everyone', '', 30, 0, 1, '2026-01-01')")
        _db.session.commit()
        upgrade(directory=str(BASE_DIR / "migrations"))
        rows = _db.session.execute(sa.text(
            "SELECT a.id, a.whole_course, m.slug FROM assignments a LEFT JOIN assignment_modules am ON am.assignment_id = a.id "
            "LEFT JOIN modules m ON m.id = am.module_id ORDER BY a.id, m.position")).all()
        assert [tuple(r) for r in rows] == [(1, 0, "role"), (1, 0, "training"), (2, 1, None), (3, 0, None)]
        flags = dict(_db.session.execute(sa.text("SELECT slug, acknowledge_policy FROM modules")).all())
        assert flags == {"role": 0, "training": 0, "confidentiality": 1}
        _db.session.remove()
        _db.engine.dispose()
