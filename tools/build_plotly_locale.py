"""Build regen/locales/plotly_ja.json, the Japanese locale of plotly.js charts (run by hand; the output
is committed so that the app needs no network).

    .venv/bin/python tools/build_plotly_locale.py [--package DIR]

Source: the npm package ``plotly.js-locales`` (MIT licence, Plotly Technologies Inc.), pinned below,
fetched with ``npm pack`` unless ``--package`` names an unpacked copy. Its ``ja.js`` is a CommonJS
module (``{moduleType, name, dictionary, format}``); Node reads it and this script writes its
``dictionary`` and ``format`` as JSON, with the few corrections in :data:`CORRECTIONS` applied (an
upstream translation that says something else). The app passes the result to plotly.js in each chart's
config (``{"locale": "ja", "locales": {"ja": ...}}``, see ``regen_app.widgets.plotly_config``): the
modebar's tooltips and date formats are then Japanese, and nothing is fetched from a CDN.

The origin (package, version, tarball checksum, the MIT licence text with its copyright notice) is
written beside the JSON, in ``regen/locales/plotly_ja.source.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "regen" / "locales" / "plotly_ja.json"
SOURCE = ROOT / "regen" / "locales" / "plotly_ja.source.json"
PACKAGE = "plotly.js-locales"
VERSION = "3.7.0"  # the newest release; Streamlit 1.67 draws with plotly.js 3.8.2, whose strings it covers

# Upstream translations that say something other than the English (plotly.js-locales 3.7.0 ja.js).
CORRECTIONS: dict[str, str] = {
    "Pan": "パン（移動）",  # upstream: 拡大 ("zoom in"), the same as "Zoom in"
    "Double-click on legend to isolate one trace": "凡例をダブルクリックすると1つのトレースだけを表示します",  # upstream: "…disable"
    "Turntable rotation": "ターンテーブル回転",  # upstream: 軸回転: (a stray colon)
}


def fetch(tmp: Path) -> tuple[Path, str]:
    """``npm pack`` the pinned package into ``tmp``; return the unpacked folder and the tarball's SHA-256."""
    subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"], cwd=tmp, check=True, capture_output=True)
    tarball = next(tmp.glob(f"{PACKAGE}-*.tgz"))
    digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
    with tarfile.open(tarball) as tar:
        tar.extractall(tmp, filter="data")
    return tmp / "package", digest


def read_locale(package: Path, name: str = "ja") -> dict:
    """The locale module ``name`` of the unpacked package, read by Node (it is JavaScript, not JSON)."""
    script = f"process.stdout.write(JSON.stringify(require({json.dumps(str(package / (name + '.js')))})))"
    out = subprocess.run(["node", "-e", script], check=True, capture_output=True, text=True)
    module = json.loads(out.stdout)
    if module.get("moduleType") != "locale" or module.get("name") != name:
        raise SystemExit(f"{name}.js is not a plotly.js locale module")
    return module


def build(package: Path, digest: str | None) -> dict:
    meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
    if meta.get("license") != "MIT":
        raise SystemExit(f"unexpected licence {meta.get('license')!r}: check before committing")
    module = read_locale(package)
    dictionary = dict(module["dictionary"])
    for key, text in CORRECTIONS.items():
        if key not in dictionary:
            raise SystemExit(f"correction for {key!r}: no such key upstream any more")
        dictionary[key] = text
    locale = {"dictionary": dictionary, "format": module["format"]}
    OUT.write_text(json.dumps(locale, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    source = {
        "package": meta["name"], "version": meta["version"], "license": meta["license"],
        "licence_text": (package / "LICENSE").read_text(encoding="utf-8").strip().splitlines(),
        "file": "ja.js", "tarball_sha256": digest, "corrections": CORRECTIONS,
        "made_by": "tools/build_plotly_locale.py",
    }
    SOURCE.write_text(json.dumps(source, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return locale


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", type=Path, help="an unpacked plotly.js-locales package (default: npm pack)")
    args = parser.parse_args()
    if args.package:
        locale = build(args.package, None)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            package, digest = fetch(Path(tmp))
            locale = build(package, digest)
    print(f"wrote {OUT.relative_to(ROOT)}: {len(locale['dictionary'])} strings; origin in {SOURCE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
