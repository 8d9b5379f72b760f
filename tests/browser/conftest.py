"""Real-browser tests: the app served by `streamlit run` on a free port, driven by Playwright in
Debian's Chromium, with every request to a non-loopback address blocked (the app must work offline)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("BROWSER_PATH", "/usr/bin/chromium")
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}

if not Path(CHROMIUM).exists():  # pragma: no cover - `make test` installs it; say so loudly otherwise
    pytest.skip(f"Chromium not found at {CHROMIUM}: run `make test` (installs it as root)", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``streamlit run`` on a free port. Its data store is a SQLite file in a temporary folder (never the
    repository's var/regen.db) unless ``database_url`` names one the test has prepared."""

    def __init__(self, database_url: str | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile(mode="w+")  # a file, not a pipe: a full pipe would stall the server
        self.folder = tempfile.TemporaryDirectory(prefix="regen-browser-")
        self.database_url = database_url or f"sqlite:///{Path(self.folder.name) / 'regen.db'}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "REGEN_DATABASE_URL": self.database_url},
        )

    def wait(self, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("streamlit exited:\n" + self.output())
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("streamlit did not answer in time")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        out = self.output()
        if "Traceback" in out:
            print("---- streamlit log ----\n" + out)
        self.log.close()
        self.folder.cleanup()


@pytest.fixture(scope="session")
def server():
    srv = Server()
    srv.wait()
    yield srv
    srv.stop()


@pytest.fixture
def fresh_server():
    """A server nobody has visited yet: its first request is whatever the test sends."""
    srv = Server()
    srv.wait()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"])
        yield b
        b.close()


def open_page(browser, **options):
    """A page in a new browser context (``options`` as for ``browser.new_context``: viewport, locale,
    is_mobile, has_touch …) where every request to a non-loopback address is blocked and recorded in
    ``page.blocked``. Close it with ``page.context.close()``."""
    context = browser.new_context(**{"viewport": {"width": 1440, "height": 1000}, "accept_downloads": True,
                                     **options})
    blocked: list[str] = []

    def guard(route):
        host = urlparse(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOOPBACK:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    pg = context.new_page()
    pg.blocked = blocked
    return pg


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


@pytest.fixture
def page(browser):
    pg = open_page(browser)
    yield pg
    pg.context.close()


@pytest.fixture
def phone(browser):
    """A phone-sized touch browser (390 x 844)."""
    pg = open_page(browser, **PHONE)
    yield pg
    pg.context.close()


def wait_for_app(page, timeout: float = 60_000) -> None:
    """Wait until Streamlit has connected and finished running the script (no fixed sleeps)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            const running = document.querySelector('[data-testid="stStatusWidget"]');
            return app && app.getAttribute('data-test-script-state') === 'notRunning' && !running;
        }""",
        timeout=timeout,
    )
    page.wait_for_selector("h1", timeout=timeout)


def wait_for_map(page, index: int = 0, timeout: float = 60_000) -> None:
    page.wait_for_function(
        """(i) => {
            const gds = [...document.querySelectorAll('.js-plotly-plot')].filter(g => g._fullLayout && g._fullLayout.map);
            const gd = gds[i];
            return !!(gd && gd._fullLayout.map._subplot && gd._fullLayout.map._subplot.map.loaded());
        }""",
        arg=index, timeout=timeout,
    )
