"""The analysts' data store: versioned datasets in SQLite or PostgreSQL (SQLAlchemy Core, no Streamlit).

Model
-----
* A **dataset** (``datasets``) is a named collection, e.g. ``sample`` (the built-in illustrative data)
  or ``main``. It has numbered **versions** (``versions``), each with a status ``draft``,
  ``published`` or ``archived``; at most one version per dataset is published (a partial unique
  index enforces it) and the app shows the published one.
* **A version is a complete snapshot** of the three tables. An import that carries only some of
  them (say only ``figures``) copies the missing tables from a *base* version: the dataset's
  published version, or, when nothing is published yet, its latest version (or the ``base`` given
  explicitly). ``versions.copied_from`` records which version that was; a table with no base stays
  empty.
* Rows live in ``enterprises`` / ``figures`` / ``areas`` keyed by ``version_id``; their columns are
  exactly :data:`regen.schema.ENTERPRISE_COLUMNS` etc. plus ``seq`` (the row's position, so a load
  returns rows in import order). Nothing else is ever stored, so personal data cannot be.
* A version may also carry **boundaries** (``boundaries``: area code, name and outline as GeoJSON
  text, from an analyst's boundary file read by :mod:`regen.boundaries`); a version created without
  them carries forward its base's (or the published/latest version's). See
  :func:`load_boundaries_geojson` and :func:`load_boundaries_frame`.
* ``publish`` archives the published version and publishes another; each publication is pushed on
  ``publications``. ``rollback`` undoes the latest publication: the version published before it is
  published again (error if there is none).
* Every change is written to ``audit_log`` (who, what, which dataset/version/file/checksum) in the
  same transaction as the change itself.
* **Column mappings** (``column_mappings``) remember, per file shape (the header signature of
  :func:`regen.ingest.mapping_signature`) and table kind, the header → field mapping an analyst
  settled on, so the next upload of the same shape starts from it; see :func:`remember_mapping`.
  Only header names and field names are stored, and the analyst's choices of code for values of
  categorical fields ("Friendly Society" → ``other``; :func:`recall_values`).

Transactions and concurrency
----------------------------
``create_version`` runs in one transaction: rows, version, audit entry, publication all commit
together or not at all. Writers take a lock on the dataset row first (``SELECT ... FOR UPDATE`` on
PostgreSQL after an ``INSERT ... ON CONFLICT DO NOTHING`` that creates the dataset if needed; SQLite
serialises writers with ``BEGIN IMMEDIATE``), so version numbers are allocated one after another; a
unique constraint on (dataset, number) backs this up, with a retry.

The database is chosen by ``get_engine(url)``, else ``$REGEN_DATABASE_URL``, else the SQLite file
``var/regen.db`` in the repository. Errors are :class:`StoreError` with a message fit for a person.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, NoSuchModuleError, SQLAlchemyError

from regen import settings
from regen.dataset import Dataset
from regen.schema import AREA_COLUMNS, ENTERPRISE_COLUMNS, FIGURE_COLUMNS, SCHEMAS, validate

ROOT = Path(__file__).resolve().parent.parent
ENV_DATABASE_URL = settings.ENV_DATABASE_URL
DEFAULT_DB_PATH = settings.DEFAULT_DB_PATH
DEFAULT_DATASET = "main"
SAMPLE_DATASET = "sample"

KINDS: tuple[str, ...] = ("enterprises", "figures", "areas")
COLUMNS: dict[str, tuple[str, ...]] = {
    "enterprises": ENTERPRISE_COLUMNS, "figures": FIGURE_COLUMNS, "areas": AREA_COLUMNS,
}
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "enterprises": ("enterprise_id",), "figures": ("enterprise_id", "year"), "areas": ("code",),
}
STATUSES: tuple[str, ...] = ("draft", "published", "archived")

CHUNK_ROWS = 20_000  # rows per executemany batch (SQLite and other non-COPY databases)
SQLITE_BUSY_SECONDS = 120  # how long a writer waits for another writer's transaction
VERSION_RETRIES = 3

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_WRITE = "regen_write"  # execution option: this transaction will write (SQLite: BEGIN IMMEDIATE)


class StoreError(Exception):
    """A store operation failed; the message says why in plain words."""


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------

metadata = MetaData()

datasets_table = Table(
    "datasets", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("description", Text, nullable=False, default=""),
    Column("illustrative", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

_published = "status = 'published'"
versions_table = Table(
    "versions", metadata,
    Column("id", Integer, primary_key=True),
    Column("dataset_id", Integer, ForeignKey("datasets.id", ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("status", String(16), nullable=False, default="draft"),
    Column("created_by", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("file_name", Text),
    Column("checksum", Text),
    Column("rows_enterprises", BigInteger, nullable=False, default=0),
    Column("rows_figures", BigInteger, nullable=False, default=0),
    Column("rows_areas", BigInteger, nullable=False, default=0),
    Column("copied_from", Integer),
    Column("note", Text),
    CheckConstraint("status IN ('draft', 'published', 'archived')", name="ck_versions_status"),
    Index("uq_versions_dataset_number", "dataset_id", "number", unique=True),
    Index("uq_versions_one_published", "dataset_id", unique=True,
          sqlite_where=text(_published), postgresql_where=text(_published)),
)

publications_table = Table(
    "publications", metadata,
    Column("id", Integer, primary_key=True),
    Column("dataset_id", Integer, ForeignKey("datasets.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("version_id", Integer, ForeignKey("versions.id", ondelete="CASCADE"), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("undone", Boolean, nullable=False, default=False),
)

audit_table = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(32), nullable=False),
    Column("dataset", String(64)),
    Column("version", Integer),
    Column("file_name", Text),
    Column("checksum", Text),
    Column("detail", Text),
)

users_table = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("failed_attempts", Integer, nullable=False, default=0),
    Column("locked_until", DateTime(timezone=True)),
)


def _sql_type(dtype: str):
    if dtype.lower().startswith("int"):
        return BigInteger
    if "float" in dtype.lower():
        return Double
    return Text


def _data_table(kind: str) -> Table:
    schema = SCHEMAS[kind]
    columns = [
        Column(name, _sql_type(str(schema.columns[name].dtype)), nullable=bool(schema.columns[name].nullable))
        for name in COLUMNS[kind]
    ]
    return Table(
        kind, metadata,
        Column("version_id", Integer, ForeignKey("versions.id", ondelete="CASCADE"), nullable=False),
        Column("seq", Integer, nullable=False),
        *columns,
        PrimaryKeyConstraint("version_id", *NATURAL_KEYS[kind], name=f"pk_{kind}"),
    )


DATA_TABLES: dict[str, Table] = {kind: _data_table(kind) for kind in KINDS}

# Area outlines of a version (from an analyst's boundary file, see regen.boundaries), one row per
# area code, in EPSG:4326: ``geojson`` is the repaired, dissolved geometry (6 decimals, for spatial
# joins); ``display`` the simplified one (5 decimals, for drawing). Carried forward like the tables.
boundaries_table = Table(
    "boundaries", metadata,
    Column("version_id", Integer, ForeignKey("versions.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("code", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("geojson", Text, nullable=False),
    Column("display", Text, nullable=False),
    PrimaryKeyConstraint("version_id", "code", name="pk_boundaries"),
)

# A remembered column mapping per (file shape, table kind): ``mapping`` is a JSON object
# {header: field or null} in the file's column order (see remember_mapping).
mappings_table = Table(
    "column_mappings", metadata,
    Column("signature", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("mapping", Text, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("signature", "kind", name="pk_column_mappings"),
    CheckConstraint("kind IN ('enterprises', 'figures', 'areas')", name="ck_column_mappings_kind"),
)

# The postcode lookup table (postcode → WGS84 point, region slug, local authority code, ward code), kept
# once and used by every later import (see save_postcodes); one table for the whole store, replaced as
# a whole. ``postcode_districts`` holds the mean point of each outward code ("NE1"), for rows whose full
# postcode is not in the table; ``postcode_sources`` records each table saved (file, rows, who, when).
_BYTEWISE_TEXT = Text().with_variant(Text(collation="C"), "postgresql")  # keys compared as bytes: faster
postcodes_table = Table(
    "postcodes", metadata,
    Column("postcode", _BYTEWISE_TEXT, primary_key=True),
    Column("lat", Double, nullable=False),
    Column("lon", Double, nullable=False),
    Column("region", Text),
    Column("area", Text),
    Column("ward", Text),
    sqlite_with_rowid=False,  # the postcode is the row's key: one B-tree, not a table and an index
)

postcode_districts_table = Table(
    "postcode_districts", metadata,
    Column("outward", _BYTEWISE_TEXT, primary_key=True),
    Column("lat", Double, nullable=False),
    Column("lon", Double, nullable=False),
    Column("postcodes", BigInteger, nullable=False),
)

postcode_sources_table = Table(
    "postcode_sources", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("source", Text),
    Column("rows", BigInteger, nullable=False),
    Column("districts", BigInteger, nullable=False),
)

# --------------------------------------------------------------------------------------------
# Engine
# --------------------------------------------------------------------------------------------

def database_url(url: str | None = None) -> str:
    """The URL that :func:`get_engine` would use: argument, else ``$REGEN_DATABASE_URL``, else ``var/regen.db``."""
    return settings.database_url(url)


def get_engine(url: str | None = None, *, create: bool = True) -> Engine:
    """An engine for ``url`` (see :func:`database_url`); creates the tables unless ``create=False``.

    Any SQLAlchemy URL works, e.g. ``sqlite:///path.db`` or
    ``postgresql+psycopg://user:password@host:5432/db``. SQLite files get WAL journaling, foreign
    keys and a busy timeout; their folder is created if needed.
    """
    raw = database_url(url)
    try:
        parsed = make_url(raw)
    except ArgumentError as err:
        raise StoreError(f"invalid database URL {raw!r}: expected e.g. sqlite:///path.db or "
                         f"postgresql+psycopg://user:password@host/db") from err
    shown = parsed.render_as_string(hide_password=True)
    try:
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database or ""
            if database and database != ":memory:" and not database.startswith("file:"):
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_SECONDS})
            _configure_sqlite(engine)
        else:
            connect_args = {}
            if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
                connect_args["connect_timeout"] = 10
            engine = create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)
    except (NoSuchModuleError, ImportError) as err:
        raise StoreError(f"cannot use database {shown}: driver not installed ({err})") from err
    except (ArgumentError, OSError) as err:
        raise StoreError(f"cannot use database {shown}: {err}") from err
    if create:
        try:
            init_db(engine)
        except SQLAlchemyError as err:
            engine.dispose()
            raise StoreError(f"cannot open database {shown}: {_first_line(err)}") from err
    return engine


def init_db(engine: Engine) -> None:
    """Create the store's tables if they do not exist, and bring older stores up to date (idempotent)."""
    metadata.create_all(engine, checkfirst=True)
    _upgrade(engine)


