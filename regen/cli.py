"""Command line: ``python -m regen COMMAND``. Commands parse options and call the library; library
errors become one clear line on stderr and a non-zero exit code, never a traceback."""

from __future__ import annotations

import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Regen Atlas: social enterprises, jobs and places."""


@cli.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=ROOT / "data" / "sample",
              show_default=True, help="Folder to write the sample CSV files to.")
@click.option("--seed", type=int, default=None, help="Random seed (default: the project's fixed seed).")
def sample(out_dir: Path, seed: int | None) -> None:
    """Regenerate the illustrative sample data, byte for byte, from a fixed seed."""
    from regen import sample as sample_mod

    kwargs = {} if seed is None else {"seed": seed}
    paths = sample_mod.write_sample(out_dir, **kwargs)
    for path in paths:
        click.echo(str(path))


# ---- Analysts' store: import, datasets, publish, rollback, export, user ----------------------
# Thin wrappers over regen.store and regen.auth. The database is $REGEN_DATABASE_URL (default: the
# SQLite file var/regen.db); the operating-system user running the command is the audit actor.

DEFAULT_DATASET = "main"
KIND_CHOICES = ("enterprises", "figures", "areas")
EXPORT_FORMATS = ("csv", "xlsx", "geojson")
# Notes of regen.ingest about areas from boundary files and regions filled in, echoed by `import`.
AREA_NOTES = ("area_filled", "area_disagrees", "outside_boundaries", "overlapping_boundaries", "on_boundary_edge")
REGION_NOTES = ("region_from_area", "region_from_prefecture", "region_default")


def _actor() -> str:
    import getpass

    try:
        return getpass.getuser() or "unknown"
    except Exception:  # no user name in the environment or the password database
        return "unknown"


def _engine():
    from regen.store import StoreError, get_engine

    try:
        return get_engine()
    except StoreError as err:
        raise click.ClickException(str(err)) from None


class _StoreErrors:
    """Turn the library's errors into one clear line and exit code 1 (no traceback)."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        from sqlalchemy.exc import SQLAlchemyError

        from regen.store import StoreError

        if exc is None:
            return False
        if isinstance(exc, StoreError):
            raise click.ClickException(str(exc)) from None
        if isinstance(exc, SQLAlchemyError):
            message = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            raise click.ClickException(f"database error: {message[0] if message else type(exc).__name__}") from None
        return False


