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

# Explorer page
SEARCH = "q"