def _upgrade(engine: Engine) -> None:
    """Bring a store made by an earlier release up to the current data tables, keeping every row.

    The only changes so far: columns added to a data table (added, empty: ``legal_form_text`` and
    ``sector_text``, then ``description_ja``), and columns that may now be empty (founded, lat, lon: an enterprise with no founding year or no location is kept). PostgreSQL
    drops the NOT NULL; SQLite cannot, so the table is rebuilt in one transaction (copy, swap)."""
    inspector = inspect(engine)
    for kind, table in DATA_TABLES.items():
        if not inspector.has_table(table.name):
            continue
        present = {c["name"]: c for c in inspector.get_columns(table.name)}
        added = [c for c in table.columns if c.name not in present]
        loosened = [c for c in table.columns if c.name in present and c.nullable and not present[c.name]["nullable"]]
        if not added and not loosened:
            continue
        with engine.begin() as conn:
            if engine.dialect.name == "sqlite" and loosened:
                old = f"{table.name}_before_upgrade"
                conn.exec_driver_sql(f'ALTER TABLE "{table.name}" RENAME TO "{old}"')
                for index in table.indexes:
                    conn.exec_driver_sql(f'DROP INDEX IF EXISTS "{index.name}"')
                table.create(conn)
                kept = ", ".join(f'"{name}"' for name in present if name in table.c)
                conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({kept}) SELECT {kept} FROM "{old}"')
                conn.exec_driver_sql(f'DROP TABLE "{old}"')
                continue
            for column in added:
                kind_sql = column.type.compile(dialect=engine.dialect)
                conn.exec_driver_sql(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind_sql}')
            for column in loosened:
                conn.exec_driver_sql(f'ALTER TABLE "{table.name}" ALTER COLUMN "{column.name}" DROP NOT NULL')


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # pragma: no cover - exercised via SQLite tests
        # Let SQLAlchemy's "begin" hook below emit BEGIN itself (pysqlite's own is unreliable).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_SECONDS * 1000}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Writers take the write lock up front so that two of them never deadlock on an upgrade.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.get_execution_options().get(_WRITE) else "BEGIN")


@contextmanager
def _writing(engine: Engine) -> Iterator[Connection]:
    """One write transaction: commits on success, rolls back on any exception."""
    with engine.connect() as conn:
        conn.execution_options(**{_WRITE: True})
        with conn.begin():
            yield conn


@contextmanager
def _reading(engine: Engine) -> Iterator[Connection]:
    """One read transaction (a consistent snapshot of several queries)."""
    with engine.connect() as conn, conn.begin():
        yield conn


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; everything stored is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _first_line(err: BaseException) -> str:
    message = str(getattr(err, "orig", None) or err).strip()
    return message.splitlines()[0] if message else type(err).__name__


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise StoreError(f"invalid dataset name {name!r}: use 1-64 letters, digits, '_', '-' or '.', "
                         "starting with a letter or digit")
    return name


def _check_actor(actor: str) -> str:
    if not isinstance(actor, str) or not actor.strip():
        raise StoreError("an actor (who is making the change) is required")
    return actor.strip()[:200]


def audit_entry(conn: Connection, actor: str, action: str, *, dataset: str | None = None,
                version: int | None = None, file_name: str | None = None, checksum: str | None = None,
                detail: str | None = None) -> None:
    """Append one row to the audit log inside the caller's transaction."""
    conn.execute(insert(audit_table).values(
        at=_now(), actor=actor[:200], action=action, dataset=dataset, version=version,
        file_name=file_name, checksum=checksum, detail=detail,
    ))


# --------------------------------------------------------------------------------------------
# Frames <-> rows
# --------------------------------------------------------------------------------------------

