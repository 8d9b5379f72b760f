"""What every map page adds in the browser: calm gestures, a card that opens where the user looks,
and the chart configuration.

* **Gestures.** A map must not trap the page's scrolling: on every map MapLibre's *cooperative
  gestures* are switched on, so one finger (or the mouse wheel) scrolls the page, and two fingers (or
  Ctrl/⌘ + wheel) move and zoom the map, with a hint in the interface language. Plotly does not
  expose that option, so a small script turns it on for each map once it is drawn.
* **Card on phones.** On a narrow screen the map's columns stack and the card would open below the
  map and its legend, off screen: there it becomes a sheet fixed to the bottom of the screen.
"""

from __future__ import annotations

import json

import streamlit as st

from regen import i18n
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
