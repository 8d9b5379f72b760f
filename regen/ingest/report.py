"""Plain-text report of an :class:`IngestResult` (used by ``python -m regen validate``)."""

from __future__ import annotations

from regen.ingest.result import IngestResult, _plain

MAX_PROBLEMS = 200


def _table(rows: list[list[str]], headers: list[str]) -> list[str]:
    cells = [headers] + rows
    widths = [min(max(len(str(r[i])) for r in cells), 60) for i in range(len(headers))]

    def fmt(row):
        return "  ".join((str(v)[:60] if i < len(row) - 1 else str(v)).ljust(w) for i, (v, w) in enumerate(zip(row, widths))).rstrip()

    return [fmt(headers), fmt(["-" * w for w in widths])] + [fmt(r) for r in rows]


def format_report(result: IngestResult, *, max_problems: int = MAX_PROBLEMS) -> str:
    lines: list[str] = []
    name = result.file_name or "upload"
    if result.error:
        return f"{name}: cannot be read: {result.error}"
    lines.append(f"File: {name}")
    kind = result.kind or "unknown"
    what = result.file_type or "?"
    if result.compressed:
        what += f" ({result.compressed})"
    if result.sheet:
        what += f", sheet '{result.sheet}'"
    lines.append(f"Type: {what}; kind: {kind}")
    if result.file_type == "csv":
        lines.append(f"Encoding: {result.encoding}; delimiter: {result.delimiter_name}; header row: {result.header_row}")
    else:
        lines.append(f"Header row: {result.header_row}")
    lines.append(f"Rows: {result.rows_read} read, {result.rows_accepted} accepted, {result.rows_rejected} rejected")
    if result.figures is not None:
        lines.append(f"Yearly figures: {len(result.figures)} rows")
    lines.append("")
    lines.append("Column mapping:")
    excluded = {e["column"]: e["reason"] for e in result.excluded_columns}
    rows = []
    for column, field in result.mapping.items():
        rows.append([column, field or ("(excluded)" if column in excluded else "(ignored)")])
    lines += ["  " + line for line in _table(rows, ["file column", "field"])]
    if excluded:
        lines.append("")
        lines.append("Excluded columns (never read):")
        for column, reason in excluded.items():
            lines.append(f"  {column}: {reason}")
    if result.notes:
        lines.append("")
        lines.append("Notes:")
        for note in result.notes:
            where = f"{note.column}: " if note.column else ""
            rows_txt = ""
            if note.rows:
                more = f" and {note.count - len(note.rows)} more" if note.count > len(note.rows) else ""
                rows_txt = f" (rows {', '.join(map(str, note.rows))}{more})"
            lines.append(f"  {where}{note.message}{rows_txt}")
    if result.problems:
        kept = sum(1 for p in result.problems if p.kept)
        lines.append("")
        lines.append(f"What was done ({result.rows_read - result.rows_accepted} row(s) left out, {kept} value(s) "
                     "left out of rows kept):")
        for row in result.summary_frame("en").itertuples(index=False):
            column = f" [{row.column}]" if row.column else ""
            lines.append(f"  {row.rows} × {row.outcome}{column}: {row.reason}"
                         + (f" (e.g. {row.examples})" if row.examples else ""))
        lines.append("")
        lines.append(f"Problems ({len(result.problems)}):")
        rows = []
        for p in result.problems[:max_problems]:
            reason = ("value left out: " if p.kept else "") + p.reason + (f" ({p.detail})" if p.detail else "")
            value = _plain(p.value)
            rows.append(["" if p.row is None else str(p.row), p.column or "", "" if value is None else str(value),
                         reason])
        lines += ["  " + line for line in _table(rows, ["row", "column", "value", "reason"])]
        if len(result.problems) > max_problems:
            lines.append(f"  ... and {len(result.problems) - max_problems} more (use --json for all)")
    return "\n".join(lines)
