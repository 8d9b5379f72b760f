"""Text from data is displayed as typed: no HTML, no Markdown."""

import pandas as pd
from streamlit.testing.v1 import AppTest

from regen_app.setup import literal


def test_literal_escapes_markdown_and_html():
    assert literal("**x**") == r"\*\*x\*\*"
    assert literal("<b>x</b>") == r"&lt;b&gt;x&lt;/b&gt;"
    assert literal("=SUM(A1)") == r"=SUM\(A1\)"
    assert literal("$x$ # [a](b)") == r"\$x\$ \# \[a\]\(b\)"
    assert literal(None) == ""


def _render(text: str) -> str:
    def app(value):
        import streamlit as st

        from regen_app.setup import literal

        st.markdown(literal(value))

    at = AppTest.from_function(app, args=(text,)).run()
    return at.markdown[0].value


def test_sample_display_rows_are_in_the_data():
    """The sample carries rows that exercise literal display (a name starting with '=', HTML/Markdown)."""
    ent = pd.read_csv("data/sample/enterprises.csv", dtype=str)
    assert ent["name"].str.startswith("=").any()
    assert ent["description"].fillna("").str.contains("<b>").any()


def test_markdown_source_keeps_the_characters():
    # the escaped Markdown shows every character of the original once rendered
    assert _render("**bold?**") == r"\*\*bold?\*\*"


def test_place_labels_match_the_single_label():
    from regen.dataset import load_sample
    from regen_app.setup import Context, place_label, place_labels

    ds = load_sample()
    for lang in ("en", "ja"):
        ctx = Context(page="map", lang=lang, filters=None, dataset=ds, panel=None, query={})
        frame = ds.enterprises.sample(40, random_state=1)
        expected = [place_label(ctx, w, a, r) for w, a, r in zip(frame["ward"], frame["area"], frame["region"])]
        assert place_labels(ctx, frame).tolist() == expected
