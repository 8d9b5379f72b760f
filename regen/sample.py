"""Deterministic illustrative sample: fictional enterprises at real places, with yearly figures.

``python -m regen sample`` calls :func:`write_sample`, which rewrites ``data/sample/`` byte for byte
from :data:`SEED`. Everything random comes from one ``numpy.random.default_rng(seed)`` drawn in a
fixed order, and numbers are rounded to fixed decimals before writing, so the files are identical
across runs and machines.

The enterprises are FICTIONAL: names are assembled from generic word parts (a place or a plain
word, an activity, a legal-form suffix) and checked against a short list of real, well-known
organisations. The places, area codes and populations are real (see :mod:`regen.places`).

The story the sample tells: Sunderland, with a cluster around Hendon, grows a social-enterprise
economy after 2008 (births, growth and closures all visible); the wider North East, Cumbria and a
few London boroughs give comparison; twelve Japanese municipalities host smaller groups.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from regen.places import (
    CUMBRIA_PLACES, JP_PLACES, LONDON_PLACES, NORTH_EAST_PLACES, PLACES, SUNDERLAND_PLACES, Place, areas_frame,
)
from regen.schema import AREA_COLUMNS, ENTERPRISE_COLUMNS, FIGURE_COLUMNS
from regen.vocab import CURRENCIES, LEGAL_FORMS, SECTORS

SEED = 20261125
FIRST_YEAR = 2001
LAST_YEAR = 2025
FIRST_FOUNDED = 1995
N_ENTERPRISES = 360
JP_MIN_PER_PLACE = 5
JPY_PER_GBP = 180

# Share of enterprises per group, and weights of the places inside each group.
GROUPS: tuple[tuple[str, float, dict[str, float]], ...] = (
    ("sunderland", 0.45, {"sunderland": 0.15, "hendon": 0.28, "millfield": 0.11, "pallion": 0.10, "southwick": 0.08,
                          "ryhope": 0.07, "washington": 0.10, "houghton_le_spring": 0.06, "hetton_le_hole": 0.05}),
    ("north_east", 0.15, {"newcastle": 0.30, "gateshead": 0.18, "south_shields": 0.14, "durham": 0.14,
                          "hartlepool": 0.10, "middlesbrough": 0.14}),
    ("cumbria", 0.10, {"carlisle": 0.30, "workington": 0.18, "whitehaven": 0.18, "barrow_in_furness": 0.20,
                       "kendal": 0.14}),
    ("london", 0.10, {k: 1.0 for k in LONDON_PLACES}),
    ("japan", 0.20, {k: 1.0 for k in JP_PLACES}),
)
assert set(GROUPS[0][2]) == set(SUNDERLAND_PLACES) and set(GROUPS[1][2]) == set(NORTH_EAST_PLACES)
assert set(GROUPS[2][2]) == set(CUMBRIA_PLACES)

SECTOR_WEIGHTS: dict[str, dict[str, float]] = {
    "GB": {"care": 16, "food": 12, "energy": 5, "reuse": 10, "construction": 7, "training": 14, "arts": 8,
           "transport": 5, "digital": 8, "tourism": 4, "agriculture": 3, "retail": 8},
    "JP": {"care": 25, "food": 14, "energy": 10, "reuse": 3, "construction": 1, "training": 6, "arts": 3,
           "transport": 4, "digital": 2, "tourism": 12, "agriculture": 14, "retail": 6},
}
assert all(set(w) <= set(SECTORS) for w in SECTOR_WEIGHTS.values())  # the sample uses twelve of them
LEGAL_FORM_WEIGHTS: dict[str, dict[str, float]] = {
    "GB": {"cic": 34, "cooperative": 14, "cbs": 10, "employee_owned": 8, "charity": 22, "clg": 12},
    "JP": {"npo": 38, "general_inc": 18, "workers_coop": 16, "kk": 16, "cooperative": 12},
}
# Sectors where work-integration (hiring people facing disadvantage) is the point of the business.
WORK_INTEGRATION = {"food", "reuse", "construction", "training"}

# --- Fictional names ---------------------------------------------------------------------------

# Local words per place group (GB). Names combine one of these or a generic word with an activity.
LOCAL_WORDS: dict[str, tuple[str, ...]] = {
    "sunderland": ("Wearside", "Wear Mouth", "East End"), "hendon": ("Hendon", "Wearside", "Dockside"),
    "millfield": ("Millfield", "Wearside"), "pallion": ("Pallion", "Riverside"), "southwick": ("Southwick", "Wearside"),
    "ryhope": ("Ryhope", "Coast Road"), "washington": ("Washington", "Wearside"),
    "houghton_le_spring": ("Houghton", "Hillside"), "hetton_le_hole": ("Hetton", "Pit Lane"),
    "newcastle": ("Tyneside", "Quayside"), "gateshead": ("Gateshead", "Tyneside"),
    "south_shields": ("Shields", "Tyne Mouth"), "durham": ("Durham", "Wear Valley"),
    "hartlepool": ("Hartlepool", "Headland"), "middlesbrough": ("Teesside", "Boro"),
    "carlisle": ("Carlisle", "Border"), "workington": ("Workington", "Solway"), "whitehaven": ("Whitehaven", "Solway"),
    "barrow_in_furness": ("Furness", "Walney Channel"), "kendal": ("Kendal", "Kent Valley"),
    "hackney": ("Hackney", "Mare Street"), "tower_hamlets": ("Bethnal Green", "East London"),
    "southwark": ("Peckham", "Rye Lane"), "lambeth": ("Brixton", "Coldharbour"),
    "newham": ("Stratford", "Newham"), "camden": ("Camden", "Kentish"),
}
GENERIC_WORDS: tuple[str, ...] = (
    "Bright Yard", "Common Thread", "Kindred", "Open Hand", "Fair Share", "Saltwater", "Lantern", "Keelson",
    "Anchor Lane", "Hearthside", "Millstone", "Oak and Ash", "Good Turn", "Northlight", "Copper Kettle",
    "Long Table", "Patchwork", "Steady Hands", "Blue Door", "Tin Roof", "Workbench", "Sea Glass", "Slipway",
    "Coble", "Driftwood", "Kittiwake", "Whinstone", "Ropery", "Two Bridges", "Lamplight",
)
GB_ACTIVITY: dict[str, tuple[str, ...]] = {
    "care": ("Care Partners", "Home Support", "Carers' Circle", "Wellbeing Collective"),
    "food": ("Kitchen", "Community Bakery", "Food Hub", "Canteen"),
    "energy": ("Community Energy", "Solar Share", "Warm Homes"),
    "reuse": ("Reuse", "Repair Shed", "Furniture Rescue", "Bike Workshop"),
    "construction": ("Build", "Homes Retrofit", "Joinery"),
    "training": ("Skills Works", "Training Hub", "Learning Workshop"),
    "arts": ("Arts Studio", "Print Works", "Heritage Workshop"),
    "transport": ("Community Transport", "Bike Couriers", "Wheels"),
    "digital": ("Digital Workshop", "Code Lab", "Media Works"),
    "tourism": ("Heritage Walks", "Hostel", "Boat Tours"),
    "agriculture": ("Growers", "Market Garden", "Orchard"),
    "retail": ("Community Shop", "General Store", "Makers Market"),
}
GB_SUFFIX: dict[str, tuple[str, ...]] = {
    "cic": ("CIC",), "cooperative": ("Co-op", "Co-operative"), "cbs": ("Society", "Community Society"),
    "employee_owned": ("Ltd", "Partners Ltd"), "charity": ("Trust", "Project"), "clg": ("Ltd", "Network"),
}
# Japanese: a soft word (hiragana, romanised) or the town's name, an activity, and the legal form.
JP_WORDS: tuple[tuple[str, str], ...] = (
    ("はまかぜ", "Hamakaze"), ("やまびこ", "Yamabiko"), ("しおさい", "Shiosai"), ("こもれび", "Komorebi"),
    ("わかば", "Wakaba"), ("なぎさ", "Nagisa"), ("まつかぜ", "Matsukaze"), ("はるかぜ", "Harukaze"),
    ("ゆうなぎ", "Yunagi"), ("いろり", "Irori"), ("つむぎ", "Tsumugi"), ("みのり", "Minori"),
    ("おかげさま", "Okagesama"), ("てとて", "Tetote"), ("うみねこ", "Umineko"), ("さとうみ", "Satoumi"),
)
JP_TOWN_WORD: dict[str, str] = {
    "kashiwazaki": "柏崎", "tsuruga": "敦賀", "genkai": "玄海", "ikata": "伊方", "omaezaki": "御前崎",
    "rokkasho": "六ヶ所", "tomari": "泊", "onagawa": "女川", "satsumasendai": "薩摩川内", "matsue": "松江",
    "shika": "志賀", "tokai": "東海",
}
JP_ACTIVITY: dict[str, tuple[tuple[str, str], ...]] = {
    "care": (("福祉", "Care"), ("介護サービス", "Care Services"), ("見守り", "Community Watch")),
    "food": (("食堂", "Diner"), ("弁当", "Bento Kitchen"), ("ベーカリー", "Bakery")),
    "energy": (("市民エネルギー", "Community Energy"), ("ソーラー", "Solar")),
    "reuse": (("リユース", "Reuse"), ("修理工房", "Repair Workshop")),
    "construction": (("住まい工房", "Housing Workshop"), ("古民家再生", "Old House Revival")),
    "training": (("学び舎", "Learning House"), ("しごと塾", "Work Skills School")),
    "arts": (("文化工房", "Culture Workshop"), ("郷土芸能", "Folk Arts")),
    "transport": (("おでかけ支援", "Outings Support"), ("移動サービス", "Mobility Service")),
    "digital": (("デジタル工房", "Digital Workshop"), ("ICT支援", "ICT Support")),
    "tourism": (("観光案内", "Visitor Centre"), ("まち歩き", "Town Walks"), ("民泊", "Guesthouse")),
    "agriculture": (("農園", "Farm"), ("漁業", "Fisheries"), ("果樹園", "Orchard")),
    "retail": (("商店", "Store"), ("朝市", "Morning Market")),
}
JP_FORM: dict[str, tuple[str, str]] = {  # (Japanese pattern, English pattern)
    "npo": ("NPO法人{p}{n}", "{P} {N} (NPO)"),
    "general_inc": ("一般社団法人{p}{n}", "{P} {N} Association"),
    "workers_coop": ("{p}{n}ワーカーズ", "{P} {N} Workers' Co-op"),
    "kk": ("株式会社{p}{n}", "{P} {N} Co., Ltd."),
    "cooperative": ("{p}{n}協同組合", "{P} {N} Cooperative"),
}
# Names of real, well-known organisations a generated name must never equal or contain.
REAL_NAMES: tuple[str, ...] = (
    "Groundwork", "Citizens Advice", "Age UK", "Oxfam", "Barnardo", "Emmaus", "Big Issue", "Greggs",
    "John Lewis", "Co-operative Group", "Social Enterprise UK", "Wearside Women in Need", "Sunderland Community Action",
    "Nexus", "Gentoo", "Catalyst", "Unity", "Mind", "Shelter", "Crisis", "Salvation Army",
    "生活クラブ", "パルシステム", "コープ", "ワーカーズコープ", "日本労働者協同組合",
)

# What each enterprise does, by sector: (English, Japanese) twins of the same sentence, {place} being the
# place in that language (see _place_phrase / _place_phrase_ja).
DESCRIPTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "care": (("Provides home care and befriending for older people in {place}.",
              "{place}で、高齢者への訪問介護と、話し相手になる見守り活動を行っています。"),
             ("Runs a day centre and support for unpaid carers in {place}.",
              "{place}でデイサービスを運営し、家族を介護する人たちを支えています。")),
    "food": (("Community café training people for hospitality work in {place}.",
              "{place}の地域カフェで、飲食の仕事に就くための職業訓練を行っています。"),
             ("Cooks affordable meals and runs a pay-as-you-feel pantry in {place}.",
              "{place}で手頃な価格の食事を作り、代金は気持ちで払うフードパントリーを開いています。")),
    "energy": (("Community-owned solar on local roofs around {place}; surplus funds warm-home grants.",
                "{place}周辺の屋根に住民が共同で所有する太陽光発電を設け、その収益で住まいの断熱・暖房を助成しています。"),
               ("Helps households in {place} cut energy bills with advice and small repairs.",
                "{place}の家庭に助言やちょっとした修繕を行い、光熱費を抑える手助けをしています。")),
    "reuse": (("Collects, repairs and resells furniture and electricals in {place}.",
               "{place}で家具や家電を引き取り、修理して再び販売しています。"),
              ("Refurbishes donated bikes and computers for people in {place}.",
               "寄付された自転車やパソコンを整備し直し、{place}の人たちに届けています。")),
    "construction": (("Retrofits homes for energy efficiency and trains apprentices in {place}.",
                      "{place}で住宅の省エネ改修を行いながら、見習いの職人を育てています。"),
                     ("Repairs empty homes in {place} and lets them at affordable rents.",
                      "{place}の空き家を修繕し、手頃な家賃で貸し出しています。")),
    "training": (("Employment support and work placements for people far from work in {place}.",
                  "{place}で、仕事から長く離れている人に就労支援と職場実習の機会を提供しています。"),
                 ("Runs basic skills and confidence courses for adults in {place}.",
                  "{place}で、大人向けに基礎的な技能と自信を身につける講座を開いています。")),
    "arts": (("Arts and heritage workshops with schools and residents in {place}.",
              "{place}の学校や住民とともに、芸術と地域の歴史を体験するワークショップを開いています。"),
             ("Keeps a community studio and gallery open in {place}.",
              "{place}で、地域に開かれたアトリエとギャラリーを運営しています。")),
    "transport": (("Door-to-door transport for people who cannot use buses in {place}.",
                   "{place}で、バスを利用できない人を自宅から目的地まで送迎しています。"),
                  ("Volunteer drivers take people in {place} to appointments and shops.",
                   "{place}で、ボランティアの運転手が通院や買い物への送迎をしています。")),
    "digital": (("Digital skills sessions and low-cost web services for local groups in {place}.",
                 "{place}でデジタル技能の講座を開き、地域の団体に低料金でウェブサービスを提供しています。"),
                ("Helps small organisations in {place} with computers and online services.",
                 "{place}の小さな団体が、パソコンやオンラインサービスを使いこなせるよう支えています。")),
    "tourism": (("Guided walks and visitor services showing {place} to its guests.",
                 "ガイド付きのまち歩きや観光案内で、訪れる人に{place}を紹介しています。"),
                ("Runs a small guesthouse and local tours in {place}.",
                 "{place}で小さな宿と地域を巡るツアーを運営しています。")),
    "agriculture": (("Grows and sells local produce and runs volunteer growing days in {place}.",
                     "{place}で地元の農産物を育てて販売し、ボランティアと一緒に農作業をする日を設けています。"),
                    ("Keeps local farming and fishing going in {place} with shared equipment.",
                     "{place}で機械や道具を共同で使い、地域の農業と漁業を続けられるよう支えています。")),
    "retail": (("Community-run shop keeping everyday goods available in {place}.",
                "{place}で住民が運営する店として、日用品を買える場所を守っています。"),
               ("Sells local makers' goods from a shop in {place}.",
                "{place}の店舗で、地元のつくり手による品を販売しています。")),
}
assert set(DESCRIPTIONS) == set(GB_ACTIVITY) == set(JP_ACTIVITY)
# London wards the sample names, as Japanese writes them.
WARDS_JA: dict[str, str] = {
    "Hackney Central": "ハックニー・セントラル", "Bethnal Green": "ベスナル・グリーン", "Peckham": "ペッカム",
    "Brixton": "ブリクストン", "Stratford": "ストラトフォード", "Camden Town": "カムデン・タウン",
}


def _choice(rng: np.random.Generator, weights: dict[str, float]) -> str:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def _pick(rng: np.random.Generator, options: tuple):
    return options[int(rng.integers(len(options)))]


def _allocate(rng: np.random.Generator, n_total: int) -> list[str]:
    """Place key of every enterprise, in a fixed order (group by group, place by place)."""
    keys: list[str] = []
    for group, share, weights in GROUPS:
        n = int(round(n_total * share))
        places = list(weights)
        p = np.array([weights[k] for k in places], dtype=float)
        base = np.full(len(places), JP_MIN_PER_PLACE if group == "japan" else 0)
        counts = base + rng.multinomial(n - int(base.sum()), p / p.sum())
        for key, count in zip(places, counts, strict=True):
            keys.extend([key] * int(count))
    return keys


def _founded(rng: np.random.Generator, group: str, anchor: bool) -> int:
    years = np.arange(FIRST_FOUNDED, LAST_YEAR + 1)
    w = np.where(years < 2008, 1.0, np.where(years < 2020, 2.2, 1.7))
    if group == "sunderland":
        w = w * np.where((years >= 2010) & (years <= 2022), 1.35, 1.0)
    if anchor:
        w = w * np.where(years <= 2012, 3.0, 0.3)
    return int(years[rng.choice(years.size, p=w / w.sum())])


def _closed(rng: np.random.Generator, founded: int, country: str, anchor: bool) -> int | None:
    """Year of closure (first year not active), or None if still open in LAST_YEAR."""
    for year in range(max(founded + 1, FIRST_YEAR + 1), LAST_YEAR + 1):
        age = year - founded
        hazard = 0.085 if age <= 3 else 0.06 if age <= 5 else 0.03
        if country == "GB" and 2009 <= year <= 2012:
            hazard *= 1.4  # recession and cuts to public contracts
        if year in (2020, 2021):
            hazard *= 1.3
        if anchor:
            hazard *= 0.4
        if rng.random() < hazard:
            return year
    return None


def _jitter(rng: np.random.Generator, place: Place) -> tuple[float, float]:
    """A point within ``place.radius_km``, on the side away from ``place.water_bearing``."""
    dist = place.radius_km * math.sqrt(rng.random())
    if place.water_bearing is None:
        bearing = 360.0 * rng.random()
    else:  # a 160-degree wedge facing away from the water
        bearing = place.water_bearing + 100.0 + 160.0 * rng.random()
    theta = math.radians(bearing)
    dlat = dist * math.cos(theta) / 110.574
    dlon = dist * math.sin(theta) / (111.320 * math.cos(math.radians(place.lat)))
    return place.lat + dlat, place.lon + dlon


def _place_phrase(place: Place) -> str:
    if place.country == "JP":
        return place.name
    if place.area == "E08000024" and place.key != "sunderland":
        return f"{place.name}, Sunderland"
    if place.region == "london":
        return f"{place.ward}, {place.name}" if place.ward else place.name
    return place.name


def _place_phrase_ja(place: Place) -> str:
    """The place in a Japanese sentence: 柏崎市, サンダーランドのヘンドン, ロンドン・サザーク区のペッカム."""
    if place.country == "JP":
        return place.name_ja
    if place.area == "E08000024" and place.key != "sunderland":
        return f"サンダーランドの{place.name_ja}"
    if place.region == "london":
        borough = f"ロンドン・{place.name_ja}区"
        return f"{borough}の{WARDS_JA[place.ward]}" if place.ward else borough
    return place.name_ja


def _gb_name(rng: np.random.Generator, place: Place, sector: str, form: str) -> tuple[str, str | None]:
    prefix = _pick(rng, LOCAL_WORDS[place.key]) if rng.random() < 0.55 else _pick(rng, GENERIC_WORDS)
    return f"{prefix} {_pick(rng, GB_ACTIVITY[sector])} {_pick(rng, GB_SUFFIX[form])}", None


def _jp_name(rng: np.random.Generator, place: Place, sector: str, form: str) -> tuple[str, str]:
    if rng.random() < 0.35:
        p_ja, p_en = JP_TOWN_WORD[place.key], place.name
    else:
        p_ja, p_en = _pick(rng, JP_WORDS)
    n_ja, n_en = _pick(rng, JP_ACTIVITY[sector])
    pattern_ja, pattern_en = JP_FORM[form]
    return pattern_en.format(P=p_en, N=n_en), pattern_ja.format(p=p_ja, n=n_ja)


def _is_real_name(name: str) -> bool:
    """True if ``name`` contains a listed real organisation's name (as whole words for Latin script)."""
    low = name.casefold()
    for real in REAL_NAMES:
        needle = real.casefold()
        if needle.isascii():
            if re.search(rf"(?<![\w]){re.escape(needle)}(?![\w])", low):
                return True
        elif needle in low:
            return True
    return False


