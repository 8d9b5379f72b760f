"""Run every benchmark and print its tables (``make bench``).

    .venv/bin/python benchmarks/run_all.py            # 100k and 1M (filters + payload: about 6 minutes, < 5 GB)
    .venv/bin/python benchmarks/run_all.py --quick    # 100k only

Runs ``synthetic.py --check`` (the generated data passes the schema), then every ``bench_*.py`` in
this folder in name order, each in its own process (memory is given back between them, and each
reports its own peak) with ``--sizes``. A new benchmark joins by being named ``bench_*.py`` and
accepting ``--sizes N [N ...]``. The output is Markdown: paste it into docs/performance.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="100k enterprises only")
    parser.add_argument("--sizes", type=int, nargs="+", help="dataset sizes (default: 100000 1000000)")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([100_000] if args.quick else [100_000, 1_000_000])
    size_args = ["--sizes", *map(str, sizes)]
    steps = [("synthetic data matches the schema", ["synthetic.py", "3000", "--check"])]
    for script in sorted(HERE.glob("bench_*.py")):
        steps.append((script.stem, [script.name, *size_args]))
    started = time.perf_counter()
    failed = 0
    for title, command in steps:
        print(f"\n<!-- {title}: {' '.join(command)} -->", flush=True)
        t = time.perf_counter()
        code = subprocess.call([sys.executable, str(HERE / command[0]), *command[1:]], cwd=HERE.parent)
        print(f"\n_{title}: {time.perf_counter() - t:.0f} s{'' if code == 0 else f', FAILED (exit {code})'}_",
              flush=True)
        failed += code != 0
    print(f"\nAll benchmarks: {time.perf_counter() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
