"""The code set as loaded by content sync: its release, its entries, idempotent and checked syncs."""

import time

import pytest
from sqlalchemy import func, select

from app.codeset import source
from app.codeset.load import current_release, ensure_loaded
from app.content.sync import ContentError, sync_content
from app.models import CodeRelease, IcdCode
from config import BASE_DIR
from tests.coding_content import add_coding_content, without_coding_cases


def entry(code: str) -> IcdCode:
    return IcdCode.query.filter_by(code=code).one()


def test_sync_loaded_the_installed_release_with_counts(db):
    release = current_release()
    assert release.name == "ICD-10-CM April 1, 2026"
    assert release.source == source.release()[0]
    assert release.entries == db.session.scalar(select(func.count(IcdCode.id))) > 98_000
    assert release.billable == db.session.scalar(select(func.count(IcdCode.id)).where(IcdCode.billable)) > 74_000


@pytest.mark.parametrize(("code", "kind", "billable", "parent"), [
    ("4", "chapter", False, None),
    ("E08-E13", "block", False, "4"),
    ("E11", "category", False, "E08-E13"),
    ("E11.4", "subcategory", False, "E11"),
    ("E11.40", "subcategory", True, "E11.4"),
    ("S93.401", "subcategory", False, "S93.40"),
    ("S93.401A", "code", True, "S93.401"),
    ("I10", "category", True, "I10-I1A"),
    ("B99-B99", "block", False, "1"),  # the block and the category share the name B99 in the tabular list
    ("B99", "category", False, "B99-B99"),
])
def test_each_entry_has_its_kind_billable_flag_and_parent(db, code, kind, billable, parent):
    row = entry(code)
    assert (row.kind, row.billable) == (kind, billable)
    assert (db.session.get(IcdCode, row.parent_id).code if row.parent_id else None) == parent


def test_notes_and_seventh_characters_are_kept_by_type(db):
    e11 = entry("E11")
    assert "type 1 diabetes mellitus (E10.-)" in e11.notes["excludes1"]
    assert "insulin (Z79.4)" in e11.notes["use_additional_code"]
    assert entry("S93").seventh == {"A": "initial encounter", "D": "subsequent encounter", "S": "sequela"}
    assert "Esophageal reflux NOS" in entry("K21.9").terms


def test_a_second_sync_of_the_same_release_does_nothing_and_is_fast(db):
    before = db.session.scalar(select(func.max(IcdCode.id))), db.session.scalar(select(func.count(CodeRelease.id)))
    assert sync_content(BASE_DIR).codes.changed is False
    started = time.perf_counter()
    assert ensure_loaded().changed is False
    elapsed = time.perf_counter() - started
    assert (db.session.scalar(select(func.max(IcdCode.id))), db.session.scalar(select(func.count(CodeRelease.id)))) == before
    assert elapsed < 0.5, f"checking an unchanged release took {elapsed:.2f} s"


SMALL_RELEASE = [
    {"code": "4", "kind": "chapter", "title": "Endocrine diseases (E00-E89)", "parent": None, "billable": False},
    {"code": "E08-E13", "kind": "block", "title": "Diabetes mellitus (E08-E13)", "parent": "4", "billable": False},
    {"code": "E11", "kind": "category", "title": "Type 2 diabetes mellitus", "parent": "E08-E13", "billable": False},
    {"code": "E11.4", "kind": "subcategory", "title": "Type 2 diabetes mellitus with neurological complications",
     "parent": "E11", "billable": False},
    {"code": "E11.42", "kind": "subcategory", "title": "Type 2 diabetes mellitus with diabetic polyneuropathy",
     "parent": "E11.4", "billable": False},  # in this imagined release E11.42 gained subcodes
    {"code": "E11.420", "kind": "subcategory", "title": "Type 2 diabetes mellitus with diabetic polyneuropathy, new",
     "parent": "E11.42", "billable": True},
]


@pytest.fixture
def next_release(monkeypatch):
    """An upgraded package: another release name, a few entries (so the test does not load 98,000 rows)."""
    entries = [{"terms": "", "notes": {}, "seventh": None, **row} for row in SMALL_RELEASE]
    monkeypatch.setattr(source, "release", lambda: ("simple-icd-10-cm 9.9.9 test", "ICD-10-CM October 1, 2099"))
    monkeypatch.setattr(source, "entries", lambda: iter(entries))


def test_a_new_release_replaces_the_codes_and_is_recorded(db, content, next_release):
    without_coding_cases(content)  # the course's own cases key codes this imagined release does not have
    report = sync_content(content)
    assert report.codes.changed is True
    assert current_release().name == "ICD-10-CM October 1, 2099"
    assert db.session.scalar(select(func.count(IcdCode.id))) == len(SMALL_RELEASE)
    assert db.session.scalar(select(func.count(CodeRelease.id))) == 2  # the earlier release stays on record
    assert entry("E11.420").billable and entry("E11.420").parent_id == entry("E11.42").id


def test_a_release_that_unbills_a_keyed_answer_stops_the_sync_naming_the_question(db, content, next_release):
    add_coding_content(content)
    with pytest.raises(ContentError) as error:
        sync_content(content)
    messages = [str(problem) for problem in error.value.problems]
    assert any(m.startswith("quizzes/coding-demo.yaml:") and "question t2dm-neuropathy" in m
               and "E11.42 is a subcategory in ICD-10-CM October 1, 2099" in m for m in messages), messages
    assert any("E11.40 is not an ICD-10-CM code in ICD-10-CM October 1, 2099" in m for m in messages), messages
    db.session.rollback()
    assert current_release().name == "ICD-10-CM April 1, 2026"
    assert entry("E11.42").billable
