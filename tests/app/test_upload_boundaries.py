"""Boundary files on the upload page (read, reported, combined, used to fill areas, stored with the
version) and analysts' outlines on the Map page and the Overview's maps.

Every test runs against its own empty store (``store_url`` in conftest.py sets $REGEN_DATABASE_URL).
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from regen import charts, i18n, store
from regen.boundaries import read_boundaries
from regen_app import outlines, upload
from regen_app.setup import literal

from .conftest import open_page
from .helpers import frames, metric_values, signed_in_page, text_of, upload_files


def square(code: str, name: str, west: float, south: float, east: float, north: float) -> dict:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Feature", "properties": {"code": code, "name": name},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


def geojson(*features: dict) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


SUNDERLAND = square("E08000024", "Sunderland", -1.46, 54.86, -1.33, 54.94)
GATESHEAD = square("E08000037", "Gateshead", -1.70, 54.90, -1.47, 54.98)
WARDS = geojson(SUNDERLAND, GATESHEAD)

# An enterprise list with coordinates but no area column: the areas come from the boundary file.
NO_AREA = (
    "Name,Legal form,Sector,Founded,Country,Region,Latitude,Longitude,Employees,Year\n"
    "Hendon Café,CIC,Food,2015,UK,North East,54.8986,-1.3733,12,2023\n"
    "Millfield Energy,Co-op,Community energy,2012,UK,North East,54.9060,-1.4100,5,2023\n"
    "Felling Reuse,CIC,Reuse,2018,UK,North East,54.9500,-1.5700,4,2023\n"
).encode("utf-8")


def en(key: str, **params) -> str:
    return i18n.t(key, "en", **params)


def chart_specs(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def outline_layers(spec: dict) -> list[dict]:
    """The map's layers drawn in the analysts' outline colour (in the map's own style), as
    {"source": GeoJSON, "color", "line": {"width"}}."""
    style = spec["layout"]["map"].get("style")
    if not isinstance(style, dict):
        return [layer for layer in spec["layout"]["map"].get("layers", []) if layer.get("color") == outlines.COLOUR]
    return [{"source": style["sources"][layer["source"]]["data"], "color": layer["paint"]["line-color"],
             "line": {"width": layer["paint"]["line-width"]}}
            for layer in style["layers"] if layer["type"] == "line" and layer["paint"]["line-color"] == outlines.COLOUR]


def layer_codes(layer: dict) -> set[str]:
    return {f["id"] for f in layer["source"]["features"]}


def boundary_frame(*features: dict):
    return read_boundaries(geojson(*features), name="wards.geojson").frame


# ---- upload page -----------------------------------------------------------------------------------

def test_boundary_file_fills_areas_is_reported_and_published_with_the_version(analyst, engine):
    at = upload_files(signed_in_page(), ("list.csv", NO_AREA), ("wards.geojson", WARDS))
    assert not [e.value for e in at.error]
    roles = [s.key for s in at.selectbox if s.key and s.key.startswith("role_")]
    assert roles == [f"role_{upload.Upload('list.csv', NO_AREA).key}"]  # a boundary file has no role to choose
    values = metric_values(at)
    assert (values[en("upload.boundary.features")], values[en("upload.boundary.areas")]) == ("2", "2")
    assert (values["Rows read"], values["Rows kept"], values["Rows left out"]) == ("3", "3", "0")
    assert values[en("upload.count.outlines")] == "2"
    text = text_of(at)
    assert en("upload.boundary.fields", code="code", name="name") in text
    assert en("upload.boundary.crs", crs=literal("EPSG:4326 (WGS 84)")) in text
    assert en("upload.preview_outlines", n=2) in text
    assert "E08000024 Sunderland" in text
    notes = next(df.value for df in at.dataframe if en("upload.note_col.note") in df.value.columns)
    filled = notes[notes[en("upload.note_col.note")] == en("note.area_filled")]
    assert filled[en("upload.note_col.count")].tolist() == [3]  # the list's report says where areas came from

    preview = chart_specs(at)[0]
    drawn = outline_layers(preview)
    assert len(drawn) == 1 and layer_codes(drawn[0]) == {"E08000024", "E08000037"}
    # the view is fitted (in the browser) to the points and the outlines: Gateshead's west edge is west of
    # every point, so the extent reaches past the points to it
    assert preview["layout"]["map"]["fitbounds"] == "locations"
    extent = next(trace for trace in preview["data"] if trace.get("name") == "extent")
    assert -1.80 < min(extent["lon"]) < -1.55 and max(extent["lon"]) < -1.30
    assert 54.80 < min(extent["lat"]) and max(extent["lat"]) < 55.05

    at.button(key="publish_button").click().run()
    assert not at.exception, at.exception
    row = store.list_versions(engine, "main").iloc[0]
    assert (row["status"], row["file_name"]) == ("published", "list.csv, wards.geojson")
    stored = store.load_boundaries_geojson(engine, "main")
    assert {f["id"] for f in stored["features"]} == {"E08000024", "E08000037"}
    enterprises = store.load_dataset(engine, "main").enterprises.set_index("name")
    assert enterprises.loc["Hendon Café", "area"] == "E08000024"
    assert enterprises.loc["Felling Reuse", "area"] == "E08000037"  # from the polygon it lies in


def test_region_selector_is_the_default_region_of_rows(analyst, engine):
    ward = square("W-HENDON", "Hendon ward", -1.40, 54.88, -1.35, 54.92)
    listing = ("Name,Legal form,Sector,Founded,Country,Latitude,Longitude\n"
               "Hendon Café,CIC,Food,2015,UK,54.8986,-1.3733\n").encode()
    at = signed_in_page()
    assert at.selectbox(key="upload_region").value == "auto"
    at.selectbox(key="upload_country").set_value("GB").run()
    options = at.selectbox(key="upload_region").options
    assert "North East England" in options and not any("Hokkaido" in o for o in options)
    at.selectbox(key="upload_region").set_value("north_east").run()
    upload_files(at, ("list.csv", listing), ("ward.geojson", geojson(ward)))
    assert metric_values(at)["Rows kept"] == "1"
    at.button(key="publish_button").click().run()
    row = store.load_dataset(engine, "main").enterprises.iloc[0]
    assert (row["region"], row["area"]) == ("north_east", "W-HENDON")


def test_region_selector_in_japanese(analyst):
    at = signed_in_page({"lang": "ja"})
    at.selectbox(key="upload_country").set_value("JP").run()
    region = at.selectbox(key="upload_region")
    assert region.label == i18n.t("upload.region", "ja")
    assert "北海道" in region.options and "North East England" not in region.options


@pytest.mark.parametrize("name,data", [
    ("wards.geojson", b'{"type": "FeatureCollection", "features": ['),  # cut short
    ("wards.zip", None),  # a zip whose "Shapefile" is not one
])
def test_a_bad_boundary_file_is_a_clear_message_and_nothing_is_written(analyst, engine, name, data):
    if data is None:
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as z:
            z.writestr("wards.shp", b"\x00" * 100)
        data = archive.getvalue()
    expected = read_boundaries(data, name=name)
    assert expected.error
    at = upload_files(signed_in_page(), ("list.csv", NO_AREA), (name, data))
    errors = [e.value for e in at.error]
    key = f"boundary.{expected.error_code}"
    assert (i18n.t(key, "en") if i18n.has(key) else i18n.t("upload.boundary.unreadable", "en")) in errors
    assert i18n.t("upload.block.unreadable", "en", name=literal(name)) in errors
    assert i18n.t("upload.detail", "en", detail=literal(expected.error)) in text_of(at)
    assert at.button(key="publish_button").disabled and at.button(key="draft_button").disabled
    assert store.list_datasets(engine).empty


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_features_left_out_are_reported_in_the_visitors_language(analyst, lang):
    nameless = square("", "No code", -1.2, 54.8, -1.1, 54.9)
    at = upload_files(signed_in_page({"lang": lang}), ("wards.geojson", geojson(SUNDERLAND, nameless)))
    assert i18n.t("upload.boundary.problems", lang, n="1") in text_of(at)
    issues = next(df.value for df in at.dataframe if i18n.t("upload.boundary_col.text", lang) in df.value.columns)
    problem = issues[issues[i18n.t("upload.boundary_col.type", lang)] == i18n.t("upload.boundary.issue.problem", lang)]
    assert problem[i18n.t("upload.boundary_col.text", lang)].tolist() == [i18n.t("boundary.no_code", lang)]
    assert problem[i18n.t("upload.boundary_col.count", lang)].tolist() == [1]
    assert metric_values(at)[i18n.t("upload.boundary.areas", lang)] == "1"


def test_boundary_files_whose_codes_clash_block_publishing(analyst):
    other = geojson(square("E08000024", "Sunderland again", -1.5, 54.8, -1.3, 54.9))
    at = upload_files(signed_in_page(), ("list.csv", NO_AREA), ("wards.geojson", WARDS), ("more.geojson", other))
    assert i18n.t("upload.block.boundary_clash", "en", name="E08000024") in [e.value for e in at.error]
    assert at.button(key="publish_button").disabled


def test_the_same_boundary_file_chosen_twice_is_read_once(analyst):
    at = upload_files(signed_in_page(), ("list.csv", NO_AREA), ("wards.geojson", WARDS), ("wards.geojson", WARDS))
    assert not [e.value for e in at.error]
    assert metric_values(at)[en("upload.count.outlines")] == "2" and not at.button(key="publish_button").disabled


def test_boundary_files_without_clashes_are_combined():
    newcastle = geojson(square("E08000021", "Newcastle", -1.78, 54.96, -1.53, 55.07))
    files = [(upload.Upload(n, d), read_boundaries(d, name=n)) for n, d in
             (("wards.geojson", WARDS), ("newcastle.geojson", newcastle))]
    memo: dict = {}
    combined = upload.combine_boundaries(files, memo)
    assert combined.areas == 3 and not combined.clashes
    assert {f["id"] for f in combined.geojson["features"]} == {"E08000024", "E08000037", "E08000021"}
    assert upload.combine_boundaries(files[::-1], memo) is combined  # same files, either order: memoised
    assert upload.combine_boundaries([files[0]], memo).key != combined.key
    assert upload.combine_boundaries([], memo) is None


def test_zipped_shapefile_and_zipped_csv_are_told_apart(tmp_path):
    shapes = io.BytesIO()
    with zipfile.ZipFile(shapes, "w") as z:
        z.writestr("wards/wards.shp", b"")
    table = io.BytesIO()
    with zipfile.ZipFile(table, "w") as z:
        z.writestr("list.csv", NO_AREA)
    assert upload.is_boundary_upload(upload.Upload("wards.zip", shapes.getvalue()))
    assert not upload.is_boundary_upload(upload.Upload("list.zip", table.getvalue()))
    assert upload.is_boundary_upload(upload.Upload("areas.json", b"{}"))
    assert not upload.is_boundary_upload(upload.Upload("list.csv", NO_AREA))


def test_a_boundary_file_alone_makes_a_new_version_of_an_existing_dataset(analyst, engine):
    at = upload_files(signed_in_page(), ("wards.geojson", WARDS))
    assert not at.button(key="publish_button").disabled
    at.button(key="publish_button").click().run()  # "main" does not exist yet: nothing to take the tables from
    assert i18n.t("upload.boundaries_alone", "en", name="main") in [e.value for e in at.error]
    assert store.list_datasets(engine).empty

    store.create_version(engine, "main", frames(3, "M"), actor="cli", publish=True)
    at.button(key="publish_button").click().run()
    assert not at.exception, at.exception
    row = store.list_versions(engine, "main").iloc[-1]
    assert (row["version"], row["status"], row["rows_enterprises"]) == (2, "published", 3)
    assert len(store.load_boundaries_geojson(engine, "main")["features"]) == 2


# ---- maps of a stored dataset ----------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "ja"])
def test_map_page_draws_the_stored_outlines(engine, lang):
    store.create_version(engine, "main", frames(3, "M"), actor="cli", publish=True,
                         boundaries=boundary_frame(SUNDERLAND, GATESHEAD))
    at = open_page("map", {"data": "main", "lang": lang})
    assert not at.exception, at.exception
    drawn = outline_layers(chart_specs(at)[0])
    assert len(drawn) == 1 and layer_codes(drawn[0]) == {"E08000024", "E08000037"}
    assert drawn[0]["line"]["width"] == charts.OWN_OUTLINE_WIDTH
    assert i18n.t("map.outlines", lang, n=2) in text_of(at)

    at.radio(key="mode").set_value("hexes").run()
    assert layer_codes(outline_layers(chart_specs(at)[0])[0]) == {"E08000024", "E08000037"}


def test_overview_draws_the_outlines_and_the_sample_has_none(engine):
    store.create_version(engine, "main", frames(3, "M"), actor="cli", publish=True,
                         boundaries=boundary_frame(SUNDERLAND))
    at = open_page("overview", {"data": "main"})
    assert not at.exception, at.exception
    maps = [s for s in chart_specs(at) if "map" in s["layout"]]
    assert [layer_codes(layer) for s in maps for layer in outline_layers(s)] == [{"E08000024"}]
    at = open_page("map", {"data": "sample"})
    assert not outline_layers(chart_specs(at)[0])
    assert en("map.outlines", n=2) not in text_of(at)


def test_a_version_without_outlines_draws_none(engine):
    store.create_version(engine, "main", frames(3, "M"), actor="cli", publish=True)
    at = open_page("map", {"data": "main"})
    assert not at.exception and not outline_layers(chart_specs(at)[0])
