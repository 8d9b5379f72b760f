"""Postcode lookup tables: ONSPD/NSPL, Code-Point Open (with and without header) and simple tables
normalised; postcode districts; lookups in memory and in the store (SQLite and, when
$REGEN_TEST_POSTGRES_URL is set, PostgreSQL); the stored table replaced atomically and audited."""

from __future__ import annotations

import csv
import gzip
import io
import os
import re
import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
import sqlalchemy as sa

from regen import places, store
from regen.ingest.postcodes import (
    CODEPOINT_COLUMNS,
    PostcodeLookup,
    districts,
    normalise_postcode_table,
    read_postcodes,
)
from regen.ingest.read import IngestError
from regen.store import StoreError
from tests.fixtures import real_exports as rx

GSS_REGION = {code: slug for slug, code in rx.REGION_GSS.items()}


def metres(lat1, lon1, lat2, lon2) -> np.ndarray:
    lat1, lon1, lat2, lon2 = (np.asarray(v, dtype=float) for v in (lat1, lon1, lat2, lon2))
    dy = (lat1 - lat2) * 111_320.0
    dx = (lon1 - lon2) * 111_320.0 * np.cos(np.radians((lat1 + lat2) / 2))
    return np.hypot(dx, dy)


@pytest.fixture(scope="module")
def truths() -> list[pd.DataFrame]:
    return [rx.register_organisations()[1], rx.survey_export()[1]]


@pytest.fixture(scope="module")
def onspd_bytes(truths) -> bytes:
    return rx.onspd_postcodes(truths)


@pytest.fixture(scope="module")
def codepoint_bytes(truths) -> bytes:
    return rx.codepoint_open(truths)


