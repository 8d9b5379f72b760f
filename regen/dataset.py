"""A dataset is the three validated tables the app shows: enterprises, yearly figures and areas.

``load_dir`` reads the CSV files written by ``python -m regen sample`` (or any folder of the same
shape); later sources (the analysts' store) produce the same :class:`Dataset`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from regen.schema import Problem, validate

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"
FILES = {"enterprises": "enterprises.csv", "figures": "figures.csv", "areas": "areas.csv"}


@dataclass
class Dataset:
    enterprises: pd.DataFrame
    figures: pd.DataFrame
    areas: pd.DataFrame
    name: str = "sample"
    illustrative: bool = True
    problems: dict[str, list[Problem]] = field(default_factory=dict)

    @property
    def years(self) -> tuple[int, int]:
        """First and last year with figures."""
        if self.figures.empty:
            return (2000, 2000)
        return int(self.figures["year"].min()), int(self.figures["year"].max())


def read_table(path: Path, kind: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Read one CSV written in the project's own format and validate it."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    frame.index = frame.index + 2  # file row numbers: row 1 is the header
    return validate(frame, kind)


def load_dir(folder: Path | str = SAMPLE_DIR, *, name: str = "sample", illustrative: bool = True) -> Dataset:
    folder = Path(folder)
    tables: dict[str, pd.DataFrame] = {}
    problems: dict[str, list[Problem]] = {}
    for kind, filename in FILES.items():
        tables[kind], problems[kind] = read_table(folder / filename, kind)
        tables[kind] = tables[kind].reset_index(drop=True)
    return Dataset(tables["enterprises"], tables["figures"], tables["areas"], name=name,
                   illustrative=illustrative, problems={k: v for k, v in problems.items() if v})


def load_sample() -> Dataset:
    """The built-in illustrative dataset (fictional enterprises at real places)."""
    return load_dir(SAMPLE_DIR, name="sample", illustrative=True)


def known_figures(figures: pd.DataFrame, enterprises: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The yearly figures whose enterprise is in ``enterprises``, and how many name no known enterprise.

    An import reports those rows ("300 figure rows name no known enterprise") and leaves them out,
    rather than counting them as accepted and letting every page drop them silently."""
    known = figures["enterprise_id"].astype(str).isin(set(enterprises["enterprise_id"].astype(str)))
    dropped = int((~known).sum())
    return (figures if dropped == 0 else figures[known.to_numpy()].reset_index(drop=True)), dropped
