"""The evidence pack shows an employer only what was done while a person was their hire, on the training they require."""

import csv
import io
import zipfile
from datetime import datetime

from tests.conftest import sign_in
from tests.factories import add_hire, make_attempt, make_organisation, make_user, quiz
from tests.test_compliance import assign


def attempts_in(client, url) -> list[tuple[str, str]]:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    rows = list(csv.DictReader(io.StringIO(zipfile.ZipFile(io.BytesIO(response.data)).read("attempts.csv").decode("utf-8-sig"))))
    return [(row["Quiz"], row["Handed in (UTC)"][:10]) for row in rows]


def test_the_pack_holds_only_required_attempts_made_during_the_membership(client, db):
    manager = make_user("employer")
    organisation = make_organisation(manager)
    hire = make_user(name="Former Hire")
    membership = add_hire(organisation, hire)
    membership.joined_at = datetime(2026, 11, 10)
    assign(organisation, manager, title="Role basics", module_slugs=["role"])
    role, pay = quiz("role-quiz"), quiz("pay-quiz")
    for row, day in ((role, 5), (role, 20), (pay, 20), (role, 28)):
        make_attempt(hire, row, [True, True, False], when=datetime(2026, 11, day, 9))
    membership.removed_at = datetime(2026, 11, 25)
    other = make_organisation(make_user("employer"), name="Other Office")
    add_hire(other, hire).joined_at = datetime(2026, 11, 1)  # another employer's period does not open this one's
    db.session.commit()

    sign_in(client, manager.email)
    expected = [(role.title, "2026-11-20")]
    assert attempts_in(client, f"/employer/hires/{hire.id}/evidence.zip") == expected
    assert attempts_in(client, "/employer/evidence.zip") == expected


def test_a_whole_course_requirement_shows_every_quiz_of_a_current_hire(client, db):
    manager = make_user("employer")
    organisation = make_organisation(manager)
    hire = make_user()
    add_hire(organisation, hire).joined_at = datetime(2026, 11, 1)
    assign(organisation, manager, title="Everything", module_slugs=[])
    for slug in ("role-quiz", "pay-quiz"):
        make_attempt(hire, quiz(slug), [True, True], when=datetime(2026, 11, 20, 9))
    unassigned = make_user()
    add_hire(organisation, unassigned, job_role="nobody").joined_at = datetime(2026, 11, 1)
    make_attempt(unassigned, quiz("role-quiz"), [True], when=datetime(2026, 11, 20, 9))
    db.session.commit()

    sign_in(client, manager.email)
    assert sorted(attempts_in(client, f"/employer/hires/{hire.id}/evidence.zip")) == sorted(
        [(quiz("role-quiz").title, "2026-11-20"), (quiz("pay-quiz").title, "2026-11-20")])
    assert attempts_in(client, f"/employer/hires/{unassigned.id}/evidence.zip") == []
