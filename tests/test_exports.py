"""CSV exports open right in a spreadsheet: a UTF-8 BOM, unique headers that survive a title edit, every date on screen."""

import csv
import io
import zipfile
from datetime import date, datetime

import pytest

from app.services import assignments
from app.services.exports import BOM, to_csv
from tests.factories import add_hire, complete_module, make_attempt, make_cohort, make_organisation, make_user, quiz
from tests.test_compliance import assign


def read(response) -> list[dict[str, str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(BOM.encode()), "Excel needs the BOM to read UTF-8"
    return _rows(response.data)


def _rows(data: bytes) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    rows = list(reader)
    assert len(set(reader.fieldnames)) == len(reader.fieldnames)
    return rows


def test_compliance_csv_has_a_column_per_training_id_and_every_date_on_screen(client, db, login_as):
    manager = login_as("employer")
    organisation = make_organisation(manager)
    zoe = make_user(name="Zoë Ünicode")
    add_hire(organisation, zoe, hire_date=date(2026, 1, 1))
    yearly = assign(organisation, manager, title="Privacy", module_slugs=["role"], yearly=True)
    other = assign(organisation, manager, title="Privacy", module_slugs=["training"], due_date=date(2030, 1, 31), due_days=None)
    complete_module(zoe, "role", when=datetime(2026, 11, 20, 9))
    assignments.refresh_completions(zoe, now=datetime(2026, 11, 20, 10))
    db.session.commit()
    [row] = read(client.get("/employer/compliance.csv"))
    assert row["Hire"] == "Zoë Ünicode" and row["Hire date"] == "2026-01-01"
    assert row[f"Training {yearly.id}: title"] == row[f"Training {other.id}: title"] == "Privacy"
    assert row[f"Training {yearly.id}: status"] == "Completed" and row[f"Training {other.id}: status"] != "Completed"
    assert row[f"Training {yearly.id}: completed on"] == "2026-11-20" and row[f"Training {yearly.id}: valid until"] == "2027-11-20"
    assert row[f"Training {other.id}: due"] == "2030-01-31" and row[f"Training {other.id}: completed on"] == ""
    screen = client.get("/employer/").get_data(as_text=True)
    assert "until 2027-11-20" in screen, "the export carries the date the matrix shows"
    yearly.title = "Privacy (renamed)"
    db.session.commit()
    [renamed] = read(client.get("/employer/compliance.csv"))
    assert renamed.keys() == row.keys() and renamed[f"Training {yearly.id}: title"] == "Privacy (renamed)"


def test_gradebook_csv_names_quiz_columns_by_slug_and_reads_back(client, db, login_as):
    teacher = login_as("instructor")
    ann = make_user(name="Ann Ångström")
    cohort = make_cohort(teacher, [ann])
    make_attempt(ann, quiz("role-quiz"), [True] * 8)
    db.session.commit()
    [row] = read(client.get(f"/teach/cohorts/{cohort.id}/gradebook.csv"))
    assert row["Learner"] == "Ann Ångström" and row["role-quiz: best %"] == "100" and row["role-quiz: passed"] == "yes"
    assert row["training-quiz: attempts"] == "0"


def test_item_analysis_and_evidence_csvs_start_with_the_bom(client, db, login_as):
    teacher = login_as("instructor")
    ann = make_user(name="Ann")
    cohort = make_cohort(teacher, [ann])
    make_attempt(ann, quiz("role-quiz"), [True] * 8)
    db.session.commit()
    assert read(client.get(f"/teach/cohorts/{cohort.id}/quizzes/role-quiz.csv"))
    client.post("/auth/logout")
    manager = login_as("employer")
    organisation = make_organisation(manager)
    hire = make_user(name="Zoë Ünicode")
    add_hire(organisation, hire)
    assign(organisation, manager, module_slugs=["role"])
    complete_module(hire, "role")
    assignments.refresh_completions(hire)
    db.session.commit()
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/employer/hires/{hire.id}/evidence.zip").data))
    for name in ("index.csv", "completions.csv", "attempts.csv", "attestations.csv"):
        data = archive.read(name)
        assert data.startswith(BOM.encode()), name
        _rows(data)
    assert _rows(archive.read("completions.csv"))[0]["Learner"] == "Zoë Ünicode"


def test_a_repeated_header_is_refused_and_formulas_stay_neutral():
    with pytest.raises(ValueError, match="repeat"):
        to_csv(["Privacy: status", "Privacy: status"], [])
    rows = _rows(to_csv(["Name"], [["=1+1"], ["@SUM(A1)"], ["Zoë"]]).encode())
    assert [row["Name"] for row in rows] == ["'=1+1", "'@SUM(A1)", "Zoë"]
