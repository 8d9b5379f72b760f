"""Caching of library results for the app. ``st.cache_resource`` holds one shared copy per server
process (read-only data shared by all visitors); nothing here is per-visitor."""

from __future__ import annotations

import streamlit as st

from regen import dataset as dataset_mod
from regen import geo, metrics


@st.cache_resource(show_spinner=False)
def dataset() -> dataset_mod.Dataset:
    return dataset_mod.load_sample()


@st.cache_resource(show_spinner=False)
def panel() -> metrics.Panel:
    return metrics.build_panel(dataset())


@st.cache_resource(show_spinner=False)
def boundaries(name: str) -> dict:
    return geo.load_boundaries(name)
