"""Remembered column mappings in the store, on SQLite and (when $REGEN_TEST_POSTGRES_URL is set) PostgreSQL."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from regen import store
from regen.ingest import mapping_signature
from regen.store import StoreError

NOTE = "備考 \"引用\" \\ \U0001F331"  # quotes, a backslash and a character outside the BMP
KA_DECOMPOSED = "\u304b\u3099"  # が as か + combining mark: must not come back normalised
HEADERS_JA = ["事業所名", "法人格", "従業員数（人）", "所在地　郵便番号", "担当者名", NOTE, KA_DECOMPOSED]
MAPPING_JA = {"事業所名": "name_ja", "法人格": "legal_form", "従業員数（人）": "employees",
              "所在地　郵便番号": "postcode", "担当者名": None, NOTE: "description", KA_DECOMPOSED: None}
SIG = mapping_signature(HEADERS_JA)


def count_rows(engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(sa.table(table))).scalar_one()


def mapping_actions(engine) -> list[str]:
    return [a for a in store.audit(engine)["action"] if a.endswith("_mapping")]


def test_round_trip_japanese_headers_exactly(store_engine):
    store.remember_mapping(store_engine, SIG, "enterprises", MAPPING_JA, actor="ana")
    recalled = store.recall_mapping(store_engine, SIG, "enterprises")
    assert recalled == MAPPING_JA
    assert list(recalled) == HEADERS_JA  # the file's column order
    assert KA_DECOMPOSED in recalled and "\u304c" not in recalled
    # Kinds are remembered separately.
    assert store.recall_mapping(store_engine, SIG, "figures") is None
    with store_engine.connect() as conn:
        stored = conn.execute(sa.select(store.mappings_table.c.mapping)).scalar_one()
    assert "事業所名" in stored  # readable JSON text, not \\u escapes


def test_upsert_replaces_and_audits(store_engine):
    store.remember_mapping(store_engine, SIG, "enterprises", MAPPING_JA, actor="ana")
    corrected = {**MAPPING_JA, "事業所名": "name", "法人格": None}
    store.remember_mapping(store_engine, SIG, "enterprises", corrected, actor=" ben ")
    assert store.recall_mapping(store_engine, SIG, "enterprises") == corrected
    assert count_rows(store_engine, "column_mappings") == 1
    log = store.audit(store_engine)
    assert list(log["action"]) == ["remember_mapping", "remember_mapping"]
    assert list(log["actor"]) == ["ben", "ana"]
    assert log.iloc[0]["detail"] == f"enterprises {SIG}: 4 of 7 columns mapped"
    assert log["dataset"].isna().all()


def test_recall_unknown_is_none(store_engine):
    assert store.recall_mapping(store_engine, "0123456789abcdef", "areas") is None
    store.remember_mapping(store_engine, SIG, "areas", {"code": "code"}, actor="ana")
    assert store.recall_mapping(store_engine, "0123456789abcdef", "areas") is None


def test_recall_drops_fields_no_longer_known(store_engine):
    with store_engine.begin() as conn:
        conn.execute(sa.insert(store.mappings_table).values(
            signature=SIG, kind="figures", mapping=json.dumps({"年度": "year", "旧項目": "retired_field"}),
            actor="old release", updated_at=datetime.now(UTC)))
    assert store.recall_mapping(store_engine, SIG, "figures") == {"年度": "year", "旧項目": None}


@pytest.mark.parametrize(("args", "message"), [
    ((SIG, "enterprises", {"事業所名": "nickname"}, "ana"), "unknown field 'nickname'"),
    ((SIG, "enterprises", {"事業所名": "name", 3: "year"}, "ana"), "header 3 is not text"),
    ((SIG, "enterprises", {}, "ana"), "at least one header"),
    ((SIG, "enterprises", ["name"], "ana"), "at least one header"),
    ((SIG, "people", {"事業所名": "name"}, "ana"), "unknown table kind 'people'"),
    (("", "enterprises", {"事業所名": "name"}, "ana"), "invalid mapping signature"),
    (("  ", "enterprises", {"事業所名": "name"}, "ana"), "invalid mapping signature"),
    (("x" * 65, "enterprises", {"事業所名": "name"}, "ana"), "invalid mapping signature"),
    ((None, "enterprises", {"事業所名": "name"}, "ana"), "invalid mapping signature"),
    ((SIG, "enterprises", {"事業所名": "name"}, " "), "actor"),
])
def test_bad_input_refused_and_nothing_written(store_engine, args, message):
    signature, kind, mapping, actor = args
    with pytest.raises(StoreError, match=message):
        store.remember_mapping(store_engine, signature, kind, mapping, actor=actor)
    assert count_rows(store_engine, "column_mappings") == 0
    assert count_rows(store_engine, "audit_log") == 0


def test_read_and_forget_check_their_arguments(store_engine):
    with pytest.raises(StoreError, match="unknown table kind"):
        store.recall_mapping(store_engine, SIG, "people")
    with pytest.raises(StoreError, match="invalid mapping signature"):
        store.recall_mapping(store_engine, "x" * 65, "areas")
    with pytest.raises(StoreError, match="actor"):
        store.forget_mapping(store_engine, SIG, "areas", actor="")


def test_failure_inside_the_transaction_leaves_nothing(store_engine, monkeypatch):
    def broken_audit(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(store, "audit_entry", broken_audit)
    with pytest.raises(RuntimeError, match="audit log unavailable"):
        store.remember_mapping(store_engine, SIG, "enterprises", MAPPING_JA, actor="ana")
    assert count_rows(store_engine, "column_mappings") == 0


def test_insert_clash_is_retried_as_update(store_engine, monkeypatch):
    store.remember_mapping(store_engine, SIG, "figures", {"年度": "year"}, actor="ana")
    real_update = store.update
    stale = {"left": 1}

    def update_that_misses(table):
        # As if another writer inserted the row between our UPDATE (0 rows) and our INSERT.
        if table is store.mappings_table and stale["left"]:
            stale["left"] -= 1
            return real_update(table).where(sa.false())
        return real_update(table)

    monkeypatch.setattr(store, "update", update_that_misses)
    store.remember_mapping(store_engine, SIG, "figures", {"年度": "year", "従業員": "employees"}, actor="ben")
    assert stale["left"] == 0
    assert store.recall_mapping(store_engine, SIG, "figures") == {"年度": "year", "従業員": "employees"}
    assert mapping_actions(store_engine) == ["remember_mapping", "remember_mapping"]  # the failed try left none

    stale["left"] = store.MAPPING_RETRIES
    with pytest.raises(StoreError, match="remembering the column mapping failed"):
        store.remember_mapping(store_engine, SIG, "figures", {"年度": None}, actor="ben")
    assert store.recall_mapping(store_engine, SIG, "figures") == {"年度": "year", "従業員": "employees"}
    assert len(mapping_actions(store_engine)) == 2


def test_concurrent_upserts_of_one_key_end_with_one_row(store_engine):
    threads, rounds = 6, 4
    signatures = [f"{SIG}-{r}" for r in range(rounds)]  # a fresh key per round: every round races to insert
    mappings = {(t, r): {"事業所名": "name", f"列{t}-{r}": "employees"}
                for t in range(threads) for r in range(rounds)}
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def worker(t: int) -> None:
        try:
            for r in range(rounds):
                start.wait()
                store.remember_mapping(store_engine, signatures[r], "enterprises", mappings[(t, r)],
                                       actor=f"analyst{t}")
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)
            start.abort()

    pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=120)
    assert not errors, errors
    assert count_rows(store_engine, "column_mappings") == rounds
    for r, signature in enumerate(signatures):
        recalled = store.recall_mapping(store_engine, signature, "enterprises")
        assert recalled in [mappings[(t, r)] for t in range(threads)]
    assert len(mapping_actions(store_engine)) == threads * rounds


def test_list_and_forget(store_engine):
    assert list(store.list_mappings(store_engine).columns) == list(store.MAPPING_FIELDS)
    assert store.list_mappings(store_engine).empty
    store.remember_mapping(store_engine, SIG, "enterprises", MAPPING_JA, actor="ana")
    store.remember_mapping(store_engine, "feedfacefeedface", "areas", {"code": "code", "人口": None}, actor="ben")
    listed = store.list_mappings(store_engine)
    assert list(listed.columns) == list(store.MAPPING_FIELDS)
    assert listed[["signature", "kind", "columns_mapped", "actor"]].values.tolist() == [
        ["feedfacefeedface", "areas", 1, "ben"], [SIG, "enterprises", 5, "ana"]]  # newest first
    assert listed["updated_at"].dt.tz is not None
    assert listed["updated_at"].is_monotonic_decreasing

    assert store.forget_mapping(store_engine, SIG, "enterprises", actor="cy") is True
    assert store.forget_mapping(store_engine, SIG, "enterprises", actor="cy") is False
    assert store.recall_mapping(store_engine, SIG, "enterprises") is None
    assert list(store.list_mappings(store_engine)["signature"]) == ["feedfacefeedface"]
    log = store.audit(store_engine)
    assert list(log["action"]) == ["forget_mapping", "remember_mapping", "remember_mapping"]
    assert (log.iloc[0]["actor"], log.iloc[0]["detail"]) == ("cy", f"enterprises {SIG}")


def test_database_of_previous_release_gets_the_table(db_url, make_frames):
    old = store.get_engine(db_url, create=False)
    store.metadata.create_all(old, tables=[t for t in store.metadata.sorted_tables if t is not store.mappings_table])
    frames = make_frames(5, "A")
    store.create_version(old, "main", frames, actor="ana", publish=True)
    assert "column_mappings" not in sa.inspect(old).get_table_names()
    old.dispose()

    engine = store.get_engine(db_url)
    try:
        assert "column_mappings" in sa.inspect(engine).get_table_names()
        store.remember_mapping(engine, SIG, "enterprises", MAPPING_JA, actor="ana")
        assert store.recall_mapping(engine, SIG, "enterprises") == MAPPING_JA
        assert len(store.load_dataset(engine, "main").enterprises) == 5
        assert list(store.audit(engine)["action"]) == ["remember_mapping", "publish", "import"]
    finally:
        engine.dispose()
