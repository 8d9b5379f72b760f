"""Caching of library results for the app. ``st.cache_resource`` holds one shared copy per server
process (read-only data shared by all visitors); nothing here is per-visitor.

Datasets come from two places:

* ``"sample"``: the built-in illustrative data (``regen.dataset.load_sample``), always available;
* the analysts' store (``regen.store``, database ``$REGEN_DATABASE_URL``, default ``var/regen.db``):
  each dataset's *published* version. Which version is published is read on every run (one small
  query, :func:`published`); the tables are cached by (database, name, version), so a publish or a
  rollback shows up on the next run without any cache being cleared. A version's own area outlines
  (from an analyst's boundary file) are cached the same way (:func:`outlines`).

Everything is keyed by the database URL as well, so a server (or a test) pointed at another database
never sees cached data of the first one.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import streamlit as st
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from regen import dataset as dataset_mod
from regen import geo, metrics, store
from regen_app.state import SAMPLE

log = logging.getLogger(__name__)
STORED_ENTRIES = 6  # analyst datasets (name, version) kept in memory at once
STORE_ERRORS = (store.StoreError, SQLAlchemyError, OSError)
RETRY_SECONDS = 30  # after the store failed, pages do not wait for it again (connect timeouts) for this long
_failed_at: dict[str, float] = {}


@dataclass(frozen=True)
class Published:
    """An analyst dataset with a published version."""

    name: str
    version: int
    published_at: datetime | None  # when this version was last published (or rolled back to)


@dataclass(frozen=True)
class Outlines:
    """The area outlines stored with a dataset version, simplified for drawing."""

    geojson: dict  # a FeatureCollection (``id`` = area code); treat as read-only, figures share it
    bounds: tuple[float, float, float, float]  # (west, south, east, north) in degrees
    areas: int


def database_url() -> str:
    return store.database_url()


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return store.get_engine(url)


def engine() -> Engine:
    """The store's engine, one per server and database (tables created on first use).

    Raises :class:`regen.store.StoreError` when the database cannot be opened (and, for
    :data:`RETRY_SECONDS` after that, at once, so that pages do not each wait for a timeout)."""
    url = database_url()
    failed = _failed_at.get(url)
    if failed is not None and time.monotonic() - failed < RETRY_SECONDS:
        raise store.StoreError("the data store could not be reached a moment ago")
    try:
        return _engine(url)
    except STORE_ERRORS:
        _failed_at[url] = time.monotonic()
        raise


def _store_failed(url: str) -> None:
    _failed_at[url] = time.monotonic()


def published() -> list[Published]:
    """Analysts' datasets with a published version, the most recently published first.

    The illustrative sample, should it also be registered in the store, is not listed (it is always
    offered as "sample"). An unreadable store gives an empty list: exploring the sample still works.
    """
    url = database_url()
    try:
        frame = store.list_datasets(engine())
    except STORE_ERRORS as err:
        _store_failed(url)
        log.warning("cannot read the datasets in the store: %s", err)
        return []
    _failed_at.pop(url, None)
    frame = frame[frame["published"].notna() & ~frame["illustrative"].astype(bool) & (frame["name"] != SAMPLE)]
    items = [Published(str(name), int(version), _published_at(url, str(name), int(version)))
             for name, version in zip(frame["name"], frame["published"])]
    oldest = datetime.min.replace(tzinfo=UTC)
    return sorted(items, key=lambda p: (p.published_at or oldest, p.name), reverse=True)


@st.cache_data(show_spinner=False, ttl=60)
def _published_at(url: str, name: str, version: int) -> datetime | None:
    """When ``version`` of ``name`` was last made the published one (from the audit log)."""
    try:
        log_frame = store.audit(_engine(url), dataset=name)
    except STORE_ERRORS:
        return None
    hits = log_frame[log_frame["action"].isin(["publish", "rollback"]) & (log_frame["version"] == version)]
    return None if hits.empty else hits["at"].max().to_pydatetime()


@st.cache_resource(show_spinner=False)
def _sample() -> dataset_mod.Dataset:
    return dataset_mod.load_sample()


@st.cache_resource(show_spinner=False)
def _sample_panel() -> metrics.Panel:
    return metrics.build_panel(_sample())


@st.cache_resource(show_spinner=False, max_entries=STORED_ENTRIES)
def _stored(url: str, name: str, version: int) -> dataset_mod.Dataset:
    return store.load_dataset(_engine(url), name, version)


@st.cache_resource(show_spinner=False, max_entries=STORED_ENTRIES)
def _stored_panel(url: str, name: str, version: int) -> metrics.Panel:
    return metrics.build_panel(_stored(url, name, version))


def _version(name: str, version: int | None) -> int:
    if version is not None:
        return int(version)
    number = store.published_version(engine(), name)
    if number is None:
        raise store.StoreError(f"dataset {name!r} has no published version")
    return number


def dataset(name: str = SAMPLE, version: int | None = None) -> dataset_mod.Dataset:
    """The sample, or ``version`` (default: the published one) of an analyst dataset.

    Raises :class:`regen.store.StoreError` for a dataset the store cannot provide."""
    if name == SAMPLE:
        return _sample()
    return _stored(database_url(), name, _version(name, version))


def panel(name: str = SAMPLE, version: int | None = None) -> metrics.Panel:
    """The :class:`regen.metrics.Panel` of :func:`dataset` (built once per dataset version)."""
    if name == SAMPLE:
        return _sample_panel()
    return _stored_panel(database_url(), name, _version(name, version))


@st.cache_resource(show_spinner=False)
def boundaries(name: str) -> dict:
    return geo.load_boundaries(name)


@st.cache_resource(show_spinner=False, max_entries=STORED_ENTRIES)
def _outlines(url: str, name: str, version: int) -> Outlines | None:
    import shapely

    geojson = store.load_boundaries_geojson(_engine(url), name, version)
    if geojson is None:
        return None
    geoms = shapely.from_geojson([json.dumps(f["geometry"]) for f in geojson["features"]])
    bounds = tuple(round(float(v), 6) for v in shapely.total_bounds(geoms))
    return Outlines(geojson, bounds, len(geojson["features"]))


def outlines(name: str, version: int | None) -> Outlines | None:
    """The area outlines stored with ``version`` of an analyst dataset (loaded once per dataset version;
    simplified, so what a map sends stays bounded); None for the sample, a version without outlines,
    or a store that cannot be read (the map is drawn without them)."""
    if name == SAMPLE or version is None:
        return None
    try:
        return _outlines(database_url(), name, int(version))
    except STORE_ERRORS as err:
        log.warning("cannot load the outlines of %s version %s: %s", name, version, err)
        return None


@st.cache_resource(show_spinner=False, max_entries=24)
def _donors(url: str, name: str, version: int | None, country: str, sectors: tuple[str, ...],
            legal_forms: tuple[str, ...]):
    from regen import scenario
    from regen.filters import Filters

    source = panel(name, version)
    mask = source.mask(Filters(country=(country,), sector=sectors, legal_form=legal_forms))
    return scenario.donors(source, mask)


def donors(ctx, *, country: str, sectors: tuple[str, ...] = (), legal_forms: tuple[str, ...] = ()):
    """The scenario planner's donor enterprises for a profile, once per dataset version and profile."""
    return _donors(database_url(), ctx.dataset.name if ctx.version is not None else SAMPLE, ctx.version,
                   country, tuple(sorted(sectors)), tuple(sorted(legal_forms)))
