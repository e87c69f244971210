"""Certificates: issued on completion, rendered as a PDF with a QR code, verified publicly, revocable."""

import io
import secrets
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.content.sync import current_version_id
from app.extensions import db
from app.models import Certificate, HireTraining, Organisation, User
from app.models.base import utcnow
from app.services.local_time import local_date
from app.services.mail import site_url
from app.services.progress import course_progress

ISSUER = "Billing & Coding Academy"
COURSE_TITLE = "Billing & Coding Academy: the whole course"
FONTS = Path(__file__).resolve().parent.parent / "fonts"


def _new_code() -> str:
    # 18 random bytes (144 bits) from the OS generator: a code cannot be guessed or enumerated.
    return secrets.token_urlsafe(18)


def issue(training: HireTraining, user: User) -> Certificate:
    """A certificate for a completed training cycle, tied to the content version in force."""
    organisation = db.session.get(Organisation, training.assignment.organisation_id)
    certificate = Certificate(
        code=_new_code(), user_id=user.id, hire_training_id=training.id,
        organisation_name=organisation.name, learner_name=user.display_name, training_title=training.assignment.title,
        completed_on=local_date(organisation, training.completed_at), expires_on=training.expires_on, content_version_id=current_version_id())
    db.session.add(certificate)
    return certificate


def issue_for_course(user: User) -> Certificate | None:
    """The learner's course-completion certificate, issued once the whole course (final exam included) is complete."""
    existing = course_certificate(user)
    if existing is not None or not course_progress(user).complete:
        return existing
    certificate = Certificate(
        code=_new_code(), user_id=user.id, course_holder_id=user.id, organisation_name=ISSUER,
        learner_name=user.display_name, training_title=COURSE_TITLE, completed_on=utcnow().date(),
        content_version_id=current_version_id())
    try:
        # A second tab passing the exam at the same moment meets the unique key: keep the first certificate.
        with db.session.begin_nested():
            db.session.add(certificate)
    except IntegrityError:
        return course_certificate(user)
    return certificate


def course_certificate(user: User) -> Certificate | None:
    """The learner's course-completion certificate, if they have earned it."""
    return db.session.scalar(select(Certificate).where(Certificate.course_holder_id == user.id))


def issuer(certificate: Certificate) -> str:
    """Who issues the certificate: the academy, for the organisation that required the training."""
    return ISSUER if certificate.for_course else f"{ISSUER}, for {certificate.organisation_name}"


def status(certificate: Certificate, today: date) -> str:
    """valid, expired or revoked."""
    if certificate.revoked_at is not None:
        return "revoked"
    if certificate.expires_on is not None and certificate.expires_on < today:
        return "expired"
    return "valid"


def by_code(code: str) -> Certificate | None:
    """The certificate with this verification code."""
    return db.session.scalar(select(Certificate).where(Certificate.code == code)) if len(code) <= 40 else None


def revoke(certificate: Certificate, reason: str) -> None:
    """Mark the certificate revoked, with the reason; it then verifies as revoked."""
    if certificate.revoked_at is None:
        certificate.revoked_at, certificate.revoked_reason = utcnow(), reason.strip()


def verify_url(certificate: Certificate) -> str:
    """The public page that confirms the certificate."""
    return site_url("employer.verify", code=certificate.code)


def _hangul(char: str) -> bool:
    return 0xAC00 <= ord(char) <= 0xD7AF or 0x1100 <= ord(char) <= 0x11FF or 0x3130 <= ord(char) <= 0x318F


def _add_fallbacks(pdf, text: str) -> None:
    # DejaVu covers Latin (Vietnamese too), Greek and Cyrillic. Hangul comes from NanumSquare, Han characters and
    # kana from Droid Sans Fallback, each loaded only when the text needs it: reading Droid's 28,000 glyphs takes seconds.
    printable = pdf.fonts["dejavu"].cmap
    missing = {char for char in text if not char.isspace() and ord(char) not in printable}
    fallbacks = []
    if any(_hangul(char) for char in missing):
        pdf.add_font("Nanum", "", FONTS / "NanumSquareR.ttf")
        fallbacks.append("Nanum")
    if any(not _hangul(char) for char in missing):
        pdf.add_font("DroidFallback", "", FONTS / "DroidSansFallbackFull.ttf")
        fallbacks.append("DroidFallback")
    if fallbacks:
        pdf.set_fallback_fonts(fallbacks, exact_match=False)


def _new_pdf(certificate: Certificate):
    # Title, language and tags for screen readers; fpdf2 tags the QR image (with its text alternative) and the link.
    from fpdf import FPDF
    from fpdf.prefs import ViewerPreferences

    pdf = FPDF(orientation="L", format="A4")
    pdf.set_title(f"Certificate: {certificate.training_title}, {certificate.learner_name}")
    pdf.set_author(ISSUER)
    pdf.set_subject(f"Verification code {certificate.code}")
    pdf.set_lang("en")
    pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)
    pdf.set_creator(ISSUER)
    pdf.add_font("DejaVu", "", FONTS / "DejaVuSans-subset.ttf")
    pdf.add_font("DejaVu", "B", FONTS / "DejaVuSans-Bold-subset.ttf")
    _add_fallbacks(pdf, certificate.learner_name + certificate.training_title + certificate.organisation_name)
    return pdf


def render_pdf(certificate: Certificate) -> bytes:
    """The certificate as a one-page PDF in embedded Unicode fonts, with a QR code and a link to its verification page."""
    # Imported here: the PDF and QR libraries add about 20 MB to every worker that never renders one.
    import segno

    pdf = _new_pdf(certificate)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_draw_color(11, 92, 173)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, 277, 190)
    pdf.set_y(30)
    pdf.set_font("DejaVu", "B", 28)
    pdf.cell(0, 14, "Certificate of completion", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 14)
    pdf.cell(0, 10, f"{ISSUER} certifies that", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 24)
    pdf.multi_cell(0, 14, certificate.learner_name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 14)
    done = "completed the whole course" if certificate.for_course else "completed the required training"
    pdf.cell(0, 10, done, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 18)
    pdf.multi_cell(0, 10, certificate.training_title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 12)
    lines = [] if certificate.for_course else [f"for {certificate.organisation_name}"]
    lines += [f"Completed on {certificate.completed_on:%d %B %Y}", f"Course content version {certificate.content_version_id or '-'}"]
    if certificate.expires_on:
        lines.append(f"Valid until {certificate.expires_on:%d %B %Y} (yearly training)")
    for line in lines:
        pdf.cell(0, 8, line, align="C", new_x="LMARGIN", new_y="NEXT")
    link = verify_url(certificate)
    qr = io.BytesIO()
    segno.make(link, error="m").save(qr, kind="png", scale=6, border=2)
    qr.seek(0)
    pdf.image(qr, x=232, y=145, w=45, link=link, alt_text=f"QR code of the verification address {link}")
    pdf.set_xy(20, 175)
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(205, 5, f"Verification code: {certificate.code}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(20)
    pdf.cell(pdf.get_string_width("Check this certificate at "), 5, "Check this certificate at ")
    pdf.set_text_color(11, 92, 173)
    x, y, width = pdf.get_x(), pdf.get_y(), pdf.get_string_width(link)
    pdf.cell(width, 5, link)
    pdf.link(x, y, width, 5, link, alt_text=f"Verification page of this certificate: {link}")
    return bytes(pdf.output())
