"""The outcome of reading one file: :class:`IngestResult`, with a problem report and JSON form."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from regen.schema import Problem


def _plain(value: object) -> object:
    """A JSON-safe plain value (None for missing)."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        try:
            return value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


@dataclass
class Note:
    """Something worth knowing that did not reject any row (approximate values, swapped coordinates,
    generated ids ...). ``rows`` lists at most the first 20 file rows concerned; ``count`` is the total;
    ``detail`` shows examples in a form that needs no translation (e.g. ``12: E08000037 → E08000024``)."""

    code: str
    message: str
    column: str | None = None
    rows: list[int] = field(default_factory=list)
    count: int = 0
    detail: str = ""

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "column": self.column,
                "rows": [int(r) for r in self.rows], "count": int(self.count), "detail": self.detail}


@dataclass
class IngestResult:
    """Everything learnt from reading one file.

    ``problems`` name the FILE row (1-based, counting title lines and the header) and the file's
    column; ``accepted`` holds the rows without any problem, in schema shape, indexed by file row.
    ``rows_accepted + rows_rejected == rows_read`` always; blank lines are not rows.
    """

    kind: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int | None = None
    mapping: dict[str, str | None] = field(default_factory=dict)
    excluded_columns: list[dict] = field(default_factory=list)
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    accepted: pd.DataFrame = field(default_factory=pd.DataFrame)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    error: str | None = None
    error_code: str | None = None
    file_name: str | None = None
    file_type: str | None = None
    compressed: str | None = None
    sheet: str | None = None
    headers: list[str] = field(default_factory=list)
    signature: str | None = None
    figures: pd.DataFrame | None = None
    """Yearly figures read from an enterprise list that also has employees/turnover and a year."""
    values: dict[str, pd.DataFrame] = field(default_factory=dict)
    """Categorical fields' distinct values: value, count, code (used), proposed, mapped (by the analyst)."""
    samples: dict[str, list[str]] = field(default_factory=dict)
    """A few distinct values of each column read (never of a column of personal data), to recognise it by."""

    @property
    def ok(self) -> bool:
        """True when the file was read and every row accepted."""
        return self.error is None and self.rows_rejected == 0

    @property
    def delimiter_name(self) -> str | None:
        from regen.ingest.read import DELIMITER_NAMES

        return DELIMITER_NAMES.get(self.delimiter, self.delimiter) if self.delimiter else None

    def report_frame(self, lang: str = "en") -> pd.DataFrame:
        """One row per problem: row, column, value, reason (translated when the catalogue has
        ``problem.<code>``; the detail, such as the allowed values, is appended)."""
        rows = []
        for p in self.problems:
            rows.append({"row": _plain(p.row), "column": p.column, "value": _plain(p.value),
                         "reason": _reason(p, lang), "kept": bool(p.kept)})
        return pd.DataFrame(rows, columns=["row", "column", "value", "reason", "kept"])

    def summary_frame(self, lang: str = "en", examples: int = 3) -> pd.DataFrame:
        """The problems grouped by reason, most frequent first, for a reader who is not a programmer: what
        happened (the row left out, or one value left out and the row kept), the reason in ``lang``, the
        file's column, how many rows, and the first few rows as examples ("row 5: 1700"; an empty cell
        shows as empty, never "nan")."""
        columns = ["outcome", "reason", "column", "rows", "examples"]
        if not self.problems:
            return pd.DataFrame(columns=columns)
        groups: dict[tuple, list[Problem]] = {}
        for p in self.problems:
            groups.setdefault((bool(p.kept), p.code, p.column), []).append(p)
        rows = []
        for (kept, _code, column), items in groups.items():
            shown = []
            for p in items[:examples]:
                value = _plain(p.value)
                where = _translated("report.row", lang, "row {row}").format(row=p.row) if p.row is not None else ""
                shown.append(f"{where}: {value}" if value not in (None, "") and where else where or str(value or ""))
            rows.append({"outcome": _translated("report.kept" if kept else "report.left_out", lang,
                                                "value left out, row kept" if kept else "row left out"),
                         "reason": _reason(items[0], lang), "column": column or "", "rows": len(items),
                         "examples": "; ".join(s for s in shown if s)})
        frame = pd.DataFrame(rows, columns=columns)
        return frame.sort_values("rows", ascending=False, kind="stable").reset_index(drop=True)

    def notes_frame(self, lang: str = "en") -> pd.DataFrame:
        rows = [{"column": n.column, "count": n.count, "rows": ", ".join(map(str, n.rows)),
                 "note": _translated(f"note.{n.code}", lang, n.message) + (f" ({n.detail})" if n.detail else "")}
                for n in self.notes]
        return pd.DataFrame(rows, columns=["column", "count", "rows", "note"])

    def to_json(self) -> dict:
        """A JSON-serialisable summary (everything but the accepted frame)."""
        return {
            "file": self.file_name,
            "file_type": self.file_type,
            "compressed": self.compressed,
            "sheet": self.sheet,
            "kind": self.kind,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "delimiter_name": self.delimiter_name,
            "header_row": self.header_row,
            "signature": self.signature,
            "mapping": dict(self.mapping),
            "excluded_columns": [dict(e) for e in self.excluded_columns],
            "rows_read": int(self.rows_read),
            "rows_accepted": int(self.rows_accepted),
            "rows_rejected": int(self.rows_rejected),
            "figures_accepted": None if self.figures is None else int(len(self.figures)),
            "problems": [
                {"row": _plain(p.row), "column": p.column, "value": _plain(p.value), "code": p.code,
                 "reason": p.reason, "detail": p.detail, "kept": bool(p.kept)}
                for p in self.problems
            ],
            "notes": [n.as_dict() for n in self.notes],
            "error": self.error,
            "error_code": self.error_code,
        }


def _translated(key: str, lang: str, fallback: str) -> str:
    try:
        from regen.i18n import catalogue, normalise

        cat = catalogue(normalise(lang))
        if key in cat:
            return cat[key]
    except Exception:  # noqa: BLE001 - the report must work without catalogues
        pass
    return fallback


def _reason(problem: Problem, lang: str) -> str:
    text = _translated(f"problem.{problem.code}", lang, problem.reason)
    if "{" in text:
        try:
            column = problem.column or ""
            column = _translated(f"field.{column}", lang, column) if column else column
            text = text.format(detail=problem.detail, column=column, value=problem.value)
        except (KeyError, IndexError, ValueError):
            pass
    elif problem.detail:
        text = f"{text} ({problem.detail})"
    return text
