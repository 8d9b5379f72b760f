"""Session-state and URL keys, in one place. Widgets with these keys are bound to the URL's query
parameters (``bind="query-params"``), so the key is also the query parameter's name."""

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
MAP_SELECTED = "_selected_enterprise"
MAP_PLAYING = "_playing"

# Explorer page
SEARCH = "q"