def _prepare(frames: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Keep only schema columns, in schema order, with schema dtypes (a cheap cast, not a validation)."""
    if not frames:
        raise StoreError("nothing to import: no tables given")
    unknown = sorted(set(frames) - set(KINDS))
    if unknown:
        raise StoreError(f"unknown table kind(s) {', '.join(unknown)}; expected {', '.join(KINDS)}")
    prepared: dict[str, pd.DataFrame] = {}
    for kind, frame in frames.items():
        if not isinstance(frame, pd.DataFrame):
            raise StoreError(f"{kind}: expected a pandas DataFrame, got {type(frame).__name__}")
        schema = SCHEMAS[kind]
        missing = [c for c in COLUMNS[kind] if schema.columns[c].required and c not in frame.columns]
        if missing:
            raise StoreError(f"{kind}: required column(s) missing: {', '.join(missing)}")
        out = pd.DataFrame(index=range(len(frame)))
        for name in COLUMNS[kind]:
            if name not in frame.columns:
                out[name] = None
                continue
            dtype = str(schema.columns[name].dtype)
            series = frame[name].reset_index(drop=True)
            try:
                if dtype.lower().startswith("int"):
                    series = series.astype("Int64")
                elif "float" in dtype.lower():
                    series = series.astype("float64")
            except (TypeError, ValueError) as err:
                raise StoreError(f"{kind}.{name}: values are not {dtype} ({err}); validate the data first") from err
            out[name] = series
        prepared[kind] = out
    return prepared


def _python_values(series: pd.Series) -> list:
    """Column values as plain Python objects, missing values as None."""
    values = series.tolist()
    mask = series.isna().to_numpy()
    if mask.any():
        values = [None if missing else value for value, missing in zip(values, mask, strict=True)]
    return values


def _rows(frame: pd.DataFrame, kind: str, version_id: int, start: int) -> list[tuple]:
    columns = [_python_values(frame[name]) for name in COLUMNS[kind]]
    n = len(frame)
    return list(zip([version_id] * n, range(start, start + n), *columns, strict=True))


def _insert_frame(conn: Connection, kind: str, version_id: int, frame: pd.DataFrame) -> int:
    """Bulk-insert ``frame`` as rows of ``version_id`` (see :func:`_bulk_write`)."""
    return _bulk_write(conn, DATA_TABLES[kind], ("version_id", "seq", *COLUMNS[kind]), len(frame),
                       lambda start, stop: _rows(frame.iloc[start:stop], kind, version_id, start))


def _bulk_write(conn: Connection, table: Table, names: Sequence[str], n: int, rows, *, copy_chunk=None,
                copy_format: str = "") -> int:
    """Insert ``n`` rows into ``table`` (columns ``names``) in chunks of :data:`CHUNK_ROWS`, ``rows(start,
    stop)`` giving a chunk as Python tuples: COPY on PostgreSQL (psycopg), one executemany per chunk
    elsewhere. ``copy_chunk(copy, start, stop)``, when given, writes a chunk into the COPY itself, in the
    format ``copy_format`` names (e.g. " (FORMAT csv)"), instead of row by row."""
    if n == 0:
        return 0
    dialect = conn.dialect
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        from psycopg import sql

        statement = sql.SQL("COPY {} ({}) FROM STDIN" + copy_format).format(
            sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(name) for name in names))
        cursor = conn.connection.driver_connection.cursor()
        try:
            with cursor.copy(statement) as copy:
                for start in range(0, n, CHUNK_ROWS):
                    stop = min(n, start + CHUNK_ROWS)
                    if copy_chunk is not None:
                        copy_chunk(copy, start, stop)
                    else:
                        for row in rows(start, stop):
                            copy.write_row(row)
        finally:
            cursor.close()
        return n
    if dialect.name == "sqlite":
        quote = dialect.identifier_preparer.quote
        statement = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(name) for name in names)}) "
                     f"VALUES ({', '.join('?' for _ in names)})")
        for start in range(0, n, CHUNK_ROWS):
            conn.exec_driver_sql(statement, rows(start, min(n, start + CHUNK_ROWS)))
        return n
    for start in range(0, n, CHUNK_ROWS):
        chunk = rows(start, min(n, start + CHUNK_ROWS))
        conn.execute(insert(table), [dict(zip(names, row, strict=True)) for row in chunk])
    return n


def _copy_table(conn: Connection, kind: str, from_version_id: int, to_version_id: int) -> int:
    """Copy one table's rows from one version to another inside the database."""
    table = DATA_TABLES[kind]
    names = ["seq", *COLUMNS[kind]]
    source = select(literal(int(to_version_id), Integer), *[table.c[n] for n in names]).where(
        table.c.version_id == from_version_id)
    conn.execute(insert(table).from_select(["version_id", *names], source))
    return conn.execute(select(func.count()).select_from(table).where(table.c.version_id == to_version_id)).scalar_one()


def _read_frame(conn: Connection, kind: str, version_id: int) -> pd.DataFrame:
    table = DATA_TABLES[kind]
    query = select(*[table.c[n] for n in COLUMNS[kind]]).where(table.c.version_id == version_id).order_by(table.c.seq)
    rows = conn.execute(query).fetchall()
    # Column-wise construction: several times faster than a DataFrame of Row objects for 1M rows.
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in COLUMNS[kind]]
    return pd.DataFrame({name: pd.Series(values, dtype=object if not values else None)
                         for name, values in zip(COLUMNS[kind], columns, strict=True)})


# --------------------------------------------------------------------------------------------
# Datasets and versions
# --------------------------------------------------------------------------------------------

def _lock_dataset(conn: Connection, name: str, *, create: bool = False, description: str = "",
                  illustrative: bool = False):
    """The dataset row, locked for the rest of the transaction; created first if ``create``."""
    if create:
        values = {"name": name, "description": description or "", "illustrative": bool(illustrative),
                  "created_at": _now()}
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        elif conn.dialect.name == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        else:
            dialect_insert = None
        if dialect_insert is not None:
            conn.execute(dialect_insert(datasets_table).values(**values).on_conflict_do_nothing(
                index_elements=["name"]))
    query = select(datasets_table).where(datasets_table.c.name == name).with_for_update()
    row = conn.execute(query).first()
    if row is None and create:  # other databases: the unique name plus the caller's retry protect us
        conn.execute(insert(datasets_table).values(**values))
        row = conn.execute(query).first()
    if row is None:
        raise StoreError(f"no dataset named {name!r}")
    return row


def _version_row(conn: Connection, dataset_id: int, number: int, dataset: str):
    row = conn.execute(select(versions_table).where(
        versions_table.c.dataset_id == dataset_id, versions_table.c.number == number)).first()
    if row is None:
        raise StoreError(f"dataset {dataset!r} has no version {number}")
    return row


def _published_row(conn: Connection, dataset_id: int):
    return conn.execute(select(versions_table).where(
        versions_table.c.dataset_id == dataset_id, versions_table.c.status == "published")).first()


def _publish_tx(conn: Connection, dataset, version, actor: str) -> None:
    if version.status == "published":
        raise StoreError(f"version {version.number} of {dataset.name!r} is already published")
    conn.execute(update(versions_table).where(
        versions_table.c.dataset_id == dataset.id, versions_table.c.status == "published").values(status="archived"))
    conn.execute(update(versions_table).where(versions_table.c.id == version.id).values(status="published"))
    conn.execute(insert(publications_table).values(
        dataset_id=dataset.id, version_id=version.id, at=_now(), actor=actor, undone=False))
    audit_entry(conn, actor, "publish", dataset=dataset.name, version=version.number,
                file_name=version.file_name, checksum=version.checksum)