def _map_values_option(ctx, param, items: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """The --map-value options (FIELD:VALUE=CODE, see regen.ingest.values.parse_map_value) as value
    choices {field: {value: code}} (a later option for the same value wins); a bad one is a usage error."""
    from regen.ingest.values import merge_values, parse_map_value

    choices: dict[str, dict[str, str]] = {}
    for item in items or ():
        try:
            field_name, value, code = parse_map_value(item)
        except ValueError as err:
            raise click.BadParameter(str(err), ctx=ctx, param=param) from None
        choices = merge_values(choices, {field_name: {value: code}})
    return choices


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dataset", default=DEFAULT_DATASET, show_default=True, help="Dataset to add a version to.")
@click.option("--kind", type=click.Choice(KIND_CHOICES), default=None,
              help="What the file holds (default: detected from its columns). Applies to every FILE.")
@click.option("--publish", "publish_now", is_flag=True, help="Publish the new version at once.")
@click.option("--note", default=None, help="A note stored with the version.")
@click.option("--country", type=click.Choice(("GB", "JP"), case_sensitive=False), default=None,
              help="Country of rows that do not say.")
@click.option("--region", default=None, help="Region of enterprises that do not say (a code such as north_east or "
                                              "hokkaido, or its name).")
@click.option("--postcodes", "postcodes_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Postcode lookup table (CSV/xlsx with postcode, lat, lon) used to locate rows.")
@click.option("--year", type=int, default=None, help="Year of the figures in an enterprise list without a year column.")
@click.option("--map", "overrides", multiple=True, metavar="COLUMN=FIELD",
              help="Correct the mapping of a file with this COLUMN (FIELD empty to ignore it); remembered for the "
                   "next file with the same headers. Repeatable.")
@click.option("--map-value", "value_overrides", multiple=True, metavar="FIELD:VALUE=CODE", callback=_map_values_option,
              help="Read VALUE of FIELD (legal_form, sector, region or country) as CODE, e.g. "
                   "'legal_form:Friendly Society=cbs' (VALUE may hold ':' and '='; empty for blank cells); "
                   "remembered with the column mapping for the next file with the same headers. Repeatable.")
@click.option("--proposed-mapping", is_flag=True,
              help="Ignore column mappings and value codes remembered for files of this shape; use the ones "
                   "proposed from the headers and values.")
def import_cmd(files: tuple[Path, ...], dataset: str, kind: str | None, publish_now: bool, note: str | None,
               country: str | None, region: str | None, postcodes_file: Path | None, year: int | None,
               overrides: tuple[str, ...], value_overrides: dict, proposed_mapping: bool) -> None:
    """Import FILE(s) (CSV or Excel) as a new version of a dataset.

    A version is a complete snapshot: tables not given (e.g. only figures) are carried over from the
    published version. Rows that fail validation are left out and counted.

    Boundary files (GeoJSON, GeoPackage, zipped Shapefile) among the FILEs are stored with the version
    as its area outlines. Enterprises located by coordinates, postcode or place but without an area get
    the one their point lies in before validation (rows outside every area are left out); enterprises
    whose area disagrees with their coordinates are reported (not changed).

    When an analyst has corrected the column mapping of a file of the same shape (same headers) on the
    upload page or with --map, that mapping is used, unless --proposed-mapping is given; so are the
    codes chosen for its values (upload page or --map-value). Values of a legal form or sector that
    match no code are kept as "other" with their original text, and listed.
    """
    try:
        from regen.ingest import IngestError, read_postcodes, read_table
    except ImportError as err:
        raise click.ClickException(f"importing is not available: {err}") from None
    from regen.imports import FileSource, collect, figure_context, store_batch, stored_postcodes
    from regen.ingest.mapping import fit_mapping, rememberable
    from regen.ingest.values import merge_values, values_to_remember
    from regen.store import StoreError, file_checksum, load_dataset, recall_mapping, recall_values, remember_mapping

    corrections = dict(_map_option(item) for item in overrides)
    with _StoreErrors():
        engine = _engine()
    notes = []
    corrected = []  # (signature, kind, mapping, value choices or None) to remember once the version is stored
    boundaries, boundary_paths = _import_boundaries(files, notes)
    options = {"country": country, "region": region, "boundaries": boundaries}
    sources: list[tuple[FileSource, str | None, object]] = []
    given_postcodes = None
    if postcodes_file is not None:
        try:
            given_postcodes = options["postcodes"] = read_postcodes(postcodes_file)
        except IngestError as err:
            raise click.ClickException(f"cannot read the postcode table {postcodes_file}: {err.message}") from None
        sources.append((FileSource(postcodes_file.name, file_checksum(postcodes_file)), "postcodes", None))
    else:
        with _StoreErrors():
            stored = stored_postcodes(engine)
        if stored is not None:
            options["postcodes"] = stored
            click.echo(f"postcodes: using the table stored from {stored.info['source']} "
                       f"({stored.info['rows']:,} postcodes; --postcodes FILE replaces it)", err=True)
    if year is not None:
        options["year"] = year

    def read_one(path: Path, context=None):
        """One file read as the analyst would have it: the remembered (or corrected) mapping and value codes."""
        extra = {} if context is None else {"enterprises": context}
        try:
            result = read_table(path, kind=kind, **options, **extra)
        except Exception as err:  # the reader's errors (unreadable, too big, unknown columns ...)
            raise click.ClickException(f"cannot read {path}: {err}") from None
        if getattr(result, "error", None):
            raise click.ClickException(f"cannot read {path}: {result.error}")
        signature = getattr(result, "signature", None)
        mapping = None
        remembered_values = {}
        if not proposed_mapping and signature and result.kind:
            with _StoreErrors():
                remembered_values = recall_values(engine, signature, result.kind)
            if remembered_values and context is None:
                click.echo(f"{path.name}: using the value codes remembered for files with these headers "
                           "(--proposed-mapping to ignore them)", err=True)
        values = merge_values(remembered_values, value_overrides)
        if corrections and any(column in result.mapping for column in corrections):
            mapping = {**result.mapping, **{c: f for c, f in corrections.items() if c in result.mapping}}
        elif not proposed_mapping and signature and result.kind:
            with _StoreErrors():
                mapping = recall_mapping(engine, signature, result.kind)
            mapping = mapping and fit_mapping(mapping, result.headers)
            if mapping and any((mapping.get(h) or None) != (f or None) for h, f in result.mapping.items()):
                if context is None:
                    click.echo(f"{path.name}: using the column mapping remembered for files with these headers "
                               "(--proposed-mapping to ignore it)", err=True)
            else:
                mapping = None
        if mapping is not None or values:
            result = read_table(path, kind=result.kind, mapping=mapping, **options, **extra,
                                **({"values": values} if values else {}))
            if result.error:
                raise click.ClickException(f"cannot read {path}: {result.error}")
            keep = rememberable(result.mapping) if corrections or value_overrides else None  # as read
            if keep and signature and result.kind:
                chosen = values_to_remember(remembered_values, result.values) if value_overrides else None
                corrected.append((signature, result.kind, keep, chosen))
            if context is None:
                _echo_unmatched_values(path.name, value_overrides, getattr(result, "values", None))
        return result

    readings = {}
    for path in files:
        if path in boundary_paths:
            continue
        readings[path] = read_one(path)
    # Yearly figures are read again knowing the enterprises (those of the import, else the published
    # version's): their ID column is chosen by what joins, and a turnover without a currency sign takes
    # its enterprise's country's currency.
    base = None
    if not any(getattr(r, "kind", None) == "enterprises" for r in readings.values()):
        with _StoreErrors():
            try:
                base = load_dataset(engine, dataset).enterprises
            except StoreError:
                base = None  # no published version yet
    context = figure_context(readings.values(), base)
    if context is not None:
        for path, result in readings.items():
            if getattr(result, "kind", None) == "figures":
                readings[path] = read_one(path, context)
    for path in files:
        source = FileSource(path.name, file_checksum(path))
        if path in boundary_paths:
            sources.append((source, "boundaries", None))
            continue
        result = readings[path]
        found = getattr(result, "kind", None) or kind
        if found not in KIND_CHOICES or getattr(result, "accepted", None) is None:
            raise click.ClickException(f"{path}: could not tell what the file holds; use --kind")
        _echo_reading(path.name, found, result)
        if found == "enterprises":
            notes.extend(_echo_areas(getattr(result, "notes", None) or [], list(result.problems)))
        sources.append((source, found, result))
    batch = collect(sources, boundaries=None if boundaries is None else _boundary_result(boundaries))
    if given_postcodes is not None:
        batch.postcodes, batch.postcode_source = given_postcodes, postcodes_file.name
    for code, what in batch.blockers:
        if code == "same_kind":
            raise click.ClickException(f"two files hold {what}: import them one at a time")
        if code == "no_rows":
            path = next(p for p in files if p.name == what)
            problems = len(readings[path].problems)
            raise click.ClickException(f"{path}: no valid rows ({problems} problem(s)); nothing imported")
        raise click.ClickException(f"{what or 'the files'}: {code.replace('_', ' ')}; nothing imported")
    if batch.derived_figures:
        click.echo(f"figures: {len(batch.frames['figures'])} rows taken from the enterprise list", err=True)
    if batch.unknown_figures:
        click.echo(f"figures: {batch.unknown_figures} row(s) name no known enterprise; left out", err=True)
    full_note = "; ".join(([note] if note else []) + notes) or None
    with _StoreErrors():
        number = store_batch(engine, batch, dataset, actor=_actor(), publish=publish_now, note=full_note)
    for signature, found_kind, mapping, chosen in corrected:
        try:
            remember_mapping(engine, signature, found_kind, mapping, actor=_actor(), values=chosen)
        except Exception as err:  # noqa: BLE001 - the version is stored; only the memory of the mapping failed
            click.echo(f"warning: the corrected mapping was not remembered: {err}", err=True)
    state = "published" if publish_now else "draft; publish with: python -m regen publish " \
        f"{number} --dataset {dataset}"
    click.echo(f"{dataset} version {number} ({state})")
    if batch.postcodes is not None:
        click.echo(f"postcodes: {len(batch.postcodes):,} stored from {batch.postcode_source} for later imports", err=True)


def _echo_reading(name: str, kind: str, result) -> None:
    """What reading one file did, in plain words: rows kept and left out, then the reasons grouped with
    examples (the full list: ``python -m regen validate FILE --json``)."""
    kept_values = sum(1 for p in result.problems if p.kept)
    left_out = result.rows_read - result.rows_accepted
    click.echo(f"{name}: {kind}, {result.rows_read} rows read, {result.rows_accepted} kept, {left_out} left out"
               + (f"; {kept_values} value(s) left out of rows kept" if kept_values else ""), err=True)
    summary = result.summary_frame("en")
    for row in summary.head(10).itertuples(index=False):
        column = f" [{row.column}]" if row.column else ""
        click.echo(f"  {row.rows} × {row.outcome}{column}: {row.reason}" + (f" ({row.examples})" if row.examples else ""),
                   err=True)
    if len(summary) > 10:
        click.echo(f"  ... and {len(summary) - 10} more reasons (python -m regen validate {name} for all)", err=True)
    _echo_kept_as_other(getattr(result, "values", None))


def _boundary_result(frame):
    from regen.boundaries import BoundaryResult

    return BoundaryResult(frame=frame)


def _map_option(item: str) -> tuple[str, str | None]:
    """COLUMN=FIELD (FIELD empty: ignore the column) → (column, field or None)."""
    column, sep, field_name = item.partition("=")
    if not sep or not column.strip():
        raise click.BadParameter(f"{item!r}: expected COLUMN=FIELD", param_hint="--map")
    return column.strip(), field_name.strip() or None


def _echo_unmatched_values(name: str, chosen: dict, found) -> None:
    """Warn about --map-value choices naming a value (or a field) the file does not have."""
    from regen.ingest.mapping import norm

    for field_name, codes in (chosen or {}).items():
        frame = (found or {}).get(field_name)
        written = {norm(v) for v in frame["value"]} if frame is not None and "value" in frame else set()
        for value in codes:
            if norm(value) not in written:
                click.echo(f"{name}: --map-value {field_name}:{value}: the file has no such {field_name} value",
                           err=True)


def _uses_remembered(remembered: dict, chosen: dict, found) -> bool:
    """Whether a reading (its values ``found``) used a remembered value code that no --map-value replaced."""
    from regen.ingest.mapping import norm
    from regen.ingest.values import changed_values

    replaced = {(f, norm(v)) for f, codes in (chosen or {}).items() for v in codes}
    used = {(f, norm(v)) for f, codes in changed_values(found).items() for v in codes}
    return any((f, norm(v)) in used - replaced for f, codes in (remembered or {}).items() for v in codes)


def _echo_kept_as_other(found) -> None:
    """List the values read as "other" (their original text is stored beside the code), with row counts."""
    from regen.ingest.values import kept_as_other

    others = kept_as_other(found)
    if others:
        click.echo("  values kept as other (original text stored; --map-value FIELD:VALUE=CODE to choose a code):",
                   err=True)
    for field_name, value, count in others:
        click.echo(f"    {field_name}: {value!r} ({count} row{'s' if count != 1 else ''})", err=True)


def _echo_areas(result_notes, problems) -> list[str]:
    """Echo what ingest did with areas and regions (boundaries, default region); returns the version's note."""
    counts = {}
    outside = sum(1 for p in problems if getattr(p, "code", None) == "outside_boundaries")
    if outside:
        click.echo(f"areas: {outside} row(s) lie outside every area of the boundary file: kept, with the area "
                   "not known", err=True)
        counts["outside_boundaries"] = outside
    for item in result_notes:
        if item.code in AREA_NOTES + REGION_NOTES:
            click.echo(f"{'areas' if item.code in AREA_NOTES else 'regions'}: {item.message} ({item.count} row(s))",
                       err=True)
            counts[item.code] = counts.get(item.code, 0) + item.count
    summary = [f"{counts[code]} {code.replace('_', ' ')}" for code in ("area_filled", "area_disagrees",
                                                                       "outside_boundaries") if counts.get(code)]
    return ["areas: " + ", ".join(summary)] if summary else []


def _import_boundaries(files, notes: list):
    """Read the boundary files among ``files``: (one GeoDataFrame of their areas or None, their paths)."""
    from regen.boundaries import is_boundary_file, read_boundaries

    paths = [p for p in files if is_boundary_file(p)]
    if not paths:
        return None, set()
    import pandas as pd

    parts = []
    for path in paths:
        result = read_boundaries(path)
        if result.error:
            raise click.ClickException(f"cannot read {path}: {result.error}")
        click.echo(f"{path.name}: boundaries, {result.features_read} features, {result.areas} areas "
                   f"(code field {result.code_field or '-'}, name field {result.name_field or '-'}, "
                   f"CRS {result.crs}), {len(result.problems)} problem(s)", err=True)
        for item in result.problems + result.notes:
            click.echo(f"  {item.message}", err=True)
        if result.problems:
            notes.append(f"{path.name}: " + "; ".join(p.message for p in result.problems))
        parts.append(result.frame)
    frame = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    clash = frame["code"][frame["code"].duplicated()].unique().tolist()
    if clash:
        raise click.ClickException(f"the boundary files share area code(s) {', '.join(map(str, clash[:5]))}; "
                                   "import one file per set of areas")
    return frame, set(paths)


@cli.command("datasets")
@click.option("--dataset", default=None, help="Only this dataset.")
def datasets_cmd(dataset: str | None) -> None:
    """List datasets and their versions with status."""
    from regen.store import list_versions

    with _StoreErrors():
        frame = list_versions(_engine(), dataset)
    if frame.empty:
        click.echo("No datasets yet." if dataset is None else f"No versions of {dataset!r}.")
        return
    frame = frame.assign(created_at=frame["created_at"].dt.strftime("%Y-%m-%d %H:%M"),
                         rows=frame["rows_enterprises"].astype(str) + "/" + frame["rows_figures"].astype(str)
                         + "/" + frame["rows_areas"].astype(str))
    shown = frame[["dataset", "version", "status", "created_at", "created_by", "rows", "file_name"]]
    click.echo(shown.fillna("").to_string(index=False))
    click.echo("(rows: enterprises/figures/areas)")


@cli.command("publish")
@click.argument("version", type=int)
@click.option("--dataset", default=DEFAULT_DATASET, show_default=True)
def publish_cmd(version: int, dataset: str) -> None:
    """Publish VERSION of a dataset (the published one becomes archived)."""
    from regen.store import publish

    with _StoreErrors():
        publish(_engine(), dataset, version, _actor())
    click.echo(f"{dataset} version {version} published")


@cli.command("rollback")
@click.option("--dataset", default=DEFAULT_DATASET, show_default=True)
def rollback_cmd(dataset: str) -> None:
    """Re-publish the version that was published before the current one."""
    from regen.store import rollback

    with _StoreErrors():
        number = rollback(_engine(), dataset, _actor())
    click.echo(f"{dataset} rolled back: version {number} published")


@cli.command("export")
@click.option("--dataset", default=DEFAULT_DATASET, show_default=True)
@click.option("--version", type=int, default=None, help="Version number (default: the published one).")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default=None,
              help="Default: from the --output suffix, else csv.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (default: standard output).")
