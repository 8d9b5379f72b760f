"""The versioned store, on SQLite and (when $REGEN_TEST_POSTGRES_URL is set) PostgreSQL."""

from __future__ import annotations

import json
import threading

import pandas as pd
import pytest
import sqlalchemy as sa

from regen import store
from regen.store import StoreError


def assert_same(dataset, frames: dict[str, pd.DataFrame]) -> None:
    for kind, frame in frames.items():
        pd.testing.assert_frame_equal(getattr(dataset, kind), frame, check_dtype=True)


def count_rows(engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(sa.table(table))).scalar_one()


def test_round_trip_import_publish_load(store_engine, make_frames):
    frames = make_frames(40, "A")
    number = store.create_version(store_engine, "main", frames, actor="ana", file_name="a.csv",
                                  checksum="c0ffee", publish=True)
    assert number == 1
    assert store.published_version(store_engine, "main") == 1
    loaded = store.load_dataset(store_engine, "main")
    assert loaded.name == "main" and loaded.illustrative is False and loaded.problems == {}
    assert_same(loaded, frames)
    # Japanese text, missing values and floats survive exactly.
    assert loaded.enterprises["name_ja"].dropna().str.startswith("企業").all()
    assert loaded.figures["turnover"].isna().any()


def test_only_schema_columns_are_stored(store_engine, make_frames):
    frames = make_frames(5, "P")
    frames["enterprises"] = frames["enterprises"].assign(email="someone@example.org", phone="0123")
    store.create_version(store_engine, "main", frames, actor="ana", publish=True)
    columns = {c["name"] for c in sa.inspect(store_engine).get_columns("enterprises")}
    assert "email" not in columns and "phone" not in columns
    assert "email" not in store.load_dataset(store_engine, "main").enterprises.columns


def test_draft_is_not_published_until_publish(store_engine, make_frames):
    store.create_version(store_engine, "main", make_frames(5, "A"), actor="ana")
    assert store.published_version(store_engine, "main") is None
    with pytest.raises(StoreError, match="no published version"):
        store.load_dataset(store_engine, "main")
    assert len(store.load_dataset(store_engine, "main", version=1).enterprises) == 5
    store.publish(store_engine, "main", 1, "ana")
    assert store.published_version(store_engine, "main") == 1
    with pytest.raises(StoreError, match="already published"):
        store.publish(store_engine, "main", 1, "ana")
    with pytest.raises(StoreError, match="no version 7"):
        store.publish(store_engine, "main", 7, "ana")
    with pytest.raises(StoreError, match="no dataset"):
        store.publish(store_engine, "nope", 1, "ana")


def test_partial_import_copies_other_tables_from_published(store_engine, make_frames):
    first = make_frames(30, "A")
    store.create_version(store_engine, "main", first, actor="ana", publish=True)
    new_figures = make_frames(30, "A", years=2, first_year=2030 - 2)["figures"]
    number = store.create_version(store_engine, "main", {"figures": new_figures}, actor="ana")
    version = store.load_dataset(store_engine, "main", number)
    assert_same(version, {"enterprises": first["enterprises"], "figures": new_figures, "areas": first["areas"]})
    row = store.list_versions(store_engine, "main").set_index("version").loc[number]
    assert row["copied_from"] == 1 and row["rows_figures"] == len(new_figures)
    # The published version is untouched.
    assert_same(store.load_dataset(store_engine, "main"), first)


def test_failed_import_leaves_nothing(store_engine, make_frames, monkeypatch):
    monkeypatch.setattr(store, "CHUNK_ROWS", 50)
    good = make_frames(10, "G")
    store.create_version(store_engine, "main", good, actor="ana", publish=True)
    before = {t: count_rows(store_engine, t) for t in ("versions", "enterprises", "figures", "areas", "audit_log")}
    frames = make_frames(160, "B")  # 160 enterprises = 4 chunks of 50; 480 figures
    bad = frames["figures"].astype({"employees": "Int64"}).copy()
    bad.loc[len(bad) - 1, "employees"] = pd.NA  # a required value missing in the very last row
    frames["figures"] = bad
    with pytest.raises(StoreError, match="nothing was stored"):
        store.create_version(store_engine, "new", frames, actor="ana", file_name="bad.csv", publish=True)
    after = {t: count_rows(store_engine, t) for t in before}
    assert after == before
    assert "new" not in set(store.list_datasets(store_engine)["name"])
    assert store.audit(store_engine, dataset="new").empty
    assert_same(store.load_dataset(store_engine, "main"), good)


