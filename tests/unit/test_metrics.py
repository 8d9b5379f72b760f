import numpy as np
import pytest

from regen import metrics
from regen.filters import Filters, enterprise_mask, options


@pytest.fixture
def panel(tiny):
    return metrics.build_panel(tiny)


def test_jobs_by_year_known_answers(panel):
    series = metrics.jobs_by_year(panel, np.ones(3, bool))
    assert series["year"].tolist() == [2001, 2002, 2003, 2004, 2005]
    assert series["jobs"].tolist() == [2, 4, 16, 15, 18]
    assert series["enterprises"].tolist() == [1, 2, 3, 2, 2]
    assert series["reporting"].tolist() == [1, 2, 3, 2, 2]  # every active enterprise reported each year
    only_c = metrics.jobs_by_year(panel, np.array([False, False, True]))
    assert only_c["reporting"].tolist() == [0, 0, 1, 1, 1]


def test_country_filter(panel):
    series = metrics.jobs_by_year(panel, panel.mask(Filters(country=("GB",))))
    assert series["jobs"].tolist() == [2, 4, 6, 5, 6]
    assert series["enterprises"].tolist() == [1, 2, 2, 1, 1]


def test_headline_uses_end_year_and_base_year(panel):
    head = metrics.headline(panel, Filters())
    assert (head.year, head.base_year, head.jobs, head.jobs_added, head.enterprises) == (2005, 2001, 18, 16, 2)
    head = metrics.headline(panel, Filters(year_from=2002, year_to=2003))
    assert (head.jobs, head.jobs_added, head.enterprises) == (16, 12, 3)
    assert head.fte == pytest.approx(3.2 + 2.0 + 9.0)


def test_snapshot_and_latest(panel):
    snap = metrics.snapshot(panel, np.ones(3, bool), 2003).set_index("enterprise_id")
    assert snap["employees"].to_dict() == {"A": 4, "B": 2, "C": 10}
    latest = metrics.latest_figures(panel, np.ones(3, bool), 2004).set_index("enterprise_id")
    assert latest["employees"].to_dict() == {"A": 5, "B": 2, "C": 10}
    assert latest["latest_year"].to_dict() == {"A": 2004, "B": 2003, "C": 2004}


def test_jobs_by_sector(panel):
    frame = metrics.jobs_by(panel, np.ones(3, bool), 2005, "sector")
    assert frame.set_index("sector")["jobs"].to_dict() == {"energy": 12, "care": 6}


def test_search_and_cascading_options(tiny, panel):
    assert enterprise_mask(tiny.enterprises, Filters(search="gamm")).tolist() == [False, False, True]
    assert enterprise_mask(tiny.enterprises, Filters(search="ガンマ")).tolist() == [False, False, True]
    assert panel.mask(Filters(search="beta")).tolist() == [False, True, False]
    assert options(tiny.enterprises, "region", Filters(country=("JP",))) == ["niigata"]
    assert options(tiny.enterprises, "region", Filters()) == ["niigata", "north_east"]


def test_years_are_clipped():
    assert Filters(year_from=1990, year_to=2050).years((2001, 2025)) == (2001, 2025)
    assert Filters(year_from=2020, year_to=2010).years((2001, 2025)) == (2010, 2020)


def test_history(panel):
    assert metrics.history(panel, "B")["employees"].tolist() == [1, 2]
    assert metrics.enterprise(panel, "nope") is None


def test_default_years_end_at_the_latest_year_most_enterprises_reported():
    import pandas as pd

    from regen.dataset import Dataset

    ids = [f"E{i}" for i in range(10)]
    enterprises = pd.DataFrame({"enterprise_id": ids, "name": ids, "legal_form": "cic", "sector": "food",
                                "founded": pd.array([2010] * 9 + [None], dtype="Int64"), "closed": pd.NA,
                                "country": "GB", "region": "north_east", "area": "unknown", "lat": np.nan,
                                "lon": np.nan, "geo_precision": "none"})
    rows = [(e, y, 3) for e in ids for y in (2020, 2021)] + [(e, 2022, 3) for e in ids[:2]]  # 2022: first returns
    figures = pd.DataFrame(rows, columns=["enterprise_id", "year", "employees"])
    panel = metrics.build_panel(Dataset(enterprises, figures, pd.DataFrame(columns=["code"])))
    assert panel.years == (2020, 2022)
    assert panel.default_years == (2020, 2021)  # 2 of 10 reported in 2022
    series = metrics.jobs_by_year(panel, np.ones(10, dtype=bool))
    assert series["enterprises"].tolist() == [10, 10, 10]  # the one with no founding year counts as trading
    assert metrics.active_mask(panel, 2021).sum() == 10