def create_version(engine: Engine, dataset: str, frames: Mapping[str, pd.DataFrame], *, actor: str,
                   file_name: str | None = None, checksum: str | None = None, publish: bool = False,
                   note: str | None = None, base: int | None = None, description: str = "",
                   illustrative: bool = False, boundaries=None) -> int:
    """Store validated ``frames`` (``{"enterprises": df, ...}``) as a new version of ``dataset``.

    Creates the dataset if needed (``description``/``illustrative`` apply only then). Tables missing
    from ``frames`` are copied from ``base`` (a version number), by default the published version or,
    if none, the latest version. Returns the new version number (1, 2, ...). Everything happens in
    one transaction: on any error no row, version or audit entry is left behind.

    ``boundaries`` (a GeoDataFrame with ``code``, ``name``, ``geometry``, e.g.
    ``regen.boundaries.read_boundaries(...).frame``) are the version's area outlines; None carries
    forward those of the base version (as for a missing table; an empty frame stores none). With
    boundaries, ``frames`` may be empty: every table is then carried forward.
    """
    return _create_version(engine, dataset, frames, actor=actor, file_name=file_name, checksum=checksum,
                           publish=publish, note=note, base=base, description=description,
                           illustrative=illustrative, boundaries=boundaries)


def _create_version(engine: Engine, dataset: str, frames: Mapping[str, pd.DataFrame], *, actor: str,
                    file_name: str | None, checksum: str | None, publish: bool, note: str | None,
                    base: int | None, description: str, illustrative: bool, only_if_new: bool = False,
                    boundaries=None) -> int:
    _check_name(dataset)
    actor = _check_actor(actor)
    prepared = _prepare(frames) if frames or boundaries is None else {}
    boundary_rows = None if boundaries is None else _boundary_rows(boundaries)
    for attempt in range(VERSION_RETRIES):
        try:
            with _writing(engine) as conn:
                return _create_version_tx(conn, dataset, prepared, actor=actor, file_name=file_name,
                                          checksum=checksum, publish=publish, note=note, base=base,
                                          description=description, illustrative=illustrative,
                                          only_if_new=only_if_new, boundary_rows=boundary_rows)
        except IntegrityError as err:
            if _is_allocation_clash(err) and attempt + 1 < VERSION_RETRIES:
                continue
            raise StoreError(f"import into {dataset!r} failed, nothing was stored: {_first_line(err)}") from err
        except DBAPIError as err:
            raise StoreError(f"import into {dataset!r} failed, nothing was stored: {_first_line(err)}") from err
        except engine.dialect.loaded_dbapi.Error as err:  # raised by the driver itself, e.g. during COPY
            raise StoreError(f"import into {dataset!r} failed, nothing was stored: {_first_line(err)}") from err
    raise StoreError(f"import into {dataset!r} failed: could not allocate a version number")  # pragma: no cover


def _is_allocation_clash(err: IntegrityError) -> bool:
    """Two writers picked the same version number or created the same dataset (retry-able)."""
    message = str(err.orig)
    return any(marker in message for marker in (
        "uq_versions_dataset_number", "versions.dataset_id, versions.number", "datasets_name_key", "datasets.name"))


def _create_version_tx(conn: Connection, dataset: str, frames: dict[str, pd.DataFrame], *, actor: str,
                       file_name: str | None, checksum: str | None, publish: bool, note: str | None,
                       base: int | None, description: str, illustrative: bool, only_if_new: bool,
                       boundary_rows: list[dict] | None = None) -> int:
    ds = _lock_dataset(conn, dataset, create=True, description=description, illustrative=illustrative)
    latest = conn.execute(select(func.max(versions_table.c.number)).where(
        versions_table.c.dataset_id == ds.id)).scalar()
    if only_if_new and latest is not None:
        return -1
    number = (latest or 0) + 1
    base_row = None
    if base is not None:
        base_row = _version_row(conn, ds.id, base, dataset)
    elif set(frames) != set(KINDS) and latest is not None:
        base_row = _published_row(conn, ds.id) or _version_row(conn, ds.id, latest, dataset)
    version_id = conn.execute(insert(versions_table).values(
        dataset_id=ds.id, number=number, status="draft", created_by=actor, created_at=_now(),
        file_name=file_name, checksum=checksum, note=note,
        copied_from=base_row.number if base_row is not None and set(frames) != set(KINDS) else None,
    )).inserted_primary_key[0]
    counts: dict[str, int] = {}
    for kind in KINDS:
        if kind in frames:
            counts[kind] = _insert_frame(conn, kind, version_id, frames[kind])
        elif base_row is not None:
            counts[kind] = _copy_table(conn, kind, base_row.id, version_id)
        else:
            counts[kind] = 0
    conn.execute(update(versions_table).where(versions_table.c.id == version_id).values(
        rows_enterprises=counts["enterprises"], rows_figures=counts["figures"], rows_areas=counts["areas"]))
    detail = ", ".join(f"{kind} {counts[kind]}" + ("" if kind in frames else " (copied)") for kind in KINDS)
    if boundary_rows is not None:
        detail += f", boundaries {_insert_boundaries(conn, version_id, boundary_rows)}"
    else:
        source = base_row
        if source is None and latest is not None:
            source = _published_row(conn, ds.id) or _version_row(conn, ds.id, latest, dataset)
        copied = _copy_boundaries(conn, source.id, version_id) if source is not None else 0
        if copied:
            detail += f", boundaries {copied} (copied)"
            if not (base_row is not None and set(frames) != set(KINDS)):
                conn.execute(update(versions_table).where(versions_table.c.id == version_id).values(
                    copied_from=source.number))
    if note:
        detail += f"; {note}"
    audit_entry(conn, actor, "import", dataset=dataset, version=number, file_name=file_name,
                checksum=checksum, detail=detail)
    if publish:
        version = conn.execute(select(versions_table).where(versions_table.c.id == version_id)).one()
        _publish_tx(conn, ds, version, actor)
    return number


def publish(engine: Engine, dataset: str, version: int, actor: str) -> None:
    """Publish ``version`` of ``dataset``; the previously published version becomes archived."""
    actor = _check_actor(actor)
    try:
        with _writing(engine) as conn:
            ds = _lock_dataset(conn, dataset)
            _publish_tx(conn, ds, _version_row(conn, ds.id, int(version), dataset), actor)
    except DBAPIError as err:
        raise StoreError(f"publishing {dataset!r} version {version} failed: {_first_line(err)}") from err


def rollback(engine: Engine, dataset: str, actor: str) -> int:
    """Undo the latest publication of ``dataset``: re-publish the version published before it.

    Returns that version's number; raises :class:`StoreError` if there is none.
    """
    actor = _check_actor(actor)
    try:
        with _writing(engine) as conn:
            ds = _lock_dataset(conn, dataset)
            current = _published_row(conn, ds.id)
            if current is None:
                raise StoreError(f"dataset {dataset!r} has no published version to roll back")
            history = conn.execute(select(publications_table).where(
                publications_table.c.dataset_id == ds.id, publications_table.c.undone.is_(False),
            ).order_by(publications_table.c.id.desc())).all()
            previous = next((p for p in history if p.version_id != current.id), None)
            if previous is None:
                raise StoreError(f"dataset {dataset!r} has no earlier published version to roll back to")
            conn.execute(update(publications_table).where(
                publications_table.c.dataset_id == ds.id, publications_table.c.id > previous.id,
            ).values(undone=True))
            target = conn.execute(select(versions_table).where(versions_table.c.id == previous.version_id)).one()
            conn.execute(update(versions_table).where(versions_table.c.id == current.id).values(status="archived"))
            conn.execute(update(versions_table).where(versions_table.c.id == target.id).values(status="published"))
            audit_entry(conn, actor, "rollback", dataset=dataset, version=target.number,
                        file_name=target.file_name, checksum=target.checksum,
                        detail=f"from version {current.number} to version {target.number}")
            return target.number
    except DBAPIError as err:
        raise StoreError(f"rolling back {dataset!r} failed: {_first_line(err)}") from err