def export_cmd(dataset: str, version: int | None, fmt: str | None, output: Path | None) -> None:
    """Export enterprises with their latest figures (schema columns only) as CSV, Excel or GeoJSON."""
    from regen.store import SAMPLE_DATASET, enterprises_with_latest_figures, ensure_sample, geojson_bytes, load_dataset

    if fmt is None:
        suffix = output.suffix.lower().lstrip(".") if output else ""
        fmt = {"xlsx": "xlsx", "geojson": "geojson", "json": "geojson"}.get(suffix, "csv")
    if fmt == "xlsx" and output is None and sys.stdout.isatty():
        raise click.ClickException("an Excel file is binary: give --output FILE.xlsx")
    with _StoreErrors():
        engine = _engine()
        if dataset == SAMPLE_DATASET:
            ensure_sample(engine)
        frame = enterprises_with_latest_figures(load_dataset(engine, dataset, version))
    if fmt == "geojson":
        data = geojson_bytes(frame)
    else:
        from regen import export

        data = export.to_xlsx_bytes(frame) if fmt == "xlsx" else export.to_csv_bytes(frame)
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        output.write_bytes(data)
    except OSError as err:
        raise click.ClickException(f"cannot write {output}: {err.strerror or err}") from None
    click.echo(f"{len(frame)} enterprises written to {output}", err=True)


