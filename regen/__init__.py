"""Regen Atlas library: data model, sample data, geography, metrics, charts and i18n.

Nothing in this package imports Streamlit; the web app (``dashboard.py``, ``pages/``, ``regen_app/``)
is a thin layer over it.
"""

__version__ = "0.1.0"
