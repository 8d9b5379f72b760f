"""The interface language (browser, link, session), texts in both languages, and plotly.js's own
Japanese texts (the chart toolbar)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from regen import i18n

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("browser,expected", [
    ("ja-JP", "ja"), ("ja", "ja"), ("JA-jp", "ja"), ("ja_JP", "ja"), (" ja-JP ", "ja"),
    ("en-GB", "en"), ("en-US", "en"), ("fr-FR", "en"), ("zh-CN", "en"), ("jam", "en"), ("", "en"), (None, "en"),
    (42, "en"),
])
def test_browser_locale_gives_a_language(browser, expected):
    assert i18n.from_locale(browser) == expected


@pytest.mark.parametrize("browser,query,session,expected", [
    ("ja-JP", None, None, "ja"),  # a first visit follows the browser
    ("en-GB", None, None, "en"),
    (None, None, None, "en"),  # a client that says nothing
    ("ja-JP", "en", None, "en"),  # a link's ?lang= wins over the browser
    ("en-GB", "ja", None, "ja"),
    ("ja-JP", "en", "ja", "en"),  # ... and over the session so far
    ("ja-JP", None, "en", "en"),  # the visitor chose English: it sticks for the session
    ("en-GB", None, "ja", "ja"),
    ("ja-JP", "fr", None, "ja"),  # a language we do not offer is ignored
    ("en-GB", "xx", "ja", "ja"),
    ("ja-JP", None, "xx", "ja"),
])
def test_language_choice(browser, query, session, expected):
    assert i18n.choose_language(browser, query, session) == expected


def test_text_in_the_interface_language_with_fallback():
    assert i18n.in_language("Runs a shop.", "店を営んでいます。", "ja") == "店を営んでいます。"
    assert i18n.in_language("Runs a shop.", "店を営んでいます。", "en") == "Runs a shop."
    assert i18n.in_language("Runs a shop.", None, "ja") == "Runs a shop."  # an upload without Japanese
    assert i18n.in_language(float("nan"), "店を営んでいます。", "en") == "店を営んでいます。"
    assert i18n.in_language(pd.NA, "  ", "ja") == ""
    assert i18n.in_language(None, None, "en") == ""


# The modebar buttons of the app's charts (plotly.js 3.x strings) and what a Japanese visitor reads.
MODEBAR = {"Download plot as a PNG": "PNGファイルでダウンロード", "Zoom": "ズーム", "Zoom in": "拡大", "Zoom out": "縮小",
           "Autoscale": "自動ズーム", "Reset axes": "軸をリセット", "Reset view": "ビューをリセット"}


def test_plotly_locale_is_japanese_and_complete_for_our_toolbars():
    locale = i18n.plotly_locale("ja")
    assert set(locale) == {"dictionary", "format"}
    for english, japanese in MODEBAR.items():
        assert locale["dictionary"][english] == japanese
    assert locale["dictionary"]["Pan"] not in (locale["dictionary"]["Zoom in"], "Pan")  # upstream says 拡大
    assert len(locale["format"]["months"]) == 12 and locale["format"]["months"][0] == "1月"
    assert locale["format"]["shortDays"][0] == "日"
    assert i18n.plotly_locale("en") is None  # built into plotly.js


def test_plotly_locale_file_records_its_origin():
    source = json.loads((ROOT / "regen" / "locales" / "plotly_ja.source.json").read_text(encoding="utf-8"))
    assert source["package"] == "plotly.js-locales" and source["license"] == "MIT"
    assert any("Plotly Technologies" in line for line in source["licence_text"])
    data = json.loads((ROOT / "regen" / "locales" / "plotly_ja.json").read_text(encoding="utf-8"))
    assert all(data["dictionary"][k] == v for k, v in source["corrections"].items())


def test_chart_config_carries_the_locale():
    from regen_app.widgets import plotly_config

    ja = plotly_config("ja", scrollZoom=True)
    assert ja["locale"] == "ja" and ja["locales"]["ja"]["dictionary"]["Zoom"] == "ズーム"
    assert ja["displaylogo"] is False and ja["scrollZoom"] is True
    json.dumps(ja)  # sent to the browser as JSON
    en = plotly_config("en")
    assert en == {"displaylogo": False}
    assert plotly_config("en", displayModeBar=False) == {"displaylogo": False, "displayModeBar": False}


@pytest.mark.parametrize("lang,name,name_ja,expected", [
    ("ja", "Kashiwazaki Care (NPO)", "NPO法人柏崎福祉", ("NPO法人柏崎福祉", "Kashiwazaki Care (NPO)")),
    ("en", "Kashiwazaki Care (NPO)", "NPO法人柏崎福祉", ("Kashiwazaki Care (NPO)", "NPO法人柏崎福祉")),
    ("ja", "Hendon Reuse CIC", None, ("Hendon Reuse CIC", "")),
    ("ja", "Hendon Reuse CIC", float("nan"), ("Hendon Reuse CIC", "")),
    ("en", "Hendon Reuse CIC", "", ("Hendon Reuse CIC", "")),
    ("ja", "つむぎ", "つむぎ", ("つむぎ", "")),  # the same name twice is shown once
])
def test_card_names_lead_with_the_interface_language(lang, name, name_ja, expected):
    from regen_app.cards import card_names

    assert card_names(name, name_ja, lang) == expected


def test_enterprises_without_japanese_descriptions_still_validate():
    from regen.schema import ENTERPRISE_COLUMNS, validate

    frame = pd.DataFrame({"enterprise_id": ["A"], "name": ["Alpha"], "legal_form": ["cic"], "sector": ["care"],
                          "founded": [2001], "country": ["GB"], "region": ["north_east"], "area": ["E08000024"],
                          "lat": [54.9], "lon": [-1.38], "geo_precision": ["exact"], "description": ["Care."]})
    accepted, problems = validate(frame, "enterprises")
    assert problems == [] and list(accepted.columns) == list(ENTERPRISE_COLUMNS)
    assert accepted["description_ja"].isna().all()
    both, problems = validate(frame.assign(description_ja=["介護。"]), "enterprises")
    assert problems == [] and both["description_ja"].tolist() == ["介護。"]


def test_description_ja_is_stored_and_read_back(tmp_path):
    from regen import store
    from tests.conftest import store_frames

    engine = store.get_engine(f"sqlite:///{tmp_path / 'regen.db'}")
    frames = store_frames(n=3, prefix="D")
    store.create_version(engine, "plain", frames, actor="t", publish=True)  # no description_ja: still fine
    frames["enterprises"] = frames["enterprises"].assign(description_ja=["一", None, "三"])
    store.create_version(engine, "both", frames, actor="t", publish=True)
    plain = store.load_dataset(engine, "plain").enterprises
    both = store.load_dataset(engine, "both").enterprises
    assert plain["description_ja"].isna().all()
    assert both["description_ja"].tolist()[::2] == ["一", "三"] and pd.isna(both["description_ja"].iloc[1])
    engine.dispose()