@cli.command("impact")
@click.option("--dataset", default=None,
              help=f"Dataset (default: {DEFAULT_DATASET!r} when it has a published version, else the sample).")
@click.option("--area", "area_codes", multiple=True, metavar="CODE",
              help="Only enterprises of this area (an area code; repeat for several).")
@click.option("--censor", default=None, metavar="DATE",
              help="The date up to which the data is complete (YYYY or YYYY-MM-DD; default: the latest year in the data).")
@click.option("--json", "as_json", is_flag=True, help="Print exactly one JSON object.")
def impact_cmd(dataset: str | None, area_codes: tuple[str, ...], censor: str | None, as_json: bool) -> None:
    """Survival (Kaplan-Meier with 95% intervals), job flows by year and per-resident figures by area,
    for the published version of a dataset or the sample."""
    import json
    import math

    from regen import impact, readings, survival
    from regen.filters import Filters
    from regen.metrics import build_panel

    ds, version = _impact_dataset(dataset)
    panel = build_panel(ds)
    censor_year = _censor_year(censor, panel.year_max)
    if censor_year > panel.year_max:
        raise click.ClickException(f"--censor {censor}: after the last year of the data ({panel.year_max}); "
                                   "enterprises cannot be counted as trading beyond what the data covers")
    known = set(ds.enterprises["area"].astype(str))
    unknown = [c for c in area_codes if c not in known]
    if unknown:
        raise click.ClickException(f"no enterprises in area {', '.join(unknown)} of dataset {ds.name!r}")
    mask = panel.mask(Filters(area=area_codes))
    result = survival.panel_survival(panel, mask, censor_year=censor_year)
    flows = impact.job_flows(panel, mask)
    flows = flows[(flows["year"] <= censor_year) & (flows["year"] > panel.year_min)]
    areas = impact.per_resident(panel, mask, ds.areas, min(censor_year, panel.year_max))

    def plain(value):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        if hasattr(value, "item"):
            value = value.item()
        return None if isinstance(value, float) and math.isnan(value) else value

    def records(frame) -> list[dict]:
        return [{k: plain(v) for k, v in row.items()} for row in frame.astype(object).to_dict("records")]

    if as_json:
        click.echo(json.dumps({
            "dataset": ds.name, "version": version, "illustrative": bool(ds.illustrative),
            "areas_selected": list(area_codes), "censor_year": censor_year,
            "survival": result.as_dict(), "flows": records(flows), "areas": records(areas),
        }, ensure_ascii=False))
        return
    label = f"{ds.name}" + (f" version {version}" if version is not None else "") + (
        " (illustrative sample: fictional enterprises)" if ds.illustrative else "")
    click.echo(f"Dataset: {label}; data complete up to {censor_year}")
    click.echo(f"\nSurvival (Kaplan-Meier, 95% CI): {result.n} enterprises, {result.events} closures")
    for horizon, est in result.at.items():
        click.echo(f"  still trading after {horizon:>2} years: {_estimate_text(est)}")
    if result.median.estimate is not None:
        median = f"{result.median.estimate:g} years"
    else:
        median = "not reached yet" if "median_not_reached" in result.warnings else "too few to say"
    click.echo(f"  median survival: {median}")
    for code in result.warnings:
        click.echo(f"  warning ({code}): {readings.warning(code, result, 'en')}")
    click.echo("\nJobs by year (created, lost, net):")
    shown_flows = flows[["year", "jobs", "created", "lost", "net"]].astype({"created": "Int64", "lost": "Int64", "net": "Int64"})
    click.echo(shown_flows.to_string(index=False) if len(flows) else "  no flows")
    click.echo("\nPer 10,000 residents by area:")
    shown = [c for c in ("code", "name", "population", "enterprises", "jobs", "enterprises_per_10k", "jobs_per_10k", "note")
             if c in areas.columns]
    click.echo(areas[shown].round(1).fillna("").to_string(index=False) if len(areas) else "  no areas")


