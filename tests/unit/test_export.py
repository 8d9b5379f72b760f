import io

import openpyxl
import pandas as pd

from regen.export import neutralise, to_csv_bytes, to_xlsx_bytes

FRAME = pd.DataFrame({"name": ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "Plain", "＝全角"], "jobs": [1, -2, 3, 4, 5, 6]})


def test_formula_prefixes_neutralised_numbers_kept():
    out = neutralise(FRAME)
    assert out["name"].tolist() == ["'=HYPERLINK(\"x\")", "'+1", "'-2+3", "'@SUM(A1)", "Plain", "'＝全角"]
    assert out["jobs"].tolist() == [1, -2, 3, 4, 5, 6]


def test_csv_bytes_have_bom_and_no_formula():
    text = to_csv_bytes(FRAME).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "name,jobs"
    assert all(not line.startswith(("=", "+", "-", "@")) for line in lines[1:])
    assert lines[2] == "'+1,-2"


def test_xlsx_cells_are_text_not_formulas():
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(FRAME)))
    sheet = book.active
    values = [row[0].value for row in sheet.iter_rows(min_row=2)]
    types = [row[0].data_type for row in sheet.iter_rows(min_row=2)]
    assert values[0] == "'=HYPERLINK(\"x\")"
    assert "f" not in types  # no formula cells
    assert [row[1].value for row in sheet.iter_rows(min_row=2)] == [1, -2, 3, 4, 5, 6]


def test_whole_numbers_are_written_as_whole_numbers():
    import numpy as np
    import pandas as pd

    from regen import export

    frame = pd.DataFrame({"year": [2016.0, np.nan], "volunteers": [0.0, 12.0], "fte": [12.5, 3.0]})
    text = export.to_csv_bytes(frame).decode("utf-8-sig").splitlines()
    assert text[1:] == ["2016,0,12.5", ",12,3.0"]
