"""Build the MapLibre glyph ranges in static/glyphs/atlas/ (run by hand; the outputs are committed).

    .venv/bin/python tools/build_glyphs.py [--cache DIR]

MapLibre draws map text from signed-distance-field glyphs served as protobuf files, one per block of
256 code points: ``{fontstack}/{start}-{end}.pbf``. We ship one font stack, ``atlas``:

* 0-255, 256-511 and 8192-8447 (Latin, Latin Extended-A, punctuation) from DejaVu Sans
  (/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf, Debian package fonts-dejavu-core);
* every other block that a label can use, from Noto Sans CJK JP Regular (the first face of
  /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc, Debian package fonts-noto-cjk), except
  the characters MapLibre draws itself with the browser's own font (kana, kanji, full-width forms:
  ``regen.basemap.drawn_locally``), which it never fetches — today that leaves no CJK block at all.

"Can use" means any character of data/basemap/labels.csv (name_en, name_ja), regen.places.PLACES
(name, name_ja, ward), regen.places.REGIONS (en, ja) and regen.places.PREFECTURES.

Glyphs are rendered with the npm package ``fontnik`` (prebuilt linux-x64 binary), installed with
``npm install fontnik`` into ``--cache`` (default var/cache/fontnik, git-ignored) when missing.
fontnik renders every face of a .ttc into one file, so the Japanese face is first copied out of the
collection into a standalone OpenType file in the cache. Files no longer needed are removed.
"""

from __future__ import annotations

import argparse
import csv
import json
import struct
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from regen.basemap import drawn_locally  # noqa: E402
from regen.places import PLACES, PREFECTURES, REGIONS  # noqa: E402

OUT = ROOT / "static" / "glyphs" / "atlas"
LABELS = ROOT / "data" / "basemap" / "labels.csv"
DEFAULT_CACHE = ROOT / "var" / "cache" / "fontnik"
FONTNIK_VERSION = "0.7.7"
LATIN_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
CJK_FACE = 0  # Noto Sans CJK JP
LATIN_RANGES = (0, 256, 8192)
MAX_BYTES = 4_000_000

# Runs inside the cache folder: renders the ranges given as JSON on argv for one font file.
NODE_SCRIPT = r"""
const fontnik = require('fontnik');
const fs = require('fs');
const [fontPath, outDir, startsJson] = process.argv.slice(1);
const font = fs.readFileSync(fontPath);
const starts = JSON.parse(startsJson);
let pending = starts.length;
for (const start of starts) {
  const end = start + 255;
  fontnik.range({font, start, end}, (err, data) => {
    if (err) { console.error(err.toString()); process.exit(1); }
    fs.writeFileSync(`${outDir}/${start}-${end}.pbf`, data);
    if (--pending === 0) process.exit(0);
  });
}
"""


def range_start(char: str) -> int:
    return ord(char) // 256 * 256


def label_texts() -> list[str]:
    texts: list[str] = []
    with LABELS.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            texts += [row["name_en"], row["name_ja"]]
    for p in PLACES.values():
        texts += [p.name, p.name_ja, p.ward or ""]
    for r in REGIONS.values():
        texts += [r["en"], r["ja"]]
    for _jis, _slug, en, ja in PREFECTURES:
        texts += [en, ja]
    return texts


def needed_ranges() -> tuple[list[int], list[int]]:
    """(Latin ranges from DejaVu Sans, other ranges from Noto Sans CJK). Characters MapLibre draws with
    the browser's own font (kana, kanji, full-width forms: regen.basemap.drawn_locally) need no file."""
    starts = {range_start(ch) for text in label_texts() for ch in text if not drawn_locally(ch)}
    cjk = sorted(starts - set(LATIN_RANGES))
    return list(LATIN_RANGES), cjk


def ensure_fontnik(cache: Path) -> None:
    if (cache / "node_modules" / "fontnik" / "index.js").exists():
        return
    cache.mkdir(parents=True, exist_ok=True)
    print(f"installing fontnik@{FONTNIK_VERSION} into {cache} ...", flush=True)
    subprocess.run(["npm", "install", "--no-save", "--no-audit", "--no-fund", "--silent",
                    f"fontnik@{FONTNIK_VERSION}"], cwd=cache, check=True)


