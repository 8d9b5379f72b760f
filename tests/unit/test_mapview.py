"""The one map decision (regen.mapview) and the offline geography it draws with (regen.basemap)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.io as pio
import pytest

from regen import basemap, charts, geo, mapview, metrics
from regen.dataset import load_sample
from regen.filters import Filters


@pytest.fixture(scope="module")
def sample():
    panel = metrics.build_panel(load_sample())
    mask = panel.mask(Filters())
    return panel, mask, metrics.snapshot(panel, mask, panel.year_max)


def _points(n: int, lat: float, lon: float, country: str) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({
        "enterprise_id": [f"{country}-{i}" for i in range(n)], "name": [f"E{i}" for i in range(n)],
        "lat": lat + rng.normal(0, 0.05, n), "lon": lon + rng.normal(0, 0.05, n), "country": country,
        "sector": "retail", "legal_form": "cic", "employees": rng.integers(1, 30, n),
    })


def test_auto_view_shows_the_interface_languages_country_never_the_world(sample):
    panel, mask, points = sample
    english = mapview.plan(points, lang="en", everyone=panel.enterprises[mask])
    japanese = mapview.plan(points, lang="ja", everyone=panel.enterprises[mask])
    assert english.country == "GB" and japanese.country == "JP"
    assert (english.points["country"] == "GB").all() and len(english.points) == (points["country"] == "GB").sum()
    assert english.elsewhere == {"JP": int((points["country"] == "JP").sum())}
    for plan in (english, japanese):
        assert plan.fit and plan.view["zoom"] >= 4.0  # a country at most, not the world (zoom ~1)
        west, south, east, north = plan.extent
        located = plan.points
        assert west <= located["lon"].min() and east >= located["lon"].max()
        assert south <= located["lat"].min() and north >= located["lat"].max()


def test_auto_view_falls_back_to_the_country_that_has_enterprises(sample):
    _panel, _mask, points = sample
    only_japan = points[points["country"] == "JP"]
    plan = mapview.plan(only_japan, lang="en")
    assert plan.country == "JP" and plan.elsewhere == {}


def test_the_fitted_extent_does_not_move_with_the_year(sample):
    panel, mask, _points = sample
    extents = {mapview.plan(metrics.snapshot(panel, mask, year), lang="en", everyone=panel.enterprises[mask]).extent
               for year in (panel.year_min, panel.year_max)}
    assert len(extents) == 1


def test_a_view_with_none_of_the_filtered_enterprises_says_so(sample):
    _panel, _mask, points = sample
    britain = points[points["country"] == "GB"]
    plan = mapview.plan(britain, lang="en", view_key="kashiwazaki")
    assert plan.empty_view and len(plan.points) == 0
    assert plan.elsewhere == {"GB": len(britain)}
    hendon = mapview.plan(britain, lang="en", view_key="hendon")
    assert not hendon.empty_view and 0 < hendon.outside_view < len(britain)


def test_country_views_fit_that_countrys_enterprises(sample):
    _panel, _mask, points = sample
    plan = mapview.plan(points, lang="en", view_key="japan")
    assert plan.country == "JP" and plan.fit and (plan.points["country"] == "JP").all()
    none_there = mapview.plan(points[points["country"] == "GB"], lang="en", view_key="japan")
    assert none_there.country == "JP" and not none_there.fit and none_there.empty_view


def test_many_points_become_hexagons_and_an_explicit_view_sends_only_its_surroundings():
    many = pd.concat([_points(300, 54.9, -1.4, "GB"), _points(300, 51.5, -0.1, "GB")], ignore_index=True)
    assert not mapview.plan(many, point_limit=1000).hexes
    auto = mapview.plan(many, point_limit=100)
    assert auto.hexes and auto.resolution is not None and len(auto.points) == 600
    sunderland = mapview.plan(many, point_limit=100, view_key="sunderland")
    assert sunderland.hexes and 0 < len(sunderland.points) <= 300  # London's are far outside the view


def test_figure_fits_in_the_browser_or_keeps_an_explicit_view(sample):
    _panel, _mask, points = sample
    fitted = mapview.figure(mapview.plan(points, lang="en"), lang="en")
    assert fitted.layout.map.fitbounds == "locations" and fitted.layout.map.center.lat is None
    extent = [t for t in fitted.data if t.name == "extent"]
    assert len(extent) == 1 and extent[0].hoverinfo == "skip" and extent[0].marker.opacity == 0
    fixed = mapview.figure(mapview.plan(points, lang="en", view_key="hendon"), lang="en")
    assert fixed.layout.map.fitbounds is False and fixed.layout.map.zoom == geo.VIEWS["hendon"]["zoom"]


@pytest.mark.parametrize("view_key", ["auto", "hendon", "sunderland", "north_east", "london", "japan", "kashiwazaki"])
def test_maps_need_no_network_and_name_places_in_the_interface_language(sample, view_key):
    _panel, _mask, points = sample
    for lang in ("en", "ja"):
        fig = mapview.figure(mapview.plan(points, lang=lang, view_key=view_key), lang=lang)
        text = pio.to_json(fig)
        assert "http://" not in text and "https://" not in text and "mapbox://" not in text
        style = fig.layout.map.style
        assert isinstance(style, dict) and style["glyphs"] == basemap.GLYPHS
        assert not basemap.GLYPHS.startswith(("http", "/"))  # served by the app itself, under any base path
        names = [f["properties"]["name"] for f in style["sources"]["names"]["data"]["features"]]
        assert names, f"no place names near {view_key}"
        if lang == "ja":  # only Japanese renderings in the Japanese interface
            assert all(any(ord(c) > 0x3000 for c in n) for n in names), names[:5]


def test_hendon_names_sunderland_and_its_wards_in_both_languages(sample):
    _panel, _mask, points = sample
    for lang, expected in (("en", {"Hendon", "Sunderland", "Millfield"}), ("ja", {"ヘンドン", "サンダーランド"})):
        style = mapview.figure(mapview.plan(points, lang=lang, view_key="hendon"), lang=lang).layout.map.style
        names = {f["properties"]["name"] for f in style["sources"]["names"]["data"]["features"]}
        assert expected <= names
        kinds = {layer["id"].split("-")[1] for layer in style["layers"] if layer["type"] == "symbol"}
        assert "ward" in kinds


def test_coarse_country_borders_only_when_zoomed_out(sample):
    _panel, _mask, points = sample
    far = mapview.plan(points, lang="en", view_key="britain")
    near = mapview.plan(points, lang="en", view_key="hendon")
    assert geo.inner_borders("countries") in mapview.boundaries(far)
    assert mapview.boundaries(near) == []
    assert geo.inner_borders("jp_prefectures") in mapview.boundaries(mapview.plan(points, lang="ja"))


def _lines(collection: dict):
    import shapely
    from shapely.geometry import shape

    return shapely.union_all([shape(f["geometry"]) for f in collection["features"]])


def test_built_in_borders_are_where_areas_meet_not_the_coast():
    """The basemap draws the coast; the outlines add only land borders, a fraction of their size."""
    import shapely

    countries = _lines(geo.inner_borders("countries"))
    assert countries.geom_type in ("LineString", "MultiLineString")
    assert shapely.distance(countries, shapely.Point(-7.3, 54.3)) < 0.15  # Northern Ireland and Ireland
    assert shapely.distance(countries, shapely.Point(-1.35, 54.9)) > 1.0  # Sunderland's coast: no line
    assert shapely.distance(countries, shapely.Point(138.9, 37.5)) > 1.0  # nor Niigata's (no land border)
    prefectures = _lines(geo.inner_borders("jp_prefectures"))
    # Niigata meets Nagano inland, and its coast at Kashiwazaki carries no border
    assert shapely.distance(prefectures, shapely.Point(138.55, 36.95)) < 0.2
    assert shapely.distance(prefectures, shapely.Point(138.56, 37.37)) > 0.1
    for name in ("countries", "jp_prefectures"):
        assert len(json.dumps(geo.inner_borders(name))) < len(json.dumps(geo.load_boundaries(name))) / 3


def test_level_of_detail_follows_the_zoom():
    assert [basemap.level_for_zoom(z) for z in (3, 5.5, 7, 8, 9.9, 10, 14)] == [0, 1, 1, 2, 2, 3, 3]


def test_view_bounds_match_in_view():
    view = geo.VIEWS["hendon"]
    west, south, east, north = geo.view_bounds(view, width=800, height=600, margin=0.5)
    inside = geo.in_view([south + 1e-6, north - 1e-6, north + 0.01], [west + 1e-6, east - 1e-6, east],
                         view, width=800, height=600)
    assert inside.tolist() == [True, True, False]


def test_glyph_ranges_cover_text_maplibre_does_not_draw_itself():
    # kanji and kana are drawn by MapLibre with the browser's font; Latin and punctuation need files
    assert basemap.glyph_ranges(["Hendon", "柏崎市", "サンダーランド", "Ō–"]) == {"0-255", "256-511", "8192-8447"}


def test_every_name_a_map_can_show_has_its_glyphs_served():
    labels = basemap.labels_frame()
    needed = basemap.glyph_ranges([*labels["name_en"], *labels["name_ja"]])
    served = {p.stem for p in (basemap.DATA_DIR.parent.parent / "static" / "glyphs" / basemap.FONT).glob("*.pbf")}
    assert needed and needed <= served, needed - served


@pytest.mark.parametrize("top, step, upper", [(0, 1, 2), (3, 1, 4), (7, 2, 8), (37, 10, 40), (162, 50, 200),
                                              (2660, 1000, 3000)])
def test_count_axes_have_whole_round_ticks(top, step, upper):
    axis = charts.integer_axis(top)
    assert axis["dtick"] == step and axis["range"] == [0, upper]
    ticks = np.arange(0, axis["range"][1] + 1e-9, axis["dtick"])
    assert len(ticks) <= 7 and np.all(ticks == np.round(ticks))


def test_jobs_over_time_uses_whole_ticks_on_both_axes():
    series = pd.DataFrame({"year": [2001, 2002, 2003], "jobs": [10, 20, 150], "enterprises": [1, 2, 3]})
    fig = charts.jobs_over_time(series, "en")
    assert fig.layout.yaxis.dtick == 50 and fig.layout.yaxis2.dtick == 1
    json.loads(pio.to_json(fig))


def test_outlines_are_drawn_by_the_style_itself_under_the_names(sample):
    """plotly's own map layers are dropped by MapLibre when a map has a style object: every outline is
    a layer of the style, the analyst's own last and darker, all under the place names."""
    _panel, _mask, points = sample
    own = {"type": "FeatureCollection", "features": [{"type": "Feature", "id": "W1", "properties": {},
                                                      "geometry": {"type": "Point", "coordinates": [-1.4, 54.9]}}]}
    plan = mapview.plan(points, lang="en", view_key="britain", outlines=own, outline_bounds=(-1.5, 54.8, -1.3, 55.0))
    fig = mapview.figure(plan, lang="en")
    assert not fig.layout.map.layers
    style = fig.layout.map.style
    ids = [layer["id"] for layer in style["layers"]]
    assert "outline-0" in ids and ids.index(charts.OWN_OUTLINES_LAYER) > ids.index("outline-0")
    first_name = min(i for i, layer in enumerate(style["layers"]) if layer["type"] == "symbol")
    assert ids.index(charts.OWN_OUTLINES_LAYER) < first_name
    own_layer = style["layers"][ids.index(charts.OWN_OUTLINES_LAYER)]
    assert own_layer["paint"] == {"line-color": charts.OWN_OUTLINE, "line-width": charts.OWN_OUTLINE_WIDTH}
    assert style["sources"][own_layer["source"]]["data"]["features"][0]["id"] == "W1"