def _enterprises(rng: np.random.Generator) -> list[dict]:
    rows: list[dict] = []
    used: set[str] = set()
    group_of = {key: group for group, _share, weights in GROUPS for key in weights}
    for key in _allocate(rng, N_ENTERPRISES):
        place = PLACES[key]
        country = place.country
        group = group_of[key]
        sector = _choice(rng, SECTOR_WEIGHTS[country])
        forms = dict(LEGAL_FORM_WEIGHTS[country])
        if sector in WORK_INTEGRATION and country == "GB":
            forms["cic"] *= 1.5
        form = _choice(rng, forms)
        assert form in LEGAL_FORMS[country]
        anchor = rng.random() < 0.05
        founded = _founded(rng, group, anchor)
        closed = _closed(rng, founded, country, anchor)
        precision = _choice(rng, {"exact": 0.80, "postcode": 0.13, "place": 0.07})
        lat, lon = _jitter(rng, place)
        if precision == "place":
            lat, lon = place.lat, place.lon
        decimals = 3 if precision == "postcode" else 5
        for _ in range(50):
            name, name_ja = (_gb_name if country == "GB" else _jp_name)(rng, place, sector, form)
            if name not in used and not _is_real_name(name) and not (name_ja and _is_real_name(name_ja)):
                break
        else:  # pragma: no cover - the word lists are large enough
            raise RuntimeError(f"could not make a unique name at {key}")
        used.add(name)
        description, description_ja = _pick(rng, DESCRIPTIONS[sector])
        rows.append({
            "place": key, "name": name, "name_ja": name_ja, "legal_form": form, "sector": sector,
            "founded": founded, "closed": closed, "country": country, "region": place.region,
            "area": place.area, "ward": place.ward, "lat": round(lat, decimals), "lon": round(lon, decimals),
            "geo_precision": precision,
            "description": description.format(place=_place_phrase(place)),
            "description_ja": description_ja.format(place=_place_phrase_ja(place)),
            "anchor": anchor,
        })
    # The first Hendon enterprise is a reuse CIC. (It once carried a display-test name; its sector and
    # legal form are kept because its yearly figures, and through the shared random stream those of
    # every enterprise after it, depend on them: the sample's numbers stay as they were.)
    first_hendon = next(row for row in rows if row["place"] == "hendon")
    reuse_en, reuse_ja = DESCRIPTIONS["reuse"][0]
    first_hendon.update(name="Hendon Reuse CIC", sector="reuse", legal_form="cic",
                        description=reuse_en.format(place=_place_phrase(PLACES["hendon"])),
                        description_ja=reuse_ja.format(place=_place_phrase_ja(PLACES["hendon"])))
    assert sum(row["name"] == "Hendon Reuse CIC" for row in rows) == 1
    # Stable order and ids: country, then place order, then founding year.
    place_order = {k: i for i, k in enumerate(PLACES)}
    rows.sort(key=lambda r: (r["country"] != "GB", place_order[r["place"]], r["founded"]))
    counters = {"GB": 0, "JP": 0}
    for row in rows:
        counters[row["country"]] += 1
        row["enterprise_id"] = f"{row['country']}-{counters[row['country']]:04d}"
    return rows


