"""Text from data is displayed as typed: no HTML, no Markdown."""

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from regen_app.setup import literal
from tests.fixtures import display

from .conftest import open_page


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


def test_the_showcase_sample_has_no_hostile_rows():
    """Hostile names live in the test fixture (tests/fixtures/display.py), not in what visitors see."""
    ent = pd.read_csv("data/sample/enterprises.csv", dtype=str, keep_default_na=False)
    for column in ("name", "name_ja", "description", "description_ja"):
        assert not ent[column].str.match(r"[=+@＝]").any(), column
        assert not ent[column].str.contains(r"[<>*]", regex=True).any(), column


@pytest.fixture
def hostile(store_url):
    """The fixture dataset with hostile text, published in this test's store (shown by default)."""
    display.publish(store_url)
    return display


def shown(at) -> list[str]:
    """Every Markdown source and caption of the page (as sent to the browser)."""
    return [m.value for m in at.markdown] + [c.value for c in at.caption]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_card_shows_markup_in_descriptions_literally(hostile, lang):
    at = open_page("map", {"view": "millfield", "enterprise": hostile.MARKUP_ID, "data": hostile.NAME,
                           **({"lang": "ja"} if lang == "ja" else {})})
    assert not at.exception, at.exception
    markup = hostile.MARKUP_JA if lang == "ja" else hostile.MARKUP
    word = "毎週土曜日" if lang == "ja" else "every Saturday"
    description = [text for text in shown(at) if word in text]
    assert len(description) == 1, description
    assert description[0].endswith(literal(markup.strip()))  # escaped: &lt;b&gt; … \*\*, so it reads as typed
    assert "<b>" not in description[0] and "**" not in description[0]


def test_card_shows_a_formula_name_literally(hostile):
    at = open_page("map", {"view": "hendon", "enterprise": hostile.FORMULA_ID, "data": hostile.NAME})
    assert not at.exception, at.exception
    assert f"#### {literal(hostile.FORMULA_NAME)}" in shown(at)


def test_card_leads_with_a_hostile_japanese_name_literally(hostile):
    at = open_page("map", {"enterprise": hostile.JP_ID, "data": hostile.NAME, "lang": "ja"})
    assert not at.exception, at.exception
    heading = next(m for m in shown(at) if m.startswith("#### "))
    assert heading == f"#### {literal(hostile.JP_NAME_JA)}"
    assert "<i>" not in heading and "**" not in heading and r"SUM\(1\)" in heading


def test_explorer_table_holds_the_text_as_typed(hostile):
    at = open_page("explorer", {"data": hostile.NAME, "q": "Sum of Parts"})
    table = at.dataframe[0].value
    assert table["name"].tolist() == [hostile.FORMULA_NAME]  # st.dataframe shows text literally


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
