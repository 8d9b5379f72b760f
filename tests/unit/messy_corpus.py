"""A corpus of messy real-world-like files, built in a temporary folder at test time.

One file per quirk (encodings, delimiters, title rows, multi-line cells, number and date formats,
Japanese eras and full-width digits, postcodes, coordinates, personal data, Excel, gzip, broken
files) plus one "real-world export" that combines several. ``build(folder)`` writes them and returns
{name: path}; ``POSTCODES`` is the lookup table the tests pass in.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
from pathlib import Path

import pandas as pd

POSTCODES = pd.DataFrame({
    "postcode": ["SR2 8QW", "SR1 1AA", "SR4 6JT", "SR2 0XX", "SR3 1AA", "945-0051"],
    "lat": [54.8986, 54.9069, 54.9060, 54.8700, 54.8800, 37.3717],
    "lon": [-1.3733, -1.3838, -1.4100, -1.3600, -1.4000, 138.5590],
    "region": ["North East", "North East", "North East", "North East", "North East", "新潟県"],
    "area": ["Sunderland", "Sunderland", "Sunderland", "Sunderland", "Sunderland", "柏崎市"],
})

UTF8_ENTERPRISES = (
    "ID,Name,Legal form,Sector,Founded,Country,Region,Local authority,Latitude,Longitude\r\n"
    "E1,Hendon Café,CIC,Food,2015,UK,North East,Sunderland,54.8986,-1.3733\r\n"
    "E2,Millfield Energy,Co-op,Community energy,2012,UK,North East,Sunderland,54.9060,-1.4100\r\n"
)

SHIFT_JIS = (
    "事業者名,法人格,分野,設立年,所在地,従業員数,緯度,経度,代表者,電話\r\n"
    "ワーカーズコープ柏崎,労働者協同組合,介護・福祉,平成15年,新潟県柏崎市中央町5-50,１２,37.3717,138.5590,山田太郎,0257-23-1234\r\n"
    "NPO法人あおぞら,特定非営利活動法人,子育て支援,令和2年,新潟県柏崎市日石町2-1,5,37.3650,138.5500,佐藤花子,0257-20-0000\r\n"
    "一般社団法人みらい,一般社団法人,観光まちづくり,令和元年,福井県敦賀市中央町2-1-1,３,35.6452,136.0555,鈴木一郎,0770-22-1111\r\n"
    "株式会社ひかり,株式会社,再生可能エネルギー,昭和60年4月1日,福井県敦賀市,20,35.6500,136.0700,田中,0770-00-0000\r\n"
)

LATIN1_SEMICOLON = (
    "Organisation name;Legal form;Sector;Year founded;Country;Region;Local authority;Latitude;Longitude\n"
    "Crèmerie Société Générale;Charity;Food;1998;England;North East;Gateshead;54,9500;-1,6000\n"
    "Café Noël;CIO;Arts & culture;2001;England;North East;Gateshead;54,9600;-1,6100\n"
    "Bäckerei Müller;Company limited by guarantee;Bakery;c. 1990;England;North East;Gateshead;54,9550;-1,6050\n"
)

TSV_FIGURES = (
    "Enterprise ID\tYear\tEmployees\tFTE\tTurnover\tCurrency\n"
    "E1\t2021\t12\t10.5\t£12,500.00\tGBP\n"
    "E1\t2022\t14\t11\t£13,000\t\n"
    "E2\t2022\t-\t\t\t\n"
)

TITLE_ROWS = (
    "Social enterprises in Sunderland\n"
    "Exported 2024-03-01 from the council CRM\n"
    "(confidential)\n"
    "\n"
    "Name,Legal form,Sector,Founded,Postcode,Region,Local authority\n"
    "Hendon Café,CIC,Food,2015,SR2 8QW,North East,Sunderland\n"
    "Millfield Reuse,Co-operative,Reuse and repair,2010,SR4 6JT,North East,Sunderland\n"
)

MULTILINE = (
    'Name,Address,Legal form,Sector,Founded,Region,Local authority,Postcode\n'
    '"Hendon Café","12 High Street\nHendon\nSunderland",CIC,Food,2015,North East,Sunderland,SR2 8QW\n'
    '"Bad Row Ltd","1 Road\nTown",Ltd,Food,2015,North East,Sunderland,SR1 1AA\n'
    '"Third","3 Lane\nSunderland",CIC,Food,1700,North East,Sunderland,SR3 1AA\n'
)

NUMBERS = (
    "ID,Year,Employees,Turnover\n"
    'A1,2020,"1,200","£12,500.00"\n'
    'A2,2020,approx 15,"¥1,200,000"\n'
    'A3,2020,c. 20,"£1,200"\n'
    "A4,2020,15+,n/a\n"
    "A5,2020,n/a,-\n"
    "A6,2020,twelve,£5\n"
)

DATES = (
    "ID,Name,Legal form,Sector,Founded,Closed,Region,Local authority,Lat,Lon\n"
    "D1,Day First,CIC,Food,31/12/2015,,North East,Sunderland,54.9,-1.38\n"
    "D2,Iso Date,CIC,Food,2015-06-30,2020-03-31,North East,Sunderland,54.9,-1.38\n"
    "D3,Dotted,CIC,Food,01.04.1999,,North East,Sunderland,54.9,-1.38\n"
    "D4,Kanji Date,CIC,Food,2003年4月1日,,North East,Sunderland,54.9,-1.38\n"
    "D5,Closed Early,CIC,Food,2010,31/12/2005,North East,Sunderland,54.9,-1.38\n"
)

ERAS = (
    "団体ID,名称,法人格,分野,設立,都道府県,市区町村,緯度,経度\n"
    "J1,あおぞら,NPO法人,福祉,平成15年,新潟県,柏崎市,37.37,138.56\n"
    "J2,ひかり,株式会社,エネルギー,令和2年,新潟県,柏崎市,37.37,138.56\n"
    "J3,みらい,一般社団法人,観光,昭和50年,新潟県,柏崎市,37.37,138.56\n"
    "J4,はじめ,労働者協同組合,農業,令和元年,新潟県,柏崎市,37.37,138.56\n"
    "J5,ぜん,NPO法人,教育,２０１５年,新潟県,柏崎市,３７．３７,１３８．５６\n"
    "J6,えいち,NPO法人,教育,H27,新潟県,柏崎市,37.37,138.56\n"
    "J7,へいせい,NPO法人,教育,平成元年,新潟県,柏崎市,37.37,138.56\n"
)

JP_FIGURES = (
    "団体ID,年度,従業員数,売上高（千円）\n"
    'J1,平成27年度,１２,"1,200"\n'
    'J1,令和2年度,１５,"1,500"\n'
    'J2,２０１９年,約20,"3,000"\n'
)

POSTCODE_VARIANTS = (
    "Name,Legal form,Sector,Founded,Postcode,Town\n"
    "Lower,CIC,Food,2015,sr28qw,\n"
    "Spaced,CIC,Food,2015,SR2  8QW,\n"
    "Mixed,CIC,Food,2015, Sr1 1aA ,\n"
    "Japanese,NPO法人,福祉,2015,〒945-0051,\n"
    "Invalid,CIC,Food,2015,SR2 8Q,\n"
    "InvalidButTown,CIC,Food,2015,XYZ,Sunderland\n"
)

COORDS = (
    "Name,Legal form,Sector,Founded,Country,Region,Local authority,Latitude,Longitude,Town\n"
    "Normal,CIC,Food,2015,GB,North East,Sunderland,54.9000,-1.3800,\n"
    "Swapped GB,CIC,Food,2015,GB,North East,Sunderland,-1.3800,54.9000,\n"
    "Swapped JP,NPO法人,福祉,2015,JP,新潟県,柏崎市,138.5600,37.3700,\n"
    "Zero with town,CIC,Food,2015,GB,North East,Sunderland,0,0,Sunderland\n"
    "Zero alone,CIC,Food,2015,GB,North East,Sunderland,0,0,\n"
)

CONTACTS = (
    "Name,Legal form,Sector,Founded,Region,Local authority,Lat,Lon,Contact name,Email,Phone,Home address,担当者,"
    "Notes,Info\n"
    "One,CIC,Food,2015,North East,Sunderland,54.9,-1.38,Jane Smith,jane@one.example,0191 514 1234,"
    "\"1 Private Rd, Sunderland\",山田,write to jane.smith@one.example,0191 514 1234\n"
    "Two,CIC,Food,2015,North East,Sunderland,54.9,-1.38,Bob Jones,bob@two.example,07700 900123,"
    "\"2 Private Rd, Sunderland\",佐藤,bob@two.example,+44 191 514 0000\n"
    "Three,CIC,Food,2015,North East,Sunderland,54.9,-1.38,Ann Lee,ann@three.example,03-1234-5678,"
    "\"3 Private Rd, Sunderland\",鈴木,ann@three.example,090-1234-5678\n"
)
PERSONAL_VALUES = ("Jane Smith", "jane@one.example", "0191 514 1234", "1 Private Rd", "山田", "jane.smith@one.example",
                   "+44 191 514 0000", "090-1234-5678", "bob@two.example", "07700 900123")

REAL_WORLD = (
    "Regen Network — member export\r\n"
    "Generated 03/04/2024 10:15,,,,,,,,,,,,\r\n"
    ",,,,,,,,,,,,\r\n"
    "Member ref,Registered Name,Company type,Primary activity,Date of incorporation,Registered office address,"
    "Postcode,Contact name,Email,Tel,No. of staff,Turnover (£),Year\r\n"
    'M-001,Hendon Community Café CIC,Community Interest Company,Café and catering,31/12/2015,"12 High Street\r\n'
    'Hendon\r\nSunderland",sr2 8qw,Jane Smith,jane@hendon.example,0191 514 1234,approx 15,"£12,500.00",2023\r\n'
    'M-002,Millfield Furniture Reuse,Co-operative,Furniture reuse and repair,01/04/2010,"Unit 4, Millfield\r\n'
    'Sunderland",SR4 6JT,Bob Jones,bob@millfield.example,07700 900123,"1,200",£450k,2023\r\n'
    'M-003,Old Mill Heritage Trust,Charity,Heritage and arts,15/06/1998,"The Old Mill\r\nRyhope",SR2 0XX,,'
    "info@oldmill.example,,c. 20,\"£1,200\",2023\r\n"
    'M-004,Widget Works,Limited company,Widgets,1/1/2001,"1 Road\r\nSunderland",NOT A CODE,Al,al@w.example,'
    "0191 000 0000,5,£10,2023\r\n"
)

AREAS = (
    "Area code,Area name,Region,Population,Population year,Source\n"
    'E08000024,Sunderland,North East,"277,705",2021,ONS\n'
    '15205,柏崎市,新潟県,"81,526",令和2年,国勢調査\n'
)


def _xlsx() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Enterprises"
    ws.append(["Enterprise list (export)"])
    ws.append([])
    ws.append(["ID", "Name", "Legal form", "Sector", "Founded", "Region", "Local authority", "Latitude",
               "Longitude", "Employees"])
    ws.append(["X1", "Excel Café", "CIC", "Food", dt.datetime(2015, 12, 31), "North East", "Sunderland", 54.9, -1.38,
               12])
    ws.append(["X2", "Excel Energy", "Co-operative", "Energy", 2011.0, "North East", "Sunderland", 54.91, -1.39, 3])
    ws.append(["X3", "Excel Bad", "CIC", "Food", "not a year", "North East", "Sunderland", 54.92, -1.4, 1])
    other = wb.create_sheet("Notes")
    other.append(["nothing to see"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def build(folder: Path) -> dict[str, Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, bytes] = {
        "utf8_bom.csv": b"\xef\xbb\xbf" + UTF8_ENTERPRISES.encode("utf-8"),
        "utf8_plain.csv": UTF8_ENTERPRISES.replace("\r\n", "\n").encode("utf-8"),
        "shift_jis.csv": SHIFT_JIS.encode("cp932"),
        "latin1_semicolon.csv": LATIN1_SEMICOLON.encode("cp1252"),
        "figures.tsv": TSV_FIGURES.encode("utf-8"),
        "title_rows.csv": TITLE_ROWS.encode("utf-8"),
        "multiline.csv": MULTILINE.encode("utf-8"),
        "numbers.csv": NUMBERS.encode("utf-8"),
        "dates.csv": DATES.encode("utf-8"),
        "eras.csv": ERAS.encode("utf-8"),
        "jp_figures.csv": JP_FIGURES.encode("utf-8"),
        "postcodes.csv": POSTCODE_VARIANTS.encode("utf-8"),
        "coords.csv": COORDS.encode("utf-8"),
        "contacts.csv": CONTACTS.encode("utf-8"),
        "real_world_export.csv": b"\xef\xbb\xbf" + REAL_WORLD.encode("utf-8"),
        "areas.csv": AREAS.encode("utf-8"),
        "enterprises.xlsx": _xlsx(),
        "gzipped.csv.gz": gzip.compress(UTF8_ENTERPRISES.encode("utf-8")),
        # Files that cannot be read at all.
        "empty.csv": b"",
        "blank.csv": b"\n\n   \r\n",
        "binary.csv": bytes(range(256)) * 8,
        "image.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200),
        "document.pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
        "old_excel.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
    }
    gz = gzip.compress(UTF8_ENTERPRISES.encode("utf-8") * 50)
    files["truncated.csv.gz"] = gz[: len(gz) // 2]
    xlsx = files["enterprises.xlsx"]
    files["truncated.xlsx"] = xlsx[: len(xlsx) // 2]
    paths = {}
    for name, data in files.items():
        path = folder / name
        path.write_bytes(data)
        paths[name] = path
    POSTCODES.to_csv(folder / "postcode_table.csv", index=False)
    paths["postcode_table.csv"] = folder / "postcode_table.csv"
    return paths