def _figures(rng: np.random.Generator, rows: list[dict]) -> list[dict]:
    out: list[dict] = []
    for row in rows:
        country = row["country"]
        start = int(rng.choice([1, 2, 3, 4, 5, 6], p=[0.25, 0.25, 0.2, 0.12, 0.1, 0.08]))
        if row["anchor"]:
            cap = float(rng.uniform(50, 150))
        else:
            cap = float(np.clip(start + rng.lognormal(math.log(7 if country == "GB" else 5), 0.7), 3, 45))
        rate = float(rng.uniform(0.15, 0.5))
        fte_ratio = float(rng.uniform(0.55, 0.95))
        p_disadv = float(rng.uniform(0.25, 0.6) if row["sector"] in WORK_INTEGRATION else rng.uniform(0.03, 0.25))
        vol_mean = {"charity": 14, "cbs": 9, "npo": 11, "general_inc": 5, "cooperative": 4}.get(row["legal_form"], 2)
        vol_mean = float(vol_mean * rng.uniform(0.4, 1.6))
        revenue_per_head = float(rng.uniform(22_000, 55_000))
        inflation = 1.025 if country == "GB" else 1.003
        currency = CURRENCIES[country]
        last = LAST_YEAR if row["closed"] is None else row["closed"] - 1
        for year in range(max(row["founded"], FIRST_YEAR), last + 1):
            age = year - row["founded"]
            level = cap / (1 + (cap / start - 1) * math.exp(-rate * age))
            if year in (2020, 2021) and row["sector"] in ("food", "tourism", "arts"):
                level *= 0.85
            employees = max(1, int(round(level * math.exp(rng.normal(0, 0.06)))))
            fte = math.floor(employees * min(1.0, fte_ratio * math.exp(rng.normal(0, 0.04))) * 10) / 10
            fte = max(fte, 0.5)
            disadvantaged = int(rng.binomial(employees, p_disadv))
            volunteers = int(rng.poisson(vol_mean))
            price_level = inflation ** (year - FIRST_YEAR)
            turnover_gbp = employees * revenue_per_head * price_level * math.exp(rng.normal(0, 0.08))
            turnover = round(turnover_gbp, -2) if country == "GB" else round(turnover_gbp * JPY_PER_GBP, -4)
            gaps = rng.random(4)  # a few missing values, as in real returns
            out.append({
                "enterprise_id": row["enterprise_id"], "year": year, "employees": employees,
                "fte": None if gaps[0] < 0.03 else fte,
                "disadvantaged_hires": None if gaps[1] < 0.03 else disadvantaged,
                "volunteers": None if gaps[2] < 0.05 else volunteers,
                "turnover": None if gaps[3] < 0.04 else float(turnover),
                "currency": currency,
            })
    return out


