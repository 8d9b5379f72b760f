"""Local accounts (argon2 hashes, throttling, audit) and the single-sign-on settings check."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from regen import auth, store
from regen.auth import AuthError

PASSWORD = "correct horse battery"


def all_text(engine) -> str:
    """Every value in every table of the store, as one string."""
    parts = []
    with engine.connect() as conn:
        for table in store.metadata.sorted_tables:
            for row in conn.execute(sa.select(table)):
                parts.extend(str(value) for value in row)
    return "\n".join(parts)


def test_password_is_hashed_never_stored(store_engine):
    auth.add_user(store_engine, "alice", PASSWORD, actor="root")
    with store_engine.connect() as conn:
        stored = conn.execute(sa.select(store.users_table.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$")
    auth.verify(store_engine, "alice", PASSWORD)
    auth.verify(store_engine, "alice", PASSWORD + "x")
    everything = all_text(store_engine)
    assert PASSWORD not in everything
    assert "password_hash" not in auth.list_users(store_engine).columns
    entry = store.audit(store_engine).iloc[-1]
    assert (entry["action"], entry["actor"], entry["detail"]) == ("user_add", "root", "user alice")


def test_verify(store_engine):
    auth.add_user(store_engine, "alice", PASSWORD)
    assert auth.verify(store_engine, "alice", PASSWORD) is True
    assert auth.verify(store_engine, "alice", "wrong password") is False
    assert auth.verify(store_engine, "nobody", PASSWORD) is False
    assert auth.verify(store_engine, "alice", None) is False
    actions = list(store.audit(store_engine)["action"])[::-1]
    assert actions == ["user_add", "login", "login_failed", "login_failed"]
    unknown = store.audit(store_engine).iloc[0]
    assert unknown["actor"] == "(unknown)" and "nobody" not in str(unknown["detail"])


def test_throttling_locks_after_repeated_failures(store_engine):
    auth.add_user(store_engine, "alice", PASSWORD)
    t0 = store._now()
    for i in range(auth.MAX_FAILURES - 1):
        assert auth.verify(store_engine, "alice", f"guess {i}", now=t0) is False
    assert not auth.is_locked(store_engine, "alice", now=t0)
    assert auth.verify(store_engine, "alice", "guess last", now=t0) is False
    assert auth.is_locked(store_engine, "alice", now=t0)
    # While locked, even the right password is refused.
    assert auth.verify(store_engine, "alice", PASSWORD, now=t0 + timedelta(seconds=5)) is False
    first_lock = auth.lock_seconds(auth.MAX_FAILURES)
    later = t0 + timedelta(seconds=first_lock + 1)
    assert not auth.is_locked(store_engine, "alice", now=later)
    # One more failure after the lock: locked again, for longer.
    assert auth.verify(store_engine, "alice", "again", now=later) is False
    assert auth.is_locked(store_engine, "alice", now=later + timedelta(seconds=first_lock + 1))
    much_later = later + timedelta(seconds=auth.lock_seconds(auth.MAX_FAILURES + 1) + 1)
    assert auth.verify(store_engine, "alice", PASSWORD, now=much_later) is True
    users = auth.list_users(store_engine).set_index("username")
    assert users.loc["alice", "failed_attempts"] == 0
    log = store.audit(store_engine)
    failed = log[log["action"] == "login_failed"]
    assert len(failed) == auth.MAX_FAILURES + 2
    assert failed["detail"].str.contains("locked").sum() >= 3
    assert PASSWORD not in all_text(store_engine)


def test_lock_period_grows_and_is_capped():
    assert auth.lock_seconds(auth.MAX_FAILURES - 1) == 0
    periods = [auth.lock_seconds(auth.MAX_FAILURES + i) for i in range(12)]
    assert periods[0] > 0 and all(b >= a for a, b in zip(periods, periods[1:], strict=False))
    assert periods[1] > periods[0] and periods[-1] == auth.LOCK_MAX_SECONDS


def test_user_management(store_engine):
    auth.add_user(store_engine, "bob", PASSWORD)
    with pytest.raises(AuthError, match="already exists"):
        auth.add_user(store_engine, "bob", PASSWORD)
    with pytest.raises(AuthError, match="too short"):
        auth.add_user(store_engine, "carol", "short")
    with pytest.raises(AuthError, match="invalid user name"):
        auth.add_user(store_engine, "bad name", PASSWORD)
    assert list(auth.list_users(store_engine)["username"]) == ["bob"]
    auth.set_password(store_engine, "bob", "a new long password")
    assert auth.verify(store_engine, "bob", "a new long password")
    assert not auth.verify(store_engine, "bob", PASSWORD)
    auth.remove_user(store_engine, "bob")
    assert auth.list_users(store_engine).empty
    with pytest.raises(AuthError, match="no user"):
        auth.remove_user(store_engine, "bob")
    assert not auth.verify(store_engine, "bob", "a new long password")


def test_no_password_in_error_messages(store_engine):
    secret = "x" * 2000
    with pytest.raises(AuthError) as info:
        auth.add_user(store_engine, "dave", secret)
    assert secret not in str(info.value)


GOOD_AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "s" * 32}
PROVIDER = {"client_id": "id", "client_secret": "secret", "server_metadata_url": "https://idp/.well-known/openid-configuration"}


@pytest.mark.parametrize(("secrets", "providers"), [
    ({}, []),
    ({"auth": "nonsense"}, []),
    ({"auth": {**GOOD_AUTH}}, []),
    ({"auth": {**GOOD_AUTH, **PROVIDER}}, ["default"]),
    ({"auth": {"cookie_secret": "s", **PROVIDER}}, []),
    ({"auth": {**GOOD_AUTH, "microsoft": PROVIDER}}, ["microsoft"]),
    ({"auth": {**GOOD_AUTH, "google": {"client_id": "id"}}}, []),
    ({"auth": {**GOOD_AUTH, "my_idp": PROVIDER}}, []),  # Streamlit refuses names with "_"
    ({"auth": {**GOOD_AUTH, **PROVIDER, "okta": PROVIDER}}, ["default", "okta"]),
    ({"auth": {**GOOD_AUTH, **PROVIDER, "client_id": ""}}, []),
])
def test_oidc_configured(secrets, providers):
    assert auth.oidc_providers(secrets) == providers
    assert auth.oidc_configured(secrets) is bool(providers)
