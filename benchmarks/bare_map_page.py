"""The floor for ``bench_first_chart.py``: a bare Streamlit page with a title and one small map.

Fifty fixed points around Sunderland drawn with ``px.scatter_map`` on MapLibre's ``white-bg`` style
(no tiles, no network) with an explicit centre and zoom, as the shared notes describe. Nothing of
Regen Atlas is imported. Served on its own with

    .venv/bin/python -m streamlit run benchmarks/bare_map_page.py
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
st.plotly_chart(fig, key="bare_map")