def published_version(engine: Engine, dataset: str) -> int | None:
    """The number of the published version of ``dataset``, or None (also if the dataset does not exist)."""
    with _reading(engine) as conn:
        return conn.execute(select(versions_table.c.number).join(datasets_table).where(
            datasets_table.c.name == dataset, versions_table.c.status == "published")).scalar()


def list_datasets(engine: Engine) -> pd.DataFrame:
    """One row per dataset: name, description, illustrative, versions, published (number or <NA>)."""
    v = versions_table
    published = select(v.c.number).where(v.c.dataset_id == datasets_table.c.id, v.c.status == "published") \
        .scalar_subquery()
    count = select(func.count()).select_from(v).where(v.c.dataset_id == datasets_table.c.id).scalar_subquery()
    query = select(datasets_table.c.name, datasets_table.c.description, datasets_table.c.illustrative,
                   count.label("versions"), published.label("published")).order_by(datasets_table.c.name)
    with _reading(engine) as conn:
        frame = pd.DataFrame(conn.execute(query).fetchall(),
                             columns=["name", "description", "illustrative", "versions", "published"])
    frame["published"] = frame["published"].astype("Int64")
    return frame


VERSION_FIELDS = ("dataset", "version", "status", "created_at", "created_by", "file_name", "checksum",
                  "rows_enterprises", "rows_figures", "rows_areas", "copied_from", "note")


def list_versions(engine: Engine, dataset: str | None = None) -> pd.DataFrame:
    """Versions (all datasets, or one), ordered by dataset and number; columns :data:`VERSION_FIELDS`."""
    v = versions_table
    query = select(datasets_table.c.name, v.c.number, v.c.status, v.c.created_at, v.c.created_by, v.c.file_name,
                   v.c.checksum, v.c.rows_enterprises, v.c.rows_figures, v.c.rows_areas, v.c.copied_from,
                   v.c.note).join(datasets_table).order_by(datasets_table.c.name, v.c.number)
    if dataset is not None:
        query = query.where(datasets_table.c.name == dataset)
    with _reading(engine) as conn:
        frame = pd.DataFrame(conn.execute(query).fetchall(), columns=list(VERSION_FIELDS))
    frame["created_at"] = pd.to_datetime(frame["created_at"].map(_aware), utc=True)
    frame["copied_from"] = frame["copied_from"].astype("Int64")
    return frame


def load_dataset(engine: Engine, dataset: str, version: int | None = None) -> Dataset:
    """The tables of ``version`` (default: the published version) as a :class:`regen.dataset.Dataset`.

    Frames are coerced back to schema dtypes by :func:`regen.schema.validate`; rows come back in
    import order with a fresh 0..n-1 index.
    """
    with _reading(engine) as conn:
        ds, row = _resolve_version(conn, dataset, version)
        raw = {kind: _read_frame(conn, kind, row.id) for kind in KINDS}
    tables: dict[str, pd.DataFrame] = {}
    problems = {}
    for kind, frame in raw.items():
        tables[kind], found = validate(frame, kind)
        tables[kind] = tables[kind].reset_index(drop=True)
        if found:
            problems[kind] = found
    return Dataset(tables["enterprises"], tables["figures"], tables["areas"], name=dataset,
                   illustrative=bool(ds.illustrative), problems=problems)


def _boundary_rows(boundaries) -> list[dict]:
    """Rows for ``boundaries_table`` from a GeoDataFrame (code, name, geometry) or a BoundaryResult."""
    frame = getattr(boundaries, "frame", boundaries) if not hasattr(boundaries, "geometry") else boundaries
    if frame is None or not hasattr(frame, "geometry") or "code" not in frame.columns:
        raise StoreError("boundaries: expected a GeoDataFrame with code, name and geometry columns")
    if len(frame) == 0:
        return []
    from regen.boundaries import STORE_PRECISION, display_features, geometry_json

    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    codes = [None if pd.isna(c) else str(c).strip() for c in frame["code"].astype(object).tolist()]
    if any(not c for c in codes):
        raise StoreError("boundaries: every area needs a code")
    if len(set(codes)) != len(codes):
        duplicated = sorted({c for c in codes if codes.count(c) > 1})
        raise StoreError(f"boundaries: duplicated code(s) {', '.join(duplicated[:5])}; dissolve them first")
    geoms = frame.geometry.to_numpy()
    if any(g is None or g.is_empty or g.geom_type not in ("Polygon", "MultiPolygon") for g in geoms):
        raise StoreError("boundaries: every area needs a (Multi)Polygon geometry")
    names = frame["name"] if "name" in frame.columns else frame["code"]
    shaped = frame.assign(code=codes, name=[c if pd.isna(n) else str(n) for c, n in
                                            zip(codes, names.astype(object).tolist(), strict=True)])
    display = display_features(shaped)
    full = geometry_json(geoms, STORE_PRECISION)
    return [{"seq": i, "code": code, "name": name, "geojson": geometry, "display": drawn}
            for i, ((code, name, drawn), geometry) in enumerate(zip(display, full, strict=True))]


def _insert_boundaries(conn: Connection, version_id: int, rows: list[dict]) -> int:
    for start in range(0, len(rows), 1000):
        conn.execute(insert(boundaries_table), [{"version_id": version_id, **row} for row in rows[start:start + 1000]])
    return len(rows)


def _copy_boundaries(conn: Connection, from_version_id: int, to_version_id: int) -> int:
    names = ["seq", "code", "name", "geojson", "display"]
    source = select(literal(int(to_version_id), Integer), *[boundaries_table.c[n] for n in names]).where(
        boundaries_table.c.version_id == from_version_id)
    conn.execute(insert(boundaries_table).from_select(["version_id", *names], source))
    return conn.execute(select(func.count()).select_from(boundaries_table).where(
        boundaries_table.c.version_id == to_version_id)).scalar_one()


def _resolve_version(conn, dataset: str, version: int | None):
    """The dataset row and the version row of ``dataset``: ``version`` if given, else the published one."""
    ds = conn.execute(select(datasets_table).where(datasets_table.c.name == dataset)).first()
    if ds is None:
        raise StoreError(f"no dataset named {dataset!r}")
    if version is None:
        row = _published_row(conn, ds.id)
        if row is None:
            raise StoreError(f"dataset {dataset!r} has no published version")
        return ds, row
    return ds, _version_row(conn, ds.id, int(version), dataset)


def _boundary_records(engine: Engine, dataset: str, version: int | None, column: str) -> list[tuple]:
    with _reading(engine) as conn:
        ds, row = _resolve_version(conn, dataset, version)
        b = boundaries_table
        return conn.execute(select(b.c.code, b.c.name, b.c[column]).where(b.c.version_id == row.id)
                            .order_by(b.c.seq)).all()


def load_boundaries_geojson(engine: Engine, dataset: str, version: int | None = None, *,
                            full: bool = False) -> dict | None:
    """The area outlines of ``version`` (default: the published one) as a GeoJSON FeatureCollection
    (``id`` and ``properties.code`` = area code, ``properties.name``), simplified for drawing unless
    ``full``; None when the version has no boundaries. Usable as ``geojson=`` of
    ``px.choropleth_map(..., featureidkey="id")`` or as a map layer."""
    from regen.boundaries import feature_collection

    rows = _boundary_records(engine, dataset, version, "geojson" if full else "display")
    return json.loads(feature_collection(rows)) if rows else None