@pytest.fixture(scope="module")
def onspd_raw(onspd_bytes) -> pd.DataFrame:
    """The ONSPD fixture as written (every cell text), to compare with."""
    return pd.read_csv(io.BytesIO(onspd_bytes), dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def onspd_table(onspd_bytes) -> pd.DataFrame:
    return read_postcodes(onspd_bytes, name="ONSPD_NOV_2025_UK.csv")


# --------------------------------------------------------------------------------------------
# ONS Postcode Directory
# --------------------------------------------------------------------------------------------

def test_onspd_regions_areas_wards(onspd_raw, onspd_table):
    table = onspd_table.set_index("postcode")
    assert list(onspd_table.columns) == ["postcode", "lat", "lon", "region", "area", "ward"]
    assert table.index.is_unique
    assert len(table) == len(onspd_raw)  # every fixture postcode has a grid reference
    expected = onspd_raw.set_index("pcds")
    assert set(table.index) == set(expected.index)
    expected = expected.loc[table.index]
    assert (table["region"].to_numpy() == expected["rgn"].map(GSS_REGION).to_numpy()).all()
    assert (table["area"].to_numpy() == expected["oslaua"].to_numpy()).all()
    assert (table["ward"].to_numpy() == expected["osward"].to_numpy()).all()
    assert np.allclose(table["lat"], expected["lat"].astype(float), atol=1e-9)
    assert np.allclose(table["lon"], expected["long"].astype(float), atol=1e-9)
    assert set(table["region"]) <= set(places.REGIONS)
    assert {"scotland", "wales", "northern_ireland", "north_east", "london"} <= set(table["region"])
    assert table["lat"].dtype == np.float64 and table["lon"].dtype == np.float64


def test_onspd_terminated_postcodes_kept(onspd_raw, onspd_table):
    terminated = onspd_raw.loc[onspd_raw["doterm"] != "", "pcds"]
    assert len(terminated) > 0
    assert set(terminated) <= set(onspd_table["postcode"])


def test_live_row_preferred_over_terminated_duplicate(onspd_raw):
    live = onspd_raw[onspd_raw["doterm"] == ""].head(5).copy()
    stale = live.copy()
    stale["doterm"] = "201912"
    stale["lat"] = "51.000000"
    stale["long"] = "-1.000000"
    only_stale = onspd_raw[onspd_raw["doterm"] != ""].head(1)
    frame = pd.concat([stale, onspd_raw, only_stale.assign(lat="52.500000")], ignore_index=True)
    table = normalise_postcode_table(frame)
    assert table.index.is_unique and len(table) == len(onspd_raw)
    got = table.loc[live["pcds"]]
    assert np.allclose(got["lat"], live["lat"].astype(float))
    assert np.allclose(got["lon"], live["long"].astype(float))
    # A postcode found only in terminated rows is kept (its first row).
    pc_ = only_stale["pcds"].iloc[0]
    assert table.loc[pc_, "lat"] == pytest.approx(float(only_stale["lat"].iloc[0]))


def test_no_grid_reference_rows_dropped(onspd_raw):
    nogrid = onspd_raw.head(3).copy()
    nogrid["pcds"] = ["ZE1 0AA", "ZE1 0AB", "ZE1 0AD"]
    nogrid["pcd"] = nogrid["pcd2"] = nogrid["pcds"]
    nogrid["lat"] = "99.999999"
    nogrid["long"] = "0.000000"
    table = normalise_postcode_table(pd.concat([onspd_raw, nogrid], ignore_index=True))
    assert not set(nogrid["pcds"]) & set(table.index)
    assert len(table) == len(onspd_raw)
    assert table["lat"].max() < 90


def test_nspl_columns_and_latest_year_codes(onspd_raw):
    """NSPL names (laua, ward) and newer ONSPD names (lad24cd, lad25cd, wd25cd): the latest year wins."""
    frame = pd.DataFrame({
        "pcd": onspd_raw["pcd"], "lat": onspd_raw["lat"], "long": onspd_raw["long"],
        "lad24cd": "E99999999", "lad25cd": onspd_raw["oslaua"], "wd25cd": onspd_raw["osward"],
        "rgn25cd": onspd_raw["rgn"],
    })
    table = normalise_postcode_table(frame)
    expected = onspd_raw.set_index("pcds").loc[table.index]
    assert (table["area"].to_numpy() == expected["oslaua"].to_numpy()).all()
    assert (table["ward"].to_numpy() == expected["osward"].to_numpy()).all()
    assert (table["region"].to_numpy() == expected["rgn"].map(GSS_REGION).to_numpy()).all()
    nspl = normalise_postcode_table(onspd_raw.rename(columns={"oslaua": "laua", "osward": "ward"}))
    assert (nspl["area"].to_numpy() == expected["oslaua"].to_numpy()).all()


def test_country_fills_nations_and_dummy_codes_are_missing():
    frame = pd.DataFrame({
        "pcds": ["EH1 1AA", "CF10 1AA", "BT1 1AA", "NE1 1AA", "GY1 1AA"],
        "lat": [55.95, 51.48, 54.6, 54.97, 49.45], "long": [-3.19, -3.18, -5.93, -1.61, -2.54],
        "rgn": ["", "", "N99999999", "E12000001", "L99999999"],
        "ctry": ["S92000003", "W92000004", "N92000002", "E92000001", "L93000001"],
        "oslaua": ["S12000036", "W06000015", "N09000003", "E08000021", "L99999999"],
    })
    table = normalise_postcode_table(frame)
    assert table["region"].tolist()[:4] == ["scotland", "wales", "northern_ireland", "north_east"]
    assert pd.isna(table.loc["GY1 1AA", "region"]) and pd.isna(table.loc["GY1 1AA", "area"])


# --------------------------------------------------------------------------------------------
# Code-Point Open
# --------------------------------------------------------------------------------------------

def _assert_matches_onspd(cpo: pd.DataFrame, onspd_raw: pd.DataFrame) -> None:
    table = cpo.set_index("postcode")
    expected = onspd_raw.set_index("pcds")
    gb = expected[~expected.index.str.startswith("BT")]
    assert set(table.index) == set(gb.index)  # Great Britain only
    gb = gb.loc[table.index]
    distance = metres(table["lat"], table["lon"], gb["lat"].astype(float), gb["long"].astype(float))
    assert distance.max() < 10.0, distance.max()
    assert (table["area"].to_numpy() == gb["oslaua"].to_numpy()).all()
    assert (table["ward"].to_numpy() == gb["osward"].to_numpy()).all()
    nations = gb["rgn"].map({"S99999999": "scotland", "W99999999": "wales"})
    assert table["region"].fillna("-").tolist() == nations.fillna("-").tolist()


def test_codepoint_open_without_header(codepoint_bytes, onspd_raw):
    assert not codepoint_bytes.startswith(b'"Postcode"')
    first = codepoint_bytes.split(b"\r\n", 1)[0].split(b",")[0].strip(b'"').decode()
    cpo = read_postcodes(codepoint_bytes, name="codepo_gb.csv")
    assert rx.normalise_postcode(first) in set(cpo["postcode"])  # the first line is data, not a header
    _assert_matches_onspd(cpo, onspd_raw)


def test_codepoint_open_with_header(codepoint_bytes, onspd_raw):
    header = (",".join(CODEPOINT_COLUMNS) + "\r\n").encode()
    with_header = read_postcodes(header + codepoint_bytes, name="codepo_gb.csv")
    without = read_postcodes(codepoint_bytes, name="codepo_gb.csv")
    pd.testing.assert_frame_equal(with_header, without)
    _assert_matches_onspd(with_header, onspd_raw)


def test_codepoint_open_gzip_and_data_frames(codepoint_bytes, onspd_raw):
    gz = read_postcodes(gzip.compress(codepoint_bytes), name="codepo_gb.csv.gz")
    _assert_matches_onspd(gz, onspd_raw)
    # As pandas reads it: positional columns, or the first row taken for a header (and numbers typed).
    for frame in (pd.read_csv(io.BytesIO(codepoint_bytes), header=None),
                  pd.read_csv(io.BytesIO(codepoint_bytes))):
        table = normalise_postcode_table(frame).reset_index()
        _assert_matches_onspd(table, onspd_raw)


def test_codepoint_open_one_area_file_of_scottish_rows(codepoint_bytes):
    """A per-area file (Scottish rows: blank NHS region and county) still starts at its first row."""
    rows = [r for r in codepoint_bytes.split(b"\r\n") if re.match(rb'"(EH|G)[0-9]', r)]
    cpo = read_postcodes(b"\r\n".join(rows) + b"\r\n", name="eh.csv")
    assert len(cpo) == len(rows)
    assert set(cpo["region"]) == {"scotland"}


def test_grid_references_without_lat_long(onspd_raw):
    """An ONSPD extract with only oseast1m/osnrth1m: British National Grid, Irish Grid for BT postcodes."""
    from pyproj import Transformer

    lat, lon = onspd_raw["lat"].astype(float).to_numpy(), onspd_raw["long"].astype(float).to_numpy()
    irish = onspd_raw["pcds"].str.startswith("BT").to_numpy()
    east, north = np.zeros(len(lat)), np.zeros(len(lat))
    for mask, crs in ((~irish, "EPSG:27700"), (irish, "EPSG:29903")):
        east[mask], north[mask] = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon[mask],
                                                                                                   lat[mask])
    frame = onspd_raw.drop(columns=["lat", "long"]).assign(oseast1m=np.round(east).astype(int).astype(str),
                                                           osnrth1m=np.round(north).astype(int).astype(str))
    frame.loc[0, ["oseast1m", "osnrth1m"]] = ""  # no grid reference: left out
    table = normalise_postcode_table(frame)
    assert len(table) == len(onspd_raw) - 1 and irish.any()
    expected = onspd_raw.set_index("pcds").loc[table.index]
    distance = metres(table["lat"], table["lon"], expected["lat"].astype(float), expected["long"].astype(float))
    assert distance.max() < 10.0, distance.max()


