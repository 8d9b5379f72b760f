"""Offline geography: boundaries, H3 aggregation, map views and the gazetteer."""

from __future__ import annotations

import math

import h3
import numpy as np
import pandas as pd
import pytest

from regen import geo
from regen.places import PLACES, REGIONS


def test_boundaries_load_and_are_small():
    countries = geo.load_boundaries("countries")
    names = {f["properties"]["name"] for f in countries["features"]}
    assert {"United Kingdom", "Ireland", "Japan", "France", "South Korea"} <= names
    prefectures = geo.load_boundaries("jp_prefectures")
    assert prefectures["type"] == "FeatureCollection"
    feats = prefectures["features"]
    assert len(feats) == 47
    assert {f["properties"]["code"] for f in feats} == {k for k, r in REGIONS.items() if r["country"] == "JP"}
    for f in feats:
        assert f["id"] == f["properties"]["code"]
        assert f["properties"]["name_ja"][-1] in "都道府県" and f["properties"]["name_en"]
        assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")
    total = sum(p.stat().st_size for p in geo.BOUNDARY_DIR.glob("*.geojson"))
    assert total < 1.5 * 1024 * 1024
    with pytest.raises(ValueError):
        geo.load_boundaries("moon")


def _frame(n: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"lat": rng.uniform(54.80, 54.95, n), "lon": rng.uniform(-1.55, -1.35, n),
                          "employees": rng.integers(0, 40, n).astype(float)})
    frame.loc[::17, "employees"] = np.nan
    frame.loc[5, "lat"] = np.nan  # no coordinate: left out
    return frame


@pytest.mark.parametrize("resolution", [5, 7, 9])
def test_hex_aggregate_sums_match(resolution):
    frame = _frame(5000)
    agg = geo.hex_aggregate(frame, resolution)
    placed = frame[frame["lat"].notna()]
    assert list(agg.columns) == ["hex", "enterprises", "jobs"]
    assert agg["enterprises"].sum() == len(placed)
    assert agg["jobs"].sum() == int(placed["employees"].fillna(0).sum())
    assert agg["hex"].is_unique
    assert all(h3.get_resolution(c) == resolution for c in agg["hex"])
    # Spot check one point against h3 directly.
    row = placed.iloc[0]
    assert h3.latlng_to_cell(row["lat"], row["lon"], resolution) in set(agg["hex"])
    again = geo.hex_aggregate(frame, resolution)  # served from the cell cache
    pd.testing.assert_frame_equal(agg, again)


