"""Certificates: issued on completion, rendered as a PDF with a QR code, verified publicly, revocable."""

import io
import secrets
from datetime import date

from sqlalchemy import select

from app.content.sync import current_version_id
from app.extensions import db
from app.models import Certificate, HireTraining, Organisation, User
from app.models.base import utcnow
from app.services.local_time import local_date
from app.services.mail import site_url


def issue(training: HireTraining, user: User) -> Certificate:
    """A certificate for a completed training cycle, tied to the content version in force."""
    organisation = db.session.get(Organisation, training.assignment.organisation_id)
    certificate = Certificate(
        code=secrets.token_urlsafe(18), user_id=user.id, hire_training_id=training.id,
        organisation_name=organisation.name, learner_name=user.display_name, training_title=training.assignment.title,
        completed_on=local_date(organisation, training.completed_at), expires_on=training.expires_on, content_version_id=current_version_id())
    db.session.add(certificate)
    return certificate


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


def _latin1(text: str) -> str:
    # The PDF's core fonts cover Latin-1; anything else is shown as "?" rather than failing.
    return text.encode("latin-1", "replace").decode("latin-1")


def render_pdf(certificate: Certificate) -> bytes:
    """The certificate as a one-page PDF with a QR code of its verification link."""
    # Imported here: the PDF and QR libraries add about 20 MB to every worker that never renders one.
    import segno
    from fpdf import FPDF

    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_draw_color(11, 92, 173)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, 277, 190)
    pdf.set_font("Helvetica", "B", 28)
    pdf.set_y(30)
    pdf.cell(0, 14, "Certificate of completion", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 14)
    pdf.cell(0, 10, "Billing & Coding Academy certifies that", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 24)
    pdf.cell(0, 16, _latin1(certificate.learner_name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 14)
    pdf.cell(0, 10, "completed the required training", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 12, _latin1(certificate.training_title), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 12)
    lines = [f"for {certificate.organisation_name}", f"Completed on {certificate.completed_on:%d %B %Y}",
             f"Course content version {certificate.content_version_id or '-'}"]
    if certificate.expires_on:
        lines.append(f"Valid until {certificate.expires_on:%d %B %Y} (yearly training)")
    for line in lines:
        pdf.cell(0, 8, _latin1(line), align="C", new_x="LMARGIN", new_y="NEXT")
    link = verify_url(certificate)
    qr = io.BytesIO()
    segno.make(link, error="m").save(qr, kind="png", scale=6, border=2)
    qr.seek(0)
    pdf.image(qr, x=232, y=145, w=45)
    pdf.set_xy(20, 175)
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(205, 5, _latin1(f"Verification code: {certificate.code}\nCheck this certificate at {link}"))
    return bytes(pdf.output())
