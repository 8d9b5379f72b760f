"""Analysts' boundary files (regen.boundaries): reading, repair, spatial join, store and CLI.

Every file is generated here at test time with geopandas: squares with codes, in British National
Grid (EPSG:27700) and in longitude/latitude, as GeoJSON, GeoPackage and zipped Shapefile, plus
broken, hostile and empty files.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from shapely.geometry import Point, Polygon, box

from regen import store
from regen.boundaries import assign_areas, is_boundary_file, read_boundaries, simplify
from regen.cli import cli
from regen.store import StoreError

# Three 0.1° squares side by side around Sunderland (lon/lat), coded like ONS local authorities.
GB_CODES = ["E08000024", "E08000021", "E08000037"]
GB_NAMES = ["Sunderland", "Newcastle upon Tyne", "Gateshead"]


def gb_squares(crs: int = 27700) -> gpd.GeoDataFrame:
    squares = [box(-1.45 + i * 0.1, 54.85, -1.35 + i * 0.1, 54.95) for i in range(3)]
    frame = gpd.GeoDataFrame({"OBJECTID": [1, 2, 3], "LAD23CD": GB_CODES, "LAD23NM": GB_NAMES,
                              "GlobalID": ["{a}", "{b}", "{c}"]}, geometry=squares, crs=4326)
    # densify so that the reprojected outlines are not just four corners
    frame = frame.set_geometry(shapely.segmentize(frame.geometry.to_numpy(), 0.01))
    return frame.to_crs(crs)


def jp_features() -> gpd.GeoDataFrame:
    """MLIT N03-style municipalities: Kashiwazaki in two parts (an island), a ward of Niigata city, Tomari."""
    return gpd.GeoDataFrame(
        {"N03_001": ["新潟県", "新潟県", "新潟県", "北海道"], "N03_003": [None, None, "新潟市", "古宇郡"],
         "N03_004": ["柏崎市", "柏崎市", "中央区", "泊村"], "N03_007": ["15205", "15205", "15103", "01403"]},
        geometry=[box(138.5, 37.3, 138.6, 37.4), box(138.7, 37.3, 138.75, 37.35), box(139.0, 37.9, 139.1, 38.0),
                  box(140.4, 43.0, 140.6, 43.1)], crs=6668)


def write_shapefile_zip(frame: gpd.GeoDataFrame, folder: Path, stem: str, *, encoding: str | None = None,
                        drop: tuple[str, ...] = (), inner: str = "") -> Path:
    work = folder / f"{stem}_parts"
    work.mkdir()
    frame.to_file(work / f"{stem}.shp", **({"encoding": encoding} if encoding else {}))
    target = folder / f"{stem}.zip"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for part in sorted(work.iterdir()):
            if part.suffix.lower() not in drop:
                archive.write(part, f"{inner}{part.name}")
    return target


def codes(result) -> list[str]:
    return list(result.frame["code"])


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------

def test_british_geojson_is_reprojected_and_fields_detected(tmp_path):
    source = gb_squares(27700)
    path = tmp_path / "lad.geojson"
    source.to_file(path, driver="GeoJSON")
    result = read_boundaries(path)
    assert result.error is None and result.ok, result.report()
    assert (result.file_type, result.code_field, result.name_field) == ("geojson", "LAD23CD", "LAD23NM")
    assert result.crs.startswith("EPSG:27700")
    assert result.frame.crs.to_epsg() == 4326
    assert codes(result) == GB_CODES and list(result.frame["name"]) == GB_NAMES
    assert [n.code for n in result.notes] == ["reprojected"]
    # Back where the squares were drawn (0.1° squares from -1.45 E, 54.85 N), not in metres.
    west, south, east, north = result.bounds
    assert west == pytest.approx(-1.45, abs=1e-4) and east == pytest.approx(-1.15, abs=1e-4)
    assert south == pytest.approx(54.85, abs=1e-4) and north == pytest.approx(54.95, abs=1e-4)
    assert "LAD23CD" in result.report() and "EPSG:27700" in result.report()


def test_lonlat_geojson_without_reprojection_and_generic_fields(tmp_path):
    frame = gpd.GeoDataFrame({"Name": ["North", "South"], "CODE": ["N1", "S1"]},
                             geometry=[box(0, 1, 1, 2), box(0, 0, 1, 1)], crs=4326)
    path = tmp_path / "plain.json"
    frame.to_file(path, driver="GeoJSON")
    result = read_boundaries(path)
    assert result.ok and (result.code_field, result.name_field) == ("CODE", "Name")
    assert not [n for n in result.notes if n.code == "reprojected"]
    assert codes(result) == ["N1", "S1"]


def test_geopackage_chooses_the_polygon_layer(tmp_path):
    path = tmp_path / "areas.gpkg"
    gpd.GeoDataFrame({"code": ["P"]}, geometry=[Point(-1.4, 54.9)], crs=4326).to_file(path, layer="points")
    gb_squares(27700).to_file(path, layer="lad")
    result = read_boundaries(path)
    assert result.ok, result.report()
    assert (result.file_type, result.layer) == ("gpkg", "lad")
    assert codes(result) == GB_CODES
    assert "layers_ignored" in [n.code for n in result.notes]
    assert read_boundaries(path, layer="points").error_code == "not_polygons"
    assert read_boundaries(path, layer="nope").error_code == "bad_field"


def test_zipped_shapefile_from_path_and_bytes(tmp_path):
    path = write_shapefile_zip(gb_squares(27700), tmp_path, "lad", inner="LAD_2023_UK_BGC/")
    assert is_boundary_file(path)
    from_path = read_boundaries(path)
    from_bytes = read_boundaries(path.read_bytes(), name="upload.zip")
    for result in (from_path, from_bytes):
        assert result.ok, result.report()
        assert result.file_type == "shapefile" and result.layer == "lad"
        assert codes(result) == GB_CODES and result.crs.startswith("EPSG:27700")
    assert from_path.frame.geometry.equals(from_bytes.frame.geometry)


def test_japanese_shapefile_without_cpg_is_decoded_and_dissolved(tmp_path):
    path = write_shapefile_zip(jp_features(), tmp_path, "N03-20240101", encoding="cp932", drop=(".cpg",))
    result = read_boundaries(path)
    assert result.ok, result.report()
    assert (result.code_field, result.name_field) == ("N03_007", "N03_004")
    assert result.features_read == 4 and result.areas == 3
    assert dict(zip(result.frame["code"], result.frame["name"], strict=True)) == {
        "15205": "柏崎市", "15103": "新潟市中央区", "01403": "泊村"}
    notes = {n.code: n for n in result.notes}
    assert "encoding_guessed" in notes and "dissolved" in notes
    kashiwazaki = result.frame.set_index("code").geometry["15205"]
    assert kashiwazaki.geom_type == "MultiPolygon"
    assert kashiwazaki.area == pytest.approx(0.01 + 0.0025, rel=1e-6)


def test_numeric_codes_are_padded_and_explicit_fields(tmp_path):
    frame = gpd.GeoDataFrame({"citycode": [1403, 15205], "label": ["Tomari", "Kashiwazaki"], "pop": [1, 2]},
                             geometry=[box(140.4, 43.0, 140.6, 43.1), box(138.5, 37.3, 138.6, 37.4)], crs=4326)
    path = tmp_path / "jp.geojson"
    frame.to_file(path, driver="GeoJSON")
    result = read_boundaries(path)
    assert codes(result) == ["01403", "15205"] and list(result.frame["name"]) == ["Tomari", "Kashiwazaki"]
    assert "codes_padded" in [n.code for n in result.notes]
    assert read_boundaries(path, code_field="pop", name_field="label").code_field == "pop"
    assert read_boundaries(path, code_field="missing").error_code == "bad_field"


def test_code_field_found_by_content_and_boundary_file_detection(tmp_path):
    frame = gpd.GeoDataFrame({"OBJECTID": [10, 11], "gss": ["E08000024", "E08000021"], "label": ["S", "N"]},
                             geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=4326)
    path = tmp_path / "odd.json"
    path.write_text("\n" * 5000 + frame.to_json(), encoding="utf-8")  # long blank preamble: still GeoJSON
    result = read_boundaries(path)
    assert result.ok, result.report()
    assert (result.code_field, result.name_field) == ("gss", "label")
    assert is_boundary_file(path) and not is_boundary_file(tmp_path / "missing.csv")
    csv_zip = tmp_path / "tables.zip"
    csv_zip.write_bytes(_zip_bytes({"enterprises.csv": b"a,b\n1,2\n"}))
    assert not is_boundary_file(csv_zip)
    # the same as bytes with their file name (uploads)
    assert is_boundary_file(path.read_bytes(), name="odd.json")
    assert not is_boundary_file(b"[1, 2]", name="list.json")
    assert not is_boundary_file(csv_zip.read_bytes(), name="tables.zip")
    assert is_boundary_file(_zip_bytes({"wards/wards.geojson": frame.to_json().encode()}), name="wards.zip")
    assert not is_boundary_file(_zip_bytes({"__MACOSX/._wards.shp": b"x", "a.csv": b"a\n"}), name="t.zip")
    table = tmp_path / "plain.gpkg"
    import pyogrio

    pyogrio.write_dataframe(pd.DataFrame({"code": ["A"]}), table, layer="attributes")
    assert read_boundaries(table).error_code == "not_polygons"


def test_self_intersecting_polygon_is_made_valid(tmp_path):
    bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])
    assert not bowtie.is_valid
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "BOW", "name": "Bow tie"}, "geometry": bowtie.__geo_interface__},
        {"type": "Feature", "properties": {"code": "OK", "name": "Square"}, "geometry": box(2, 0, 3, 1).__geo_interface__},
    ]}
    path = tmp_path / "bowtie.geojson"
    path.write_text(json.dumps(collection), encoding="utf-8")
    result = read_boundaries(path)
    assert result.error is None and result.ok
    assert result.frame.is_valid.all()
    fixed = result.frame.set_index("code").geometry["BOW"]
    assert fixed.area == pytest.approx(0.5)  # both triangles of the bow tie kept
    repaired = [n for n in result.notes if n.code == "geometry_repaired"]
    assert repaired and repaired[0].count == 1 and repaired[0].examples == ["BOW"]
    assert result.crs.startswith("EPSG:4326")  # GeoJSON without "crs" is longitude/latitude (RFC 7946)
    assert [n.code for n in result.notes] == ["geometry_repaired"]


def test_points_lines_and_features_without_code_are_left_out(tmp_path):
    frame = gpd.GeoDataFrame({"code": ["A", "B", None, "D"], "name": ["a", "b", "c", "d"]},
                             geometry=[box(0, 0, 1, 1), Point(5, 5), box(1, 0, 2, 1),
                                       shapely.LineString([(0, 0), (3, 3)])], crs=4326)
    path = tmp_path / "mixed.gpkg"
    frame.to_file(path, layer="mixed")
    result = read_boundaries(path)
    assert result.error is None and not result.ok
    assert codes(result) == ["A"]
    problems = {p.code: p.count for p in result.problems}
    assert problems == {"not_polygon": 2, "no_code": 1}


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_missing_crs(tmp_path):
    metres = gb_squares(27700).set_crs(None, allow_override=True)
    path = write_shapefile_zip(metres, tmp_path, "noprj", drop=(".prj",))
    result = read_boundaries(path)
    assert result.error_code == "no_crs" and "EPSG:27700" in result.error
    assumed = read_boundaries(path, crs="EPSG:27700")
    assert assumed.ok and codes(assumed) == GB_CODES
    assert assumed.bounds[0] == pytest.approx(-1.45, abs=1e-4)
    degrees = gpd.GeoDataFrame({"code": ["X"]}, geometry=[box(-1.4, 54.8, -1.3, 54.9)])
    path = write_shapefile_zip(degrees, tmp_path, "lonlat", drop=(".prj",))
    result = read_boundaries(path)
    assert result.ok and "crs_assumed" in [n.code for n in result.notes]


def test_zip_with_path_traversal_is_refused(tmp_path):
    inner = write_shapefile_zip(gb_squares(4326), tmp_path, "good")
    hostile = tmp_path / "hostile.zip"
    with zipfile.ZipFile(inner) as good, zipfile.ZipFile(hostile, "w") as bad:
        for info in good.infolist():
            bad.writestr(info.filename, good.read(info))
        bad.writestr("../../escaped.shp", b"\x00\x00\x27\x0a" + b"\x00" * 96)
    result = read_boundaries(hostile)
    assert result.error_code == "unsafe_zip" and "escaped.shp" in result.error
    assert not list(tmp_path.parent.rglob("escaped.shp"))
    absolute = tmp_path / "absolute.zip"
    with zipfile.ZipFile(absolute, "w") as bad:
        bad.writestr("/etc/regen-test.shp", b"x")
    assert read_boundaries(absolute).error_code == "unsafe_zip"


def test_zip_bomb_is_refused_before_unpacking(tmp_path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("areas.shp", b"\x00" * 30_000_000)
        archive.writestr("areas.shx", b"\x00" * 100)
        archive.writestr("areas.dbf", b"\x00" * 100)
    assert bomb.stat().st_size < 100_000
    started = time.perf_counter()
    result = read_boundaries(bomb, max_bytes=1_000_000)
    assert result.error_code == "too_large" and "unpack" in result.error
    assert time.perf_counter() - started < 2


def test_bad_files_give_an_error_never_an_exception(tmp_path):
    good = tmp_path / "good.geojson"
    gb_squares(4326).to_file(good, driver="GeoJSON")
    gpkg = tmp_path / "good.gpkg"
    gb_squares(4326).to_file(gpkg, layer="lad")
    zipped = write_shapefile_zip(gb_squares(4326), tmp_path, "lad")
    cases = {
        "empty.geojson": (b"", "empty_file"),
        "blank.geojson": (b"  \n\n ", "empty_file"),
        "garbage.geojson": (bytes(range(256)) * 20, "unsupported_format"),
        "truncated.geojson": (good.read_bytes()[:400], "damaged_file"),
        "truncated.gpkg": (gpkg.read_bytes()[:4096], "damaged_file"),
        "truncated.zip": (zipped.read_bytes()[:300], "damaged_file"),
        "notes.zip": (_zip_bytes({"readme.txt": b"hello"}), "no_shapefile"),
        "noshx.zip": (_zip_bytes({"a.shp": (tmp_path / "lad_parts" / "lad.shp").read_bytes(),
                                  "a.dbf": (tmp_path / "lad_parts" / "lad.dbf").read_bytes()}), "incomplete_shapefile"),
        "points.geojson": (json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"code": "A"}, "geometry": {"type": "Point", "coordinates": [1, 2]}}]})
            .encode(), "not_polygons"),
        "nofeatures.geojson": (b'{"type": "FeatureCollection", "features": []}', "no_features"),
        "json.geojson": (b'{"hello": "world"}', None),
    }
    for name, (data, code) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        for source in (path, data):
            result = read_boundaries(source, name=name)
            assert result.error, (name, result.report())
            assert result.frame is None
            if code:
                assert result.error_code == code, (name, result.error_code, result.error)
            assert "Cannot read the file" in result.report()
    missing = read_boundaries(tmp_path / "nowhere.geojson")
    assert missing.error_code == "not_found"
    assert read_boundaries(good.read_bytes(), max_bytes=100).error_code == "too_large"


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------------------------

def test_geojson_for_drawing_is_rounded_simplified_and_bounded(tmp_path):
    circle = Point(-1.4, 54.9).buffer(0.05, quad_segs=512)  # ~2000 vertices
    frame = gpd.GeoDataFrame({"code": ["C"], "name": ["Circle"]}, geometry=[circle], crs=4326)
    path = tmp_path / "circle.geojson"
    frame.to_file(path, driver="GeoJSON")
    result = read_boundaries(path)
    drawn = result.to_geojson()
    feature = drawn["features"][0]
    assert feature["id"] == "C" and feature["properties"] == {"code": "C", "name": "Circle"}
    ring = feature["geometry"]["coordinates"][0]
    assert 8 < len(ring) < 2000  # simplified, still a circle-ish outline
    assert all(round(x, 5) == x and round(y, 5) == y for x, y in ring)
    assert shapely.geometry.shape(feature["geometry"]).area == pytest.approx(circle.area, rel=0.02)
    full = len(json.dumps(result.to_geojson(tolerance=0)))
    small = result.to_geojson(max_bytes=full // 4, tolerance=0)
    assert small is not None and len(json.dumps(small)) <= full // 4
    assert "geojson_coarser" in [n.code for n in result.notes]
    assert result.to_geojson(max_bytes=50) is None


def test_simplify_keeps_shared_edges():
    wiggle = [(x / 100, 0.5 + 0.02 * np.sin(x)) for x in range(0, 101)]
    top = Polygon([(0, 1), *wiggle, (1, 1)])
    bottom = Polygon([(0, 0), (1, 0), *reversed(wiggle)])
    simplified = simplify(np.array([top, bottom], dtype=object), 0.05)
    assert all(shapely.get_num_coordinates(simplified) < [shapely.get_num_coordinates(top)] * 2)
    assert shapely.coverage_is_valid(simplified)  # no gap or overlap opened between them
    assert shapely.union_all(simplified).area == pytest.approx(1.0)


# --------------------------------------------------------------------------------------------
# Assigning enterprises to areas
# --------------------------------------------------------------------------------------------

def gb_boundaries() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"code": GB_CODES, "name": GB_NAMES},
                            geometry=[box(-1.45 + i * 0.1, 54.85, -1.35 + i * 0.1, 54.95) for i in range(3)], crs=4326)


def test_assign_areas_fills_reports_and_never_overwrites():
    frame = pd.DataFrame({
        "enterprise_id": ["fill", "same", "byname", "wrong", "outside", "nowhere", "edge"],
        "lat": [54.9, 54.9, 54.9, 54.9, 51.5, None, 54.9],
        "lon": [-1.40, -1.30, -1.20, -1.40, -0.1, None, -1.35],
        "area": [None, "E08000021", "gateshead", "E08000037", None, None, None],
    }, index=[10, 11, 12, 13, 14, 15, 16])
    frame["area"] = frame["area"].astype("str")
    out, notes = assign_areas(frame, gb_boundaries())
    assert list(out["area"].fillna("-")) == ["E08000024", "E08000021", "gateshead", "E08000037", "-", "-",
                                             "E08000024"]
    assert out["area"].dtype == frame["area"].dtype
    assert frame["area"].isna().sum() == 4  # the input is not changed
    found = {n.code: n for n in notes}
    assert found["area_filled"].count == 2 and found["area_filled"].examples == [10, 16]
    assert found["area_disagrees"].count == 1
    assert found["area_disagrees"].examples == [(13, "E08000037", "E08000024")]
    assert found["outside_boundaries"].examples == [14]
    assert found["no_coordinates"].examples == [15]
    assert found["on_boundary_edge"].examples == [16]
    reprojected, _ = assign_areas(frame, gb_boundaries().to_crs(27700))
    assert reprojected["area"].equals(out["area"])


def test_assign_areas_100k_points_quickly():
    rng = np.random.default_rng(7)
    cells = [shapely.segmentize(box(-3 + i * 0.1, 53 + j * 0.1, -2.9 + i * 0.1, 53.1 + j * 0.1), 0.001)
             for i in range(20) for j in range(15)]
    boundaries = gpd.GeoDataFrame({"code": [f"C{k:03d}" for k in range(len(cells))],
                                   "name": [f"Cell {k}" for k in range(len(cells))]}, geometry=cells, crs=4326)
    n = 100_000
    frame = pd.DataFrame({"lat": rng.uniform(52.95, 54.55, n), "lon": rng.uniform(-3.05, -0.95, n),
                          "area": pd.Series([None] * n, dtype="str")})
    started = time.perf_counter()
    out, notes = assign_areas(frame, boundaries)
    seconds = time.perf_counter() - started
    print(f"assign_areas: {n} points, {len(cells)} polygons: {seconds:.2f} s")
    assert seconds < 5
    expected_i = np.floor((frame["lon"] + 3) / 0.1).astype(int)
    expected_j = np.floor((frame["lat"] - 53) / 0.1).astype(int)
    inside = (expected_i.between(0, 19)) & (expected_j.between(0, 14))
    expected = pd.Series([f"C{i * 15 + j:03d}" for i, j in zip(expected_i, expected_j, strict=True)])
    assert (out["area"][inside] == expected[inside]).all()
    assert out["area"][~inside].isna().all()
    assert {n.code: n.count for n in notes}["outside_boundaries"] == int((~inside).sum())


# --------------------------------------------------------------------------------------------
# Store
# --------------------------------------------------------------------------------------------

def test_store_round_trip_and_carry_forward(store_engine, make_frames):
    areas = read_boundaries(_geojson_bytes(gb_squares(27700)), name="lad.geojson").frame
    frames = make_frames(6, "B")
    assert store.create_version(store_engine, "main", frames, actor="ana", publish=True, boundaries=areas) == 1
    drawn = store.load_boundaries_geojson(store_engine, "main")
    assert [f["id"] for f in drawn["features"]] == GB_CODES
    assert [f["properties"]["name"] for f in drawn["features"]] == GB_NAMES
    loaded = store.load_boundaries_frame(store_engine, "main", 1)
    assert loaded.crs.to_epsg() == 4326 and list(loaded["code"]) == GB_CODES
    for a, b in zip(loaded.geometry, areas.geometry, strict=True):
        assert a.hausdorff_distance(b) < 1e-6  # stored with 6 decimals
    full = store.load_boundaries_geojson(store_engine, "main", 1, full=True)
    assert len(json.dumps(full)) >= len(json.dumps(drawn))
    imports = store.audit(store_engine, dataset="main").query("action == 'import'")
    assert imports.iloc[0]["detail"].endswith("areas 3, boundaries 3")

    # A version without boundaries carries them forward, even when it replaces every table.
    assert store.create_version(store_engine, "main", make_frames(4, "C"), actor="ana") == 2
    assert store.load_boundaries_geojson(store_engine, "main", 2) == drawn
    version = store.list_versions(store_engine, "main").set_index("version").loc[2]
    assert version["copied_from"] == 1
    assert store.audit(store_engine, dataset="main").iloc[0]["detail"].endswith("boundaries 3 (copied)")
    # Boundaries alone make a version too: every table is carried forward.
    other = gb_boundaries().iloc[:1]
    assert store.create_version(store_engine, "main", {}, actor="ana", boundaries=other) == 3
    assert [f["id"] for f in store.load_boundaries_geojson(store_engine, "main", 3)["features"]] == GB_CODES[:1]
    assert len(store.load_dataset(store_engine, "main", 3).enterprises) == 6
    # An empty frame clears them; a version that never had any gives None.
    assert store.create_version(store_engine, "main", {}, actor="ana", boundaries=other.iloc[:0]) == 4
    assert store.load_boundaries_geojson(store_engine, "main", 4) is None
    assert store.load_boundaries_frame(store_engine, "main", 4) is None
    store.create_version(store_engine, "fresh", make_frames(2, "F"), actor="ana")
    assert store.load_boundaries_geojson(store_engine, "fresh", 1) is None
    with pytest.raises(StoreError, match="no dataset"):
        store.load_boundaries_geojson(store_engine, "nope")


def test_store_rejects_bad_boundaries_atomically(store_engine, make_frames):
    duplicated = pd.concat([gb_boundaries(), gb_boundaries().iloc[:1]], ignore_index=True)
    with pytest.raises(StoreError, match="duplicated code"):
        store.create_version(store_engine, "main", make_frames(3, "D"), actor="ana", boundaries=duplicated)
    with pytest.raises(StoreError, match="GeoDataFrame"):
        store.create_version(store_engine, "main", make_frames(3, "D"), actor="ana", boundaries=pd.DataFrame())
    assert store.list_versions(store_engine, "main").empty
    with pytest.raises(StoreError, match="nothing to import"):
        store.create_version(store_engine, "main", {}, actor="ana")


def _geojson_bytes(frame: gpd.GeoDataFrame) -> bytes:
    return frame.to_json(to_wgs84=False).encode() if frame.crs.to_epsg() == 4326 else \
        _write_bytes(frame, "GeoJSON")


def _write_bytes(frame: gpd.GeoDataFrame, driver: str) -> bytes:
    buffer = io.BytesIO()
    frame.to_file(buffer, driver=driver)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------

def test_cli_validate_boundary_files(tmp_path):
    runner = CliRunner()
    good = write_shapefile_zip(gb_squares(27700), tmp_path, "lad")
    result = runner.invoke(cli, ["validate", str(good)])
    assert result.exit_code == 0, result.output
    for text in ("Features: 3 read, 3 area(s)", "Code field: LAD23CD; name field: LAD23NM", "EPSG:27700",
                 "Problems: 0"):
        assert text in result.output
    mixed = tmp_path / "mixed.geojson"
    gpd.GeoDataFrame({"code": ["A", "B"]}, geometry=[box(0, 0, 1, 1), Point(3, 3)], crs=4326).to_file(
        mixed, driver="GeoJSON")
    result = runner.invoke(cli, ["validate", str(mixed), "--json"])
    assert result.exit_code == 1
    payload = json.loads(result.output)
    assert payload["kind"] == "boundaries" and payload["areas"] == 1
    assert [p["code"] for p in payload["problems"]] == ["not_polygon"]
    garbage = tmp_path / "garbage.geojson"
    garbage.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(500))
    result = runner.invoke(cli, ["validate", str(garbage)])
    assert result.exit_code == 2 and "Cannot read the file" in result.output and "Traceback" not in result.output


def test_cli_import_fills_areas_from_the_boundaries_before_validation(run, db_url, tmp_path):
    table = tmp_path / "enterprises.csv"
    table.write_text("ID,Name,Legal form,Sector,Founded,Region,Local authority,Latitude,Longitude\n"
                     "G1,Hendon Café,CIC,Food,2015,North East,,54.9000,-1.4000\n"  # in Sunderland's square
                     "G2,Pallion Print,CIC,Food,2012,North East,Gateshead,54.9000,-1.4000\n"  # says Gateshead
                     "G3,Camden Bakery,CIC,Food,2010,London,,51.5000,-0.1000\n",  # outside every square
                     encoding="utf-8")
    boundary = write_shapefile_zip(gb_squares(27700), tmp_path, "lad")
    result = run("import", str(table), str(boundary), "--publish")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "lad.zip: boundaries, 3 features, 3 areas" in out
    assert "enterprises.csv: enterprises, 3 rows read, 3 kept, 0 left out; 1 value(s) left out of rows kept" in out
    assert ("1 × value left out, row kept [Local authority]: lies outside every area of the boundary file, so its "
            "area is not known (row 4)") in out
    assert "areas: area filled in from the boundary file: the area the coordinates lie in (1 row(s))" in out
    assert "3: E08000037 → E08000024" in out  # the name was recognised as Gateshead's code
    engine = store.get_engine(db_url)
    try:
        loaded = store.load_dataset(engine, "main").enterprises.set_index("enterprise_id")
        assert loaded["area"].to_dict() == {"G1": "E08000024", "G2": "E08000037", "G3": "unknown"}
        assert [f["id"] for f in store.load_boundaries_geojson(engine, "main")["features"]] == GB_CODES
        version = store.list_versions(engine, "main").iloc[-1]
        assert version["file_name"] == "enterprises.csv, lad.zip"
        assert version["checksum"] == f"{store.file_checksum(table)},{store.file_checksum(boundary)}"
        assert "areas: 1 area filled, 1 area disagrees, 1 outside boundaries" in version["note"]
        # A boundary file alone makes a new version; an unreadable one is an error (exit 1).
        result = run("import", str(boundary))
        assert result.exit_code == 0 and "main version 2" in result.output
        broken = tmp_path / "broken.geojson"
        broken.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
        result = run("import", str(broken))
        assert result.exit_code == 1 and "cannot read" in result.output and "Traceback" not in result.output
        assert len(store.list_versions(engine, "main")) == 2
    finally:
        engine.dispose()


def test_cli_import_with_the_real_reader(run, db_url, tmp_path, make_frames):
    ingest = pytest.importorskip("regen.ingest")
    if not hasattr(ingest, "read_table"):
        pytest.skip("regen.ingest.read_table not available yet")
    frames = make_frames(9, "R")
    enterprises = frames["enterprises"]
    enterprises.loc[enterprises["country"] == "GB", ["lat", "lon"]] = [54.9, -1.30]  # in Newcastle's square
    table = tmp_path / "enterprises.csv"
    enterprises.to_csv(table, index=False)
    boundary = tmp_path / "lad.gpkg"
    gb_squares(27700).to_file(boundary, layer="lad")
    result = run("import", str(table), str(boundary), "--dataset", "real")
    assert result.exit_code == 0, result.output
    assert "differs from the area of the boundary file" in result.output  # E08000024 given, E08000021 found
    assert "outside every area" in result.output  # the Japanese rows (their areas are kept)
    engine = store.get_engine(db_url)
    try:
        assert store.load_boundaries_frame(engine, "real", 1) is not None
        assert (store.load_dataset(engine, "real", 1).enterprises["area"] == enterprises["area"]).all()
    finally:
        engine.dispose()
