"""Sign-in for analysts. Exploring needs none; uploading, publishing and rolling back do.

Two ways, chosen by the server's settings:

* **Single sign-on** when ``.streamlit/secrets.toml`` has a complete ``[auth]`` section
  (``regen.auth.oidc_configured``): Streamlit's ``st.login`` / ``st.user`` / ``st.logout``.
* Otherwise **local accounts** in the store (``python -m regen user add NAME``): a form calls
  ``regen.auth.verify``, which counts failures and locks an account for a while after several.
  Only the user name is kept, in session state (:data:`regen_app.state.ANALYST`); the password
  is checked in the form's callback and wiped from the widget there, so no rerun ever holds it.

The signed-in user name is the *actor* recorded in the store's audit log.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import UTC, datetime

import streamlit as st
from sqlalchemy.engine import Engine

from regen import auth
from regen_app import state as keys
from regen_app.cache import STORE_ERRORS
from regen_app.setup import literal

log = logging.getLogger(__name__)
CLI_COMMAND = "python -m regen user add NAME"
USERNAME_KEY = "signin_username"
PASSWORD_KEY = "signin_password"  # wiped by the form's callback as soon as it has been checked
_OUTCOME = "_signin_outcome"


def oidc_providers() -> list[str]:
    """The single sign-on providers configured in the secrets (none when there are no secrets)."""
    try:
        secrets = st.secrets.to_dict()
    except Exception:  # noqa: BLE001 - no secrets file, or one that cannot be parsed: no SSO
        return []
    try:
        return auth.oidc_providers(secrets)
    except Exception:  # noqa: BLE001
        return []


def _oidc_user() -> str | None:
    try:
        user = st.user
        if not user.get("is_logged_in"):
            return None
        name = user.get("email") or user.get("preferred_username") or user.get("name") or user.get("sub")
    except Exception:  # noqa: BLE001 - st.user unavailable (e.g. no [auth] section after all)
        return None
    return str(name) if name else None


def current_user() -> str | None:
    """The signed-in analyst's name, or None."""
    if oidc_providers():
        return _oidc_user()
    return st.session_state.get(keys.ANALYST)


def sign_out() -> None:
    st.session_state.pop(keys.ANALYST, None)
    if oidc_providers() and _oidc_user():
        st.logout()


def signed_in_bar(user: str, t: Callable[..., str]) -> None:
    """"Signed in as NAME" and a Sign out button."""
    left, right = st.columns([5, 1], vertical_alignment="center")
    left.markdown(":material/person: " + t("signin.as", name=literal(user)))
    right.button(t("signin.sign_out"), key="sign_out", on_click=sign_out, icon=":material/logout:",
                 width="stretch")


def sign_in(engine: Engine | None, t: Callable[..., str]) -> str | None:
    """Return the signed-in analyst, or draw the way to sign in and return None."""
    providers = oidc_providers()
    if providers:
        user = _oidc_user()
        if user:
            return user
        st.subheader(t("signin.title"))
        st.markdown(t("signin.sso_intro"))
        for provider in providers:
            label = t("signin.sso_button") if provider == "default" else t("signin.sso_button_named", name=provider)
            if st.button(label, key=f"login_{provider}", type="primary", icon=":material/login:"):
                st.login() if provider == "default" else st.login(provider)
        return None
    user = st.session_state.get(keys.ANALYST)
    if user:
        return user
    if engine is None:
        return None
    return _local_form(engine, t)


def _local_form(engine: Engine, t: Callable[..., str]) -> str | None:
    st.subheader(t("signin.title"))
    try:
        has_accounts = not auth.list_users(engine).empty
    except STORE_ERRORS as err:
        log.warning("cannot read accounts: %s", err)
        st.error(t("signin.store_error"), icon=":material/error:")
        return None
    if not has_accounts:
        st.info(t("signin.no_accounts"), icon=":material/person_add:")
        st.code(CLI_COMMAND, language="bash")
        return None
    st.markdown(t("signin.intro"))
    with st.form("signin_form", width=420):
        st.text_input(t("signin.username"), key=USERNAME_KEY, autocomplete="username", max_chars=64)
        st.text_input(t("signin.password"), key=PASSWORD_KEY, type="password", autocomplete="current-password",
                      max_chars=auth.MAX_PASSWORD_LENGTH)
        st.form_submit_button(t("signin.submit"), type="primary", icon=":material/login:",
                              on_click=_submit, args=(engine,))
    st.caption(t("signin.accounts_hint", command=CLI_COMMAND))
    outcome = st.session_state.pop(_OUTCOME, None)
    if outcome is None:
        return None
    code = outcome["code"]
    if code == "locked":
        st.error(t("signin.locked", minutes=outcome["minutes"]), icon=":material/lock_clock:")
    else:
        st.error(t(f"signin.{code}"), icon=":material/error:")
    return None


def _submit(engine: Engine) -> None:
    """The form's callback: runs before the script, so the password is checked and wiped at once."""
    username = str(st.session_state.get(USERNAME_KEY) or "").strip()
    password = str(st.session_state.get(PASSWORD_KEY) or "")
    st.session_state[PASSWORD_KEY] = ""  # never kept, not even in the widget's state
    if not username or not password:
        st.session_state[_OUTCOME] = {"code": "missing"}
        return
    try:
        ok = auth.verify(engine, username, password)
        locked = (not ok) and auth.is_locked(engine, username)
        wait = _seconds_locked(engine, username) if locked else 0
    except STORE_ERRORS as err:
        log.warning("sign-in failed for a store error: %s", err)
        st.session_state[_OUTCOME] = {"code": "store_error"}
        return
    finally:
        del password
    if ok:
        st.session_state[keys.ANALYST] = username
    elif locked:
        st.session_state[_OUTCOME] = {"code": "locked", "minutes": max(1, math.ceil(wait / 60))}
    else:
        st.session_state[_OUTCOME] = {"code": "failed"}


def _seconds_locked(engine: Engine, username: str) -> float:
    users = auth.list_users(engine)
    row = users[users["username"] == username]
    if row.empty or row["locked_until"].isna().all():
        return 0.0
    return max(0.0, (row["locked_until"].iloc[0].to_pydatetime() - datetime.now(UTC)).total_seconds())
