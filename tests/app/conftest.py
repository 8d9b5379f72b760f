from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from regen import auth, store
from regen_app.setup import PAGES as MENU

ROOT = Path(__file__).resolve().parents[2]
USER, PASSWORD = "ana", "correct horse battery"  # the test analyst's account
PAGES = {key: path for path, _url, key, _icon in MENU}  # the app's own list of pages, by key


@pytest.fixture(autouse=True)
def store_url(tmp_path, monkeypatch) -> str:
    """Every app test gets its own empty store (a SQLite file in a temporary folder), never var/regen.db."""
    url = f"sqlite:///{tmp_path / 'regen.db'}"
    monkeypatch.setenv("REGEN_DATABASE_URL", url)
    return url


def open_page(page: str, query: dict | None = None, timeout: float = 60) -> AppTest:
    """Open ``page`` as a visitor would: the app's entry point first, then a switch to the page."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=timeout)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if page != "overview":
        at.switch_page(PAGES[page]).run()
    return at


@pytest.fixture
def open_app():
    return open_page


@pytest.fixture
def engine(store_url):
    """An engine on this test's store."""
    eng = store.get_engine(store_url)
    yield eng
    eng.dispose()


@pytest.fixture
def analyst(engine):
    """The test analyst's local account in this test's store."""
    auth.add_user(engine, USER, PASSWORD)
    return USER
