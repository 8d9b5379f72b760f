"""Header → field mapping, value vocabularies (legal forms, sectors, countries, currencies), kind
detection and personal-data detection. Pure functions over small inputs (headers, unique values)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

from regen.schema import AREA_COLUMNS, ENTERPRISE_COLUMNS, FIGURE_COLUMNS
from regen.vocab import ALL_LEGAL_FORMS, SECTORS

INGEST_ONLY: tuple[str, ...] = ("postcode", "address", "place")
"""Fields read from a file only to locate an enterprise; never stored."""

FIELDS: tuple[str, ...] = tuple(dict.fromkeys(ENTERPRISE_COLUMNS + FIGURE_COLUMNS + AREA_COLUMNS + INGEST_ONLY))
KINDS: tuple[str, ...] = ("enterprises", "figures", "areas")

# Fields a column may be mapped to, by kind. An enterprise list may carry figure columns (employees,
# turnover ...): they are mapped so that the report shows them, and read as yearly figures when the
# file also says which year they are for.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "enterprises": tuple(dict.fromkeys(ENTERPRISE_COLUMNS + INGEST_ONLY + FIGURE_COLUMNS)),
    "figures": tuple(dict.fromkeys(FIGURE_COLUMNS + ("name", "country"))),
    "areas": AREA_COLUMNS,
}

NUMBER_FIELDS = frozenset({"employees", "fte", "disadvantaged_hires", "volunteers", "turnover", "population"})
INTEGER_FIELDS = frozenset({"employees", "disadvantaged_hires", "volunteers", "population"})
YEAR_FIELDS = frozenset({"founded", "closed", "year", "population_year"})
COORD_FIELDS = frozenset({"lat", "lon"})


def norm(text: object) -> str:
    """Normalised form used for matching: NFKC (full-width → half-width), case-folded, punctuation and
    runs of spaces collapsed to one space."""
    s = unicodedata.normalize("NFKC", "" if text is None else str(text)).casefold()
    s = re.sub(r"[\s\W_]+", " ", s)
    return s.strip()


def norm_header(text: object) -> str:
    """Like :func:`norm`, with bracketed units removed ("Turnover (£)" → "turnover")."""
    s = unicodedata.normalize("NFKC", "" if text is None else str(text))
    stripped = re.sub(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】", " ", s)
    return norm(stripped) or norm(s)


def compact(text: object) -> str:
    """Normalised form without any spaces (for value vocabularies: "Co-op" → "coop")."""
    return norm(text).replace(" ", "")


# --- Header aliases ----------------------------------------------------------------------------

# Exact aliases (after norm_header): header → candidate fields, best first. A kind's mapping keeps the
# first candidate the kind allows.
_ALIASES: dict[tuple[str, ...], tuple[str, ...]] = {
    ("enterprise_id",): (
        "id", "enterprise id", "enterprise_id", "organisation id", "organization id", "org id", "ref", "ref no",
        "reference", "reference number", "registration number", "registered number", "company number",
        "company no", "company registration number", "charity number", "charity no", "crn", "urn", "uid",
        "団体id", "事業者id", "法人番号", "管理番号", "整理番号", "id番号", "番号",
        # A national co-operative register's open data (organisations and economy files).
        "cuk organisation id", "cuk organization id", "cuk id", "registration no", "registered no",
    ),
    ("code", "enterprise_id"): ("code", "コード"),
    ("code", "area"): (
        "area code", "area_code", "lad code", "la code", "lad22cd", "lad23cd", "lad24cd", "local authority code",
        "ons code", "gss code", "地域コード", "団体コード", "市区町村コード", "自治体コード", "全国地方公共団体コード",
    ),
    ("name",): (
        "name", "registered name", "trading name", "organisation name", "organization name", "organisation",
        "organization", "enterprise", "enterprise name", "company", "company name", "business name",
        "social enterprise", "name of organisation", "name of organization", "org name", "name en", "english name",
    ),
    ("name", "name_ja"): (
        "事業者名", "法人名", "団体名", "名称", "組織名", "企業名", "会社名", "法人の名称", "事業所名", "団体の名称",
        "法人名称", "事業者名称",
    ),
    ("name_ja",): ("name ja", "name_ja", "japanese name", "name japanese", "name in japanese", "和名", "日本語名", "名称 日本語"),
    ("legal_form",): (
        "legal form", "legal_form", "legal status", "legal structure", "company type", "organisation type",
        "organization type", "entity type", "type", "type of organisation", "incorporation type", "法人格",
        "法人種別", "組織形態", "法人形態", "団体種別", "法人の種類",
    ),
    ("sector",): (
        "sector", "industry", "activity", "main activity", "primary activity", "business activity", "category",
        "field", "primary sector", "分野", "業種",
        "事業分野", "活動分野", "産業", "主な活動分野",
    ),
    ("founded",): (
        "founded", "year founded", "founded year", "founding year", "established", "year established",
        "date established", "incorporated", "incorporation date", "date of incorporation", "registration date",
        "date registered", "registered", "start year", "year started", "date of registration", "設立", "設立年", "設立年月日", "設立日",
        "創業", "創業年", "設立年度", "法人設立日", "設立年月", "認証日",
    ),
    ("closed",): (
        "closed", "year closed", "closure date", "date closed", "dissolved", "dissolution date", "date dissolved",
        "ceased", "year ceased", "dissolved date", "deregistration date", "date deregistered", "deregistered",
        "deregistration", "date of dissolution", "解散", "解散日", "解散年", "廃止", "廃止年", "閉鎖", "閉鎖年",
    ),
    ("country",): ("country", "nation", "country code", "国", "国名"),
    ("region",): (
        "region", "prefecture", "county", "region name", "都道府県", "都道府県名", "県", "地方", "region code",
    ),
    ("area", "name"): (
        "area", "area name", "local authority", "local authority name", "council", "district", "borough", "la name",
        "lad name", "lad", "市区町村", "市区町村名", "自治体", "自治体名", "市町村", "市町村名",
    ),
    ("ward",): ("ward", "ward name", "electoral ward", "町丁", "地区", "町名"),
    ("lat",): ("lat", "latitude", "y", "緯度", "lat wgs84", "latitude wgs84"),
    ("lon",): ("lon", "lng", "long", "longitude", "x", "経度", "lon wgs84", "longitude wgs84"),
    ("geo_precision",): ("geo precision", "geo_precision", "location precision", "precision"),
    ("description",): (
        "description", "about", "summary", "activities", "what they do", "notes", "概要", "事業内容", "活動内容",
        "事業概要", "説明", "備考",
    ),
    ("year",): (
        "year", "financial year", "fy", "reporting year", "year ending", "year end", "accounts year", "economic year",
        "submitdate", "submit date", "date submitted", "datestamp",
        "年度",
        "対象年度", "年", "会計年度", "事業年度",
    ),
    ("employees",): (
        "employees", "no of employees", "number of employees", "employee count", "staff", "no of staff",
        "number of staff", "staff numbers", "staff count", "headcount", "head count", "paid staff", "jobs",
        "従業員数", "従業員", "職員数", "雇用者数", "スタッフ数", "社員数", "有給職員数",
    ),
    ("fte",): ("fte", "ftes", "full time equivalent", "full time equivalents", "常勤換算", "常勤換算数", "常勤換算職員数"),
    ("disadvantaged_hires",): (
        "disadvantaged hires", "disadvantaged_hires", "disadvantaged employees", "employees facing disadvantage",
        "就労困難者", "就労困難者数", "障害者雇用数",
    ),
    ("volunteers",): ("volunteers", "no of volunteers", "number of volunteers", "ボランティア", "ボランティア数"),
    ("turnover",): (
        "turnover", "annual turnover", "income", "total income", "annual income", "revenue", "sales",
        "売上", "売上高", "年間売上", "事業収入", "収入", "経常収益", "事業収益", "収益", "年間収入",
    ),
    ("currency",): ("currency", "ccy", "通貨"),
    ("postcode",): (
        "postcode", "post code", "postal code", "zip", "zip code", "registered postcode", "郵便番号", "〒",
    ),
    ("address",): (
        "address", "registered address", "registered office address", "business address", "office address",
        "street address", "full address", "所在地", "住所", "事務所所在地", "主たる事務所の所在地", "本店所在地",
        "事業所所在地",
    ),
    ("place",): ("town", "city", "place", "locality", "village", "settlement", "location", "town city", "post town",
                 "registered city", "registered town", "registered post town"),
    ("population",): ("population", "人口", "総人口", "population total"),
    ("population_year",): ("population year", "population_year", "census year", "人口年", "調査年"),
    ("population_source",): ("population source", "population_source", "source", "出典", "出所"),
}
ALIASES: dict[str, tuple[str, ...]] = {}
for _fields, _names in _ALIASES.items():
    for _name in _names:
        ALIASES.setdefault(norm_header(_name), _fields)

# Looser rules for headers that are not an exact alias: (pattern searched in norm_header, fields).
_PATTERNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"緯度|\blat(itude)?\b", ("lat",)),
    (r"経度|\blon(g|gitude)?\b|\blng\b", ("lon",)),
    (r"郵便番号|\bpost ?code\b|\bzip\b|\bpostal\b", ("postcode",)),
    (r"disadvantag|就労困難", ("disadvantaged_hires",)),
    (r"volunteer|ボランティア", ("volunteers",)),
    (r"\bftes?\b|full time equiv|常勤換算", ("fte",)),
    (r"employ|\bstaff\b|headcount|従業員|職員|雇用者|社員", ("employees",)),
    (r"turnover|income|revenue|\bsales\b|売上|収入|収益", ("turnover",)),
    (r"found|establish|incorporat|設立|創業", ("founded",)),
    (r"\bclos|dissol|ceased|deregist|解散|廃止", ("closed",)),
    (r"legal|company type|法人格|法人種別|組織形態|法人形態", ("legal_form",)),
    (r"sector|industry|\bactivity\b|分野|業種", ("sector",)),
    (r"area code|authority code|\blad\d*cd\b|コード", ("code", "area")),
    (r"address|所在地|住所", ("address",)),
    (r"region|prefecture|都道府県", ("region",)),
    (r"local authority|council|district|borough|市区町村|自治体|市町村", ("area", "name")),
    (r"population source|出典", ("population_source",)),
    (r"population|人口", ("population",)),
    (r"currency|通貨", ("currency",)),
    (r"country|国名", ("country",)),
    (r"description|activit|概要|事業内容|活動内容", ("description",)),
    (r"\byear\b|年度|\bperiod end|\baccounts? date|決算(期|日|年月)", ("year",)),
    (r"\bname\b|名称|事業者名|法人名|団体名", ("name",)),
    (r"\bid\b|\bref\b|reference|\bnumber\b|\bno\b|法人番号|番号", ("enterprise_id",)),
)

# Survey exports (LimeSurvey "multiple short text" questions) name one column per sub-question:
# "address[a]", "address [b]", "address_b". For an address question the letter says which line the
# column holds: a the street, b the town, d the postcode; c (county) and e (country) are not read.
_SUBQUESTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "address": {"a": ("address",), "b": ("place",), "c": (), "d": ("postcode",), "e": ()},
}
_SUBQUESTION_HEADER = re.compile(r"^(.*?[^\W_])\s*(?:\[\s*([a-z0-9]+)\s*\]|_([a-z]))$")


def _subquestion_candidates(header: str) -> list[tuple[int, str]] | None:
    """Candidate fields of a survey sub-question column ("address[b]" → place), or None when the header
    is not one we know."""
    text = unicodedata.normalize("NFKC", str(header)).casefold().strip()
    m = _SUBQUESTION_HEADER.match(text)
    if not m:
        return None
    letters = _SUBQUESTIONS.get(norm(m.group(1)))
    letter = m.group(2) or m.group(3)
    if letters is None or letter not in letters:
        return None
    return [(i, f) for i, f in enumerate(letters[letter])]


_JP_CHARS = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]")


def has_japanese(text: object) -> bool:
    return bool(_JP_CHARS.search(str(text or "")))


# --- Personal data ------------------------------------------------------------------------------

_PERSONAL_HEADERS: tuple[tuple[str, str], ...] = (
    (r"e ?mail|\bmail\b|メール|mail address|電子メール", "email addresses"),
    (r"phone|\btel\b|telephone|mobile|\bcell\b|\bfax\b|電話|携帯|ファックス|\bファクス", "phone numbers"),
    (r"home address|residential address|personal address|private address|自宅", "personal addresses"),
    (r"contact|担当|代表者|代表取締役|理事長|責任者|氏名|連絡先|\bfirst name\b|\blast name\b|surname|forename|"
     r"full name|\bdirector|\bmanager\b|\bceo\b|\bchair|\btrustee|person|\bowner\b|申請者|フリガナ|ふりがな",
     "names of people"),
    (r"\bip ?addr|\bip address", "personal details"),
    (r"date of birth|\bdob\b|生年月日|birth|national insurance|\bni number\b|マイナンバー|個人番号|\bgender\b|性別|\bage\b",
     "personal details"),
)

EMAIL_PATTERN = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"
PHONE_PATTERN = (
    r"^(?:(?:tel|phone|mobile|fax|電話|携帯)\s*[.:]?\s*)?(?:"
    r"(?:\+81|\+44|\+\d{1,3})[\s\-]?(?:\(0\)\s?)?\d{1,5}(?:[\s\-.]?\d{2,5}){1,3}"  # international
    r"|0\d{1,4}[\s\-]\d{1,4}[\s\-]\d{3,4}"  # 03-1234-5678, 0191 514 1234
    r"|0\d{2,4}[\s\-]\d{5,8}"  # 0191 5141234, 07700 900123
    r"|\(0\d{1,4}\)\s?\d{1,4}[\s\-]?\d{3,4}"  # (0191) 514 1234
    r"|0\d{9,10}"  # 07700900123, 09012345678
    r")$"
)


def personal_header(header: str) -> str | None:
    """Why a header names personal data, or None."""
    h = norm(header)
    if not h:
        return None
    for pattern, reason in _PERSONAL_HEADERS:
        if re.search(pattern, h):
            return reason
    return None


# --- Mapping -----------------------------------------------------------------------------------

def header_candidates(header: str) -> list[tuple[int, str]]:
    """Candidate fields for one header as (rank, field); lower rank is a better match."""
    h = norm_header(header)
    if not h:
        return []
    sub = _subquestion_candidates(header)
    if sub is not None:
        return sub
    if h in ALIASES:
        fields = ALIASES[h]
        # A Japanese name header is a second choice for "name" when an English one is present.
        base = 1 if fields == ("name", "name_ja") else 0
        return [(base + i, f) for i, f in enumerate(fields)]
    out: list[tuple[int, str]] = []
    for pattern, fields in _PATTERNS:
        if re.search(pattern, h):
            out = [(10 + i, f) for i, f in enumerate(fields)]
            break
    if out and out[0][1] == "name" and has_japanese(h):
        out.append((11, "name_ja"))
    return out


def propose_mapping(headers: Sequence[str], kind: str | None = None) -> dict[str, str | None]:
    """Propose a field (or None) for each header, each field used at most once.

    ``kind`` restricts the fields to those of one table ("enterprises", "figures", "areas"); without
    it every field is a candidate. Headers naming personal data (contact names, emails, phones,
    personal addresses) are always mapped to None.
    """
    allowed = set(KIND_FIELDS[kind]) if kind in KIND_FIELDS else set(FIELDS)
    mapping: dict[str, str | None] = {str(h): None for h in headers}
    options: list[tuple[int, int, str]] = []
    for index, header in enumerate(mapping):
        if personal_header(header):
            continue
        for rank, field in header_candidates(header):
            if field in allowed:
                options.append((rank, index, field))
    taken: set[str] = set()
    done: set[int] = set()
    keys = list(mapping)
    for rank, index, field in sorted(options):
        if index in done or field in taken:
            continue
        mapping[keys[index]] = field
        taken.add(field)
        done.add(index)
    return mapping


def is_known_header(cell: object) -> bool:
    """Whether a cell looks like a column header we know (used to find the header row)."""
    text = str(cell or "").strip()
    if not text or len(text) > 60:
        return False
    return bool(header_candidates(text)) or personal_header(text) is not None or norm_header(text) in ALIASES


def mapping_signature(headers: Iterable[object]) -> str:
    """A stable hash of the normalised header list, to remember a corrected mapping for files of the
    same shape."""
    joined = "\x1f".join(norm(h) for h in headers)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


KNOWN_HEADERS_TO_REMEMBER = 2  # fewer known headers: the "headers" are probably a first row of data


def rememberable(mapping: Mapping[str, str | None]) -> dict[str, str | None] | None:
    """What of a corrected ``mapping`` (file header → field or None) may be remembered for later files:
    the headers read into a field (the text of columns not read, personal data included, is never
    kept); None when fewer than :data:`KNOWN_HEADERS_TO_REMEMBER` headers look like headers we know,
    as in a file without a header row, whose first row of data (names of people, say) stands in for it."""
    if sum(is_known_header(h) for h in mapping) < KNOWN_HEADERS_TO_REMEMBER:
        return None
    kept = {str(h): f for h, f in mapping.items() if f}
    return kept or None


def fit_mapping(mapping: Mapping[str, str | None], headers: Iterable[object]) -> dict[str, str | None]:
    """A mapping remembered for another file of the same shape (same :func:`mapping_signature`), keyed by
    this file's own headers: each header takes the field of the remembered header with the same
    normalised text ("Turnover (£)" / "Turnover (¥)", "NAME" / "Name"), repeated headers in order;
    headers without one are not read (None)."""
    fields: dict[str, list[str | None]] = {}
    for header, fld in mapping.items():
        fields.setdefault(norm(header), []).append(fld)
    out: dict[str, str | None] = {}
    for header in headers:
        queue = fields.get(norm(header))
        out[str(header)] = queue.pop(0) if queue else None
    return out


def detect_kind(fields: Iterable[str | None]) -> str | None:
    """Which table a set of mapped fields describes, or None."""
    f = {x for x in fields if x}
    org = {"legal_form", "sector", "founded", "closed", "lat", "lon", "postcode", "address", "description"}
    figures = {"employees", "fte", "turnover", "volunteers", "disadvantaged_hires"}
    if f & {"population", "population_year", "population_source"} and not f & (org | figures):
        return "areas"
    if "code" in f and not f & (org | figures | {"enterprise_id"}):
        return "areas"
    if "year" in f and f & figures and not f & org:
        return "figures"
    if f & (org | {"name", "enterprise_id", "name_ja", "place"}):
        return "enterprises"
    if f & figures:
        return "figures"
    return None


def header_unit(header: str) -> tuple[str | None, float]:
    """Currency and multiplier stated in a header: "Turnover (£k)" → ("GBP", 1000)."""
    h = unicodedata.normalize("NFKC", str(header)).casefold()
    currency = None
    if re.search(r"£|gbp|pounds?\b|sterling|ポンド", h):
        currency = "GBP"
    elif re.search(r"¥|円|jpy|\byen\b", h):
        currency = "JPY"
    multiplier = 1.0
    if re.search(r"百万|£ ?m\b|\(m\)|million|\bmn\b", h):
        multiplier = 1e6
    elif re.search(r"億", h):
        multiplier = 1e8
    elif re.search(r"万", h):
        multiplier = 1e4
    elif re.search(r"千|£ ?k\b|\(k\)|'000|000s|£000|thousand", h):
        multiplier = 1e3
    return currency, multiplier


# --- Value vocabularies ------------------------------------------------------------------------

# (code, exact compact aliases, compact substrings, tokens). Checked in order; first match wins.
_LEGAL_RULES: tuple[tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = (
    ("workers_coop", ("労協",), ("労働者協同組合", "ワーカーズコープ", "ワーカーズコレクティブ", "workerscoop",
                                 "workerscooperative", "workercooperative", "workercoop"), ()),
    ("npo", ("npo",), ("特定非営利活動法人", "npo法人", "認定npo", "nonprofitorganization", "nonprofitorganisation",
                       "nonprofitcorporation", "specifiednonprofit"), ("npo",)),
    ("general_inc", ("一社",), ("一般社団法人", "公益社団法人", "generalincorporatedassociation",
                                "generalincorporated"), ()),
    ("kk", ("kk", "株式会社"), ("株式会社", "kabushikikaisha", "kabushikigaisha"), ("kk",)),
    ("cic", ("cic",), ("communityinterestcompany",), ("cic",)),
    ("cbs", ("cbs", "bencom"), ("communitybenefitsociety", "bencom", "benefitsociety"), ("cbs",)),
    ("employee_owned", ("eot",), ("employeeownershiptrust", "employeeowned", "employeeownership"), ("eot",)),
    ("charity", ("cio", "charity"), ("charitableincorporatedorganisation", "charitableincorporatedorganization",
                                      "registeredcharity", "charity", "charitable"), ("cio",)),
    ("clg", ("clg",), ("companylimitedbyguarantee", "limitedbyguarantee", "ltdbyguarantee"), ("clg",)),
    ("cooperative", ("coop", "cooperative"), ("cooperative", "coop", "協同組合", "生協", "企業組合", "cooperativesociety"),
     ("coop",)),
    ("llp", ("llp",), ("limitedliabilitypartnership",), ("llp",)),
    ("society", ("society", "registeredsociety", "ips"), ("registeredsociety", "industrialandprovident",
                                                          "societyregistered"), ()),
    ("unincorporated", ("unincorporated",), ("unincorporated",), ()),
    ("company", ("company", "plc", "privatecompany"),  # not "Ltd": companies limited by guarantee say it too
     ("limitedbyshares", "privatelimitedcompany", "companylimitedbyshare", "privatecompanylimited",
      "publiclimitedcompany"), ()),
)


def _tokens(text: str) -> set[str]:
    return set(norm(text).split())


def map_legal_form(value: object) -> str | None:
    """A legal-form code for a free-text value ("Community Interest Company" → "cic"), or None."""
    c = compact(value)
    if not c:
        return None
    if c in ALL_LEGAL_FORMS:
        return c
    if norm(value).replace(" ", "_") in ALL_LEGAL_FORMS:
        return norm(value).replace(" ", "_")
    tokens = _tokens(str(value))
    for code, exact, subs, toks in _LEGAL_RULES:
        if c in exact or any(s in c for s in subs) or tokens & set(toks):
            return code
    return None


_SECTOR_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # sector: (English words matched at word starts, Japanese substrings)
    "care": (("care", "health", "social care", "wellbeing", "well being", "elderly", "disabilit", "mental health",
              "childcare", "nursing", "hospice", "carers", "medical"),
             ("介護", "福祉", "医療", "保健", "子育て", "保育", "障害", "障がい", "高齢", "看護", "健康", "ケア")),
    "food": (("food", "catering", "cafe", "café", "restaurant", "hospitality", "bakery", "kitchen", "meals"),
             ("食", "飲食", "カフェ", "弁当", "レストラン", "子ども食堂")),
    "energy": (("energy", "solar", "wind", "hydro", "renewable", "power", "heat"),
               ("エネルギー", "太陽光", "発電", "再生可能", "電力", "風力", "小水力")),
    "reuse": (("reuse", "re use", "recycl", "repair", "refurbish", "waste", "circular", "upcycl", "furniture reuse"),
              ("リサイクル", "リユース", "修理", "廃棄物", "再利用", "古着", "資源")),
    "construction": (("construction", "building", "retrofit", "builders", "self build"),
                     ("建設", "建築", "リフォーム")),
    "training": (("training", "education", "employment support", "employment", "skills", "learning", "school",
                  "apprentice", "work integration", "employability", "teaching"),
                 ("教育", "研修", "職業訓練", "就労支援", "学習", "就労", "訓練", "学び")),
    "arts": (("arts", "art", "culture", "cultural", "heritage", "museum", "theatre", "theater", "music", "craft"),
             ("芸術", "文化", "アート", "伝統", "音楽", "演劇", "工芸")),
    "transport": (("transport", "bus", "travel", "cycling", "cycle", "mobility", "taxi", "logistics"),
                  ("交通", "移動", "輸送", "送迎", "バス", "運送")),
    "digital": (("digital", "it", "ict", "software", "tech", "technology", "creative", "media", "web", "design"),
                ("デジタル", "ソフトウェア", "情報", "メディア", "デザイン", "ict")),
    "tourism": (("tourism", "leisure", "tourist", "sport", "sports", "recreation", "hotel", "hostel", "visitor"),
                ("観光", "旅行", "宿泊", "レジャー", "スポーツ", "ツーリズム")),
    "agriculture": (("agricultur", "farm", "forestry", "forest", "fisher", "fishing", "horticultur", "garden",
                     "growing", "woodland"),
                    ("農", "林業", "漁業", "水産", "農園", "森林", "林")),
    "retail": (("retail", "shop", "store", "community shop", "pub", "market", "grocer"),
               ("小売", "商店", "販売", "店舗", "ショップ", "売店")),
    "housing": (("housing", "homes", "tenant", "almshouse", "cohousing", "co housing", "accommodation"),
                ("住宅", "住まい", "空き家", "居住", "シェアハウス")),
    "finance": (("financ", "credit union", "lending", "loan", "bank", "insurance", "mutual insurance", "savings"),
                ("金融", "信用", "融資", "共済", "保険", "ファンド")),
    "manufacturing": (("manufactur", "factory", "production", "engineering", "textile", "brewer", "printing"),
                      ("製造", "工場", "ものづくり", "生産", "印刷")),
    "professional": (("professional", "consult", "legal", "law", "accountan", "business services",
                      "business support", "advice", "advisory", "research"),
                     ("専門", "コンサル", "士業", "相談", "調査", "研究")),
    "membership": (("membership", "member organisation", "member organization", "members", "association",
                    "federation", "union", "club", "network", "society"),
                   ("会員", "協会", "連合会", "クラブ", "団体", "ネットワーク")),
}


def map_sector(value: object) -> str | None:
    """A sector code for a free-text value, by keywords in English or Japanese; None if unknown."""
    text = unicodedata.normalize("NFKC", str(value or "")).casefold().strip()
    if not text:
        return None
    key = norm(text).replace(" ", "_")
    if key in SECTORS:
        return key
    best: tuple[int, int, str] | None = None
    spaced = " " + re.sub(r"[\s\W_]+", " ", text) + " "
    for order, (code, (words, ja)) in enumerate(_SECTOR_WORDS.items()):
        for word in words:
            pos = spaced.find(" " + word)
            if pos >= 0 and (best is None or (pos, order) < best[:2]):
                best = (pos, order, code)
        for word in ja:
            pos = text.find(word)
            if pos >= 0 and (best is None or (pos, order) < best[:2]):
                best = (pos, order, code)
    return best[2] if best else None


_COUNTRIES = {
    "GB": ("gb", "uk", "united kingdom", "great britain", "britain", "england", "scotland", "wales",
           "northern ireland", "gbr", "イギリス", "英国", "イングランド", "スコットランド", "ウェールズ"),
    "JP": ("jp", "japan", "jpn", "nippon", "nihon", "日本", "日本国"),
}
_COUNTRY_INDEX = {norm(a): code for code, names in _COUNTRIES.items() for a in names}


def map_country(value: object) -> str | None:
    return _COUNTRY_INDEX.get(norm(value))


_CURRENCIES = {
    "GBP": ("gbp", "£", "pound", "pounds", "sterling", "ポンド", "uk pound"),
    "JPY": ("jpy", "¥", "円", "yen", "日本円", "jp yen"),
}
_CURRENCY_INDEX = {unicodedata.normalize("NFKC", a).casefold(): code for code, names in _CURRENCIES.items()
                   for a in names}


def map_currency(value: object) -> str | None:
    s = unicodedata.normalize("NFKC", str(value or "")).casefold().strip()
    return _CURRENCY_INDEX.get(s) or _CURRENCY_INDEX.get(norm(s))