# --------------------------------------------------------------------------------------------
# Simple tables, errors
# --------------------------------------------------------------------------------------------

def test_simple_tables():
    frame = pd.DataFrame({"Post Code": ["ne1 4st", "SR28QW", " DL10 4AA ", "not a postcode", "TS1 1AA"],
                          "Latitude": ["54.97", "54.90", "54.40", "54.0", ""],
                          "Lng": [-1.61, -1.38, -1.73, -1.0, -1.23], "Region": ["North East", "north_east",
                                                                                "Yorkshire and the Humber",
                                                                                None, None]})
    table = normalise_postcode_table(frame)
    assert table.index.tolist() == ["NE1 4ST", "SR2 8QW", "DL10 4AA"]
    assert table["lat"].tolist() == [54.97, 54.90, 54.40]
    assert table["region"].tolist() == ["north_east", "north_east", "yorkshire_humber"]
    assert "area" not in table.columns and "ward" not in table.columns
    japanese = normalise_postcode_table(
        pd.DataFrame({"郵便番号": ["9450051"], "緯度": [37.37], "経度": [138.55]}))
    assert japanese.index.tolist() == ["945-0051"]
    data = "postcode\tlat\tlon\nNE1 4ST\t54.97\t-1.61\n".encode()
    assert read_postcodes(data, name="p.tsv").to_dict("records") == [
        {"postcode": "NE1 4ST", "lat": 54.97, "lon": -1.61}]
    assert normalise_postcode_table(pd.DataFrame({"postcode": [], "lat": [], "lon": []})) is None
    workbook = io.BytesIO()
    pd.DataFrame({"Postcode": ["NE1 4ST", "SR2 8QW"], "Latitude": [54.97, 54.9],
                  "Longitude": [-1.61, -1.38]}).to_excel(workbook, index=False)
    assert read_postcodes(workbook.getvalue(), name="lookup.xlsx")["lat"].tolist() == [54.97, 54.9]


