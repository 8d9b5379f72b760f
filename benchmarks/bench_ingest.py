"""Importing a large CSV with validation: ``regen.ingest.read_table`` against pyarrow's raw parse.

For each size N (default 100k and 1M rows) two files are generated into a temporary folder (numpy +
pyarrow, fixed seed, a few seconds for 1M rows), shaped like a real export with English headers:

* an enterprise list: "Organisation ID", "Organisation name", "Legal form", "Sector", "Year founded",
  "Year closed", "Country", "Region", "Local authority code", "Ward", "Postcode", "Latitude",
  "Longitude", "Description", "Website" (not mapped: read by the parser, ignored by ingest);
* yearly figures: "Organisation ID", "Year", "Employees", "FTE", "Turnover", "Currency" (N/10
  organisations x 10 years).

Both carry messy cells at a low rate, as real exports do: day-first dates and "c. 1990" in the
founding year, "n/a" in optional and required cells, thousands separators ("1,200", "12,500") in
counts and money, and a few rows the schema rejects (duplicate IDs, closed before founded, no
location). Then, in this process:

* **pyarrow**: ``pyarrow.csv.read_csv(path)`` (type inference, all cores), best and median of 3;

and, for each of 3 runs, in a fresh subprocess (so that its peak RSS is its own,
``resource.getrusage(RUSAGE_SELF).ru_maxrss``, started through a small launcher process because
Linux carries ``ru_maxrss`` across fork and exec):

* **pyarrow in a fresh process**: the same parse as the first thing a new process does. Memory a
  process has not used before costs page faults (on a VM, a lot), which the in-process baseline has
  mostly paid already; this column compares like with like;

* **ingest**: ``regen.ingest.read_table(path, kind=..., values=VALUE_MAP)``: detection, parsing,
  mapping, the analyst's value mapping (a few legal forms and sectors chosen by hand, the rest by the
  vocabularies), cleaning, locating and pandera validation of every accepted row. Time (wall and CPU) is measured around the
  call, after imports and a warm-up call on the file's first 50 lines (lazy imports: pandera loads
  its backends on first use; the warm-up time is printed as a comment); peak RSS covers the whole
  subprocess (interpreter, imports and warm-up included).

The ratio is median ingest time / median pyarrow time (target <= 3); peak RSS is the largest of the
three runs (target <= 1.5 GB at 1M rows). CPU seconds (user + system, all threads) are printed too:
on a shared machine they are steadier than wall time.

    .venv/bin/python benchmarks/bench_ingest.py              # 100k and 1M rows (about 1.5 minutes)
    .venv/bin/python benchmarks/bench_ingest.py --quick      # 100k only
    .venv/bin/python benchmarks/bench_ingest.py --sizes 1000000 --reps 5 --out results.md

``PYTHONPATH=/other/checkout`` runs the ingest subprocesses against another copy of ``regen`` (for
before/after comparisons); the generated files do not depend on it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parent.parent
SEED = 20250101
RATIO_TARGET = 3.0
RSS_TARGET_MB = 1536

# --- Vocabularies as a real export writes them ------------------------------------------------------

GB_FORMS = ("CIC", "Co-operative", "Community Benefit Society", "Employee-owned", "Charity",
            "Company limited by guarantee")
GB_FORM_W = (3, 2, 1.5, 1, 2.5, 1.5)
JP_FORMS = ("NPO", "General incorporated association", "Workers' co-operative", "Kabushiki kaisha", "Co-operative")
JP_FORM_W = (3, 2, 1, 1.5, 1)
SECTORS = ("Health and social care", "Food and hospitality", "Community energy", "Reuse and repair",
           "Construction and housing", "Education and training", "Arts and culture", "Community transport",
           "Digital and creative", "Tourism and leisure", "Agriculture and forestry", "Community shop")
SECTOR_W = (3.0, 2.0, 1.0, 1.2, 1.0, 2.0, 1.5, 0.8, 1.0, 1.0, 1.2, 1.3)
SECTOR_NOUN = ("Care", "Kitchen", "Energy", "Repair", "Homes", "Skills", "Arts", "Transport", "Digital", "Tours",
               "Farm", "Shop")
SECTOR_NOUN_JA = ("ケア", "食堂", "エネルギー", "リペア", "住まい", "学び舎", "アート", "移送", "デジタル", "観光",
                  "農園", "商店")
GB_WORDS = ("Wearside", "Riverside", "Hilltop", "Harbour", "Northfield", "Greenway", "Oakwood", "Millbank",
            "Eastgate", "Southbrook", "Westend", "Highfield", "Moorside", "Kingsway", "Valley", "Bridge")
JP_WORDS_JA = ("さくら", "みどり", "みなと", "ひかり", "やまびこ", "かわべ", "ひので", "うみべ", "きぼう", "つばさ",
               "あおぞら", "ふるさと", "みらい", "わかば", "かぜ", "ほし")
# (region as written, rough box south, west, north, east, postcode area letters)
GB_REGIONS = (
    ("North East", 54.55, -2.00, 55.30, -1.30, ("NE", "SR", "DH", "TS")),
    ("North West", 53.35, -3.00, 54.60, -2.10, ("M", "L", "PR", "BB")),
    ("London", 51.40, -0.35, 51.62, 0.15, ("E", "N", "SE", "SW")),
    ("Yorkshire and the Humber", 53.40, -2.00, 54.30, -0.50, ("LS", "S", "BD", "HU")),
    ("East Midlands", 52.50, -1.80, 53.30, -0.40, ("NG", "LE", "DE")),
    ("West Midlands", 52.20, -2.80, 52.90, -1.60, ("B", "CV", "WV")),
    ("East of England", 51.80, -0.40, 52.70, 1.30, ("CB", "NR", "IP")),
    ("South East", 50.90, -1.40, 51.60, 0.90, ("BN", "RH", "GU")),
    ("South West", 50.40, -4.50, 51.40, -2.00, ("BS", "EX", "PL")),
    ("Scotland", 55.60, -4.60, 56.60, -2.80, ("EH", "G", "KY")),
    ("Wales", 51.50, -3.90, 53.10, -3.00, ("CF", "SA", "LL")),
)
GB_REGION_W = (2.0, 1.6, 3.0, 1, 1, 1, 1, 1, 1, 1.2, 1)
JP_REGIONS = (
    ("Tokyo", 35.55, 139.50, 35.80, 139.90, "13"), ("Osaka", 34.50, 135.40, 34.80, 135.60, "27"),
    ("Kanagawa", 35.30, 139.30, 35.60, 139.65, "14"), ("Aichi", 35.00, 136.80, 35.30, 137.20, "23"),
    ("Hokkaido", 42.80, 141.20, 43.20, 141.60, "01"), ("Fukuoka", 33.50, 130.30, 33.70, 130.60, "40"),
    ("Niigata", 37.30, 138.50, 37.95, 139.10, "15"), ("Fukui", 35.60, 136.00, 36.10, 136.30, "18"),
)
JP_REGION_W = (4.0, 2.5, 2.0, 1.8, 1.5, 1.5, 1, 1)
WARDS = ("Centre", "North", "South", "East", "West", "Old Town", "Riverside", "Harbour")
INWARD = "ABDEFGHJLNPQRSTUWXYZ"

ENTERPRISE_HEADERS = ("Organisation ID", "Organisation name", "Legal form", "Sector", "Year founded", "Year closed",
                      "Country", "Region", "Local authority code", "Ward", "Postcode", "Latitude", "Longitude",
                      "Description", "Website")
FIGURE_HEADERS = ("Organisation ID", "Year", "Employees", "FTE", "Turnover", "Currency")


# --- Generating files -------------------------------------------------------------------------------

def _pick(vocab, index, missing=None) -> pa.Array:
    """``vocab[index]`` as an arrow string array (null where ``missing``), without Python objects per row."""
    codes = pa.array(np.asarray(index, dtype=np.int32), mask=missing)
    return pa.DictionaryArray.from_arrays(codes, pa.array(list(vocab), type=pa.string())).cast(pa.string())


def _str(values) -> pa.Array:
    return pc.cast(pa.array(values), pa.string())


def _join(*parts, sep: str = "") -> pa.Array:
    return pc.binary_join_element_wise(*parts, sep)


def _zfill(values: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(_str(values), width, "0")


def _where(mask: np.ndarray, a, b) -> pa.Array:
    return pc.if_else(pa.array(mask), a, b)


def _choice(rng, n: int, weights) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return rng.choice(len(w), size=n, p=w / w.sum())


def _thousands(values: np.ndarray, mask: np.ndarray, otherwise: pa.Array) -> pa.Array:
    """``otherwise``, with the whole numbers ``values`` written with thousands separators ("12,500")
    where ``mask`` (a few cells: formatted in Python)."""
    positions = np.flatnonzero(mask)
    if not len(positions):
        return otherwise
    text = np.asarray(otherwise.to_numpy(zero_copy_only=False), dtype=object)
    text[positions] = [f"{int(v):,}" for v in np.asarray(values)[positions]]
    return pa.array(text, type=pa.string())


def _write(path: Path, headers, columns) -> None:
    """Write a CSV as spreadsheets export it: quotes only around cells that need them (a comma or a
    quote inside), empty cells for missing values, "\\n" line ends."""
    cells = []
    for col in columns:
        col = pc.cast(col, pa.large_string())
        needs = pc.fill_null(pc.match_substring_regex(col, r'[,"\n]'), False)
        if pc.any(needs).as_py():
            quoted = pc.binary_join_element_wise(pa.scalar('"', pa.large_string()),
                                                 pc.replace_substring(col, '"', '""'),
                                                 pa.scalar('"', pa.large_string()), pa.scalar("", pa.large_string()))
            col = pc.if_else(needs, quoted, col)
        cells.append(pc.fill_null(col, pa.scalar("", pa.large_string())))
    big = pa.large_string()
    lines = pc.binary_join_element_wise(*cells, pa.scalar(",", big))
    lines = pc.binary_join_element_wise(lines, pa.scalar("", big), pa.scalar("\n", big))  # "line\n"
    lines = lines.combine_chunks() if isinstance(lines, pa.ChunkedArray) else lines
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset:lines.offset + len(lines) + 1]
    with open(path, "wb") as handle:
        handle.write((",".join(headers) + "\n").encode("utf-8"))
        handle.write(memoryview(lines.buffers()[2])[offsets[0]:offsets[-1]])


def make_enterprises_csv(path: Path, n: int, seed: int = SEED) -> dict:
    rng = np.random.default_rng(seed)
    is_jp = rng.random(n) < 0.3
    gb_r = _choice(rng, n, GB_REGION_W)
    jp_r = _choice(rng, n, JP_REGION_W)
    box = np.array([r[1:5] for r in GB_REGIONS])[gb_r]
    jbox = np.array([r[1:5] for r in JP_REGIONS])[jp_r]
    box = np.where(is_jp[:, None], jbox, box)
    lat = np.round(rng.uniform(box[:, 0], box[:, 2]), 5)
    lon = np.round(rng.uniform(box[:, 1], box[:, 3]), 5)
    sector = _choice(rng, n, SECTOR_W)
    form_gb, form_jp = _choice(rng, n, GB_FORM_W), _choice(rng, n, JP_FORM_W)
    founded = np.maximum(2025 - np.floor(rng.exponential(18.0, n)).astype(np.int64), 1950)
    life = np.floor(rng.exponential(40.0, n)).astype(np.int64) + 1
    closed = founded + life
    has_closed = closed <= 2025

    seq = np.arange(1, n + 1)
    ids = _join(_where(is_jp, pa.scalar("JP-"), pa.scalar("GB-")), _zfill(seq, 7), sep="")
    word = rng.integers(0, len(GB_WORDS), n)
    gb_name = _join(_pick(GB_WORDS, word), _pick(SECTOR_NOUN, sector), _str(seq % 100000), sep=" ")
    jp_name = _join(_pick(JP_WORDS_JA, word), _pick(SECTOR_NOUN_JA, sector), sep="")
    name = _where(is_jp, jp_name, gb_name)
    forms = _where(is_jp, _pick(JP_FORMS, form_jp), _pick(GB_FORMS, form_gb))
    region = _where(is_jp, _pick([r[0] for r in JP_REGIONS], jp_r), _pick([r[0] for r in GB_REGIONS], gb_r))
    # About 400 local authorities: GSS codes in GB, five-digit JIS codes in Japan.
    la = rng.integers(0, 40, n)
    gb_la = _join(pa.scalar("E0"), _str(6 + gb_r % 4), _zfill(gb_r * 40 + la, 6), sep="")
    jp_la = _join(_pick([r[5] for r in JP_REGIONS], jp_r), _zfill(100 + la * 2, 3), sep="")
    area = _where(is_jp, jp_la, gb_la)
    ward = _pick(WARDS, rng.integers(0, len(WARDS), n), rng.random(n) >= 0.4)
    # UK postcodes ("SR2 8QW") for British rows; Japanese ones ("945-0051") for half of the Japanese.
    count = np.array([len(reg[5]) for reg in GB_REGIONS])
    offset = np.concatenate([[0], np.cumsum(count)[:-1]])
    outward_area = _pick([a for reg in GB_REGIONS for a in reg[5]], offset[gb_r] + rng.integers(0, 12, n) % count[gb_r])
    uk_pc = _join(outward_area, _str(rng.integers(1, 30, n)), pa.scalar(" "), _str(rng.integers(0, 10, n)),
                  _pick(INWARD, rng.integers(0, 20, n)), _pick(INWARD, rng.integers(0, 20, n)), sep="")
    jp_pc = _join(_zfill(rng.integers(0, 1000, n), 3), pa.scalar("-"), _zfill(rng.integers(0, 10000, n), 4), sep="")
    postcode = _where(is_jp, _where(rng.random(n) < 0.5, jp_pc, pa.scalar(None, pa.string())), uk_pc)
    description = _join(_where(is_jp, pa.scalar("An enterprise in Japan:"), pa.scalar("A social enterprise:")),
                        _pick([s.lower() for s in SECTORS], sector), sep=" ")
    website = _where(rng.random(n) < 0.6, _join(pa.scalar("https://www.example.org/"), _str(seq), sep=""),
                     pa.scalar(None, pa.string()))

    # Messy cells at low rates.
    r = rng.random(n)
    founded_txt = _str(founded)
    month, day = rng.integers(1, 13, n), rng.integers(1, 29, n)
    dayfirst = _join(_zfill(day, 2), _zfill(month, 2), _str(founded), sep="/")
    founded_txt = _where(r < 0.005, dayfirst, founded_txt)  # 0.5% "14/03/2015"
    founded_txt = _where((r >= 0.005) & (r < 0.006), _join(pa.scalar("c."), _str(founded), sep=" "), founded_txt)
    closed_txt = _where(has_closed, _str(closed), pa.scalar(None, pa.string()))
    closed_txt = _where((r >= 0.006) & (r < 0.009), pa.scalar("n/a"), closed_txt)  # 0.3% "n/a"
    bad_closed = (r >= 0.009) & (r < 0.0091)  # 0.01%: closed before founded (rejected by the schema)
    closed_txt = _where(bad_closed, _str(founded - 3), closed_txt)
    lat_txt, lon_txt = _str(lat), _str(lon)
    no_loc = (r >= 0.0091) & (r < 0.0096) & is_jp  # ~0.015% JP rows without coordinates or postcode
    lat_txt = _where(no_loc, pa.scalar("n/a"), lat_txt)
    lon_txt = _where(no_loc, pa.scalar("n/a"), lon_txt)
    postcode = _where(no_loc, pa.scalar(None, pa.string()), postcode)
    dup = np.flatnonzero((r >= 0.0096) & (r < 0.0097))  # 0.01%: the ID of the row before (duplicate)
    take = np.arange(n)
    take[dup] = np.maximum(dup - 1, 0)
    ids = pc.take(ids, pa.array(take))
    country = _where(is_jp, pa.scalar("Japan"), pa.scalar("United Kingdom"))
    columns = [ids, name, forms, _pick(SECTORS, sector), founded_txt, closed_txt, country, region, area, ward,
               postcode, lat_txt, lon_txt, description, website]
    _write(path, ENTERPRISE_HEADERS, columns)
    return {"rows": n, "expected_rejected_at_least": int(len(dup) + bad_closed.sum() + no_loc.sum())}


def make_figures_csv(path: Path, n: int, seed: int = SEED) -> dict:
    rng = np.random.default_rng(seed + 1)
    years = np.arange(2015, 2025)
    orgs = max(n // len(years), 1)
    org = np.repeat(np.arange(1, orgs + 1), len(years))[:n]
    year = np.tile(years, orgs)[:n]
    is_jp = (org % 10) < 3
    size = rng.lognormal(2.2, 1.3, orgs)[org - 1] * rng.uniform(0.8, 1.2, n)
    employees = np.maximum(np.round(size), 0).astype(np.int64)
    fte = np.round(employees * rng.uniform(0.5, 1.0, n), 1)
    turnover = np.round(employees * np.where(is_jp, 6_000_000, 40_000) * rng.uniform(0.5, 1.5, n), -2).astype(np.int64)
    ids = _join(_where(is_jp, pa.scalar("JP-"), pa.scalar("GB-")), _zfill(org, 7), sep="")
    r = rng.random(n)
    # Counts of 1,000 or more are written with a separator, as spreadsheets export them.
    emp_txt = _thousands(employees, employees >= 1000, _str(employees))
    emp_txt = _where(r < 0.002, pa.scalar("n/a"), emp_txt)  # 0.2%: headcount unknown (rejected: required)
    fte_txt = _where(rng.random(n) < 0.1, pa.scalar(None, pa.string()), _str(fte))
    fte_txt = _where((r >= 0.002) & (r < 0.005), pa.scalar("n/a"), fte_txt)  # 0.3%
    has_turnover = rng.random(n) >= 0.05
    turn_txt = _where(has_turnover, _str(turnover), pa.scalar(None, pa.string()))
    turn_txt = _thousands(turnover, (r >= 0.005) & (r < 0.010) & has_turnover, turn_txt)  # 0.5% "12,500"
    currency = _where(has_turnover, _where(is_jp, pa.scalar("JPY"), pa.scalar("GBP")), pa.scalar(None, pa.string()))
    _write(path, FIGURE_HEADERS, [ids, _str(year), emp_txt, fte_txt, turn_txt, currency])
    return {"rows": n}


# --- Measuring ------------------------------------------------------------------------------------------

def peak_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024  # bytes on macOS, KiB on Linux


def _cpu_seconds() -> float:
    """CPU time of this process so far, all threads, user + system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _sys_seconds() -> float:
    """System (kernel) CPU time of this process so far: mostly page faults on new memory."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_stime


# An analyst's value choices, as the Upload page's "Values in the file" step or --map-value give them
VALUE_MAP = {"legal_form": {"Employee-owned": "employee_owned", "Company limited by guarantee": "clg"},
             "sector": {"Community shop": "retail", "Education and training": "training"}}


def child(path: str, kind: str) -> None:
    """One ingest run in this (fresh) process; prints a JSON line."""
    if str(ROOT) not in sys.path:
        sys.path.append(str(ROOT))  # appended: PYTHONPATH can point at another copy of ``regen``
    import regen.ingest as ingest

    # Warm-up on the first rows of the same file: the first call in a process pays for lazy imports
    # (pandera registers its backends on first use, importing hypothesis when it is installed: about
    # 0.15 s), which is not the cost of reading a large file. Reported separately as warmup_seconds.
    with open(path, "rb") as handle:
        head = b"".join(line for _, line in zip(range(50), handle))
    t = time.perf_counter()
    ingest.read_table(head, name=Path(path).name, kind=kind)
    warmup = time.perf_counter() - t
    rss_imported = peak_rss_mb()
    cpu, system = _cpu_seconds(), _sys_seconds()
    t = time.perf_counter()
    result = ingest.read_table(path, kind=kind, values=VALUE_MAP)
    seconds = time.perf_counter() - t
    cpu, system = _cpu_seconds() - cpu, _sys_seconds() - system
    if result.error:
        raise SystemExit(f"ingest failed: {result.error_code}: {result.error}")
    print(json.dumps({
        "seconds": seconds, "cpu_seconds": cpu, "sys_seconds": system, "warmup_seconds": warmup,
        "rss_mb": peak_rss_mb(),
        "rss_imported_mb": rss_imported,
        "rows_read": result.rows_read, "rows_accepted": result.rows_accepted,
        "rows_rejected": result.rows_rejected, "problems": len(result.problems),
        "regen": str(Path(ingest.__file__).resolve().parent.parent),
    }))


_LAUNCHER = "import subprocess, sys; raise SystemExit(subprocess.call(sys.argv[1:]))"


def child_pyarrow(path: str) -> None:
    """pyarrow's parse of ``path`` in this (fresh) process: memory not used before, as read_table's is."""
    cpu = _cpu_seconds()
    t = time.perf_counter()
    table = pacsv.read_csv(path)
    seconds = time.perf_counter() - t
    print(json.dumps({"seconds": seconds, "cpu_seconds": _cpu_seconds() - cpu, "rows": table.num_rows,
                      "rss_mb": peak_rss_mb()}))


def _fresh(*args: str) -> dict:
    # Linux carries ru_maxrss across fork and execve, so a child started from this (larger)
    # process would report this process's RSS as its own peak. A small launcher process in
    # between starts the measured one from a fresh, small interpreter.
    command = [sys.executable, "-c", _LAUNCHER, sys.executable, __file__, *args]
    out = subprocess.run(command, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"benchmark subprocess failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_ingest(path: Path, kind: str, reps: int) -> list[dict]:
    return [_fresh("--child", str(path), kind) for _ in range(reps)]


def run_pyarrow_fresh(path: Path, reps: int) -> list[dict]:
    return [_fresh("--child-pyarrow", str(path)) for _ in range(reps)]


def run_pyarrow(path: Path, reps: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of ``reps`` reads of ``path`` with pyarrow's defaults (all cores)."""
    times, cpus = [], []
    for _ in range(reps):
        cpu = _cpu_seconds()
        t = time.perf_counter()
        table = pacsv.read_csv(path)
        times.append(time.perf_counter() - t)
        cpus.append(_cpu_seconds() - cpu)
        del table
    return times, cpus


