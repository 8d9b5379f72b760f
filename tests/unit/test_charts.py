import numpy as np
import pytest

from regen import charts, metrics

VIEW = {"center_lat": 54.9, "center_lon": -1.4, "zoom": 10}
OUTLINE = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[[-2, 54], [-1, 54], [-1, 55], [-2, 54]]]}}]}


@pytest.fixture
def panel(tiny):
    return metrics.build_panel(tiny)


def test_jobs_over_time_traces_carry_the_series(panel):
    series = metrics.jobs_by_year(panel, np.ones(3, bool))
    fig = charts.jobs_over_time(series, "en", base_year=2002, year=2005)
    assert [t.name for t in fig.data] == ["Jobs", "Enterprises"]
    assert list(fig.data[0].y) == [2, 4, 16, 15, 18]
    assert fig.data[1].yaxis == "y2"
    assert fig.layout.shapes  # chosen range and year marked
    assert charts.jobs_over_time(series, "ja").data[0].name == "雇用数"


def test_points_map_offline_style_layers_and_customdata(panel):
    snap = metrics.snapshot(panel, np.ones(3, bool), 2003)
    fig = charts.points_map(snap, colour_by="sector", lang="en", view=VIEW, boundaries=[OUTLINE])
    assert fig.layout.map.style == "white-bg"
    assert fig.layout.map.zoom == 10
    assert [layer.type for layer in fig.layout.map.layers] == ["fill", "line"]
    assert all(t.type == "scattermap" for t in fig.data)
    ids = sorted(c[0] for t in fig.data for c in t.customdata)
    assert ids == ["A", "B", "C"]
    assert {t.name for t in fig.data} == {"Health and social care", "Food and hospitality", "Community energy"}
    # sizes grow with jobs
    sizes = {c[0]: s for t in fig.data for c, s in zip(t.customdata, t.marker.size)}
    assert sizes["C"] > sizes["A"] > sizes["B"]


def test_an_analysts_outlines_are_drawn_last_and_darker(panel):
    snap = metrics.snapshot(panel, np.ones(3, bool), 2003)
    own = {"type": "FeatureCollection", "features": [{"type": "Feature", "id": "W1", "properties": {},
                                                      "geometry": {"type": "Point", "coordinates": [0, 0]}}]}
    for fig in (charts.points_map(snap, colour_by="sector", lang="en", view=VIEW, boundaries=[OUTLINE], outlines=own),
                charts.hex_map(snap.head(0).assign(hex=[], jobs=[], enterprises=[]), {"type": "FeatureCollection",
                               "features": []}, lang="en", view=VIEW, boundaries=[OUTLINE], outlines=own)):
        layers = fig.layout.map.layers
        assert [layer.type for layer in layers] == ["fill", "line", "line"]
        assert (layers[-1].color, layers[-1].line.width) == (charts.OWN_OUTLINE, charts.OWN_OUTLINE_WIDTH)
        assert layers[-1].source["features"][0]["id"] == "W1"
        assert layers[1].color == charts.OUTLINE != charts.OWN_OUTLINE


def test_names_from_data_are_escaped_in_hover(panel):
    snap = metrics.snapshot(panel, np.ones(3, bool), 2003)
    fig = charts.points_map(snap, colour_by="legal_form", lang="en", view=VIEW, boundaries=[])
    names = [c[1] for t in fig.data for c in t.customdata]
    assert "&lt;b&gt;Beta&lt;/b&gt; Co-op" in names
    assert "<b>Beta</b> Co-op" not in names


def test_japanese_names_used_in_japanese(panel):
    snap = metrics.snapshot(panel, np.ones(3, bool), 2003)
    fig = charts.points_map(snap, colour_by="sector", lang="ja", view=VIEW, boundaries=[])
    names = {c[0]: c[1] for t in fig.data for c in t.customdata}
    assert names["C"] == "ガンマ" and names["A"] == "Alpha CIC"


def test_empty_points_still_draw_a_map():
    import pandas as pd

    empty = pd.DataFrame(columns=["enterprise_id", "name", "lat", "lon", "employees", "sector"])
    fig = charts.points_map(empty, colour_by="sector", lang="en", view=VIEW, boundaries=[OUTLINE])
    assert len(fig.data) == 1 and fig.layout.map.style == "white-bg"


def test_bars_and_history(panel):
    frame = metrics.jobs_by(panel, np.ones(3, bool), 2005, "sector")
    fig = charts.jobs_by_category(frame, "sector", "ja")
    assert list(fig.data[0].x) == [6, 12] and list(fig.data[0].y) == ["医療・福祉", "地域エネルギー"]
    hist = charts.history_chart(metrics.history(panel, "A"), "en")
    assert list(hist.data[0].y) == [2, 3, 4, 5, 6]


def test_marker_sizes_monotonic_and_bounded():
    sizes = charts.marker_sizes([0, 1, 10, 100, 10_000])
    assert list(sizes) == sorted(sizes) and sizes.min() >= 6 and sizes.max() <= 34


# --- Impact, comparison and scenario charts -----------------------------------------------------------