def _impact_dataset(dataset: str | None):
    """(dataset, published version) for `impact`: the named dataset's published version, the sample for
    "sample", and by default "main" when it is published, else the sample."""
    from regen.dataset import load_sample
    from regen.store import SAMPLE_DATASET, StoreError, get_engine, load_dataset, published_version

    if dataset in (None, SAMPLE_DATASET):
        if dataset is None:
            try:
                engine = get_engine()
                version = published_version(engine, DEFAULT_DATASET)
                if version is not None:
                    return load_dataset(engine, DEFAULT_DATASET, version), version
            except StoreError:
                pass
        return load_sample(), None
    with _StoreErrors():
        engine = _engine()
        version = published_version(engine, dataset)
        if version is None:
            raise click.ClickException(f"dataset {dataset!r} has no published version")
        return load_dataset(engine, dataset, version), version


def _censor_year(text: str | None, default: int) -> int:
    import re

    if text is None:
        return int(default)
    match = re.fullmatch(r"\s*(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?\s*", text)
    if not match:
        raise click.ClickException(f"--censor {text!r}: give a year or a date such as 2024 or 2024-03-31")
    year = int(match.group(1))
    if not 1800 <= year <= 2100:
        raise click.ClickException(f"--censor {text!r}: the year must be between 1800 and 2100")
    if match.group(2) is None:
        return year  # a year: complete to its end
    import datetime

    try:
        day = datetime.date(year, int(match.group(2)), int(match.group(3) or 1))
    except ValueError:
        raise click.ClickException(f"--censor {text!r}: not a real date") from None
    if match.group(3) is None:  # a month: complete to its end only if it is December
        return year if day.month == 12 else year - 1
    # figures are yearly: a date before 31 December means the data is complete to the end of the year before
    return year if (day.month, day.day) == (12, 31) else year - 1


