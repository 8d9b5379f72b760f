"""What every map page adds in the browser: calm gestures, a card that opens where the user looks,
and the chart configuration.

* **Gestures.** A map must not trap the page's scrolling: on every map MapLibre's *cooperative
  gestures* are switched on, so one finger (or the mouse wheel) scrolls the page, and two fingers (or
  Ctrl/⌘ + wheel) move and zoom the map, with a hint in the interface language. Plotly does not
  expose that option, so a small script turns it on for each map once it is drawn.
* **Shapes as files.** Coast, land, rivers, names and the built-in outlines are most of a map's
  bytes (0.7–0.8 MB for a whole country). :func:`lighten` moves them out of the figure into files
  under ``static/geo/`` that the app serves itself (``server.enableStaticServing``), named by their
  content, so the browser fetches each once and a new year, view or page sends only the points.
* **Card on phones.** On a narrow screen the map's columns stack and the card would open below the
  map and its legend, off screen: there it becomes a sheet fixed to the bottom of the screen.
"""

from __future__ import annotations

import json
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st

from regen import basemap, charts, i18n
from regen_app.widgets import plotly_config

# The card (a container keyed "enterprise_card", see regen_app.cards) as a bottom sheet on phones.
_CSS = """
<style>
@media (max-width: 640px) {
  .st-key-enterprise_card {
    position: fixed; left: 0.5rem; right: 0.5rem; bottom: 0.5rem; z-index: 999990; width: auto !important;
    max-height: 55vh; overflow-y: auto; background: #ffffff;
    box-shadow: 0 -2px 18px rgba(15, 23, 42, 0.28); border-radius: 0.75rem;
  }
}
</style>
"""

_SCRIPT = """
<script>
(function () {
  window.__atlasGestureTexts = %s;
  function arm() {
    const texts = window.__atlasGestureTexts;
    document.querySelectorAll('.js-plotly-plot').forEach(function (gd) {
      const sub = gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
      const map = sub && sub.map;
      if (!map || !map.cooperativeGestures || map.cooperativeGestures.isEnabled()) return;
      map._locale = Object.assign({}, map._locale || {}, texts);
      map.cooperativeGestures.enable();
      gd.setAttribute('data-gestures', 'cooperative');
    });
  }
  if (!window.__atlasGestures) {
    window.__atlasGestures = setInterval(arm, 400);
  }
  arm();
})();
</script>
"""


# Served at app/static/geo/ (Streamlit serves the ``static`` folder beside dashboard.py); the URL is
# relative to the page, so it works under any base URL, as the glyphs' does.
SHAPES_DIR = Path(__file__).resolve().parent.parent / "static" / "geo"
SHAPES_URL = "app/static/geo/"


def lighten(fig: go.Figure) -> go.Figure:
    """``fig`` with its map's big built-in shapes as files the browser fetches and caches
    (:func:`regen.basemap.by_reference`). An analyst's own outlines stay in the figure: only those
    who may see the dataset get them."""
    style = fig.layout.map.style
    if isinstance(style, dict) and "sources" in style:
        fig.update_layout(map_style=basemap.by_reference(style, SHAPES_DIR, SHAPES_URL,
                                                         keep_inline=(charts.OWN_OUTLINES_SOURCE,)))
    return fig


def config(lang: str, **extra) -> dict:
    """The plotly configuration of a map in ``lang``: toolbar in the interface language; the wheel
    zooms only with Ctrl/⌘ held (cooperative gestures, see :func:`enhance`)."""
    return plotly_config(lang, scrollZoom=True, **extra)


def enhance(lang: str) -> None:
    """Add the gestures script and the phone card style to a page with maps (call once per run)."""
    texts = {
        "CooperativeGesturesHandler.WindowsHelpText": i18n.t("map.gestures.windows", lang),
        "CooperativeGesturesHandler.MacHelpText": i18n.t("map.gestures.mac", lang),
        "CooperativeGesturesHandler.MobileHelpText": i18n.t("map.gestures.mobile", lang),
    }
    st.html(_CSS + _SCRIPT % json.dumps(texts, ensure_ascii=False), unsafe_allow_javascript=True)
