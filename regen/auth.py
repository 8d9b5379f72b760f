"""Sign-in for analysts: local accounts in the store, plus a check for single sign-on settings.

Local accounts live in the store's ``users`` table. Passwords are hashed with Argon2id
(argon2-cffi's :class:`~argon2.PasswordHasher`); the password itself is never stored, logged or
put in an error message. After :data:`MAX_FAILURES` wrong passwords in a row an account is locked
for :func:`lock_seconds` (30 s, then doubling with each further failure, at most an hour); while
locked every attempt fails without the password being checked. Each failure is written to the
audit log as ``login_failed`` (an unknown user name is logged as ``(unknown)``, because people
sometimes type their password into the name field); a success is logged as ``login``.

Single sign-on is Streamlit's ``st.login`` (OpenID Connect), configured by an ``[auth]`` section
in ``.streamlit/secrets.toml``; :func:`oidc_configured` tells whether such a section is complete.
No password belongs in the repository: accounts are added with ``python -m regen user add NAME``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import cache

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from regen.store import StoreError, audit_entry, users_table
from regen.store import aware as _aware
from regen.store import now as _now
from regen.store import reading as _reading
from regen.store import writing as _writing

MAX_FAILURES = 5
LOCK_BASE_SECONDS = 30
LOCK_MAX_SECONDS = 3600
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024

_USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}$")
_hasher = PasswordHasher()  # Argon2id with argon2-cffi's recommended parameters


@cache
def _dummy_hash() -> str:
    """Checked against when the user does not exist, so that the answer takes as long either way."""
    return _hasher.hash("regen-atlas: no such user")


class AuthError(StoreError):
    """An account operation was refused (bad name, weak password, unknown or duplicate user)."""


def _check_username(username: str) -> str:
    if not isinstance(username, str) or not _USERNAME_RE.match(username):
        raise AuthError("invalid user name: use 1-64 letters, digits or . _ @ + -, starting with a letter or digit")
    return username


def _check_password(password: str) -> str:
    if not isinstance(password, str):
        raise AuthError("the password must be text")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"the password is too short: use at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AuthError(f"the password is too long: use at most {MAX_PASSWORD_LENGTH} characters")
    return password


def lock_seconds(failures: int) -> int:
    """How long an account is locked after ``failures`` consecutive failures (0 below the limit)."""
    if failures < MAX_FAILURES:
        return 0
    return min(LOCK_BASE_SECONDS * 2 ** (failures - MAX_FAILURES), LOCK_MAX_SECONDS)


def add_user(engine: Engine, username: str, password: str, *, actor: str = "system") -> None:
    """Create a local account; :class:`AuthError` if the name is taken or the password too weak."""
    _check_username(username)
    password_hash = _hasher.hash(_check_password(password))
    try:
        with _writing(engine) as conn:
            conn.execute(insert(users_table).values(
                username=username, password_hash=password_hash, created_at=_now(), failed_attempts=0))
            audit_entry(conn, actor, "user_add", detail=f"user {username}")
    except IntegrityError as err:
        raise AuthError(f"user {username!r} already exists") from err


def set_password(engine: Engine, username: str, password: str, *, actor: str = "system") -> None:
    """Replace a user's password and clear any lock."""
    _check_username(username)
    password_hash = _hasher.hash(_check_password(password))
    with _writing(engine) as conn:
        done = conn.execute(update(users_table).where(users_table.c.username == username).values(
            password_hash=password_hash, failed_attempts=0, locked_until=None)).rowcount
        if not done:
            raise AuthError(f"no user named {username!r}")
        audit_entry(conn, actor, "user_password", detail=f"user {username}")


def remove_user(engine: Engine, username: str, *, actor: str = "system") -> None:
    """Delete a local account; :class:`AuthError` if there is none."""
    with _writing(engine) as conn:
        done = conn.execute(delete(users_table).where(users_table.c.username == username)).rowcount
        if not done:
            raise AuthError(f"no user named {username!r}")
        audit_entry(conn, actor, "user_remove", detail=f"user {username}")


