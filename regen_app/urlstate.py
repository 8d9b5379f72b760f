"""The URL mirrors the view: filters, language and page controls as query parameters.

Streamlit's own ``bind="query-params"`` writes the *displayed* option text into the URL (so a link
would change with the language); we keep codes instead: ``?lang=ja&country=JP&sector=care,food&years=2005-2025``
(and ``data=main`` when analysts' datasets are published).

- :func:`restore` runs first on every page: when the URL differs from what the app last wrote (a
  first visit, a pasted or edited link), its values are put into session state for the widgets.
- :func:`publish` runs after the widgets: it writes their values back to the URL and returns the
  query parameters for menu links, so a page change keeps the view.
Widget values survive a page change because :func:`restore` re-assigns every known key in session
state before the page's widgets are created (without that, a page's first run after a switch returns
the widgets' defaults).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from regen_app import state as keys

_SEEN = "_url_seen"
_SHARED = "_url_shared"
_PAGE = "_url_page"  # the page of the previous run: a page change applies the URL the link carried
_HISTORY = 30  # how many of our own recent URLs are recognised as ours


@dataclass(frozen=True)
class Param:
    kind: str  # "str", "list", "int", "float" or "range"
    shared: bool  # shared filters travel between pages; page controls stay on their page


PARAMS: dict[str, Param] = {
    keys.LANG: Param("str", True),
    keys.COUNTRY: Param("list", True),
    keys.REGION: Param("list", True),
    keys.AREA: Param("list", True),
    keys.SECTOR: Param("list", True),
    keys.LEGAL_FORM: Param("list", True),
    keys.YEARS: Param("range", True),
    keys.DATA: Param("str", True),
    keys.MAP_YEAR: Param("int", False),
    keys.MAP_MODE: Param("str", False),
    keys.MAP_COLOUR: Param("str", False),
    keys.MAP_VIEW: Param("str", False),
    keys.MAP_SELECTED: Param("str", False),
    keys.SEARCH: Param("str", False),
    keys.IMPACT_GROUP: Param("str", False),
    keys.COMPARE: Param("list", False),
    keys.COMPARE_RATE: Param("float", False),
    keys.SCENARIO_PLACE: Param("str", False),
    keys.SCENARIO_N: Param("int", False),
    keys.SCENARIO_HORIZON: Param("int", False),
    keys.SCENARIO_SUPPORT: Param("str", False),
    keys.SCENARIO_SECTOR: Param("list", False),
    keys.SCENARIO_LEGAL_FORM: Param("list", False),
}


def decode(kind: str, raw: str) -> object:
    """A URL value as a widget value, or None when it cannot be read."""
    raw = raw.strip()
    try:
        if kind == "str":
            return raw or None
        if kind == "list":
            return [part for part in raw.split(",") if part] or None
        if kind == "int":
            return int(raw)
        if kind == "float":
            value = float(raw)
            return value if value == value and abs(value) != float("inf") else None
        if kind == "range":
            lo, hi = (int(x) for x in raw.split("-", 1))
            return (min(lo, hi), max(lo, hi))
    except ValueError:
        return None
    raise ValueError(kind)


def encode(kind: str, value: object) -> str | None:
    if value is None or value == "" or value == [] or value == ():
        return None
    if kind == "list":
        return ",".join(str(v) for v in value)
    if kind == "range":
        return f"{int(value[0])}-{int(value[1])}"
    return str(value)


def _current_url() -> dict[str, str]:
    return {k: st.query_params[k] for k in PARAMS if k in st.query_params}


def restore(page: str | None = None) -> None:
    """Apply the URL to session state if it changed outside the app since we last wrote it, or if the
    visitor has just come from another page (a link such as "Compare this place" carries the target
    page's own parameters, which must apply even when the same URL was seen before)."""
    for key in PARAMS:  # keep widget values across a page change
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    url = _current_url()
    arrived = page is not None and st.session_state.get(_PAGE) != page
    st.session_state[_PAGE] = page
    if url in st.session_state.get(_SEEN, []) and not arrived:
        # One of our own recent URLs: the browser may send an older one while a fast series of
        # changes (a slider moved with the keyboard) is still being mirrored. Not an external change.
        return
    for key, param in PARAMS.items():
        value = decode(param.kind, url[key]) if key in url else None
        if value is not None:
            st.session_state[key] = value
        elif param.shared or key in url:
            st.session_state.pop(key, None)
    _remember(url)


def _remember(url: dict[str, str]) -> None:
    seen = [u for u in st.session_state.get(_SEEN, []) if u != url]
    st.session_state[_SEEN] = [url, *seen][:_HISTORY]


def publish(values: dict[str, object], *, shared: bool = False) -> dict[str, str]:
    """Write ``values`` (None or empty = absent) to the URL; return the shared query parameters.

    Setup calls this with the shared filters (``shared=True``); a page then calls it with its own
    controls, and the URL holds both.
    """
    encoded = {k: e for k, v in values.items() if (e := encode(PARAMS[k].kind, v)) is not None}
    if shared:
        st.session_state[_SHARED] = encoded
        url = dict(encoded)
    else:
        url = {**st.session_state.get(_SHARED, {}), **encoded}
    if _current_url() != url:
        st.query_params.from_dict(url)
    _remember(url)
    return dict(st.session_state.get(_SHARED, {}))


def clean(key: str, allowed: list | tuple, *, multi: bool) -> None:
    """Drop values no longer offered by a widget (e.g. a region after its country was removed)."""
    if key not in st.session_state:
        return
    value = st.session_state[key]
    if multi:
        kept = [v for v in (value or []) if v in allowed]
        if kept != value:
            st.session_state[key] = kept
    elif value not in allowed:
        del st.session_state[key]
