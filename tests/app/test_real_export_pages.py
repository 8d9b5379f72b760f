"""Every page on a dataset imported from real-shaped exports: enterprises with no location, no founding
year, legal forms and sectors kept as "other" or "unknown", regions and areas not known; and the same
enterprises with no yearly figures at all."""

from __future__ import annotations

import pytest

from regen import i18n, imports, store
from regen.ingest import read_table
from regen_app.setup import literal
from tests.fixtures import real_exports as rx

from .conftest import open_page
from .helpers import text_of

SHOWN = ("overview", "map", "explorer", "impact", "compare", "scenario")


@pytest.fixture(scope="module")
def readings():
    orgs, truth = rx.register_organisations(n=300)
    economy, _ = rx.register_economy(truth)
    first = read_table(orgs, name="organisations.csv")
    figures = read_table(economy, name="economy.csv", enterprises=imports.figure_context([first]))
    return first, figures


def publish(url: str, readings, *, with_figures: bool) -> None:
    first, figures = readings
    reads = [(imports.FileSource("organisations.csv", "a"), "enterprises", first)]
    if with_figures:
        reads.append((imports.FileSource("economy.csv", "b"), "figures", figures))
    engine = store.get_engine(url)
    imports.store_batch(engine, imports.collect(reads), "register", actor="ana", publish=True)
    engine.dispose()


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("with_figures", [True, False], ids=["figures", "no_figures"])
def test_every_page_on_a_real_register(store_url, readings, lang, with_figures):
    publish(store_url, readings, with_figures=with_figures)
    for page in SHOWN:
        at = open_page(page, {"data": "register", "lang": lang})
        assert not at.exception, (page, at.exception)
        assert at.sidebar.selectbox(key="data").value == "register", page
    at = open_page("map", {"data": "register", "lang": lang})
    shown = text_of(at)
    assert readings[0].accepted["lat"].isna().sum() > 0
    # the map says how many enterprises in view it cannot show
    assert fragment("map.no_location", lang, "{total}") in shown
    if not with_figures:  # who was trading, by founding and closing years: not an empty map
        assert fragment("map.summary_no_figures", lang, "{n}") in shown
        assert "0 enterprises" not in shown and "：0" not in shown


def fragment(key: str, lang: str, after: str) -> str:
    """A stretch of a message's own words (after a placeholder), to find it in a page."""
    return i18n.catalogue(lang)[key].split(after, 1)[1].split("{")[0][:10]


def test_card_of_an_enterprise_with_little_known(store_url, readings):
    publish(store_url, readings, with_figures=True)
    accepted = readings[0].accepted
    other = accepted[(accepted["legal_form"] == "other") & (accepted["legal_form_text"] != "Other")]
    odd = other[other["founded"].isna()]
    row = (odd if len(odd) else other).iloc[0]
    at = open_page("map", {"data": "register", "enterprise": row["enterprise_id"]})
    assert not at.exception
    card = text_of(at)
    assert literal(f"Other legal form: {row['legal_form_text']}") in card  # the file's words, as written
    if len(odd):
        assert f"**Founded**: {literal('Not known')}" in card
