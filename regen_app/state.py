"""Session-state keys, in one place. A widget's key is also its query parameter's name in the URL
(see ``regen_app.urlstate``); keys starting with ``_`` are private to the session."""

LANG = "lang"
COUNTRY = "country"
REGION = "region"
AREA = "area"
SECTOR = "sector"
LEGAL_FORM = "legal_form"
YEARS = "years"
FILTER_KEYS = (COUNTRY, REGION, AREA, SECTOR, LEGAL_FORM, YEARS)

# Map page
MAP_YEAR = "year"
MAP_MODE = "mode"
MAP_COLOUR = "colour"
MAP_VIEW = "view"
MAP_SELECTED = "enterprise"  # the open card; in the URL so a card can be linked to
MAP_PLAYING = "_playing"
MAP_PLAY_YEAR = "_play_year"  # the year shown while playing: written by the server only (pages/1_map.py)
MAP_RERUN_PAGE = "_map_rerun_page"  # pressed inside the map fragment (Play/Pause, a new view): the whole page reruns

# Explorer page
SEARCH = "q"

# Impact page
IMPACT_GROUP = "survival_by"  # how survival curves are split: none, cohort, legal_form, sector, area, country
IMPACT_SPENDING = "spending"  # programme spending pasted by the visitor as text (never stored, not in the URL)

# Compare page
COMPARE = "compare"  # the compared places, as area codes: ?compare=E08000024,15205
COMPARE_RATE = "rate"  # an optional stated exchange rate (yen per pound) for a common view of money

# Scenario page
SCENARIO_PLACE = "place"
SCENARIO_N = "n"
SCENARIO_HORIZON = "horizon"
SCENARIO_SUPPORT = "support"
SCENARIO_SECTOR = "profile_sector"
SCENARIO_LEGAL_FORM = "profile_form"

# Which dataset the pages show: "sample" (built in, illustrative) or an analyst dataset with a
# published version. Shared between pages and in the URL (?data=main).
DATA = "data"
SAMPLE = "sample"

# Upload page (private to the session; never in the URL)
ANALYST = "_analyst"  # the signed-in analyst's user name (local accounts); never the password
MAPPINGS = "_mappings"  # corrected column mappings by (mapping_signature, kind): reused at once (the store keeps them too)
UPLOAD_MEMO = "_upload_memo"  # recent ingest results of this session, by file checksum and options
UPLOAD_BASES = "_upload_bases"  # the mapping each uploaded file's editor started from
FLASH = "_flash"  # a message to show after the rerun that follows a store action
VALUE_MAPS = "_value_maps"  # value choices ({field: {value: code}}) by (mapping_signature, kind) made this session
UPLOAD_VALUE_BASES = "_upload_value_bases"  # the value choices each uploaded file's Values step started from
VALUES_OPEN = "_values_open"  # + file key and kind: a Values step's expander (its open or closed state)
VALUES_EDITOR = "_values_editor"  # + file key, kind, field and rows digest: a Values table (its edits)

# The Upload page's own widgets
UPLOAD_COUNTRY = "upload_country"  # country of rows that do not say ("auto": worked out)
UPLOAD_REGION = "upload_region"  # default region of rows that do not say
UPLOAD_YEAR = "upload_figures_year"  # year of the figures of an enterprise list without a year column
MANAGE_DATASET = "manage_dataset"  # the dataset whose versions are listed
VERSION_TO_PUBLISH = "version_to_publish"