def _estimate_text(est) -> str:
    if est is None or est.estimate is None:
        return "too few to say"
    if est.lower is None or est.upper is None:
        return f"{est.estimate:.0%}"
    return f"{est.estimate:.0%} (95% CI {est.lower:.0%}-{est.upper:.0%})"


@cli.group("user")
def user_group() -> None:
    """Local accounts for signing in to the app."""


@user_group.command("add")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def user_add(name: str, password_stdin: bool) -> None:
    """Create account NAME; the password is asked for twice (never given on the command line)."""
    from regen.auth import add_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _StoreErrors():
        add_user(_engine(), name, password, actor=_actor())
    click.echo(f"user {name} added")


@user_group.command("list")
def user_list() -> None:
    """List accounts (never their passwords)."""
    from regen.auth import list_users

    with _StoreErrors():
        frame = list_users(_engine())
    if frame.empty:
        click.echo("No users.")
        return
    frame["created_at"] = frame["created_at"].dt.strftime("%Y-%m-%d %H:%M")
    frame["locked_until"] = frame["locked_until"].dt.strftime("%Y-%m-%d %H:%M:%S").fillna("")
    click.echo(frame.to_string(index=False))


@user_group.command("remove")
@click.argument("name")
def user_remove(name: str) -> None:
    """Delete account NAME."""
    from regen.auth import remove_user

    with _StoreErrors():
        remove_user(_engine(), name, actor=_actor())
    click.echo(f"user {name} removed")


