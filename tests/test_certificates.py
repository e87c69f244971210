"""Certificates (PDF, QR, public verification, revocation), policy attestation versions, and the evidence pack."""

import io
import zipfile
from datetime import date, datetime

from sqlalchemy import select

from app.models import Attestation, Certificate
from app.services import assignments, certificates, policy
from tests.certificate_text import pdf_text
from tests.conftest import sign_in
from tests.factories import add_hire, complete_module, make_organisation, make_user
from tests.test_compliance import assign


def certified_hire(db, yearly=False, slugs=("role",)):
    manager = make_user("employer", name="Mona Manager")
    organisation = make_organisation(manager)
    hire = make_user(name="Cert Holder")
    add_hire(organisation, hire).joined_at = datetime(2026, 11, 1)  # a hire before the work the pack shows
    assign(organisation, manager, title="Role basics", module_slugs=list(slugs), yearly=yearly)
    for slug in slugs:
        complete_module(hire, slug, when=datetime(2026, 11, 20))
    assignments.refresh_completions(hire, now=datetime(2026, 11, 20, 10))
    db.session.commit()
    certificate = db.session.scalar(select(Certificate).where(Certificate.user_id == hire.id))
    return manager, organisation, hire, certificate


def test_the_certificate_pdf_has_the_details_and_a_qr_code(app, client, db):
    manager, organisation, hire, certificate = certified_hire(db, yearly=True)
    assert certificate.expires_on == date(2027, 11, 20) and certificate.content_version_id == 1
    sign_in(client, hire.email)
    response = client.get(f"/certificates/{certificate.id}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = pdf_text(response.data)
    for expected in ("Cert Holder", "Role basics", "20 November 2026", "Valid until 20 November 2027", certificate.code,
                     "Course content version 1"):
        assert expected in text, expected
    assert b"/Subtype /Image" in response.data, "the QR code is embedded as an image"


def test_verification_names_holder_and_issuer_and_shows_valid_expired_or_revoked(client, db, login_as):
    manager, organisation, hire, certificate = certified_hire(db, yearly=True)
    page = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "This certificate is <strong>valid</strong>" in page and "Role basics" in page
    assert "<dt>Holder</dt><dd>Cert Holder</dd>" in page
    assert f"<dt>Issued by</dt><dd>Billing &amp; Coding Academy, for {organisation.name}</dd>" in page
    assert hire.email not in page
    assert client.get("/verify/not-a-real-code").status_code == 404
    assert certificates.status(certificate, date(2027, 11, 21)) == "expired"
    sign_in(client, manager.email)
    assert "This cannot be undone." in client.get(f"/employer/certificates/{certificate.id}/revoke").get_data(as_text=True)
    client.post(f"/employer/certificates/{certificate.id}/revoke", data={"reason": "Issued to the wrong person"})
    db.session.refresh(certificate)
    assert certificate.revoked_reason == "Issued to the wrong person"
    assert "This certificate is <strong>revoked</strong>" in client.get(f"/verify/{certificate.code}").get_data(as_text=True)


def test_another_learner_cannot_download_a_certificate(client, db, login_as):
    _manager, _organisation, _hire, certificate = certified_hire(db)
    login_as()
    assert client.get(f"/certificates/{certificate.id}.pdf").status_code == 404


def test_a_new_policy_version_asks_for_a_new_acknowledgement(client, db, login_as):
    manager = make_user("employer")
    organisation = make_organisation(manager)
    hire = login_as()
    add_hire(organisation, hire)
    first = policy.publish(organisation, manager, "Version one: never share patient data.")
    assign(organisation, manager, module_slugs=["confidentiality"])
    complete_module(hire, "confidentiality")
    db.session.commit()
    assert assignments.refresh_completions(hire) == [], "the policy must be acknowledged first"
    dashboard = client.get("/").get_data(as_text=True)
    assert f"/policy/{first.id}" in dashboard
    refused = client.post(f"/policy/{first.id}", data={})
    assert "Tick the box to acknowledge the policy." in refused.get_data(as_text=True)
    client.post(f"/policy/{first.id}", data={"agree": "y"})
    assert db.session.scalar(select(Attestation).where(Attestation.user_id == hire.id)).policy_version_id == first.id
    from tests.test_compliance import training_of
    training = training_of(db, hire)
    db.session.refresh(training)
    assert training.completed_at is not None
    second = policy.publish(organisation, manager, "Version two: also lock your screen.")
    db.session.commit()
    assert policy.needs_attestation(hire, organisation.id).id == second.id
    assert f"/policy/{second.id}" in client.get("/").get_data(as_text=True)
    client.post(f"/policy/{second.id}", data={"agree": "y"})
    versions = sorted(a.policy.version for a in db.session.scalars(select(Attestation).where(Attestation.user_id == hire.id)))
    assert versions == [1, 2]


def test_the_manager_edits_the_policy_as_versions(client, db, login_as):
    manager = login_as("employer")
    make_organisation(manager)
    db.session.commit()
    client.post("/employer/policy", data={"text": "First text."})
    client.post("/employer/policy", data={"text": "First text."})
    client.post("/employer/policy", data={"text": "Second text."})
    assert "Version 2, published" in client.get("/employer/policy").get_data(as_text=True)


def test_the_evidence_pack_holds_completions_certificates_attempts_attestations_and_an_index(client, db):
    manager, organisation, hire, certificate = certified_hire(db)
    policy.attest(hire, policy.publish(organisation, manager, "Keep it confidential."))
    db.session.commit()
    sign_in(client, manager.email)
    for url in (f"/employer/hires/{hire.id}/evidence.zip", "/employer/evidence.zip?start=2026-11-01&end=2030-01-01"):
        response = client.get(url)
        assert response.mimetype == "application/zip"
        archive = zipfile.ZipFile(io.BytesIO(response.data))
        names = set(archive.namelist())
        assert {"index.csv", "completions.csv", "attempts.csv", "attestations.csv", f"certificates/{certificate.code}.pdf"} <= names
        assert "Cert Holder" in archive.read("completions.csv").decode() and certificate.code in archive.read("completions.csv").decode()
        assert archive.read(f"certificates/{certificate.code}.pdf").startswith(b"%PDF")
        assert len(archive.read("attempts.csv").decode().strip().splitlines()) >= 2
        assert "Cert Holder" in archive.read("attestations.csv").decode()
    outside = zipfile.ZipFile(io.BytesIO(client.get("/employer/evidence.zip?start=2020-01-01&end=2020-12-31").data))
    assert len(outside.read("completions.csv").decode().strip().splitlines()) == 1, "only the header outside the range"