def extract_face(ttc: Path, index: int, dst: Path) -> Path:
    """Copy face ``index`` of a TrueType/OpenType collection into a standalone font file."""
    if dst.exists():
        return dst
    data = ttc.read_bytes()
    if data[:4] != b"ttcf":
        raise SystemExit(f"{ttc} is not a font collection")
    (count,) = struct.unpack(">I", data[8:12])
    if index >= count:
        raise SystemExit(f"{ttc} has {count} faces, no face {index}")
    (offset,) = struct.unpack(">I", data[12 + 4 * index:16 + 4 * index])
    (num_tables,) = struct.unpack(">H", data[offset + 4:offset + 6])
    records = [struct.unpack(">4sIII", data[offset + 12 + 16 * i:offset + 28 + 16 * i]) for i in range(num_tables)]
    head = bytearray(data[offset:offset + 12])
    directory, body = bytearray(), bytearray()
    start = 12 + 16 * num_tables
    for tag, checksum, table_offset, length in records:
        directory += struct.pack(">4sIII", tag, checksum, start + len(body), length)
        body += data[table_offset:table_offset + length]
        body += b"\0" * (-len(body) % 4)
    tmp = dst.with_suffix(".tmp")
    tmp.write_bytes(bytes(head + directory + body))
    tmp.replace(dst)
    return dst


COVERAGE_SCRIPT = r"""
const fontnik = require('fontnik');
const fs = require('fs');
const [fontPath, codepointsJson] = process.argv.slice(1);
fontnik.load(fs.readFileSync(fontPath), (err, faces) => {
  if (err) { console.error(err.toString()); process.exit(1); }
  const have = new Set(faces[0].points);
  console.log(JSON.stringify(JSON.parse(codepointsJson).filter((c) => !have.has(c))));
});
"""


def missing_glyphs(cache: Path, font: Path, chars: set[str]) -> list[str]:
    """Characters (other than controls and spaces) that ``font`` has no glyph for."""
    wanted = sorted(ord(c) for c in chars if not c.isspace())
    result = subprocess.run(["node", "-e", COVERAGE_SCRIPT, str(font), json.dumps(wanted)],
                            cwd=cache, check=True, capture_output=True, text=True)
    return [chr(c) for c in json.loads(result.stdout)]


def render(cache: Path, font: Path, starts: list[int]) -> None:
    if not starts:
        return
    subprocess.run(["node", "-e", NODE_SCRIPT, str(font), str(OUT), json.dumps(starts)], cwd=cache, check=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help="folder for fontnik and the extracted font (default var/cache/fontnik)")
    args = parser.parse_args(argv)
    cache = args.cache.resolve()
    t = time.time()
    ensure_fontnik(cache)
    cjk_font = extract_face(CJK_FONT, CJK_FACE, cache / "NotoSansCJKjp-Regular.otf")
    latin, cjk = needed_ranges()
    OUT.mkdir(parents=True, exist_ok=True)
    wanted = {f"{s}-{s + 255}.pbf" for s in latin + cjk}
    for stale in OUT.glob("*.pbf"):
        if stale.name not in wanted:
            stale.unlink()
    render(cache, LATIN_FONT, latin)
    render(cache, cjk_font, cjk)
    chars = {ch for text in label_texts() for ch in text}
    for font, starts in ((LATIN_FONT, latin), (cjk_font, cjk)):
        missing = missing_glyphs(cache, font, {ch for ch in chars if range_start(ch) in starts})
        if missing:
            print(f"warning: {font.name} has no glyph for {''.join(missing)!r}", flush=True)
    sizes = {p.name: p.stat().st_size for p in OUT.glob("*.pbf")}
    missing = wanted - set(sizes)
    if missing:
        raise SystemExit(f"not written: {sorted(missing)}")
    too_big = [n for n, s in sizes.items() if s >= MAX_BYTES]
    if too_big:
        raise SystemExit(f"over {MAX_BYTES} bytes: {too_big}")
    print(f"{OUT.relative_to(ROOT)}: {len(latin)} ranges from {LATIN_FONT.name}, {len(cjk)} from {CJK_FONT.name} "
          f"face {CJK_FACE}; {sum(sizes.values()) / 1e6:.1f} MB in all, largest {max(sizes.values()) / 1e3:.0f} KB; "
          f"{time.time() - t:.0f}s")


if __name__ == "__main__":
    main()
