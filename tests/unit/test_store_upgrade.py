"""A store written by the release before enterprises could lack a founding year or a location opens
with every row kept, and then accepts such enterprises (SQLite rebuilds the table; PostgreSQL alters it)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Column, MetaData, Table, create_engine, inspect

from regen import store

OLD_COLUMNS = ("enterprise_id", "name", "name_ja", "legal_form", "sector", "founded", "closed", "country",
               "region", "area", "ward", "lat", "lon", "geo_precision", "description")


def _old_store(url: str) -> None:
    """The tables as the previous release made them: founded/lat/lon NOT NULL, no *_text columns."""
    engine = create_engine(url)
    old = MetaData()
    for table in store.metadata.sorted_tables:
        if table.name == "enterprises":
            columns = [Column(c.name, c.type, nullable=c.nullable and c.name not in ("founded", "lat", "lon"),
                              primary_key=c.primary_key)
                       for c in table.columns if c.name in ("version_id", "seq", *OLD_COLUMNS)]
            Table(table.name, old, *columns)
        else:
            table.to_metadata(old)
    old.create_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO datasets (id, name, description, illustrative, created_at) "
                             "VALUES (1, 'main', '', false, CURRENT_TIMESTAMP)")
        conn.exec_driver_sql("INSERT INTO versions (id, dataset_id, number, status, created_by, created_at, "
                             "rows_enterprises, rows_figures, rows_areas) "
                             "VALUES (1, 1, 1, 'draft', 'a', CURRENT_TIMESTAMP, 1, 0, 0)")
        conn.exec_driver_sql("INSERT INTO enterprises (version_id, seq, enterprise_id, name, legal_form, sector, "
                             "founded, country, region, area, lat, lon, geo_precision) VALUES "
                             "(1, 0, 'E1', 'Old Co-op', 'cooperative', 'food', 2001, 'GB', 'north_east', "
                             "'E08000024', 54.9, -1.38, 'exact')")
    engine.dispose()


def test_store_from_the_previous_release_is_upgraded(db_url):
    _old_store(db_url)
    engine = store.get_engine(db_url)
    columns = {c["name"]: c for c in inspect(engine).get_columns("enterprises")}
    assert {"legal_form_text", "sector_text"} <= set(columns)
    assert columns["founded"]["nullable"] and columns["lat"]["nullable"] and columns["lon"]["nullable"]
    with engine.begin() as conn:
        kept = conn.exec_driver_sql("SELECT enterprise_id, founded, lat FROM enterprises").fetchall()
        assert [tuple(row) for row in kept] == [("E1", 2001, 54.9)]
        conn.exec_driver_sql("INSERT INTO enterprises (version_id, seq, enterprise_id, name, legal_form, sector, "
                             "country, region, area, geo_precision) VALUES (1, 1, 'E2', 'New', 'unknown', "
                             "'unknown', 'GB', 'unknown', 'unknown', 'none')")
    store.init_db(engine)  # a second opening changes nothing
    frame = pd.read_sql("SELECT enterprise_id, founded FROM enterprises ORDER BY seq", engine)
    assert frame["enterprise_id"].tolist() == ["E1", "E2"]
    assert pd.isna(frame["founded"].iloc[1])
    engine.dispose()


def _store_before_description_ja(url: str) -> None:
    """The tables as the release before Japanese descriptions made them: every column but description_ja,
    with one published version holding one enterprise."""
    engine = create_engine(url)
    old = MetaData()
    for table in store.metadata.sorted_tables:
        if table.name == "enterprises":
            Table(table.name, old, *[Column(c.name, c.type, nullable=c.nullable, primary_key=c.primary_key)
                                     for c in table.columns if c.name != "description_ja"])
        else:
            table.to_metadata(old)
    old.create_all(engine)
    engine.dispose()
    with create_engine(url).begin() as conn:
        conn.exec_driver_sql("INSERT INTO datasets (id, name, description, illustrative, created_at) "
                             "VALUES (1, 'main', '', false, CURRENT_TIMESTAMP)")
        conn.exec_driver_sql("INSERT INTO versions (id, dataset_id, number, status, created_by, created_at, "
                             "rows_enterprises, rows_figures, rows_areas) "
                             "VALUES (1, 1, 1, 'published', 'a', CURRENT_TIMESTAMP, 1, 0, 0)")
        conn.exec_driver_sql("INSERT INTO enterprises (version_id, seq, enterprise_id, name, name_ja, legal_form, "
                             "sector, founded, country, region, area, lat, lon, geo_precision, description, "
                             "legal_form_text) VALUES (1, 0, 'OLD1', 'Old NPO', '古いNPO', 'npo', 'care', 2001, 'JP', "
                             "'niigata', '15205', 37.37, 138.55, 'exact', 'Care.', NULL)")
        if conn.dialect.name == "postgresql":  # rows inserted with their ids: move the id sequences past them
            for table in ("datasets", "versions"):
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT max(id) FROM {table}))")


def test_store_from_before_japanese_descriptions_is_upgraded(db_url):
    _store_before_description_ja(db_url)
    engine = store.get_engine(db_url)  # opening upgrades
    assert "description_ja" in {c["name"] for c in inspect(engine).get_columns("enterprises")}
    ent = store.load_dataset(engine, "main").enterprises
    assert ent["enterprise_id"].tolist() == ["OLD1"] and ent["description"].tolist() == ["Care."]
    assert ent["description_ja"].isna().all()
    # the upgraded store takes Japanese descriptions in a new version
    new = ent.assign(description_ja=["介護。"])
    store.create_version(engine, "main", {"enterprises": new}, actor="t", publish=True)
    assert store.load_dataset(engine, "main").enterprises["description_ja"].tolist() == ["介護。"]
    store.init_db(engine)  # a second opening changes nothing
    engine.dispose()