def test_no_usable_columns_raise():
    with pytest.raises(IngestError) as err:
        normalise_postcode_table(pd.DataFrame({"name": ["a"], "town": ["b"]}))
    assert err.value.code == "bad_postcodes"
    with pytest.raises(IngestError) as err:
        normalise_postcode_table(pd.DataFrame({"postcode": ["NE1 4ST"], "town": ["Newcastle"]}))
    assert err.value.code == "bad_postcodes" and "coordinates" in err.value.message
    with pytest.raises(IngestError) as err:
        read_postcodes(b"name,town\nAlpha,Sunderland\nBeta,Durham\n", name="x.csv")
    assert err.value.code == "bad_postcodes"


# --------------------------------------------------------------------------------------------
# Districts and lookups
# --------------------------------------------------------------------------------------------

def test_districts_means(onspd_table):
    got = districts(onspd_table.set_index("postcode"))
    frame = onspd_table.assign(outward=onspd_table["postcode"].str.split(" ").str[0])
    expected = frame.groupby("outward").agg(lat=("lat", "mean"), lon=("lon", "mean"), postcodes=("lat", "size"))
    assert got.index.name == "outward"
    assert got.index.tolist() == sorted(expected.index)
    expected = expected.loc[got.index]
    assert np.allclose(got["lat"], expected["lat"]) and np.allclose(got["lon"], expected["lon"])
    assert (got["postcodes"].to_numpy() == expected["postcodes"].to_numpy()).all()
    assert "DL10" in got.index and "NE1" in got.index
    # Same from a table with a postcode column; Japanese postcodes have no district.
    extra = pd.DataFrame({"postcode": ["945-0051"], "lat": [37.37], "lon": [138.55]})
    assert districts(pd.concat([onspd_table, extra])).equals(got)


def _queries(onspd_table: pd.DataFrame) -> pd.Series:
    known = onspd_table["postcode"].tolist()
    values = [*known, "ZZ9 9ZZ", None, known[0].lower().replace(" ", ""), "nonsense"]
    return pd.Series(values, index=[f"r{i}" for i in range(len(values))], dtype=object)


def _check_found(found: pd.DataFrame, queries: pd.Series, onspd_table: pd.DataFrame) -> None:
    n = len(onspd_table)
    assert found.index.equals(queries.index)
    assert list(found.columns) == ["lat", "lon", "region", "area", "ward"]
    expected = onspd_table.reset_index(drop=True)
    assert np.allclose(found["lat"].to_numpy()[:n], expected["lat"].to_numpy())
    assert (found["area"].to_numpy()[:n] == expected["area"].to_numpy()).all()
    assert (found["region"].to_numpy()[:n] == expected["region"].to_numpy()).all()
    assert found.iloc[n:n + 2].isna().all().all()  # unknown postcode, missing cell
    assert found["lat"].iloc[n + 2] == expected["lat"].iloc[0]  # "b10fb" is formatted first
    assert found.iloc[n + 3].isna().all()


