"""Every page runs in both languages, shows its key content, and reacts to filters and the URL."""

import pytest

from regen import i18n

from .conftest import open_page


def text_of(at) -> str:
    parts = [m.value for m in at.markdown] + [t.value for t in at.title] + [s.value for s in at.subheader]
    parts += [c.value for c in at.caption] + [i.value for i in at.info] + [m.label for m in at.metric]
    return "\n".join(str(p) for p in parts)


def metric(at, prefix: str) -> str:
    for m in at.metric:
        if m.label.startswith(prefix):
            return m.value
    raise AssertionError(f"no metric starting {prefix!r}: {[m.label for m in at.metric]}")


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("page,title_key", [("overview", "overview.title"), ("map", "map.title"),
                                            ("explorer", "explorer.title"), ("about", "about.title"),
                                            ("impact", "impact.title"), ("compare", "compare.title"),
                                            ("scenario", "scenario.title")])
def test_every_page_runs_and_shows_its_title(page, title_key, lang):
    at = open_page(page, {"lang": lang} if lang != "en" else None)
    assert not at.exception, at.exception
    text = text_of(at)
    assert i18n.t(title_key, lang) in text
    if page != "about":
        assert i18n.t("sample.banner", lang) in text  # sample data is labelled as illustrative
    menu = [link.label for link in at.sidebar.get("page_link")]
    assert menu == [i18n.t(f"nav.{p}", lang) for p in ("overview", "map", "impact", "compare", "scenario", "explorer",
                                                        "about", "upload")]


def test_overview_headline_and_charts():
    at = open_page("overview")
    assert len(at.metric) == 5
    jobs = int(metric(at, "Jobs in 2025").replace(",", ""))
    assert jobs > 100
    assert len(at.get("plotly_chart")) == 4  # jobs over time, a map each for Britain and Japan, sectors


def test_overview_says_how_many_enterprises_reported_jobs():
    at = open_page("overview", {"lang": "ja"})
    captions = [c.value for c in at.caption]
    active = metric(at, i18n.t("metric.enterprises", "ja", year=2025))
    # in the sample every enterprise active in 2025 reported its jobs
    assert i18n.t("metric.jobs_coverage", "ja", n=active, of=active) in captions, captions


def test_country_filter_changes_figures():
    at = open_page("overview")
    everyone = metric(at, "Jobs in")
    at.multiselect(key="country").set_value(["JP"]).run()
    japan = metric(at, "Jobs in")
    assert int(japan.replace(",", "")) < int(everyone.replace(",", ""))
    assert at.query_params.get("country") in (["JP"], "JP")  # the URL mirrors the filter


def test_year_range_changes_headline():
    at = open_page("overview")
    at.slider(key="years").set_value((2001, 2010)).run()
    assert any(m.label == "Jobs in 2010" for m in at.metric)


def test_url_restores_filters_and_language():
    at = open_page("overview", {"lang": "ja", "country": "JP", "years": "2001-2015"})
    assert not at.exception
    assert at.radio(key="lang").value == "ja"
    assert at.multiselect(key="country").value == ["JP"]
    assert at.slider(key="years").value == (2001, 2015)
    assert any(m.label == "2015年の雇用数" for m in at.metric)


def test_language_switch_keeps_filters():
    at = open_page("overview")
    at.multiselect(key="country").set_value(["GB"]).run()
    at.radio(key="lang").set_value("ja").run()
    assert at.multiselect(key="country").value == ["GB"]
    assert i18n.t("overview.title", "ja") in text_of(at)


def test_filters_survive_page_change():
    at = open_page("overview")
    at.multiselect(key="sector").set_value(["care"]).run()
    at.switch_page("pages/2_explorer.py").run()
    assert at.multiselect(key="sector").value == ["care"]
    table = at.dataframe[0].value
    assert len(table) > 0 and set(table["sector"]) == {i18n.label("sector", "care", "en")}


def test_map_modes_and_year():
    at = open_page("map")
    assert not at.exception
    at.slider(key="year").set_value(2005).run()
    assert any("2005" in m.value for m in at.markdown)
    at.radio(key="mode").set_value("hexes").run()
    assert not at.exception
    assert any(i18n.t("map.hex_note", "en", res="")[:20] in c.value for c in at.caption)
    at.selectbox(key="view").set_value("hendon").run()
    assert not at.exception


def test_explorer_search_and_literal_names():
    at = open_page("explorer")
    total = len(at.dataframe[0].value)
    at.text_input(key="q").input("hendon").run()
    found = at.dataframe[0].value
    assert 0 < len(found) < total
    assert all("hendon" in n.lower() for n in found["name"])
    downloads = at.get("download_button")
    assert len(downloads) == 2


def test_play_starts_from_the_first_year_and_pauses():
    at = open_page("map")
    assert at.slider(key="year").value == 2025
    at.button(key="play_button").click().run()
    assert at.session_state["_playing"] is True
    assert at.slider[0].value == 2001  # restarted from the first year
    assert at.slider[0].disabled and at.slider[0].key is None  # the browser cannot send a playing year back
    assert at.button(key="play_button").label == i18n.t("map.pause", "en")
    at.button(key="play_button").click().run()
    assert at.session_state["_playing"] is False
    assert at.slider(key="year").value == 2001  # paused where it was
    assert at.button(key="play_button").label == i18n.t("map.play", "en")


def test_play_stops_at_the_last_year():
    at = open_page("map", {"year": "2023"})
    at.button(key="play_button").click().run()
    assert at.slider[0].value == 2024
    at.session_state["_play_year"] = 2024
    at.run()  # the timer's next step
    assert at.session_state["_playing"] is False
    assert at.slider(key="year").value == 2025
    assert at.button(key="play_button").label == i18n.t("map.play", "en")


def test_card_shows_enterprise():
    # hostile names and descriptions: tests/app/test_literal.py, on the fixture dataset
    at = open_page("map", {"view": "hendon", "enterprise": "GB-0053"})
    card_text = "\n".join(m.value for m in at.markdown)
    assert "#### Hendon Reuse CIC" in card_text
    assert "Founded" in card_text and "Hendon" in card_text
    assert len(at.get("plotly_chart")) == 2  # the map and the card's jobs chart