def machine() -> str:
    cores = os.cpu_count()
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        pass
    return (f"{platform.system()} {platform.machine()}, {cores} cores, Python {platform.python_version()}, "
            f"pandas {__import__('pandas').__version__}, pyarrow {pa.__version__}, "
            f"pandera {__import__('pandera').__version__}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="100k rows only")
    parser.add_argument("--sizes", type=int, nargs="+", help="rows per file (default: 100000 1000000)")
    parser.add_argument("--reps", type=int, default=3, help="ingest runs (fresh processes) and pyarrow runs")
    parser.add_argument("--kinds", nargs="+", default=["enterprises", "figures"], choices=["enterprises", "figures"])
    parser.add_argument("--out", type=Path, help="also write the Markdown table to this file")
    parser.add_argument("--keep", type=Path, help="write the generated files here (kept) instead of a temp dir")
    parser.add_argument("--child", nargs=2, metavar=("PATH", "KIND"), help=argparse.SUPPRESS)
    parser.add_argument("--child-pyarrow", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    if args.child_pyarrow:
        child_pyarrow(args.child_pyarrow)
        return 0
    sizes = args.sizes or ([100_000] if args.quick else [100_000, 1_000_000])
    lines = [f"Machine: {machine()}.", "",
             "| file | rows | size | pyarrow read_csv, median (best) | read_table, median (runs) | ratio | "
             "pyarrow in a fresh process | ratio to it | CPU s, pyarrow / read_table | peak RSS (max) | "
             "accepted / rejected |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    print("\n".join(lines), flush=True)
    verdicts, notes = [], []
    with tempfile.TemporaryDirectory(prefix="bench_ingest_") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for n in sizes:
            for kind in args.kinds:
                path = folder / f"{kind}_{n}.csv"
                t = time.perf_counter()
                (make_enterprises_csv if kind == "enterprises" else make_figures_csv)(path, n)
                gen = time.perf_counter() - t
                mb = path.stat().st_size / 1e6
                base, base_cpu = run_pyarrow(path, args.reps)
                cold = statistics.median(r["seconds"] for r in run_pyarrow_fresh(path, args.reps))
                runs = run_ingest(path, kind, args.reps)
                secs = [r["seconds"] for r in runs]
                med_base, med = statistics.median(base), statistics.median(secs)
                ratio = med / med_base
                rss = max(r["rss_mb"] for r in runs)
                cpu = statistics.median(r["cpu_seconds"] for r in runs)
                last = runs[-1]
                line = (f"| {kind} | {n:,} | {mb:.0f} MB | {med_base:.3f} s ({min(base):.3f}) | {med:.2f} s "
                        f"({', '.join(f'{s:.2f}' for s in secs)}) | **{ratio:.1f}x** | {cold:.3f} s | "
                        f"{med / cold:.1f}x | {statistics.median(base_cpu):.2f} / {cpu:.2f} | {rss:,.0f} MB | "
                        f"{last['rows_accepted']:,} / {last['rows_rejected']:,} |")
                lines.append(line)
                print(line, flush=True)
                note = (f"<!-- {kind} {n:,}: generated in {gen:.1f} s; RSS after imports and warm-up "
                        f"{last['rss_imported_mb']:.0f} MB; first call (warm-up, 50 rows) "
                        f"{statistics.median(r['warmup_seconds'] for r in runs):.2f} s; read_table CPU of which system "
                        f"{statistics.median(r['sys_seconds'] for r in runs):.2f} s; load average "
                        f"{os.getloadavg()[0]:.1f}; regen from {last['regen']} -->")
                notes.append(note)
                print(note, file=sys.stderr, flush=True)
                if n >= 1_000_000:
                    verdicts.append(f"{kind} 1M: ratio {ratio:.1f} (target <= {RATIO_TARGET:g}) "
                                    f"{'met' if ratio <= RATIO_TARGET else 'NOT met'}; peak RSS {rss:,.0f} MB "
                                    f"(target <= {RSS_TARGET_MB} MB) {'met' if rss <= RSS_TARGET_MB else 'NOT met'}")
    if verdicts:
        lines += [""] + [f"- {v}" for v in verdicts]
        print("\n" + "\n".join(f"- {v}" for v in verdicts))
    lines += [""] + notes
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
