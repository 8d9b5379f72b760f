"""The floor for ``bench_first_chart.py``: a bare Streamlit page with a title and one small map.

Fifty fixed points around Sunderland drawn with ``px.scatter_map`` on MapLibre's ``white-bg`` style
(no tiles, no network) with an explicit centre and zoom, as the shared notes describe. Nothing of
Regen Atlas is imported. Served on its own with

    .venv/bin/python -m streamlit run benchmarks/bare_map_page.py

With ``?geography=1`` the same points are drawn over Regen Atlas's own geography instead of
``white-bg``: the Map page's first English view (Britain at zoom 5.8), its land, coast, rivers, names
and borders as the app sends them (shapes as files under ``static/geo/``). That measures what the
geography alone costs, with none of the app's page around it. It needs the repository on the path
(``REGEN_ROOT``, default the folder above this file) and the app's ``static/`` folder beside the script
(``bench_first_chart.py`` runs a copy with a link to it).
"""

import numpy as np
import pandas as pd
import plotly.express as px
import streamlit as st

st.title("Bare map")

rng = np.random.default_rng(0)
points = pd.DataFrame({
    "lat": 54.9 + rng.normal(0, 0.05, 50),
    "lon": -1.38 + rng.normal(0, 0.08, 50),
    "kind": rng.choice(["a", "b", "c"], 50),
})
fig = px.scatter_map(points, lat="lat", lon="lon", color="kind", map_style="white-bg",
                     center={"lat": 54.9, "lon": -1.38}, zoom=9, height=420)
if st.query_params.get("geography"):
    import os
    import sys
    from pathlib import Path

    root = Path(os.environ.get("REGEN_ROOT", Path(__file__).resolve().parent.parent))
    sys.path.insert(0, str(root))
    from regen import basemap, charts, mapview

    view = {"center_lat": 53.27, "center_lon": -1.78, "zoom": 5.78}
    style = charts.with_outlines(basemap.style(view, "en"), mapview.outline_layers(view, "GB"))
    style = basemap.by_reference(style, Path(__file__).resolve().parent / "static" / "geo", "app/static/geo/")
    fig.update_layout(map_style=style, map_center={"lat": view["center_lat"], "lon": view["center_lon"]},
                      map_zoom=view["zoom"])
st.plotly_chart(fig, key="bare_map")
