"""The certificate PDF prints every name (embedded Unicode fonts), is tagged and linked; the course-completion certificate."""

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.models import Certificate
from app.services import certificates
from tests.certificate_text import pdf_text, poppler
from tests.conftest import sign_in
from tests.factories import add_hire, complete_module, make_organisation
from tests.test_certificates import certified_hire
from tests.test_progress import pass_quiz

# Each name, and the embedded fonts it needs (the CJK fallbacks are read only when a name needs them).
NAMES = {"Łukasz Żółć 王小明": {"DejaVuSansBook", "DejaVuSansBold", "DroidSansFallback"}, "Nguyễn Thị Hương": set(), "Ζωή": set(),
         "Жанна": set(), "Siobhán “Shiv” O’Neil": set(), "김민준": {"DejaVuSansBook", "DejaVuSansBold", "NanumSquare"}}


def _no_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _fonts(data: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(data))
    return {font.get_object()["/BaseFont"].split("+", 1)[1] for font in reader.pages[0]["/Resources"]["/Font"].values()}


@pytest.mark.parametrize("name", NAMES)
def test_a_name_in_any_script_prints_as_written(app, client, db, name):
    _manager, _organisation, hire, certificate = certified_hire(db)
    certificate.learner_name = hire.display_name = name
    certificate.training_title = "“Privacy” basics — HIPAA"
    db.session.commit()
    sign_in(client, hire.email)
    data = client.get(f"/certificates/{certificate.id}.pdf").data
    for text in filter(None, [pdf_text(data), poppler("pdftotext", data)]):
        # Extractors differ in where they break lines and put spaces between glyph runs of two fonts.
        assert _no_space(name) in _no_space(text) and "?" not in text
        assert "“Privacy” basics — HIPAA" in text
    assert _fonts(data) == (NAMES[name] or {"DejaVuSansBook", "DejaVuSansBold"})
    fonts = poppler("pdffonts", data)
    if fonts is not None:
        embedded = [line for line in fonts.splitlines()[2:] if line.strip()]
        assert embedded and all(" yes yes yes " in line for line in embedded), fonts
        assert "Helvetica" not in fonts


def test_the_pdf_has_a_title_a_language_tags_a_text_alternative_and_a_link(app, client, db):
    _manager, _organisation, hire, certificate = certified_hire(db)
    sign_in(client, hire.email)
    data = client.get(f"/certificates/{certificate.id}.pdf").data
    link = certificates.verify_url(certificate)
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata.title == "Certificate: Role basics, Cert Holder"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en" and bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    uris = {annotation.get_object()["/A"]["/URI"] for annotation in reader.pages[0]["/Annots"]}
    assert uris == {link}, "both the QR code and the printed address open the verification page"
    alts = re.findall(rb"/Alt \(([^)]*)\)", data)
    assert f"QR code of the verification address {link}".encode() in alts
    info = poppler("pdfinfo", data)
    if info is not None:
        assert "Tagged:          yes" in info and "Title:           Certificate: Role basics, Cert Holder" in info


def _finish_modules(db, user):
    from app.services.progress import course_modules

    for module in course_modules():
        complete_module(user, module.slug)
    db.session.commit()


def test_passing_the_final_exam_gives_a_course_certificate_checked_at_verify(app, client, db, login_as):
    learner = login_as(name="Zoë Ünicode 王")
    _finish_modules(db, learner)
    assert "Download your course certificate" not in client.get("/").get_data(as_text=True)
    pass_quiz(client, db, "final-exam")
    certificate = certificates.course_certificate(learner)
    assert certificate is not None and certificate.hire_training_id is None and certificate.for_course
    dashboard = client.get("/").get_data(as_text=True)
    assert f"/certificates/{certificate.id}.pdf" in dashboard and "Download your course certificate" in dashboard
    text = pdf_text(client.get(f"/certificates/{certificate.id}.pdf").data)
    assert "completed the whole course" in text and "Zoë Ünicode 王" in text and certificate.code in text
    page = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "This certificate is <strong>valid</strong>" in page
    assert "<dt>Holder</dt><dd>Zoë Ünicode 王</dd>" in page and "<dt>Issued by</dt><dd>Billing &amp; Coding Academy</dd>" in page
    assert len(certificate.code) >= 24 and certificate.code not in {c.code for c in db.session.scalars(
        select(Certificate).where(Certificate.id != certificate.id))}
    pass_quiz(client, db, "final-exam")
    count = db.session.scalar(select(func.count()).select_from(Certificate).where(Certificate.user_id == learner.id))
    assert count == 1, "passing the exam again issues no second course certificate"


def test_no_course_certificate_before_the_exam_and_none_for_others(app, client, db, login_as):
    learner = login_as()
    _finish_modules(db, learner)
    assert client.post("/certificates/course", data={}, csrf=False).status_code == 400
    refused = client.post("/certificates/course", data={}, follow_redirects=True)
    assert "final exam is passed" in refused.get_data(as_text=True) and certificates.course_certificate(learner) is None
    pass_quiz(client, db, "final-exam")
    certificate = certificates.course_certificate(learner)
    client.post("/auth/logout")
    manager = login_as("employer")
    add_hire(make_organisation(manager), learner)
    db.session.commit()
    # Even the learner's own employer sees only the training it required, and cannot revoke this one.
    assert client.get(f"/certificates/{certificate.id}.pdf").status_code == 404
    assert client.get(f"/employer/certificates/{certificate.id}/revoke").status_code == 404
    assert client.post(f"/employer/certificates/{certificate.id}/revoke", data={"reason": "no"}).status_code == 404
    db.session.refresh(certificate)
    assert certificate.revoked_at is None


def test_a_learner_who_finished_earlier_claims_the_certificate(app, client, db, login_as):
    learner = login_as()
    _finish_modules(db, learner)
    pass_quiz(client, db, "final-exam")
    db.session.delete(certificates.course_certificate(learner))  # as before course certificates existed
    db.session.commit()
    assert "Get your course certificate" in client.get("/").get_data(as_text=True)
    response = client.post("/certificates/course", data={})
    certificate = certificates.course_certificate(learner)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/certificates/{certificate.id}.pdf")


def test_a_second_tab_passing_at_the_same_moment_keeps_one_certificate(app, client, db, login_as, monkeypatch):
    learner = login_as()
    _finish_modules(db, learner)
    pass_quiz(client, db, "final-exam")
    first = certificates.course_certificate(learner)
    # The other request's certificate is not yet visible when this one looks: only the unique key stops a second.
    real, calls = certificates.course_certificate, []

    def not_yet_seen(user):
        calls.append(user.id)
        return None if len(calls) == 1 else real(user)

    monkeypatch.setattr(certificates, "course_certificate", not_yet_seen)
    again = certificates.issue_for_course(learner)
    db.session.commit()
    assert len(calls) == 2 and again.id == first.id
    assert db.session.scalar(select(func.count()).select_from(Certificate).where(Certificate.course_holder_id == learner.id)) == 1
