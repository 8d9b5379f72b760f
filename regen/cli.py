"""Command line: ``python -m regen COMMAND``. Commands parse options and call the library; library
errors become one clear line on stderr and a non-zero exit code, never a traceback."""

from __future__ import annotations

import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Regen Atlas: social enterprises, jobs and places."""


@cli.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=ROOT / "data" / "sample",
              show_default=True, help="Folder to write the sample CSV files to.")
@click.option("--seed", type=int, default=None, help="Random seed (default: the project's fixed seed).")
def sample(out_dir: Path, seed: int | None) -> None:
    """Regenerate the illustrative sample data, byte for byte, from a fixed seed."""
    from regen import sample as sample_mod

    kwargs = {} if seed is None else {"seed": seed}
    paths = sample_mod.write_sample(out_dir, **kwargs)
    for path in paths:
        click.echo(str(path))


def main() -> None:
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)