def load_boundaries_frame(engine: Engine, dataset: str, version: int | None = None):
    """The full-detail area outlines of ``version`` as a GeoDataFrame (code, name, geometry; EPSG:4326),
    e.g. for :func:`regen.boundaries.assign_areas`; None when the version has none."""
    import geopandas as gpd
    import shapely

    rows = _boundary_records(engine, dataset, version, "geojson")
    if not rows:
        return None
    return gpd.GeoDataFrame({"code": [r[0] for r in rows], "name": [r[1] for r in rows]},
                            geometry=shapely.from_geojson([r[2] for r in rows]), crs=4326)


AUDIT_FIELDS = ("id", "at", "actor", "action", "dataset", "version", "file_name", "checksum", "detail")


def audit(engine: Engine, *, dataset: str | None = None, limit: int | None = None) -> pd.DataFrame:
    """The audit log, newest first; columns :data:`AUDIT_FIELDS`."""
    query = select(*[audit_table.c[n] for n in AUDIT_FIELDS]).order_by(audit_table.c.id.desc())
    if dataset is not None:
        query = query.where(audit_table.c.dataset == dataset)
    if limit is not None:
        query = query.limit(int(limit))
    with _reading(engine) as conn:
        frame = pd.DataFrame(conn.execute(query).fetchall(), columns=list(AUDIT_FIELDS))
    frame["at"] = pd.to_datetime(frame["at"].map(_aware), utc=True)
    frame["version"] = frame["version"].astype("Int64")
    return frame


def file_checksum(path: Path | str) -> str:
    """SHA-256 of a file's bytes, as hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ensure_sample(engine: Engine) -> int | None:
    """Register the built-in sample as dataset ``sample`` (illustrative, published) if it is absent.

    Returns the new version number, or None when the dataset already had versions.
    """
    if published_version(engine, SAMPLE_DATASET) is not None:
        return None
    from regen.dataset import FILES, SAMPLE_DIR, load_sample

    try:
        sample = load_sample()
    except FileNotFoundError as err:
        raise StoreError("the built-in sample data is missing; run `python -m regen sample` first") from err
    digest = hashlib.sha256()
    for filename in FILES.values():
        digest.update((SAMPLE_DIR / filename).read_bytes())
    number = _create_version(
        engine, SAMPLE_DATASET,
        {"enterprises": sample.enterprises, "figures": sample.figures, "areas": sample.areas},
        actor="system", file_name="data/sample", checksum=digest.hexdigest(), publish=True,
        note="built-in illustrative sample", base=None,
        description="Illustrative sample: fictional enterprises at real places", illustrative=True,
        only_if_new=True,
    )
    return None if number < 0 else number


# --------------------------------------------------------------------------------------------
# Remembered column mappings
# --------------------------------------------------------------------------------------------

SIGNATURE_MAX_CHARS = 64
MAPPING_RETRIES = 3  # a clash with a concurrent first insert is retried as an update
MAPPING_FIELDS = ("signature", "kind", "columns_mapped", "actor", "updated_at")
VALUES_KEY = " values"
"""Where the stored mapping JSON keeps the analyst's value choices (``{field: {value: code}}``, see
:mod:`regen.ingest.values`) beside the ``{header: field or null}`` entries. No file header can be this
key (headers are stripped of surrounding spaces) and, unlike a header's entry, its value is an object;
a mapping stored before value choices existed is the plain ``{header: field}`` object, read as before."""


def _mapping_key(signature: str, kind: str) -> tuple:
    """The condition selecting the mapping of (``signature``, ``kind``), once both are checked."""
    if not isinstance(signature, str) or not signature.strip() or len(signature) > SIGNATURE_MAX_CHARS:
        raise StoreError(f"invalid mapping signature {signature!r}: expected a non-empty text of at most "
                         f"{SIGNATURE_MAX_CHARS} characters (see regen.ingest.mapping_signature)")
    if kind not in KINDS:
        raise StoreError(f"unknown table kind {kind!r}; expected {', '.join(KINDS)}")
    return mappings_table.c.signature == signature, mappings_table.c.kind == kind


def _check_mapping(mapping: Mapping[str, str | None]) -> dict[str, str | None]:
    """``mapping`` as a dict, if every header is text and every field one of the ingest's fields or None."""
    from regen.ingest.mapping import FIELDS

    if not isinstance(mapping, Mapping) or not mapping:
        raise StoreError("a column mapping must map at least one header (to a field or None)")
    for header, field in mapping.items():
        if not isinstance(header, str):
            raise StoreError(f"column mapping: header {header!r} is not text")
        if header == VALUES_KEY:
            raise StoreError(f"column mapping: {header!r} is reserved (no file header begins with a space)")
        if field is not None and field not in FIELDS:
            raise StoreError(f"column mapping: unknown field {field!r} for column {header!r}")
    return dict(mapping)


