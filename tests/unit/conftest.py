"""Fixtures shared by the command-line tests: the CLI run against a test store, and an engine on it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from regen import store
from regen.cli import cli


@pytest.fixture
def run(db_url):
    """Invoke the CLI against the test database (``db_url``: SQLite, then PostgreSQL), as OS user 'tester'."""
    env = {store.ENV_DATABASE_URL: db_url, "LOGNAME": "tester", "USER": "tester"}

    def invoke(*args: str, input: str | None = None):
        return CliRunner().invoke(cli, list(args), env=env, input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def engine(db_url):
    """An engine on the test store (tables created)."""
    engine = store.get_engine(db_url)
    yield engine
    engine.dispose()
