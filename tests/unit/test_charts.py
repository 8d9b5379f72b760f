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
