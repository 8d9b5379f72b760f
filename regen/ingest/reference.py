"""Reference data for locating rows: rough country boxes, the regions and areas of regen.places, and the
patterns of Japanese prefectures and script."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from regen.ingest.mapping import norm


# Rough bounding boxes (south, west, north, east) used to spot swapped coordinates and guess a country.
BBOX = {"GB": (49.8, -8.7, 60.9, 1.8), "JP": (24.0, 122.9, 45.6, 154.0)}


def in_box(country: str, lat: pd.Series, lon: pd.Series) -> pd.Series:
    s, w, n, e = BBOX[country]
    return lat.between(s, n) & lon.between(w, e)


@lru_cache(maxsize=1)
def places_reference() -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, dict]]:
    """(region index norm→slug, region slug→country, area index norm→code, area code→info)."""
    regions: dict[str, str] = {}
    region_country: dict[str, str] = {}
    areas: dict[str, str] = {}
    area_info: dict[str, dict] = {}
    try:
        from regen import places
    except Exception:  # noqa: BLE001 - another module; ingest works without it
        return regions, region_country, areas, area_info
    for slug, info in getattr(places, "REGIONS", {}).items():
        region_country[slug] = info.get("country")
        for key in (slug, slug.replace("_", " "), info.get("en"), info.get("ja")):
            if key:
                regions.setdefault(norm(key), slug)
        en = info.get("en") or ""
        if en.endswith(" England"):
            regions.setdefault(norm(en[: -len(" England")]), slug)
        ja = info.get("ja") or ""
        if len(ja) > 2 and ja[-1] in "都府県":
            regions.setdefault(norm(ja[:-1]), slug)
    for code, area in getattr(places, "AREAS", {}).items():
        area_info[code] = {"region": area.region, "country": area.country, "name": area.name}
        for key in (code, area.name, area.name_ja):
            if key:
                areas.setdefault(norm(key), code)
    return regions, region_country, areas, area_info


PREFECTURE_RE = r"東京都|北海道|大阪府|京都府|[^\s\d,、]{2,3}県"
JP_TEXT = r"[\x{3040}-\x{30ff}\x{4e00}-\x{9fff}]"  # kana and kanji: Japanese text
