"""Browser fixtures: the system's Chromium through Playwright, the app served on a local port, and pages that
leave a screenshot and their HTML under test-artifacts/ when a test fails (CI's log names the files)."""

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from config import BASE_DIR
from tests.conftest import config_for

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def require_chromium() -> None:
    """Skip the test without a system Chromium, or fail it when REQUIRE_BROWSER is set (as in CI)."""
    if CHROMIUM is None:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("REQUIRE_BROWSER is set but no chromium executable is installed")
        pytest.skip("no system Chromium installed (apt-get install chromium); CI installs it and requires it")


@pytest.fixture
def browser():
    """Playwright driving the system's Chromium; skipped without one, unless REQUIRE_BROWSER is set."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def live_server(database):
    """The app served over HTTP on a free local port, on this test's database."""
    app = create_app(config_for(database))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    with app.app_context():
        db.engine.dispose()


ARTIFACTS = BASE_DIR / "test-artifacts"


@pytest.fixture
def page(browser, request):
    """A browser page that leaves a screenshot and its HTML behind when the journey fails."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(5000)
    yield page
    if getattr(request.node, "journey_failed", False):
        ARTIFACTS.mkdir(exist_ok=True)
        stem = ARTIFACTS / request.node.name
        page.screenshot(path=f"{stem}.png", full_page=True, timeout=20000)
        Path(f"{stem}.html").write_text(page.content())
        print(f"\njourney artefacts: {stem}.png and {stem}.html (page {page.url})")
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if call.when == "call" and outcome.get_result().failed:
        item.journey_failed = True