def test_big_built_in_shapes_go_to_files_the_browser_caches_and_own_outlines_stay(sample, tmp_path):
    """A whole-country map carried 0.7–0.8 MB of coast, land and outlines in every figure; by reference
    it carries addresses of files named by their content, written once, and the analyst's areas inline."""
    _panel, _mask, points = sample
    big = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": f"W{i}", "properties": {},
         "geometry": {"type": "Point", "coordinates": [-1.4 + i / 1e4, 54.9]}} for i in range(200)]}
    plan = mapview.plan(points, lang="en", view_key="britain", outlines=big, outline_bounds=(-1.5, 54.8, -1.3, 55.0))
    fig = mapview.figure(plan, lang="en")
    style = fig.layout.map.style
    light = basemap.by_reference(style, tmp_path / "geo", "app/static/geo/", keep_inline=(charts.OWN_OUTLINES_SOURCE,))
    assert light["layers"] == style["layers"] and light["glyphs"] == style["glyphs"]
    moved = {name: source["data"] for name, source in light["sources"].items() if isinstance(source["data"], str)}
    assert {"land", "coast", "names"} <= set(moved)
    assert light["sources"][charts.OWN_OUTLINES_SOURCE]["data"] == big  # never served to anyone with the address
    for name, address in moved.items():
        assert address.startswith("app/static/geo/") and address.endswith(".geojson")
        on_disk = json.loads((tmp_path / "geo" / address.rsplit("/", 1)[1]).read_text(encoding="utf-8"))
        assert on_disk == style["sources"][name]["data"]  # the same shapes, as the browser gets them
    for name, source in light["sources"].items():  # what stays inline is small or the analyst's
        if name not in moved and name != charts.OWN_OUTLINES_SOURCE:
            assert len(json.dumps(source["data"])) < basemap.BY_REFERENCE_MIN_BYTES
    heavy = len(pio.to_json(fig, validate=False))
    fig.update_layout(map_style=light)
    assert len(pio.to_json(fig, validate=False)) < heavy / 5
    # the same shapes again (another process, a later run): the same names, nothing half-written left
    assert basemap.by_reference(style, tmp_path / "geo", "app/static/geo/")["sources"]["land"] == light["sources"]["land"]
    assert not list((tmp_path / "geo").glob(".part-*"))
    # another folder (another app, a test) gets its own files; a file removed meanwhile is written again
    other = basemap.by_reference(style, tmp_path / "other", "app/static/geo/")
    land = tmp_path / "other" / other["sources"]["land"]["data"].rsplit("/", 1)[1]
    assert land.exists()
    land.unlink()
    basemap.by_reference(style, tmp_path / "other", "app/static/geo/")
    assert land.exists()


def test_shapes_stay_inline_when_their_folder_cannot_be_written(sample, tmp_path):
    _panel, _mask, points = sample
    plan = mapview.plan(points, lang="ja", view_key="japan")
    style = mapview.figure(plan, lang="ja").layout.map.style
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert basemap.by_reference(style, blocked / "geo", "app/static/geo/") is style  # heavier, never broken