@cli.command("validate")
@click.argument("file", type=click.Path(dir_okay=True, path_type=Path))
@click.option("--kind", "kind", type=click.Choice(("enterprises", "figures", "areas")), default=None,
              help="What the file holds (default: detected from its columns).")
@click.option("--json", "as_json", is_flag=True, help="Print exactly one JSON object instead of a report.")
@click.option("--postcodes", "postcodes_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Postcode lookup table (CSV/xlsx with postcode, lat, lon) used to locate rows.")
@click.option("--country", type=click.Choice(("GB", "JP"), case_sensitive=False), default=None,
              help="Country of rows that do not say.")
@click.option("--year", type=int, default=None, help="Year of the figures in an enterprise list without a year column.")
@click.option("--map", "overrides", multiple=True, metavar="COLUMN=FIELD",
              help="Correct the proposed mapping (FIELD empty to ignore a column). Repeatable.")
@click.option("--map-value", "value_overrides", multiple=True, metavar="FIELD:VALUE=CODE", callback=_map_values_option,
              help="Read VALUE of FIELD (legal_form, sector, region or country) as CODE, e.g. "
                   "'legal_form:Friendly Society=cbs'. Repeatable.")
@click.option("--boundaries", "boundaries_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Boundary file (GeoJSON, GeoPackage, zipped Shapefile): enterprises without an area get the one "
                   "their point lies in.")
@click.option("--region", default=None, help="Region of enterprises that do not say (a code such as north_east or "
                                              "hokkaido, or its name).")
