"""Shared fixtures: a small hand-made dataset with known answers."""

import pandas as pd
import pytest

from regen.dataset import Dataset
from regen.schema import validate


def tiny_dataset() -> Dataset:
    ent = pd.DataFrame({
        "enterprise_id": ["A", "B", "C"], "name": ["Alpha CIC", "<b>Beta</b> Co-op", "=Gamma"],
        "name_ja": [None, None, "ガンマ"], "legal_form": ["cic", "cooperative", "npo"], "sector": ["care", "food", "energy"],
        "founded": [2000, 2002, 2003], "closed": [None, 2004, None], "country": ["GB", "GB", "JP"],
        "region": ["north_east", "north_east", "niigata"], "area": ["E08000024", "E08000024", "15205"],
        "ward": ["Hendon", None, None], "lat": [54.898, 54.90, 37.37], "lon": [-1.372, -1.38, 138.55],
        "geo_precision": ["exact", "postcode", "place"], "description": [None, "**not bold**", None],
    })
    fig = pd.DataFrame(
        [("A", y, j, j * 0.8) for y, j in zip(range(2001, 2006), [2, 3, 4, 5, 6])]
        + [("B", 2002, 1, 1.0), ("B", 2003, 2, 2.0)]
        + [("C", 2003, 10, 9.0), ("C", 2004, 10, 9.5), ("C", 2005, 12, 11.0)],
        columns=["enterprise_id", "year", "employees", "fte"],
    )
    areas = pd.DataFrame({"code": ["E08000024", "15205"], "name": ["Sunderland", "Kashiwazaki"],
                          "name_ja": ["サンダーランド", "柏崎市"], "country": ["GB", "JP"], "region": ["north_east", "niigata"]})
    tables = {}
    for kind, frame in (("enterprises", ent), ("figures", fig), ("areas", areas)):
        tables[kind], problems = validate(frame, kind)
        assert problems == [], problems
    return Dataset(tables["enterprises"], tables["figures"], tables["areas"], name="tiny", illustrative=True)


@pytest.fixture
def tiny() -> Dataset:
    return tiny_dataset()


# ---- Store databases: SQLite (temporary file) and PostgreSQL (from $REGEN_TEST_POSTGRES_URL) ----
# `export REGEN_TEST_POSTGRES_URL="$(bash .ci/postgres.sh)"` provides a local server; without the
# variable the PostgreSQL cases are skipped. Each PostgreSQL case gets its own schema, dropped after.

POSTGRES_URL_ENV = "REGEN_TEST_POSTGRES_URL"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A database URL for an empty store, once per backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'regen.db'}"
        return
    import os
    import uuid

    import sqlalchemy

    base = os.environ.get(POSTGRES_URL_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_URL_ENV} is not set (run: export {POSTGRES_URL_ENV}=\"$(bash .ci/postgres.sh)\")")
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = sqlalchemy.create_engine(base, poolclass=sqlalchemy.pool.NullPool)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = sqlalchemy.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def store_engine(db_url):
    """An engine on an empty store with its tables created."""
    from regen.store import get_engine

    engine = get_engine(db_url)
    yield engine
    engine.dispose()


def store_frames(n: int = 20, prefix: str = "E", years: int = 3, first_year: int = 2018) -> dict[str, pd.DataFrame]:
    """Valid, schema-typed frames with ``n`` enterprises, ``n * years`` figures and a few areas.

    Ids start with ``prefix`` so that frames made for different imports can be told apart.
    """
    forms = {"GB": ["cic", "cooperative", "cbs"], "JP": ["npo", "workers_coop", "kk"]}
    sectors = ["care", "food", "energy", "reuse", "training"]
    rows = []
    for i in range(n):
        country = "GB" if i % 3 else "JP"
        rows.append({
            "enterprise_id": f"{prefix}{i:06d}", "name": f"{prefix} enterprise {i}",
            "name_ja": f"企業{i}" if country == "JP" else None,
            "legal_form": forms[country][i % 3], "sector": sectors[i % len(sectors)],
            "founded": 1990 + i % 30, "closed": (2021 + i % 3) if i % 7 == 0 else None,
            "country": country, "region": "north_east" if country == "GB" else "niigata",
            "area": "E08000024" if country == "GB" else "15205", "ward": f"Ward {i % 4}" if i % 2 else None,
            "lat": 54.9 + i * 1e-4 if country == "GB" else 37.37 + i * 1e-4,
            "lon": -1.38 + i * 1e-4 if country == "GB" else 138.55 + i * 1e-4,
            "geo_precision": ["exact", "postcode", "place", "area"][i % 4],
            "description": f"Fictional {prefix}{i}" if i % 5 == 0 else None,
        })
    figures = []
    for i, row in enumerate(rows):
        for y in range(years):
            employees = (i * 7 + y) % 50
            figures.append({
                "enterprise_id": row["enterprise_id"], "year": first_year + y, "employees": employees,
                "fte": employees * 0.75 if (i + y) % 4 else None,
                "disadvantaged_hires": (i + y) % 5 if i % 2 else None, "volunteers": None if i % 3 else y,
                "turnover": 1000.5 * (i + 1) * (y + 1) if i % 2 else None,
                "currency": ("GBP" if row["country"] == "GB" else "JPY") if i % 2 else None,
            })
    areas = pd.DataFrame({"code": ["E08000024", "15205", f"{prefix}-X"], "name": ["Sunderland", "Kashiwazaki", "Extra"],
                          "name_ja": [None, "柏崎市", None], "country": ["GB", "JP", "GB"],
                          "region": ["north_east", "niigata", "north_east"], "population": [277_000, 81_000, None],
                          "population_year": [2021, 2020, None], "population_source": ["ONS", "e-Stat", None]})
    out = {}
    for kind, frame in (("enterprises", pd.DataFrame(rows)), ("figures", pd.DataFrame(figures)), ("areas", areas)):
        out[kind], problems = validate(frame, kind)
        assert problems == [], problems[:3]
        out[kind] = out[kind].reset_index(drop=True)
    return out


@pytest.fixture
def make_frames():
    """Factory for valid frames: ``make_frames(n=20, prefix="E", years=3)``."""
    return store_frames