def list_users(engine: Engine) -> pd.DataFrame:
    """Accounts (never their hashes): username, created_at, failed_attempts, locked_until."""
    query = select(users_table.c.username, users_table.c.created_at, users_table.c.failed_attempts,
                   users_table.c.locked_until).order_by(users_table.c.username)
    with _reading(engine) as conn:
        frame = pd.DataFrame(conn.execute(query).fetchall(),
                             columns=["username", "created_at", "failed_attempts", "locked_until"])
    for column in ("created_at", "locked_until"):
        frame[column] = pd.to_datetime(frame[column].map(_aware), utc=True)
    return frame


def verify(engine: Engine, username: str, password: str, *, now: datetime | None = None) -> bool:
    """True if ``password`` is right for ``username`` and the account is not locked.

    Every failure is counted and audited; ``now`` (UTC) can be given for tests.
    """
    now = now or _now()
    if not isinstance(username, str) or not isinstance(password, str):
        return False
    with _reading(engine) as conn:
        user = conn.execute(select(users_table).where(users_table.c.username == username)).first()
    if user is None:
        _matches(_dummy_hash(), password)
        with _writing(engine) as conn:
            audit_entry(conn, "(unknown)", "login_failed", detail="unknown user")
        return False
    locked_until = _aware(user.locked_until)
    if locked_until is not None and locked_until > now:
        with _writing(engine) as conn:
            audit_entry(conn, username, "login_failed",
                        detail=f"account locked until {locked_until.isoformat(timespec='seconds')}")
        return False
    ok = _matches(user.password_hash, password)
    with _writing(engine) as conn:
        if ok:
            values: dict = {"failed_attempts": 0, "locked_until": None}
            if _hasher.check_needs_rehash(user.password_hash):
                values["password_hash"] = _hasher.hash(password)
            conn.execute(update(users_table).where(users_table.c.id == user.id).values(**values))
            audit_entry(conn, username, "login")
            return True
        conn.execute(update(users_table).where(users_table.c.id == user.id).values(
            failed_attempts=users_table.c.failed_attempts + 1))
        failures = conn.execute(select(users_table.c.failed_attempts).where(users_table.c.id == user.id)).scalar_one()
        detail = f"wrong password ({failures} in a row)"
        seconds = lock_seconds(failures)
        if seconds:
            conn.execute(update(users_table).where(users_table.c.id == user.id).values(
                locked_until=now + timedelta(seconds=seconds)))
            detail += f"; locked for {seconds} s"
        audit_entry(conn, username, "login_failed", detail=detail)
    return False


def is_locked(engine: Engine, username: str, *, now: datetime | None = None) -> bool:
    """Whether ``username`` is currently locked out (False for unknown users)."""
    now = now or _now()
    with _reading(engine) as conn:
        until = conn.execute(select(users_table.c.locked_until).where(users_table.c.username == username)).scalar()
    until = _aware(until)
    return until is not None and until > now


def _matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# ---- Single sign-on (Streamlit st.login / OpenID Connect) -------------------------------------

_PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")


def oidc_providers(secrets: Mapping) -> list[str]:
    """Names of the complete OIDC providers in ``secrets["auth"]``, for ``st.login(name)``.

    ``"default"`` when the ``[auth]`` section itself holds client_id/client_secret/server_metadata_url;
    plus each ``[auth.NAME]`` sub-section that does. Empty if ``redirect_uri`` or ``cookie_secret``
    is missing, as Streamlit then refuses to log in.
    """
    auth = secrets.get("auth") if isinstance(secrets, Mapping) else None
    if not isinstance(auth, Mapping):
        return []
    if not _filled(auth.get("redirect_uri")) or not _filled(auth.get("cookie_secret")):
        return []
    providers = []
    if all(_filled(auth.get(key)) for key in _PROVIDER_KEYS):
        providers.append("default")
    for name, section in auth.items():
        if isinstance(section, Mapping) and "_" not in str(name) \
                and all(_filled(section.get(key)) for key in _PROVIDER_KEYS):
            providers.append(str(name))
    return providers


def oidc_configured(secrets: Mapping) -> bool:
    """True if ``secrets`` (e.g. ``st.secrets``) has an ``[auth]`` section that ``st.login`` can use."""
    return bool(oidc_providers(secrets))


def _filled(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())