def _check_values(values: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """``values`` ({field: {value: code}}) as checked by :func:`regen.ingest.values.check_values`, if
    nothing had to be left out."""
    from regen.ingest.values import check_values

    if not isinstance(values, Mapping):
        raise StoreError("value choices must map fields to {value: code}")
    kept, rejected = check_values(values)
    if rejected:
        field, value, code = rejected[0]
        raise StoreError(f"value choices: cannot map {field} value {value!r} to {code!r} (unknown field or code, "
                         f"or a value of more than {_max_value_chars()} characters)")
    return kept


def _max_value_chars() -> int:
    from regen.ingest.values import MAX_VALUE_CHARS

    return MAX_VALUE_CHARS


def _split_stored(stored: str | None) -> tuple[dict, object]:
    """The stored JSON text → (the {header: field} entries, the raw value choices or None)."""
    try:
        decoded = json.loads(stored) if stored else {}
    except ValueError:
        decoded = {}
    if not isinstance(decoded, dict):
        return {}, None
    choices = decoded.get(VALUES_KEY)
    if isinstance(choices, dict):
        decoded = {h: f for h, f in decoded.items() if h != VALUES_KEY}
    else:
        choices = None
    return decoded, choices


def _is_mapping_clash(err: IntegrityError) -> bool:
    """Another writer inserted the same (signature, kind) first (retry-able as an update)."""
    message = str(err.orig)
    return "pk_column_mappings" in message or "column_mappings.signature" in message


def remember_mapping(engine: Engine, signature: str, kind: str, mapping: Mapping[str, str | None], *,
                     actor: str, values: Mapping[str, Mapping[str, str]] | None = None) -> None:
    """Remember ``mapping`` ({file header: field or None}) for files of shape ``signature`` read as ``kind``.

    Replaces a mapping remembered earlier for the same (signature, kind). Callers pass what
    :func:`regen.ingest.mapping.rememberable` keeps of the effective mapping (the headers read into a
    field, and only for files whose header row was recognised), so that only header and field names
    are stored, never a cell of data or the header of a personal-data column. The mapping and its audit entry are written in one
    transaction; invalid input raises :class:`StoreError` and writes nothing.

    ``values`` are the analyst's value choices for categorical fields, ``{field: {value as written: code}}``
    (:mod:`regen.ingest.values`; only values whose code differs from the proposed one, of at most
    :data:`regen.ingest.values.MAX_VALUE_CHARS` characters): stored with the mapping and recalled by
    :func:`recall_values`. None keeps the choices remembered before; ``{}`` forgets them.
    """
    key = _mapping_key(signature, kind)
    entries = _check_mapping(mapping)
    choices = None if values is None else _check_values(values)
    actor = _check_actor(actor)
    mapped = sum(field is not None for field in entries.values())
    table = mappings_table
    for attempt in range(MAPPING_RETRIES):
        try:
            with _writing(engine) as conn:
                kept = choices
                if kept is None:  # keep what was remembered (read in the writing transaction: no lost update)
                    before = conn.execute(select(table.c.mapping).where(*key)).scalar()
                    kept = _stored_values(_split_stored(before)[1])
                stored = json.dumps({**entries, VALUES_KEY: kept} if kept else entries, ensure_ascii=False)
                row = {"mapping": stored, "actor": actor, "updated_at": _now()}
                if not conn.execute(update(table).where(*key).values(**row)).rowcount:
                    conn.execute(insert(table).values(signature=signature, kind=kind, **row))
                detail = f"{kind} {signature}: {mapped} of {len(entries)} columns mapped"
                if choices:
                    detail += f"; {sum(map(len, choices.values()))} values mapped"
                audit_entry(conn, actor, "remember_mapping", detail=detail)
            return
        except IntegrityError as err:
            if _is_mapping_clash(err) and attempt + 1 < MAPPING_RETRIES:
                continue  # inserted by another writer meanwhile: the next attempt updates it
            raise StoreError(f"remembering the column mapping failed: {_first_line(err)}") from err
        except DBAPIError as err:
            raise StoreError(f"remembering the column mapping failed: {_first_line(err)}") from err


def _stored_values(raw: object) -> dict[str, dict[str, str]]:
    """Value choices read from the store: what is still a known field and code (an older or newer
    release may have stored others; they are left out, never an error)."""
    from regen.ingest.values import from_json

    return from_json(raw) if isinstance(raw, dict) else {}


def recall_mapping(engine: Engine, signature: str, kind: str) -> dict[str, str | None] | None:
    """The mapping remembered for ``signature`` and ``kind`` (headers in the file's order), or None.

    A field that is no longer known (remembered by an older release) comes back as None. The value
    choices stored with it are not part of it: see :func:`recall_values`.
    """
    from regen.ingest.mapping import FIELDS

    key = _mapping_key(signature, kind)
    with _reading(engine) as conn:
        stored = conn.execute(select(mappings_table.c.mapping).where(*key)).scalar()
    if stored is None:
        return None
    entries, _choices = _split_stored(stored)
    return {header: field if field in FIELDS else None for header, field in entries.items()}


def recall_values(engine: Engine, signature: str, kind: str) -> dict[str, dict[str, str]]:
    """The value choices ({field: {value as written: code}}) remembered with the mapping of ``signature``
    and ``kind``; ``{}`` when there are none (or only the column mapping was remembered, as by older
    releases). Fields and codes no longer known are left out."""
    key = _mapping_key(signature, kind)
    with _reading(engine) as conn:
        stored = conn.execute(select(mappings_table.c.mapping).where(*key)).scalar()
    return _stored_values(_split_stored(stored)[1]) if stored is not None else {}


def forget_mapping(engine: Engine, signature: str, kind: str, *, actor: str) -> bool:
    """Forget the mapping remembered for ``signature`` and ``kind``; False if there was none."""
    key = _mapping_key(signature, kind)
    actor = _check_actor(actor)
    try:
        with _writing(engine) as conn:
            deleted = conn.execute(delete(mappings_table).where(*key)).rowcount
            if deleted:
                audit_entry(conn, actor, "forget_mapping", detail=f"{kind} {signature}")
    except DBAPIError as err:
        raise StoreError(f"forgetting the column mapping failed: {_first_line(err)}") from err
    return bool(deleted)


def list_mappings(engine: Engine) -> pd.DataFrame:
    """The remembered mappings, most recently updated first; columns :data:`MAPPING_FIELDS`
    (``columns_mapped``: how many headers are mapped to a field)."""
    t = mappings_table
    query = select(t.c.signature, t.c.kind, t.c.mapping, t.c.actor, t.c.updated_at).order_by(
        t.c.updated_at.desc(), t.c.signature, t.c.kind)
    with _reading(engine) as conn:
        rows = conn.execute(query).fetchall()
    frame = pd.DataFrame(
        [(r.signature, r.kind, sum(f is not None for f in _split_stored(r.mapping)[0].values()), r.actor,
          r.updated_at) for r in rows], columns=list(MAPPING_FIELDS))
    frame["columns_mapped"] = frame["columns_mapped"].astype("int64")
    frame["updated_at"] = pd.to_datetime(frame["updated_at"].map(_aware), utc=True)
    return frame


# --------------------------------------------------------------------------------------------
# Export helpers (the tabular writers live in regen.export)
# --------------------------------------------------------------------------------------------

def enterprises_with_latest_figures(data: Dataset) -> pd.DataFrame:
    """One row per enterprise: its schema columns plus its most recent year's figures (if any)."""
    figures = data.figures.sort_values(["enterprise_id", "year"]).drop_duplicates("enterprise_id", keep="last")
    return data.enterprises.merge(figures, on="enterprise_id", how="left", validate="one_to_one")


def _json_value(value: object) -> object:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    return value


def geojson_bytes(frame: pd.DataFrame) -> bytes:
    """A GeoJSON FeatureCollection (UTF-8) with one Point per row at (lon, lat); other columns are properties."""
    properties = [c for c in frame.columns if c not in ("lat", "lon")]
    features = []
    for record in frame.to_dict(orient="records"):
        lat, lon = _json_value(record.get("lat")), _json_value(record.get("lon"))
        geometry = None if lat is None or lon is None else {"type": "Point", "coordinates": [lon, lat]}
        features.append({"type": "Feature", "geometry": geometry,
                         "properties": {c: _json_value(record[c]) for c in properties}})
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode("utf-8")


# --------------------------------------------------------------------------------------------
# The postcode lookup table
# --------------------------------------------------------------------------------------------

POSTCODE_FIELDS = ("postcode", "lat", "lon", "region", "area", "ward")
DISTRICT_FIELDS = ("outward", "lat", "lon", "postcodes")
LOOKUP_CHUNK_SQLITE = 900  # parameters per IN (...) query: under SQLite's oldest limit of 999
LOOKUP_CHUNK = 10_000


def _postcode_rows(frame: pd.DataFrame, names: tuple[str, ...], start: int, stop: int) -> list[tuple]:
    """Rows ``start:stop`` of ``frame`` as tuples of plain Python values (missing → None)."""
    part = frame.iloc[start:stop]
    return list(zip(*[_python_values(part[name]) for name in names], strict=True))


def _postcode_csv(frame: pd.DataFrame, names: tuple[str, ...], start: int, stop: int) -> bytes:
    """Rows ``start:stop`` of ``frame`` as CSV for PostgreSQL's COPY (written by arrow, no Python object per
    cell): text quoted, a missing value an unquoted empty field (NULL)."""
    import pyarrow.csv as pacsv

    part = frame.iloc[start:stop]
    arrays = []
    for name in names:
        arr = pa.Array.from_pandas(part[name])
        arrays.append(arr.cast(pa.string()) if pa.types.is_null(arr.type) else arr)
    sink = pa.BufferOutputStream()
    pacsv.write_csv(pa.Table.from_arrays(arrays, names=list(names)), sink,
                    pacsv.WriteOptions(include_header=False))
    return sink.getvalue().to_pybytes()


def _bulk_insert(conn: Connection, table: Table, names: tuple[str, ...], frame: pd.DataFrame) -> int:
    """Insert every row of ``frame`` (columns ``names``): COPY of CSV written by Arrow on PostgreSQL,
    executemany elsewhere (Python objects made a chunk at a time); see :func:`_bulk_write`."""
    return _bulk_write(conn, table, names, len(frame), lambda start, stop: _postcode_rows(frame, names, start, stop),
                       copy_chunk=lambda copy, start, stop: copy.write(_postcode_csv(frame, names, start, stop)),
                       copy_format=" (FORMAT csv)")


def _postcode_frame(table: pd.DataFrame) -> pd.DataFrame:
    """A normalised postcode table (index or column ``postcode``; lat, lon [, region, area, ward], see
    :func:`regen.ingest.postcodes.normalise_postcode_table`) as the stored columns, one row per postcode."""
    if not isinstance(table, pd.DataFrame):
        raise StoreError(f"the postcode table must be a pandas DataFrame, not {type(table).__name__}")
    if "postcode" in table.columns:
        postcode = table["postcode"]
    elif table.index.name == "postcode":
        postcode = table.index.to_series()
    else:
        raise StoreError("the postcode table needs a postcode column (or index); read the file with "
                         "regen.ingest.postcodes.read_postcodes first")
    missing = [c for c in ("lat", "lon") if c not in table.columns]
    if missing:
        raise StoreError(f"the postcode table has no {' or '.join(missing)} column")
    frame = pd.DataFrame({"postcode": postcode.astype("str").reset_index(drop=True)})
    for name in ("lat", "lon"):
        try:
            frame[name] = pd.to_numeric(table[name], errors="raise").to_numpy(dtype="float64", na_value=math.nan)
        except (TypeError, ValueError) as err:
            raise StoreError(f"postcode table: {name} values are not numbers ({err})") from err
    for name in ("region", "area", "ward"):
        frame[name] = table[name].astype("str").reset_index(drop=True) if name in table.columns else None
    usable = (frame["postcode"].notna() & frame["lat"].notna() & frame["lon"].notna()).to_numpy()
    if not usable.all():
        frame = frame[usable]
    # In postcode order (inserts then append to the primary key's B-tree), each postcode once (its first row).
    if frame.empty:
        return frame.reset_index(drop=True)
    keys = pa.chunked_array([pa.array(frame["postcode"].array, type=pa.large_string())]).combine_chunks()
    order = pc.sort_indices(keys)  # stable: equal postcodes stay in their order
    keys = pc.take(keys, order)
    repeated = pc.equal(keys.slice(1), keys.slice(0, len(keys) - 1)).to_numpy(zero_copy_only=False)
    rows = order.to_numpy()
    if repeated.any():
        rows = rows[np.concatenate([[True], ~repeated])]
    frame = frame.take(rows)
    return frame.reset_index(drop=True)


def save_postcodes(engine: Engine, table: pd.DataFrame, *, actor: str, source: str) -> int:
    """Keep ``table`` (a normalised postcode table, see :func:`regen.ingest.postcodes.read_postcodes`) as
    the store's postcode lookup table, replacing the one kept before, with its postcode districts; returns
    the number of postcodes stored.

    One transaction: the old rows go, the new ones are bulk-inserted, the districts recomputed, the
    source (file name ``source``, rows, ``actor``, time) recorded and an audit entry (action
    ``postcodes``) written; on any error nothing changes. Rows without a postcode or coordinates are
    left out, a repeated postcode is kept once (its first row)."""
    from regen.ingest.postcodes import districts as postcode_districts

    actor = _check_actor(actor)
    frame = _postcode_frame(table)
    if frame.empty:
        raise StoreError("the postcode table has no rows with a postcode and coordinates: nothing was saved")
    outward = postcode_districts(frame).reset_index()
    try:
        with _writing(engine) as conn:
            if conn.dialect.name == "postgresql":  # one replacement at a time; readers carry on meanwhile
                quote = conn.dialect.identifier_preparer.quote
                conn.exec_driver_sql(f"LOCK TABLE {quote(postcodes_table.name)} IN EXCLUSIVE MODE")
            conn.execute(delete(postcodes_table))
            conn.execute(delete(postcode_districts_table))
            rows = _bulk_insert(conn, postcodes_table, POSTCODE_FIELDS, frame)
            counted = _bulk_insert(conn, postcode_districts_table, DISTRICT_FIELDS, outward)
            conn.execute(insert(postcode_sources_table).values(at=_now(), actor=actor, source=source, rows=rows,
                                                               districts=counted))
            audit_entry(conn, actor, "postcodes", file_name=source,
                        detail=f"postcode table: {rows} postcodes, {counted} postcode districts")
    except DBAPIError as err:
        raise StoreError(f"saving the postcode table failed: {_first_line(err)}") from err
    return rows


def postcode_table_info(engine: Engine) -> dict | None:
    """What the stored postcode table is: ``{"rows", "districts", "source", "actor", "at"}`` of the last
    :func:`save_postcodes`; None when no table was ever saved."""
    t = postcode_sources_table
    with _reading(engine) as conn:
        row = conn.execute(select(t.c.rows, t.c.districts, t.c.source, t.c.actor, t.c.at)
                           .order_by(t.c.id.desc()).limit(1)).first()
    if row is None:
        return None
    return {"rows": int(row.rows), "districts": int(row.districts), "source": row.source, "actor": row.actor,
            "at": _aware(row.at)}


def _lookup(engine: Engine, table: Table, key: str, values: Sequence[str], names: tuple[str, ...]) -> pd.DataFrame:
    """Rows of ``table`` whose ``key`` is one of ``values``, read in chunks (bound parameters)."""
    wanted = sorted({str(v) for v in values if isinstance(v, str) and v})
    rows: list = []
    if wanted:
        column = table.c[key]
        query = select(*[table.c[n] for n in names])
        with _reading(engine) as conn:
            size = LOOKUP_CHUNK_SQLITE if conn.dialect.name == "sqlite" else LOOKUP_CHUNK
            for start in range(0, len(wanted), size):
                rows.extend(conn.execute(query.where(column.in_(wanted[start:start + size]))).fetchall())
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    data = {}
    for name, values_ in zip(names, columns, strict=True):
        if name in ("lat", "lon"):
            data[name] = pd.Series(values_, dtype="float64").to_numpy()
        elif name == "postcodes":
            data[name] = pd.Series(values_, dtype="int64").to_numpy()
        else:
            data[name] = pd.array(values_, dtype="str")
    frame = pd.DataFrame(data)
    return frame.set_index(key)


def lookup_postcodes(engine: Engine, postcodes: Sequence[str]) -> pd.DataFrame:
    """The stored rows of the given (formatted) postcodes, indexed by ``postcode``: lat, lon, region, area,
    ward; postcodes not in the table are absent. Only those postcodes are read."""
    return _lookup(engine, postcodes_table, "postcode", postcodes, POSTCODE_FIELDS)


def lookup_districts(engine: Engine, outwards: Sequence[str]) -> pd.DataFrame:
    """The stored postcode districts of the given outward codes ("NE1"), indexed by ``outward``: lat, lon,
    postcodes (how many postcodes the mean is of); codes not stored are absent."""
    return _lookup(engine, postcode_districts_table, "outward", outwards, DISTRICT_FIELDS)


# The store's transaction helpers and clock by public name, for the rest of the library (regen.auth)
now, aware, reading, writing = _now, _aware, _reading, _writing
