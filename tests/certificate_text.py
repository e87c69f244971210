"""Text of a PDF as a reader extracts it: pypdf in-process, and poppler's tools where they are installed."""

import io
import shutil
import subprocess  # nosec B404 - runs poppler's tools on a PDF the test made
import tempfile
from pathlib import Path


def pdf_text(data: bytes) -> str:
    """The text pypdf extracts from every page."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def poppler(tool: str, data: bytes) -> str | None:
    """The output of a poppler tool (pdftotext, pdffonts, pdfinfo) on the PDF, or None where poppler is missing."""
    path = shutil.which(tool)
    if path is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "certificate.pdf"
        pdf.write_bytes(data)
        command = [path, "-enc", "UTF-8", str(pdf), "-"] if tool == "pdftotext" else [path, str(pdf)]
        return subprocess.run(command, capture_output=True, check=True, timeout=30).stdout.decode()  # noqa: S603
