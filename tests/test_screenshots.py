"""make screenshots: the README's pictures are produced at phone and desktop widths."""

import struct

from tests.browser import require_chromium
from tests.screenshots import SIZES, take


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_screenshots_of_learner_pages_coding_lab_and_staff_reports_at_phone_and_desktop_widths(tmp_path):
    require_chromium()
    written = take(tmp_path)
    assert sorted(path.name for path in written) == sorted(
        f"{page}-{size}.png" for page in ("dashboard", "lesson", "quiz", "codes", "code", "coding-case", "gradebook", "compliance") for size in SIZES)
    for path in written:
        width, height = png_size(path.read_bytes())
        size = path.stem.rsplit("-", 1)[1]
        assert (width, height) == (SIZES[size]["width"], SIZES[size]["height"])
        assert path.stat().st_size > 10_000  # a rendered page, not a blank image