def generate(seed: int = SEED) -> dict[str, pd.DataFrame]:
    """The sample tables: ``{"enterprises", "figures", "areas"}`` in schema column order."""
    rng = np.random.default_rng(seed)
    rows = _enterprises(rng)
    figures = pd.DataFrame(_figures(rng, rows), columns=list(FIGURE_COLUMNS))
    enterprises = pd.DataFrame(rows).reindex(columns=list(ENTERPRISE_COLUMNS))
    for col in ("founded", "closed"):
        enterprises[col] = enterprises[col].astype("Int64")
    for col in ("year", "employees", "disadvantaged_hires", "volunteers"):
        figures[col] = figures[col].astype("Int64")
    for col in ("fte", "turnover"):
        figures[col] = figures[col].astype(float)
    figures = figures.sort_values(["enterprise_id", "year"], ignore_index=True)
    return {"enterprises": enterprises, "figures": figures, "areas": areas_frame()[list(AREA_COLUMNS)]}


# Fixed decimals per float column when writing.
_DECIMALS = {"lat": 5, "lon": 5, "fte": 1, "turnover": 0}


def _formatted(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    for col in frame.columns:
        series = frame[col]
        if col in _DECIMALS:
            fmt = f"{{:.{_DECIMALS[col]}f}}"
            out[col] = [("" if pd.isna(v) else fmt.format(float(v))) for v in series]
        else:
            out[col] = [("" if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else str(v))
                        for v in series.astype(object)]
    return out


def write_sample(out_dir: Path | str, seed: int = SEED) -> list[Path]:
    """Write enterprises.csv, figures.csv and areas.csv (UTF-8, no BOM, LF) to ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind, frame in generate(seed).items():
        path = out_dir / f"{kind}.csv"
        text = _formatted(frame).to_csv(index=False, lineterminator="\n")
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    return paths
