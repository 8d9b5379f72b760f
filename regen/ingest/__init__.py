"""Reading analysts' own files (CSV, TSV, gzip'd CSV, Excel .xlsx) into the schema, with a report.

Public surface::

    read_table(source, *, kind=None, mapping=None, postcodes=None, areas=None, name=None,
               max_bytes=None, country=None, year=None, sheet=None, boundaries=None,
               region=None, values=None, known_ids=None, enterprises=None) -> IngestResult
    propose_mapping(headers, kind=None) -> dict[str, str | None]
    mapping_signature(headers) -> str
    detect_kind(fields) -> str | None
    read_postcodes(source) -> DataFrame   # a postcode lookup table (postcode, lat, lon ...): simple, ONSPD/NSPL
                                          # or Code-Point Open, see regen.ingest.postcodes
    PostcodeLookup.from_table(t) / .from_store(engine)  # postcodes looked up, with a district fallback
    IngestResult, Note, IngestError, FIELDS, PROBLEM_CODES, NOTE_CODES, ERROR_CODES

Files may have a BOM or none; be UTF-8, UTF-16 (with BOM), CP932/Shift-JIS or Windows-1252/Latin-1;
use commas, semicolons, tabs or pipes; have title lines above the header, multi-line quoted cells,
thousands separators and currency signs, approximate numbers ("approx 15", "c. 20", "15+"),
day-first or ISO dates, Japanese era years (平成15年) and full-width digits. Columns holding personal
data (contact names, emails, phones, personal addresses), found by header or content, are excluded
and never returned. Addresses and postcodes are used only to locate a row, then dropped.

``Problem.row`` is the file row (1-based, counting title lines and the header, as a spreadsheet
numbers rows: a quoted cell spanning several lines is one row); ``Problem.column`` is the file's
column name where there is one. Nothing here writes to disk or a database.

Given ``boundaries`` (area outlines, see :mod:`regen.boundaries`), enterprises located by coordinates,
postcode or place but without an area get the area their point lies in before validation, and
``region`` is a default region for rows that do not say (see :func:`read_table`).

Problem codes (translated by the interface as ``problem.<code>``):

* from the schema (``regen.schema.validate``): ``invalid_type``, ``missing``, ``duplicate``,
  ``not_allowed``, ``out_of_range``, ``closed_before_founded``, ``fte_above_headcount``,
  ``turnover_without_currency``, ``missing_column`` (row is None: a required field has no column),
  ``invalid``
* from ingest: ``invalid_number``, ``invalid_year``, ``unknown_legal_form``, ``unknown_sector``,
  ``unknown_country``, ``unknown_currency``, ``currency_mismatch``, ``invalid_postcode`` (and the row
  could not be located otherwise), ``no_location``, ``outside_boundaries`` (no area, and the point lies
  outside every area of the boundaries), ``extra_cells`` (more cells than the header), ``bad_row``
  (unreadable quoting), ``totals_row`` (a totals or subtotals line of a report, e.g. "North East
  Total" with no ID: left out with this one reason), ``figures_without_year`` (a yearly-figures row
  with a blank year), ``no_headcount`` (a yearly-figures row with no headcount: jobs not reported are
  not 0 jobs), ``country_unknown`` (nothing in the row or the
  file tells its country: the one fact besides a name an enterprise cannot do without),
  ``unknown_kind`` (row is None: every row rejected)

A problem with ``kept=True`` left one value out of a row that was kept: an unreadable or out-of-range
founding or closing year, a closing year before the founding year (both left out), an unreadable
number or coordinate, an unknown country or currency, a turnover without a currency, an FTE above the
headcount, a postcode that locates nothing, a point outside every boundary. Only a missing name (or ID),
country, year of a figure or headcount of a figure leaves a row out. A legal form or sector that matches
no code is not a problem: it becomes "other" with its text kept (note ``values_other``); a missing one is
"unknown", and so are a region and an area that neither the file nor the location gives (notes
``region_unknown``, ``area_unknown``); a row that cannot be located is kept with ``geo_precision``
"none" (note ``no_location``).

Note codes (``note.<code>``; accepted rows, for information): ``approximate``, ``coordinates_zero``,
``coordinates_incomplete``, ``coordinates_swapped``, ``invalid_postcode``, ``no_postcode_table``,
``gazetteer_unavailable``, ``country_inferred``, ``currency_inferred``, ``generated_ids``,
``region_from_address``, ``region_from_area``, ``region_unrecognised``, ``area_code_used``,
``personal_data_removed``, ``personal_column_refused``, ``columns_ignored``, ``figures_without_year``,
``other_sheets_ignored``, ``no_rows``, ``mapping_unknown_column``, ``mapping_unknown_field``,
``mapping_duplicate_field``, ``values_other``, ``region_unknown``, ``area_unknown``, ``no_location``,
``place_ambiguous`` (a town name that fits several places, with nothing in the row to choose: left
unlocated, the candidates in ``detail``), ``place_not_found``, ``postcode_district`` (the postcode is not in the postcode table: placed at the
centre of its postcode district, precision "district"), ``region_from_postcode``, ``carried_forward`` (yearly figures that repeat the
year before exactly up to an enterprise's last year: kept, for the analyst to check), ``year_column_chosen``, ``id_column_chosen`` (the column proposed for a field was
replaced by a better one, found from the contents: the message says why),
``control_characters`` (NUL bytes or other control characters removed
from a cell, the rest of the value kept); with boundaries: ``area_filled``, ``area_disagrees`` (``detail``: row:
given → found), ``outside_boundaries`` (an area was given), ``overlapping_boundaries``,
``on_boundary_edge``, ``region_from_prefecture``; with a default region: ``region_default``

Error codes (``IngestResult.error_code``, file not read at all): ``empty_file``, ``too_large``,
``not_a_table``, ``damaged_file``, ``unsupported_format``, ``not_found``, ``unreadable``, ``bad_kind``,
``bad_postcodes``, ``bad_boundaries``, ``bad_region``, ``internal_error`` (an unexpected failure inside
ingest: a bug, reported instead of raised)
"""