def test_lookup_from_table(onspd_table):
    lookup = PostcodeLookup.from_table(onspd_table.set_index("postcode"))
    queries = _queries(onspd_table)
    _check_found(lookup.find(queries), queries, onspd_table)
    outward = pd.Series(["NE1", "dl10 ", "ZZ99", None], index=[3, 1, 2, 0])
    got = lookup.find_districts(outward)
    d = districts(onspd_table)
    assert got.index.equals(outward.index) and list(got.columns) == ["lat", "lon"]
    assert got["lat"].tolist()[:2] == [d.loc["NE1", "lat"], d.loc["DL10", "lat"]]
    assert got.iloc[2:].isna().all().all()
    # A table in a public format is normalised first; an empty query gives an empty answer.
    raw = PostcodeLookup.from_table(pd.DataFrame({"pcds": ["NE1 4ST"], "lat": ["54.97"], "long": ["-1.61"]}))
    assert raw.find(pd.Series(["NE1 4ST"]))["lat"].tolist() == [54.97]
    assert raw.find(pd.Series([], dtype="str")).empty


def count_rows(engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(sa.table(table))).scalar_one()


def test_store_round_trip_and_lookup(store_engine, onspd_table):
    assert store.postcode_table_info(store_engine) is None
    empty = PostcodeLookup.from_store(store_engine).find(pd.Series(["NE1 4ST"]))
    assert empty.isna().all().all()
    stored = store.save_postcodes(store_engine, onspd_table.set_index("postcode"), actor=" ana ",
                                  source="ONSPD_NOV_2025_UK.csv")
    assert stored == len(onspd_table) == count_rows(store_engine, "postcodes")
    info = store.postcode_table_info(store_engine)
    assert info["rows"] == stored and info["source"] == "ONSPD_NOV_2025_UK.csv" and info["actor"] == "ana"
    assert info["districts"] == len(districts(onspd_table)) == count_rows(store_engine, "postcode_districts")
    assert info["at"].tzinfo is not None
    # More postcodes than one IN (...) query takes on SQLite (900): looked up in chunks.
    queries = _queries(onspd_table)
    assert len(onspd_table) > 900
    lookup = PostcodeLookup.from_store(store_engine)
    found = lookup.find(queries)
    _check_found(found, queries, onspd_table)
    pd.testing.assert_frame_equal(found, PostcodeLookup.from_table(onspd_table.set_index("postcode")).find(queries))
    outward = pd.Series(["NE1", "dl10", "ZZ99", None])
    pd.testing.assert_frame_equal(lookup.find_districts(outward),
                                  PostcodeLookup.from_table(onspd_table.set_index("postcode")).find_districts(outward))
    direct = store.lookup_postcodes(store_engine, ["NE1 4ST", "ZZ9 9ZZ", onspd_table["postcode"].iloc[0]])
    assert direct.index.name == "postcode" and direct.index.tolist() == [onspd_table["postcode"].iloc[0]]
    assert store.lookup_districts(store_engine, ["NE1"])["postcodes"].iloc[0] == districts(onspd_table).loc[
        "NE1", "postcodes"]
    log = store.audit(store_engine)
    entry = log.iloc[0]
    assert (entry["action"], entry["actor"], entry["file_name"]) == ("postcodes", "ana", "ONSPD_NOV_2025_UK.csv")
    assert str(stored) in entry["detail"]