import pandas as pd  # noqa: E402

from regen import i18n, readings, survival  # noqa: E402


def test_job_flows_chart_bars_up_and_down():
    flows = pd.DataFrame({"year": [2002, 2003], "created": [5.0, 2.0], "lost": [1.0, 4.0], "net": [4.0, -2.0]})
    fig = charts.job_flows_chart(flows, "ja")
    created, lost, net = fig.data
    assert list(created.y) == [5, 2] and list(lost.y) == [-1, -4] and list(net.y) == [4, -2]
    assert fig.layout.barmode == "relative"
    assert created.name == i18n.t("chart.created", "ja")


def test_survival_chart_draws_each_curve_with_its_band():
    curve = pd.DataFrame({"years": [0, 1, 2], "survival": [1.0, 0.8, 0.6], "lower": [0.9, 0.6, 0.4],
                          "upper": [1.0, 0.9, 0.8], "at_risk": [20, 16, 12], "events": [0, 4, 4]})
    fig = charts.survival_chart({"<b>CIC</b>": curve, "empty": curve.iloc[0:0]}, "en")
    band, line = fig.data  # the empty group draws nothing
    assert band.fill == "toself"
    # a step polygon: each value held until the next year, out along the upper edge and back along the lower
    assert list(band.x) == [0, 1, 1, 2, 2, 3, 3, 2, 2, 1, 1, 0]
    assert list(band.y) == [1.0, 1.0, 0.9, 0.9, 0.8, 0.8, 0.4, 0.4, 0.6, 0.6, 0.9, 0.9]
    assert list(line.y) == [1.0, 0.8, 0.6] and line.line.shape == "hv"
    assert line.name == "&lt;b&gt;CIC&lt;/b&gt;"  # a group label from data is shown literally
    assert fig.layout.yaxis.range == (0, 1.02)


def test_compare_bars_share_a_scale_from_zero_and_cut_whiskers_at_zero():
    rows = pd.DataFrame({"label": ["Sunderland", "Kashiwazaki"], "country": ["GB", "JP"],
                         "jobs_per_10k": [77.5, 3.0]})
    ref = pd.DataFrame({"country": ["GB", "JP"], "median": [10.0, 2.0], "std": [20.0, 1.0]})
    fig = charts.compare_bars(rows, "jobs_per_10k", "en", reference=ref, title="Jobs")
    bars, medians = fig.data
    assert list(bars.x) == [77.5, 3.0] and "77.5" in bars.y[0]
    assert list(medians.x) == [10.0, 2.0]
    assert list(medians.error_x.arrayminus) == [10.0, 1.0]  # GB: 10 − 20 would go below zero
    assert fig.layout.xaxis.range[0] == 0 and fig.layout.xaxis.range[1] >= 77.5


def test_scenario_chart_band_and_net_line():
    band = pd.DataFrame({"year_offset": [0, 1, 2], "jobs_p10": [5.0, 6, 7], "jobs_median": [8.0, 9, 10],
                         "jobs_p90": [11.0, 12, 13]})
    fig = charts.scenario_chart(band, "en", net=band.assign(jobs_median=band["jobs_median"] / 2))
    fill, median, net = fig.data
    assert list(fill.y) == [11, 12, 13, 7, 6, 5] and list(median.y) == [8, 9, 10] and list(net.y) == [4, 4.5, 5]


def test_sector_mix_shares_add_up_per_place():
    mix = pd.DataFrame({"label": ["A", "A", "B"], "sector": ["care", "food", "care"], "jobs": [30, 10, 5]})
    fig = charts.sector_mix_chart(mix, "en")
    shares = {t.name: list(t.x) for t in fig.data}
    assert shares[i18n.label("sector", "care", "en")] == [0.75, 1.0]
    assert shares[i18n.label("sector", "food", "en")] == [0.25, 0.0]


def test_area_value_map_escapes_names():
    frame = pd.DataFrame({"lat": [54.9], "lon": [-1.4], "label": ["<i>x</i>"], "text": ["£1 → £1.50"],
                          "local_value": [1.5]})
    fig = charts.area_value_map(frame, value="local_value", lang="en", view=VIEW, boundaries=[OUTLINE])
    assert fig.data[0].customdata[0][0] == "&lt;i&gt;x&lt;/i&gt;" and fig.layout.map.style == "white-bg"


def test_readings_say_too_few_instead_of_a_number():
    few = survival.kaplan_meier(np.array([2001.0, 2002]), np.array([np.nan, 2004.0]), censor_year=2010,
                                start_year=2001)
    assert readings.estimate(few.at[5], "en") == i18n.t("reading.too_few_short", "en")
    assert "Too few" in readings.survival(few, "en", horizon=5)
    est = survival.Estimate(0.62, 0.55, 0.69)
    assert readings.estimate(est, "en") == "62% (95% CI 55%–69%)"
    assert readings.estimate(est, "ja") == "62%（95%信頼区間 55%〜69%）"
    assert readings.warning("too_few_at_5", few, "en") == i18n.t("survival.warning.too_few_at", "en", h="5")
