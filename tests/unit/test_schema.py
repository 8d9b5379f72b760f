import pandas as pd

from regen.schema import ENTERPRISE_COLUMNS, validate


def enterprises(**overrides):
    base = {
        "enterprise_id": ["a", "b", "c"], "name": ["Alpha", "Beta", "Gamma"], "legal_form": ["cic", "npo", "cbs"],
        "sector": ["care", "food", "energy"], "founded": ["2001", "2005", "2010"], "closed": [None, "2012", None],
        "country": ["GB", "JP", "GB"], "region": ["north_east", "niigata", "north_east"], "area": ["E08000024", "15205", "E08000024"],
        "lat": ["54.9", "37.37", "54.91"], "lon": ["-1.38", "138.55", "-1.40"], "geo_precision": ["exact", "place", "exact"],
    }
    base.update(overrides)
    return pd.DataFrame(base, index=[2, 3, 4])


def test_good_rows_are_accepted_and_coerced():
    ok, problems = validate(enterprises(), "enterprises")
    assert problems == []
    assert list(ok.columns) == list(ENTERPRISE_COLUMNS)
    assert ok["founded"].tolist() == [2001, 2005, 2010]
    assert ok["lat"].dtype == "float64"


def test_bad_rows_name_row_and_column_and_keep_the_rest():
    frame = enterprises(founded=["2001", "abc", "2010"], lat=["54.9", "37.37", "95"], legal_form=["cic", "npo", "plc"])
    ok, problems = validate(frame, "enterprises")
    assert ok["enterprise_id"].tolist() == ["a"]
    found = {(p.row, p.column, p.code) for p in problems}
    assert (3, "founded", "invalid_type") in found
    assert (4, "lat", "out_of_range") in found
    assert (4, "legal_form", "not_allowed") in found
    assert all(p.reason for p in problems)


def test_duplicate_ids_and_cross_field_checks():
    frame = enterprises(enterprise_id=["a", "a", "c"], closed=[None, None, "2005"])
    ok, problems = validate(frame, "enterprises")
    assert ok["enterprise_id"].tolist() == ["a"]
    assert {(p.row, p.code) for p in problems} == {(3, "duplicate"), (4, "closed_before_founded")}


def test_missing_required_column_rejects_all_rows():
    ok, problems = validate(enterprises().drop(columns=["name"]), "enterprises")
    assert ok.empty
    assert [(p.column, p.code) for p in problems] == [("name", "missing_column")]


def test_figures_checks():
    frame = pd.DataFrame({"enterprise_id": ["a", "a", "b", "c"], "year": [2001, 2001, 2002, 2003],
                          "employees": [3, 4, 2, -1], "fte": [2.5, 1, 3, None], "turnover": [100, None, None, None],
                          "currency": ["GBP", None, None, None]})
    ok, problems = validate(frame, "figures")
    assert ok["enterprise_id"].tolist() == ["a"]
    codes = {(p.row, p.code) for p in problems}
    assert (1, "duplicate") in codes and (2, "fte_above_headcount") in codes and (3, "out_of_range") in codes


def test_non_whole_headcount_is_reported_not_silently_dropped():
    frame = pd.DataFrame({"enterprise_id": ["A", "B"], "year": [2020, 2020], "employees": [12.5, 3]}, index=[2, 3])
    ok, problems = validate(frame, "figures")
    assert ok["enterprise_id"].tolist() == ["B"]
    assert [(p.row, p.column, p.code) for p in problems] == [(2, "employees", "invalid_type")]