def test_save_twice_replaces(store_engine, onspd_table, codepoint_bytes):
    store.save_postcodes(store_engine, onspd_table, actor="ana", source="onspd.csv")
    cpo = read_postcodes(codepoint_bytes, name="codepo_gb.csv")
    stored = store.save_postcodes(store_engine, cpo, actor="ben", source="codepo_gb.csv")
    assert stored == len(cpo) < len(onspd_table) and count_rows(store_engine, "postcodes") == len(cpo)
    assert count_rows(store_engine, "postcode_districts") == len(districts(cpo))
    info = store.postcode_table_info(store_engine)
    assert (info["rows"], info["source"], info["actor"]) == (len(cpo), "codepo_gb.csv", "ben")
    belfast = onspd_table.loc[onspd_table["postcode"].str.startswith("BT"), "postcode"].iloc[0]
    assert store.lookup_postcodes(store_engine, [belfast]).empty  # not in Code-Point Open
    assert list(store.audit(store_engine)["action"]) == ["postcodes", "postcodes"]


def test_save_is_atomic(store_engine, onspd_table, monkeypatch):
    store.save_postcodes(store_engine, onspd_table, actor="ana", source="onspd.csv")
    before = store.postcode_table_info(store_engine)
    sample = onspd_table["postcode"].iloc[:5].tolist()
    kept = store.lookup_postcodes(store_engine, sample)
    replacement = onspd_table.assign(lat=onspd_table["lat"] + 1.0)
    calls = {"n": 0}

    def failing(real):
        def chunk(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] == 3:
                raise RuntimeError("disk on fire")
            return real(*args, **kwargs)
        return chunk

    monkeypatch.setattr(store, "CHUNK_ROWS", 200)
    monkeypatch.setattr(store, "_postcode_rows", failing(store._postcode_rows))  # SQLite, others
    monkeypatch.setattr(store, "_postcode_csv", failing(store._postcode_csv))  # PostgreSQL (COPY)
    with pytest.raises(RuntimeError):
        store.save_postcodes(store_engine, replacement, actor="ben", source="broken.csv")
    assert calls["n"] == 3  # failed mid-way, after two chunks were written
    assert store.postcode_table_info(store_engine) == before
    pd.testing.assert_frame_equal(store.lookup_postcodes(store_engine, sample), kept)
    assert count_rows(store_engine, "postcodes") == len(onspd_table)
    assert list(store.audit(store_engine)["action"]) == ["postcodes"]
    # Invalid input is refused before anything is written.
    monkeypatch.undo()
    with pytest.raises(StoreError):
        store.save_postcodes(store_engine, pd.DataFrame({"postcode": ["NE1 4ST"]}), actor="ben", source="x.csv")
    with pytest.raises(StoreError):
        store.save_postcodes(store_engine, onspd_table, actor=" ", source="x.csv")
    assert store.postcode_table_info(store_engine) == before


def test_tables_added_to_an_older_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = sa.create_engine(url)
    new_tables = {"postcodes", "postcode_districts", "postcode_sources"}
    store.metadata.create_all(old, tables=[t for t in store.metadata.sorted_tables if t.name not in new_tables])
    assert not new_tables & set(sa.inspect(old).get_table_names())
    old.dispose()
    engine = store.get_engine(url)
    try:
        assert new_tables <= set(sa.inspect(engine).get_table_names())
        assert store.postcode_table_info(engine) is None
    finally:
        engine.dispose()


# --------------------------------------------------------------------------------------------
# Size: the full ONSPD (benchmark-style figures, printed, not asserted)
# --------------------------------------------------------------------------------------------