from __future__ import annotations

from regen.ingest.mapping import FIELDS, detect_kind, mapping_signature, propose_mapping
from regen.ingest.pipeline import read_table
from regen.ingest.postcodes import PostcodeLookup, read_postcodes
from regen.ingest.read import IngestError
from regen.ingest.result import IngestResult, Note

PROBLEM_CODES: tuple[str, ...] = (
    "invalid_type", "missing", "duplicate", "not_allowed", "out_of_range", "closed_before_founded",
    "fte_above_headcount", "turnover_without_currency", "missing_column", "invalid",
    "invalid_number", "invalid_year", "unknown_legal_form", "unknown_sector", "unknown_country", "unknown_currency",
    "currency_mismatch", "invalid_postcode", "no_location", "outside_boundaries", "extra_cells", "bad_row",
    "totals_row", "figures_without_year", "no_headcount", "country_unknown", "unknown_kind",
)
NOTE_CODES: tuple[str, ...] = (
    "approximate", "coordinates_zero", "coordinates_incomplete", "coordinates_swapped", "invalid_postcode",
    "no_postcode_table", "gazetteer_unavailable", "country_inferred", "currency_inferred", "generated_ids",
    "region_from_address", "region_from_area", "region_unrecognised", "area_code_used", "personal_data_removed",
    "personal_column_refused", "columns_ignored", "figures_without_year", "other_sheets_ignored", "no_rows",
    "mapping_unknown_column", "mapping_unknown_field", "mapping_duplicate_field", "area_filled", "area_disagrees",
    "outside_boundaries", "overlapping_boundaries", "on_boundary_edge", "region_from_prefecture", "region_default",
    "control_characters", "values_other", "region_unknown", "area_unknown", "no_location", "place_ambiguous",
    "place_not_found", "postcode_district", "region_from_postcode", "carried_forward", "year_column_chosen", "id_column_chosen",
)
ERROR_CODES: tuple[str, ...] = (
    "empty_file", "too_large", "not_a_table", "damaged_file", "unsupported_format", "not_found", "unreadable",
    "bad_kind", "bad_postcodes", "bad_boundaries", "bad_region", "internal_error",
)


__all__ = [
    "ERROR_CODES", "FIELDS", "IngestError", "IngestResult", "NOTE_CODES", "Note", "PROBLEM_CODES", "detect_kind",
    "PostcodeLookup", "mapping_signature", "propose_mapping", "read_postcodes", "read_table",
]