def test_exception_midway_rolls_back(store_engine, make_frames, monkeypatch):
    calls = []
    real = store._insert_frame

    def flaky(conn, kind, version_id, frame):
        calls.append(kind)
        if kind == "figures":  # enterprises are already in; fail before the transaction can commit
            raise RuntimeError("disk on fire")
        return real(conn, kind, version_id, frame)

    monkeypatch.setattr(store, "_insert_frame", flaky)
    with pytest.raises(RuntimeError, match="disk on fire"):
        store.create_version(store_engine, "main", make_frames(20, "A"), actor="ana", publish=True)
    assert calls == ["enterprises", "figures"]
    for table in ("datasets", "versions", "enterprises", "figures", "areas", "audit_log", "publications"):
        assert count_rows(store_engine, table) == 0, table


def test_rollback_restores_previous_published(store_engine, make_frames):
    v1, v2, v3 = make_frames(8, "A"), make_frames(9, "B"), make_frames(10, "C")
    for frames in (v1, v2, v3):
        store.create_version(store_engine, "main", frames, actor="ana", publish=True)
    assert store.rollback(store_engine, "main", "bob") == 2
    assert_same(store.load_dataset(store_engine, "main"), v2)
    statuses = store.list_versions(store_engine, "main").set_index("version")["status"].to_dict()
    assert statuses == {1: "archived", 2: "published", 3: "archived"}
    assert store.rollback(store_engine, "main", "bob") == 1
    assert_same(store.load_dataset(store_engine, "main"), v1)
    with pytest.raises(StoreError, match="no earlier published version"):
        store.rollback(store_engine, "main", "bob")
    assert store.published_version(store_engine, "main") == 1
    # Publishing again then rolling back returns to the version published just before.
    store.publish(store_engine, "main", 3, "ana")
    assert store.rollback(store_engine, "main", "bob") == 1


def test_rollback_errors(store_engine, make_frames):
    with pytest.raises(StoreError, match="no dataset"):
        store.rollback(store_engine, "main", "bob")
    store.create_version(store_engine, "main", make_frames(3, "A"), actor="ana")
    with pytest.raises(StoreError, match="no published version"):
        store.rollback(store_engine, "main", "bob")
    store.publish(store_engine, "main", 1, "ana")
    with pytest.raises(StoreError, match="no earlier"):
        store.rollback(store_engine, "main", "bob")


def test_audit_records_actor_file_and_checksum(store_engine, make_frames):
    store.create_version(store_engine, "main", make_frames(4, "A"), actor="ana", file_name="a.csv",
                         checksum="abc123", note="first")
    store.create_version(store_engine, "main", make_frames(4, "B"), actor="ben", file_name="b.xlsx",
                         checksum="def456", publish=True)
    log = store.audit(store_engine)
    assert list(log["action"]) == ["publish", "import", "import"]  # newest first
    first = log.iloc[-1]
    assert (first["actor"], first["dataset"], first["version"], first["file_name"], first["checksum"]) == \
        ("ana", "main", 1, "a.csv", "abc123")
    assert "enterprises 4" in first["detail"] and "first" in first["detail"]
    assert (log.iloc[0]["actor"], log.iloc[0]["version"], log.iloc[0]["checksum"]) == ("ben", 2, "def456")
    assert log["at"].dt.tz is not None
    versions = store.list_versions(store_engine)
    assert list(versions["created_by"]) == ["ana", "ben"]
    assert list(versions["checksum"]) == ["abc123", "def456"]


def test_concurrent_imports_get_distinct_consecutive_numbers(store_engine, make_frames):
    threads, per_thread = 4, 3
    made = {(t, i): make_frames(60, f"T{t}I{i}-", years=2) for t in range(threads) for i in range(per_thread)}
    numbers: dict[tuple[int, int], int] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def worker(t: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                numbers[(t, i)] = store.create_version(
                    store_engine, "race", made[(t, i)], actor=f"analyst{t}", file_name=f"t{t}-{i}.csv")
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=120)
    assert not errors, errors
    assert sorted(numbers.values()) == list(range(1, threads * per_thread + 1))
    versions = store.list_versions(store_engine, "race").set_index("version")
    for key, number in numbers.items():
        assert versions.loc[number, "file_name"] == f"t{key[0]}-{key[1]}.csv"
        assert_same(store.load_dataset(store_engine, "race", number), made[key])
    assert count_rows(store_engine, "enterprises") == threads * per_thread * 60