def synthetic_onspd(n: int, seed: int = 7) -> pd.DataFrame:
    """``n`` ONSPD-shaped rows as read from a file (every cell text), built with arrow: unique postcodes
    in made-up districts, 10 % terminated, 0.2 % without a grid reference."""
    rng = np.random.default_rng(seed)
    text = pa.large_string()
    areas = [a + b for a in "ABCDEFGHKLMNOPRSTWY" for b in ["", *"ABDEHLMNRSTW"]]
    n_out = max(n // 900 + 1, 50)
    outwards = pa.array([f"{areas[i % len(areas)]}{i // len(areas) + 1}" for i in range(n_out)], type=text)
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    inwards = pa.array([f"{d}{a}{b}" for d in "0123456789" for a in letters for b in letters], type=text)
    ids = np.arange(n, dtype=np.int64) * ((n_out * len(inwards)) // n)
    outward = pc.take(outwards, pa.array(ids // len(inwards)))
    inward = pc.take(inwards, pa.array(ids % len(inwards)))
    lat = 50 + 8 * rng.random(n)
    lon = -6 + 7.5 * rng.random(n)
    nogrid = rng.random(n) < 0.002
    lat[nogrid], lon[nogrid] = 99.999999, 0.0

    def pick(values: list[str], size: int) -> pa.Array:
        return pc.take(pa.array(values, type=text), pa.array(rng.integers(0, len(values), size)))

    def column(arr) -> pd.Series:
        return pd.Series(arr.to_pandas(), dtype="str")

    rgn = [f"E1200000{i}" for i in range(1, 10)] + ["S99999999", "W99999999", "N99999999"]
    return pd.DataFrame({
        "pcd": column(pc.binary_join_element_wise(pc.utf8_rpad(outward, 4), inward, pa.scalar("", text))),
        "pcd2": column(pc.binary_join_element_wise(pc.utf8_rpad(outward, 5), inward, pa.scalar("", text))),
        "pcds": column(pc.binary_join_element_wise(outward, inward, pa.scalar(" ", text))),
        "dointr": column(pick(["198001", "199806", "201204"], n)),
        "doterm": column(pc.if_else(pa.array(rng.random(n) < 0.1), pa.scalar("202001", text),
                                    pa.scalar(None, text))),
        "oslaua": column(pick([f"E0{6 + i % 3}000{i:03d}" for i in range(400)], n)),
        "osward": column(pick([f"E05{i:06d}" for i in range(9000)], n)),
        "ctry": column(pick(["E92000001"], n)),
        "rgn": column(pick(rgn, n)),
        "lat": column(pc.cast(pa.array(lat), pa.string())),
        "long": column(pc.cast(pa.array(lon), pa.string())),
    })


def test_benchmark_full_onspd_and_store(tmp_path, capsys):
    rows = int(os.environ.get("REGEN_POSTCODE_BENCH_ROWS", "2700000"))
    stored_rows = int(os.environ.get("REGEN_POSTCODE_BENCH_STORE_ROWS", "300000"))
    frame = synthetic_onspd(rows)
    start = time.perf_counter()
    table = normalise_postcode_table(frame)
    normalise_s = time.perf_counter() - start
    assert table.index.is_unique and 0.99 * rows < len(table) <= rows
    start = time.perf_counter()
    outward = districts(table)
    districts_s = time.perf_counter() - start
    lookup = PostcodeLookup.from_table(table)
    queries = pd.Series(table.index[:: max(rows // 10_000, 1)].to_numpy())
    lookup.find(queries.iloc[:1])  # builds the sorted keys once
    start = time.perf_counter()
    found = lookup.find(queries)
    find_s = time.perf_counter() - start
    assert found["lat"].notna().all()
    engine = store.get_engine(f"sqlite:///{tmp_path / 'bench.db'}")
    try:
        start = time.perf_counter()
        stored = store.save_postcodes(engine, table.iloc[:stored_rows], actor="bench", source="synthetic.csv")
        save_s = time.perf_counter() - start
        asked = pd.Series(table.index[:stored_rows:30].to_numpy())
        start = time.perf_counter()
        in_store = PostcodeLookup.from_store(engine).find(asked)
        store_find_s = time.perf_counter() - start
        assert in_store["lat"].notna().all()
    finally:
        engine.dispose()
    with capsys.disabled():
        print(f"\n[postcodes] normalise {rows:,} ONSPD rows: {normalise_s:.2f} s; districts ({len(outward):,}): "
              f"{districts_s:.2f} s; find {len(queries):,} in memory: {find_s * 1000:.0f} ms; "
              f"save_postcodes {stored:,} rows (SQLite): {save_s:.2f} s; find {len(asked):,} from the store: "
              f"{store_find_s * 1000:.0f} ms")


def test_csv_module_agrees_with_fixture_header(onspd_bytes):
    """The ONSPD fixture has the columns the normaliser expects (a guard against fixture drift)."""
    header = next(csv.reader(io.StringIO(onspd_bytes.decode("utf-8"))))
    assert header == rx.ONSPD_COLUMNS
