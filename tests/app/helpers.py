"""What the AppTests of the Upload page and of imported datasets share: signing in, uploading, and
reading what a page shows."""

from __future__ import annotations

import pandas as pd

from .conftest import PASSWORD, USER, open_page

def text_of(at) -> str:
    parts = [m.value for m in at.markdown] + [t.value for t in at.title] + [s.value for s in at.subheader]
    parts += [c.value for c in at.caption] + [i.value for i in at.info] + [e.value for e in at.error]
    parts += [w.value for w in at.warning] + [s.value for s in at.success] + [c.value for c in at.code]
    return "\n".join(str(p) for p in parts)


def sign_in(at, username: str = USER, password: str = PASSWORD):
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.get("form_submit_button")[0].click()
    return at.run()


def signed_in_page(query: dict | None = None):
    at = open_page("upload", query)
    assert not at.exception, at.exception
    return sign_in(at)


def upload_files(at, *files: tuple[str, bytes]):
    at.file_uploader[0].set_value([(name, data, "text/csv") for name, data in files])
    at.run()
    assert not at.exception, at.exception
    return at


def mapping_table(at) -> dict:
    """The mapping editor's rows (file column -> field) of the first file."""
    frame = next(df.value for df in at.dataframe if list(df.value.columns) == ["column", "field", "examples"])
    return dict(zip(frame["column"], frame["field"]))


def table_with(at, column: str) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if column in df.value.columns)


def metric_values(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def frames(n: int, prefix: str, year: int = 2023) -> dict[str, pd.DataFrame]:
    from tests.conftest import store_frames

    return store_frames(n=n, prefix=prefix, years=1, first_year=year)