def validate_cmd(file: Path, kind: str | None, as_json: bool, postcodes_file: Path | None, country: str | None,
                 year: int | None, overrides: tuple[str, ...], value_overrides: dict, boundaries_file: Path | None,
                 region: str | None) -> None:
    """Check FILE (CSV, TSV, gzip'd CSV or .xlsx) against the schema without storing anything.

    A boundary file (GeoJSON, GeoPackage, zipped Shapefile) gets a short report instead: features,
    the code and name fields found, its CRS, and problems (features left out). With --boundaries B,
    an enterprise list is checked against B's areas as `import` would: areas filled in from the
    polygons, rows outside every area reported.

    Exit code 0: every row accepted; 1: some rows rejected; 2: the file cannot be read.
    """
    import json

    def emit(payload: dict, text: str) -> None:
        if as_json:
            click.echo(json.dumps(payload, ensure_ascii=not (sys.stdout.encoding or "").lower().startswith("utf"),
                                  default=str))
        else:
            click.echo(text)

    try:
        try:
            sys.stdout.reconfigure(errors="replace")
        except (AttributeError, ValueError):
            pass
        from regen.boundaries import is_boundary_file

        if file.is_file() and is_boundary_file(file):  # GeoJSON, GeoPackage, zipped Shapefile
            from regen.boundaries import read_boundaries

            found = read_boundaries(file)
            emit({"kind": "boundaries", **found.to_json()}, found.report())
            sys.exit(2 if found.error else (1 if found.problems else 0))
        from regen.ingest import IngestError, read_postcodes, read_table
        from regen.ingest.report import format_report

        postcodes = None
        if postcodes_file is not None:
            try:
                postcodes = read_postcodes(postcodes_file)
            except IngestError as err:
                message = f"cannot read the postcode table {postcodes_file}: {err.message}"
                emit({"file": str(file), "error": message, "error_code": err.code, "rows_read": 0,
                      "rows_accepted": 0, "rows_rejected": 0, "problems": []}, message)
                sys.exit(2)
        boundaries = None
        if boundaries_file is not None:
            from regen.boundaries import read_boundaries

            boundaries = read_boundaries(boundaries_file)
            if boundaries.error:
                message = f"cannot read the boundary file {boundaries_file}: {boundaries.error}"
                emit({"file": str(file), "error": message, "error_code": boundaries.error_code, "rows_read": 0,
                      "rows_accepted": 0, "rows_rejected": 0, "problems": []}, message)
                sys.exit(2)
        options = {"kind": kind, "postcodes": postcodes, "country": country, "year": year, "region": region,
                   "boundaries": boundaries, **({"values": value_overrides} if value_overrides else {})}
        result = read_table(file, **options)
        if overrides and result.error is None:
            mapping = {**result.mapping, **dict(_map_option(item) for item in overrides)}
            result = read_table(file, mapping=mapping, **options)
        payload, text = result.to_json(), format_report(result)
        found = getattr(result, "values", None) or {}
        if found and not result.error:
            from regen.ingest.values import kept_as_other

            payload.setdefault("values", {f: frame.to_dict("records") for f, frame in found.items()})
            others = kept_as_other(found)
            if others:
                text += "\nValues kept as other (original text stored):\n" + "\n".join(
                    f"  {f}: {v!r} ({n} row{'s' if n != 1 else ''})" for f, v, n in others)
        if boundaries is not None:
            payload["boundaries"] = boundaries.to_json()
            text = f"Boundaries: {boundaries_file.name}, {boundaries.areas} area(s)\n{text}"
        emit(payload, text)
        code = 2 if result.error else (1 if result.rows_rejected else 0)
    except SystemExit:
        raise
    except Exception as err:  # noqa: BLE001 - one clear line, never a traceback
        message = f"cannot validate {file}: {type(err).__name__}: {err}"
        emit({"file": str(file), "error": message, "error_code": "unreadable", "rows_read": 0, "rows_accepted": 0,
              "rows_rejected": 0, "problems": []}, message)
        code = 2
    sys.exit(code)


# ---- Stories: the Present page's slides ----------------------------------------------------------

@cli.group("story")
def story_group() -> None:
    """Stories for the Present page: slides of the app's views with words in English and Japanese."""


@story_group.command("list")
@click.option("--folder", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of story files (default: data/stories).")
@click.option("--lang", type=click.Choice(("en", "ja")), default="en", show_default=True)
def story_list(folder: Path | None, lang: str) -> None:
    """The stories there are: id, number of slides and title; broken files named with their problems."""
    from regen import story

    found = story.find(folder or story.STORIES_DIR)
    for item in found.stories:
        click.echo(f"{item.id}\t{len(item.slides)} slides\t{item.title(lang)}")
    for err in found.errors:
        click.echo(f"error: {err}", err=True)
    if not found.stories and not found.errors:
        click.echo("no stories found", err=True)
    sys.exit(1 if found.errors else 0)


@story_group.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def story_check(files: tuple[Path, ...]) -> None:
    """Check story files (YAML) against the story format: one line per problem, exit 1 if any."""
    from regen import story

    bad = 0
    for path in files:
        try:
            item = story.read(path)
        except story.StoryError as err:
            bad += 1
            for problem in err.problems:
                click.echo(f"{path}: {problem}", err=True)
            continue
        click.echo(f"{path}: ok ({item.id}, {len(item.slides)} slides)")
    sys.exit(1 if bad else 0)


def main() -> None:
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)