def test_list_datasets_and_versions(store_engine, make_frames):
    assert store.list_versions(store_engine).empty
    assert store.list_datasets(store_engine).empty
    store.create_version(store_engine, "b-set", make_frames(3, "A"), actor="ana", publish=True,
                         description="Beta", illustrative=True)
    store.create_version(store_engine, "a-set", make_frames(3, "A"), actor="ana")
    datasets = store.list_datasets(store_engine)
    assert list(datasets["name"]) == ["a-set", "b-set"]
    assert datasets.set_index("name").loc["b-set", "published"] == 1
    assert pd.isna(datasets.set_index("name").loc["a-set", "published"])
    assert bool(datasets.set_index("name").loc["b-set", "illustrative"]) is True
    assert store.load_dataset(store_engine, "b-set").illustrative is True
    assert list(store.list_versions(store_engine, "a-set")["version"]) == [1]


@pytest.mark.parametrize("name", ["", "has space", "x" * 65, "../etc", "-lead"])
def test_bad_dataset_names_refused(store_engine, make_frames, name):
    with pytest.raises(StoreError, match="invalid dataset name"):
        store.create_version(store_engine, name, make_frames(2, "A"), actor="ana")


def test_bad_inputs_refused(store_engine, make_frames):
    with pytest.raises(StoreError, match="nothing to import"):
        store.create_version(store_engine, "main", {}, actor="ana")
    with pytest.raises(StoreError, match="unknown table kind"):
        store.create_version(store_engine, "main", {"people": pd.DataFrame()}, actor="ana")
    with pytest.raises(StoreError, match="required column"):
        store.create_version(store_engine, "main", {"figures": pd.DataFrame({"year": [2020]})}, actor="ana")
    with pytest.raises(StoreError, match="actor"):
        store.create_version(store_engine, "main", make_frames(2, "A"), actor=" ")


def test_get_engine_sources_and_errors(tmp_path, monkeypatch):
    monkeypatch.setenv(store.ENV_DATABASE_URL, f"sqlite:///{tmp_path / 'sub' / 'env.db'}")
    engine = store.get_engine()
    assert (tmp_path / "sub" / "env.db").exists()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
    engine.dispose()
    monkeypatch.delenv(store.ENV_DATABASE_URL)
    assert store.database_url() == f"sqlite:///{store.DEFAULT_DB_PATH}"
    with pytest.raises(StoreError, match="invalid database URL"):
        store.get_engine("not a url")
    with pytest.raises(StoreError, match="cannot (open|use) database"):
        store.get_engine("postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    try:
        store.get_engine("postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    except StoreError as err:
        assert "secret" not in str(err)


def test_export_helpers(make_frames):
    from regen.dataset import Dataset

    frames = make_frames(6, "A", years=3)
    data = Dataset(frames["enterprises"], frames["figures"], frames["areas"], name="x")
    table = store.enterprises_with_latest_figures(data)
    assert len(table) == 6 and (table["year"] == 2020).all()
    geo = json.loads(store.geojson_bytes(table))
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == 6
    feature = geo["features"][0]
    assert feature["geometry"]["type"] == "Point"
    assert feature["geometry"]["coordinates"] == [table.loc[0, "lon"], table.loc[0, "lat"]]
    assert feature["properties"]["enterprise_id"] == "A000000"
    assert "lat" not in feature["properties"]


def test_ensure_sample(store_engine):
    from regen.dataset import SAMPLE_DIR, load_sample

    if not (SAMPLE_DIR / "enterprises.csv").exists():
        pytest.skip("built-in sample not generated yet (python -m regen sample)")
    number = store.ensure_sample(store_engine)
    assert number == 1
    assert store.ensure_sample(store_engine) is None
    loaded = store.load_dataset(store_engine, "sample")
    sample = load_sample()
    assert loaded.illustrative is True
    assert_same(loaded, {"enterprises": sample.enterprises, "figures": sample.figures, "areas": sample.areas})
    assert store.audit(store_engine, dataset="sample").iloc[-1]["actor"] == "system"
