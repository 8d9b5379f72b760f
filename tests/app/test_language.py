"""Japanese all the way: the browser's language on a first visit (a link's ?lang= still wins, a choice
sticks for the session), cards that lead with the Japanese name, descriptions in the interface language."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from regen import i18n

from .conftest import PAGES, ROOT

JP_ID = "JP-0001"  # a Japanese enterprise of the sample (its names and descriptions are read from the file)
GB_ID = "GB-0053"  # Hendon Reuse CIC: no Japanese name, a Japanese description


def visit(page: str = "overview", query: dict | None = None, browser: str | None = "ja-JP") -> AppTest:
    """A first visit from a browser whose language is ``browser`` (st.context.locale)."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.context = {"locale": browser}
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if page != "overview":
        at.switch_page(PAGES[page]).run()
    assert not at.exception, at.exception
    return at


def url_lang(at) -> str | None:
    value = at.query_params.get("lang")
    return value[0] if isinstance(value, list) else value


def sample_row(enterprise_id: str) -> dict:
    import pandas as pd

    ent = pd.read_csv(Path(ROOT) / "data" / "sample" / "enterprises.csv", dtype=str, keep_default_na=False)
    return ent.set_index("enterprise_id").loc[enterprise_id].to_dict()


def test_a_japanese_browser_gets_japanese_on_a_first_visit():
    at = visit(browser="ja-JP")
    assert at.title[0].value == i18n.t("overview.title", "ja")
    assert at.radio(key="lang").value == "ja"
    assert url_lang(at) == "ja"  # the link a visitor copies keeps the language
    assert [link.label for link in at.sidebar.get("page_link")][0] == i18n.t("nav.overview", "ja")


@pytest.mark.parametrize("browser", ["en-GB", "fr-FR", None])
def test_other_browsers_get_english_with_no_lang_in_the_url(browser):
    at = visit(browser=browser)
    assert at.title[0].value == i18n.t("overview.title", "en")
    assert url_lang(at) is None


def test_a_links_lang_wins_over_the_browser():
    assert visit(query={"lang": "en"}, browser="ja-JP").title[0].value == i18n.t("overview.title", "en")
    assert visit(query={"lang": "ja"}, browser="en-GB").title[0].value == i18n.t("overview.title", "ja")


def test_a_language_chosen_in_the_sidebar_sticks_for_the_session():
    at = visit(browser="ja-JP")
    at.radio(key="lang").set_value("en").run()
    assert at.title[0].value == i18n.t("overview.title", "en")
    assert url_lang(at) == "en"  # differs from what this browser would get: the URL says so
    at.switch_page(PAGES["explorer"]).run()
    assert at.title[0].value == i18n.t("explorer.title", "en")
    # a later address naming no language (typed, or an old bookmark) keeps the session's choice
    at.query_params.clear()
    at.query_params["country"] = "JP"
    at.run()
    assert at.multiselect(key="country").value == ["JP"]  # the address was applied ...
    assert at.title[0].value == i18n.t("explorer.title", "en")  # ... and the language kept
    assert at.radio(key="lang").value == "en"


def card_text(at) -> tuple[list[str], list[str]]:
    return [m.value for m in at.markdown], [c.value for c in at.caption]


def test_card_leads_with_the_japanese_name_in_japanese():
    row = sample_row(JP_ID)
    assert row["name_ja"] and row["name"] != row["name_ja"]
    at = visit("map", {"enterprise": JP_ID, "lang": "ja"})
    markdown, captions = card_text(at)
    heading = next(m for m in markdown if m.startswith("#### "))
    assert heading == f"#### {row['name_ja']}"
    assert row["name"].replace("(", r"\(").replace(")", r"\)").replace(".", r"\.") in captions
    assert any(row["description_ja"][:12] in c for c in captions)  # the description in Japanese
    assert not any(row["description"][:20] in c for c in captions)


def test_card_leads_with_the_english_name_in_english():
    row = sample_row(JP_ID)
    at = visit("map", {"enterprise": JP_ID}, browser="en-GB")
    markdown, captions = card_text(at)
    heading = next(m for m in markdown if m.startswith("#### "))
    assert row["name_ja"] not in heading and heading.startswith("#### ")
    assert row["name_ja"] in captions
    assert any(row["description"][:20] in c.replace("\\", "") for c in captions)


def test_card_of_an_enterprise_without_a_japanese_name_in_japanese():
    row = sample_row(GB_ID)
    at = visit("map", {"enterprise": GB_ID, "view": "hendon"})  # a Japanese browser
    markdown, captions = card_text(at)
    assert f"#### {row['name']}" in markdown
    assert any("ヘンドン" in c and row["description_ja"][:15] in c for c in captions)


def test_explorer_shows_descriptions_in_the_interface_language():
    ja = visit("explorer", {"q": "Hendon Reuse"}).dataframe[0].value
    assert ja["description"].tolist() == [sample_row(GB_ID)["description_ja"]]
    en = visit("explorer", {"q": "Hendon Reuse"}, browser="en-GB").dataframe[0].value
    assert en["description"].tolist() == [sample_row(GB_ID)["description"]]
