"""A real Learning Record Store for the tests: Ralph (ralph-malph) with its file-system backend, served by uvicorn
on a free local port from its own virtual environment (.venv-lrs, made by `make test`; its pins differ from ours)."""

import base64
import json
import os
import socket
import subprocess  # nosec B404 - starts the local LRS the tests talk to
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from config import BASE_DIR

LRS_BIN = Path(os.environ.get("LRS_VENV", BASE_DIR / ".venv-lrs")) / "bin"
USERNAME, PASSWORD = "academy", "a test LRS password"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LocalLRS:
    """A running store: its xAPI endpoint, the credentials it accepts, and a way to read statements back."""

    endpoint: str
    port: int

    def _get(self, url: str) -> dict:
        request = urllib.request.Request(url, headers={"X-Experience-API-Version": "1.0.3"})
        request.add_header("Authorization", "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode())
        with urllib.request.urlopen(request, timeout=10) as response:  # nosec B310 - a local http URL
            return json.load(response)

    def statements(self, **query) -> list[dict]:
        """Every statement the store holds (following its "more" links), newest first."""
        url = f"{self.endpoint}statements?" + urllib.parse.urlencode({"limit": 500, **query})
        found: list[dict] = []
        while url:
            page = self._get(url)
            found += page["statements"]
            more = page.get("more")
            url = urllib.parse.urljoin(url, more) if more else ""
        return found

    def wait_for(self, count: int, timeout: float = 15) -> list[dict]:
        """The store's statements once it holds at least `count` (or whatever it holds at the timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.statements()
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.2)


def _start(directory: Path, port: int, log) -> subprocess.Popen:
    env = os.environ | {
        "RALPH_APP_DIR": str(directory),
        "RALPH_AUTH_FILE": str(directory / "auth.json"),
        "RALPH_RUNSERVER_BACKEND": "fs",
        "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(directory / "store"),
    }
    subprocess.run([LRS_BIN / "ralph", "auth", "-u", USERNAME, "-p", PASSWORD, "-s", "all",  # nosec B603
                    "-M", "mailto:lrs-client@academy.example.org", "-w"], env=env, check=True, capture_output=True)
    return subprocess.Popen([LRS_BIN / "python", Path(__file__).with_name("lrs_server.py"), str(port)],  # nosec B603
                            env=env, stdout=log, stderr=subprocess.STDOUT)


@pytest.fixture
def lrs(tmp_path) -> LocalLRS:
    """A fresh, empty LRS for one test; skipped if .venv-lrs is missing, unless REQUIRE_LRS is set (as in CI)."""
    if not (LRS_BIN / "uvicorn").exists():
        if os.environ.get("REQUIRE_LRS"):
            pytest.fail(f"REQUIRE_LRS is set but {LRS_BIN} has no LRS; run make test, which installs it")
        pytest.skip("no local LRS installed (make test creates .venv-lrs)")
    directory = tmp_path / "lrs"
    directory.mkdir()
    port = _free_port()
    log = (directory / "lrs.log").open("w")
    process = _start(directory, port, log)
    store = LocalLRS(endpoint=f"http://127.0.0.1:{port}/xAPI/", port=port)
    deadline = time.monotonic() + 30
    while True:
        try:
            store.statements()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                log.close()
                pytest.fail("the local LRS did not start:\n" + (directory / "lrs.log").read_text())
            time.sleep(0.2)
    yield store
    process.terminate()
    process.wait(timeout=10)
    log.close()