def test_hex_aggregate_empty_and_geojson():
    empty = geo.hex_aggregate(pd.DataFrame({"lat": [], "lon": [], "employees": []}), 8)
    assert list(empty.columns) == ["hex", "enterprises", "jobs"] and empty.empty
    agg = geo.hex_aggregate(_frame(500), 8)
    doc = geo.hex_geojson(agg["hex"])
    assert len(doc["features"]) == len(agg)
    assert [f["id"] for f in doc["features"]] == list(agg["hex"])
    ring = doc["features"][0]["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 7
    lon, lat = ring[0]
    assert -1.7 < lon < -1.2 and 54.7 < lat < 55.1  # GeoJSON order is lon, lat


def test_resolution_for_zoom():
    values = [geo.resolution_for_zoom(z) for z in np.arange(0, 20, 0.5)]
    assert values == sorted(values) and min(values) >= 3 and max(values) <= 10
    assert geo.resolution_for_zoom(4.3) < geo.resolution_for_zoom(8.5) < geo.resolution_for_zoom(14)


def _merc(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def test_fit_view_shows_every_point():
    lats = [PLACES[k].lat for k in ("sunderland", "washington", "hetton_le_hole", "southwick")]
    lons = [PLACES[k].lon for k in ("sunderland", "washington", "hetton_le_hole", "southwick")]
    view = geo.fit_view(lats, lons)
    scale = 512 * 2 ** view["zoom"]  # world size in px
    half_w = max(abs(lo - view["center_lon"]) for lo in lons) / 360 * scale
    half_h = max(abs(_merc(la) - _merc(view["center_lat"])) for la in lats) / (2 * math.pi) * scale
    assert half_w <= 450 and half_h <= 300
    assert half_w >= 300 or half_h >= 200  # and is not zoomed out needlessly
    assert geo.fit_view([54.9], [-1.38])["zoom"] == 15
    assert geo.fit_view([], [])["zoom"] == 1
    assert geo.fit_view([54.9, None], [-1.38, float("nan")])["center_lat"] == pytest.approx(54.9)


def test_views():
    required = {"sunderland", "hendon", "north_east", "cumbria", "london", "britain", "japan"}
    jp_keys = {k for k, p in PLACES.items() if p.country == "JP"}
    assert required | jp_keys == set(geo.VIEWS)
    assert list(geo.VIEWS)[:7] == ["sunderland", "hendon", "north_east", "cumbria", "london", "britain", "japan"]
    for key, view in geo.VIEWS.items():
        assert set(view) == {"center_lat", "center_lon", "zoom", "label_en", "label_ja", "country"}
        assert 1 <= view["zoom"] <= 16 and view["label_ja"]
    hendon = PLACES["hendon"]
    assert abs(geo.VIEWS["hendon"]["center_lat"] - hendon.lat) < 0.01
    assert geo.VIEWS["hendon"]["zoom"] > geo.VIEWS["sunderland"]["zoom"] > geo.VIEWS["north_east"]["zoom"]
    assert geo.VIEWS["japan"]["zoom"] < 5
    assert geo.VIEWS["satsumasendai"]["center_lat"] == pytest.approx(31.82, abs=0.1)


@pytest.mark.parametrize(("name", "country", "region", "lat", "lon"), [
    ("Hendon", "GB", None, 51.60, -0.22),            # GeoNames' Hendon, in London
    ("hendon", "GB", "north_east", 54.898, -1.372),  # ours, in Sunderland
    ("Southwick", "GB", "north_east", 54.92, -1.40),
    ("Ryhope", "GB", None, 54.87, -1.37),
    ("Onagawa", "JP", "miyagi", 38.45, 141.45),
    ("泊村", "JP", "hokkaido", 43.07, 140.5),
    ("Hetton-Le-Hole", "GB", None, 54.82, -1.45),
    ("Barrow-in-Furness", "GB", None, 54.11, -3.23),
    ("Houghton le Spring", "GB", "north_east", 54.84, -1.46),
    ("Sendai", "JP", None, 38.27, 140.87),          # the big one, in Miyagi
    ("Sendai", "JP", "kagoshima", 31.82, 130.3),
    ("Satsumasendai", "JP", None, 31.82, 130.3),
    ("薩摩川内市", "JP", None, 31.82, 130.3),
    ("志賀町", "JP", "ishikawa", 37.01, 136.78),
    ("Rokkasho", "JP", "aomori", 40.97, 141.37),
    ("柏崎", "JP", None, 37.37, 138.55),
])
def test_gazetteer_lookup_finds(name, country, region, lat, lon):
    found = geo.gazetteer_lookup(name, country, region)
    assert found is not None
    assert found["lat"] == pytest.approx(lat, abs=0.02) and found["lon"] == pytest.approx(lon, abs=0.02)
    assert found["source"]


@pytest.mark.parametrize(("name", "country", "region"), [
    ("Sunderland", "GB", "london"), ("Sendai", "JP", "aomori"), ("Atlantis", "GB", None), ("", "JP", None),
])
def test_gazetteer_lookup_rejects(name, country, region):
    assert geo.gazetteer_lookup(name, country, region) is None


def test_in_view_keeps_points_near_the_view():
    from regen.geo import VIEWS, in_view

    view = VIEWS["sunderland"]
    lat = [view["center_lat"], view["center_lat"] + 0.01, 35.0, 51.5]
    lon = [view["center_lon"], view["center_lon"] - 0.02, 139.0, -0.12]  # Sunderland x2, Tokyo, London
    assert in_view(lat, lon, view, width=640, height=580).tolist() == [True, True, False, False]
    assert in_view(lat, lon, {"center_lat": 30, "center_lon": 60, "zoom": 1}, width=640, height=580).all()
