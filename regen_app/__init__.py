"""The web app's shared layer (Streamlit-specific): page set-up, caching and session keys.

Kept outside ``pages/`` because Streamlit's classic multipage mode turns every ``*.py`` in ``pages/``
into a page. Pages call :func:`regen_app.setup.setup_page` first, then the ``regen`` library.
"""
