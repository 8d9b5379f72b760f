"""Bytes → a table of text cells: file type, size limits, decompression, encoding, delimiter, header
row, and file row numbers. Nothing is interpreted here beyond finding where the table is.

Row numbers are spreadsheet rows: 1-based, counting title lines, the header and blank lines, with a
quoted cell that spans several lines counting as one row (as a spreadsheet shows the file).
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from regen import settings

DEFAULT_MAX_MB = settings.DEFAULT_MAX_MB
SAMPLE_CHARS = 256 * 1024
HEADER_SCAN_ROWS = 40
DELIMITERS = (",", "\t", ";", "|")
DELIMITER_NAMES = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}

csv.field_size_limit(1 << 30)


class IngestError(Exception):
    """A file that cannot be read as a table at all. ``code`` is stable; the message is plain English."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def default_max_bytes() -> int:
    """The largest file read (``$REGEN_MAX_UPLOAD_MB``, see :mod:`regen.settings`)."""
    return settings.max_upload_bytes()


_mb = settings.megabytes


@dataclass
class RawTable:
    """The cells of a table as text (or, for clean numeric columns, typed), indexed by file row."""

    headers: list[str]
    frame: pd.DataFrame  # columns are positions 0..n-1 (see headers), index = file row numbers
    file_type: str  # "csv" or "xlsx"
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int = 1
    compressed: str | None = None
    sheet: str | None = None
    bad_rows: dict[int, int] = field(default_factory=dict)  # file row → number of cells (too many)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (code, message)
    decimal_comma: bool = False


# --- Getting the bytes --------------------------------------------------------------------------

def load_source(source: object, name: str | None, max_bytes: int) -> tuple[bytes, str]:
    """The bytes of ``source`` (a path, bytes, or a binary file-like object) and a file name."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        name = name or path.name
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise IngestError("not_found", f"file not found: {path}") from None
        except OSError as exc:
            raise IngestError("unreadable", f"cannot open the file: {exc.strerror or exc}") from None
        if path.is_dir():
            raise IngestError("unreadable", f"{path} is a folder, not a file")
        if size > max_bytes:
            raise IngestError("too_large", f"the file is {_mb(size)}, larger than the limit of {_mb(max_bytes)}")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise IngestError("unreadable", f"cannot read the file: {exc.strerror or exc}") from None
        return data, name
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif hasattr(source, "read"):
        name = name or getattr(source, "name", None)
        try:
            if hasattr(source, "seek"):
                source.seek(0)
            data = source.read(max_bytes + 1)
        except Exception as exc:  # noqa: BLE001 - any reader failure is an unreadable upload
            raise IngestError("unreadable", f"cannot read the upload: {exc}") from None
        if isinstance(data, str):
            data = data.encode("utf-8")
        data = bytes(data)
    else:
        raise IngestError("unreadable", f"cannot read a table from a {type(source).__name__}")
    if len(data) > max_bytes:
        raise IngestError("too_large", f"the file is larger than the limit of {_mb(max_bytes)}")
    return data, str(name or "upload")


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    out = []
    total = 0
    rest = data
    while rest:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            while True:
                chunk = d.decompress(rest, 1 << 20)
                total += len(chunk)
                if total > max_bytes:
                    raise IngestError("too_large",
                                      f"the file uncompresses to more than the limit of {_mb(max_bytes)}")
                out.append(chunk)
                rest = d.unconsumed_tail
                if d.eof or not rest:
                    break
        except zlib.error:
            raise IngestError("damaged_file", "the gzip file is damaged and cannot be uncompressed") from None
        if not d.eof:
            raise IngestError("damaged_file", "the gzip file is truncated (it ends before the data does)")
        rest = d.unused_data.lstrip(b"\x00")  # concatenated members; trailing zero padding is common
        if rest and rest[:2] != b"\x1f\x8b":
            break
    return b"".join(out)


# --- Encoding -----------------------------------------------------------------------------------

_KANA_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff01-\uff60\uf900-\ufaff]")
_HALFWIDTH_KANA = re.compile(r"[\uff61-\uff9f]")
_PRIVATE_OR_CONTROL = re.compile(r"[\ue000-\uf8ff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LATIN_LETTERS = re.compile(r"[\u00c0-\u00ff£€‘’“”–—°½¼¾·•…©®™§¶]")
_CP1252_ODD = re.compile(r"[\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2020\u2021\u2030\u2039\u203a"
                         r"\u201a\u201e\u00a6\u00a8\u00aa-\u00ac\u00af\u00b1-\u00b3\u00b5\u00b8-\u00ba\u00d7\u00f7"
                         r"\u00a1-\u00a4]")
_CJK_BETWEEN_LATIN = re.compile(r"[A-Za-z][\u3400-\u9fff\uff61-\uff9f][A-Za-z]")


def _score_cp932(text: str) -> float:
    non_ascii = sum(1 for ch in text if ord(ch) > 127) or 1
    good = len(_KANA_CJK.findall(text))
    bad = (5 * len(_HALFWIDTH_KANA.findall(text)) + 10 * len(_PRIVATE_OR_CONTROL.findall(text))
           + 5 * len(_CJK_BETWEEN_LATIN.findall(text)))
    return (good - bad) / non_ascii


def _score_cp1252(text: str) -> float:
    non_ascii = sum(1 for ch in text if ord(ch) > 127) or 1
    good = len(_LATIN_LETTERS.findall(text))
    bad = 3 * len(_CP1252_ODD.findall(text)) + 10 * len(_PRIVATE_OR_CONTROL.findall(text))
    # Sequences of several accented capitals and symbols are typical of Japanese bytes read as Latin.
    bad += 2 * len(re.findall(r"[\u0080-\u00ff\u0152-\u2122]{3,}", text))
    return (good - bad) / non_ascii


def _valid_utf8(data: bytes | memoryview) -> bool:
    """Whether ``data`` is UTF-8 (strictly, as Python's decoder: no surrogates or overlong forms).

    Checked by Arrow's vectorised validator on the bytes in place (no copy, no decoded text): about
    ten times faster than Python's decoder on a large file."""
    view = memoryview(data)
    if not len(view):
        return True
    buf = pa.py_buffer(view)
    offsets = pa.py_buffer(np.array([0, len(view)], dtype=np.int64))
    try:
        pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, buf]).cast(pa.large_string())
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return False
    return True


def detect_encoding(data: bytes) -> tuple[str, str | None]:
    """The encoding of ``data`` and, when it had to be decoded whole to decide, the text.

    UTF-8 (with or without BOM) and UTF-16 with a BOM are checked strictly; otherwise CP932
    (Shift-JIS) and Windows-1252 are compared by which gives plausible text; Latin-1 is the fallback.
    """
    if data.startswith(b"\xef\xbb\xbf") and _valid_utf8(memoryview(data)[3:]):
        return "utf-8-sig", None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return "utf-16", data.decode("utf-16")
        except UnicodeDecodeError:
            raise IngestError("not_a_table", "the file says it is UTF-16 text but cannot be decoded") from None
    if data.isascii() or _valid_utf8(data):
        return "utf-8", None
    candidates: list[tuple[float, str, str]] = []
    for enc, scorer in (("cp932", _score_cp932), ("cp1252", _score_cp1252)):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        candidates.append((scorer(text[: SAMPLE_CHARS * 4]), enc, text))
    if candidates:
        candidates.sort(key=lambda c: c[0], reverse=True)
        score, enc, text = candidates[0]
        if score > 0 or len(candidates) == 1:
            return enc, text
    return "latin-1", data.decode("latin-1")


def decode(data: bytes) -> tuple[str, str]:
    """Decode ``data`` whole: (text without BOM, encoding); see :func:`detect_encoding`."""
    encoding, text = detect_encoding(data)
    if text is None:
        text = data[3:].decode("utf-8") if encoding == "utf-8-sig" else data.decode("utf-8")
    return text.lstrip("\ufeff") if encoding == "utf-16" else text, encoding


def _looks_binary(text: str) -> bool:
    """Mostly control characters (or NUL bytes in numbers no text table has) means a binary file; a
    few stray ones are a damaged cell of a text table, reported on their row by the pipeline."""
    sample = text[:SAMPLE_CHARS]
    if not sample:
        return False
    if sample.count("\x00") > max(8, len(sample) * 0.01):
        return True
    bad = len(_PRIVATE_OR_CONTROL.findall(sample)) - sample.count("\x0c")
    return bad > max(8, len(sample) * 0.01)


# --- Delimiter and header row ---------------------------------------------------------------

def _records(text: str, delimiter: str, limit: int) -> list[tuple[list[str], int]]:
    """Up to ``limit`` csv records of ``text`` with the character offset just after each."""
    consumed = 0
    buffer = io.StringIO(text, newline="")

    def lines():
        nonlocal consumed
        for line in buffer:
            consumed += len(line)
            yield line

    out: list[tuple[list[str], int]] = []
    reader = csv.reader(lines(), delimiter=delimiter, quotechar='"', doublequote=True, skipinitialspace=False,
                        strict=False)
    try:
        for record in reader:
            out.append((record, consumed))
            if len(out) >= limit:
                break
    except csv.Error:
        pass
    return out


def _blank(record: list[str]) -> bool:
    return not any(cell.strip() for cell in record)


def sniff_delimiter(sample: str, hint: str | None = None) -> str:
    """The delimiter whose field counts are the most consistent across the sample's rows."""
    choice = hint or ","
    order = list(DELIMITERS)
    if hint in order:
        order.remove(hint)
        order.insert(0, hint)
    scored = []
    for rank, delim in enumerate(order):
        if delim not in sample:
            continue
        recs = [r for r, _ in _records(sample, delim, 200) if not _blank(r)]
        if len(recs) > 2:
            recs = recs[:-1]  # the sample may cut the last record short
        counts = [len(r) for r in recs]
        if not counts:
            continue
        # Trailing empty cells (Excel pads rows) do not count against consistency.
        trimmed = [len(r) - next((i for i, c in enumerate(reversed(r)) if c.strip()), 0) for r in recs]
        mode, freq = Counter(counts).most_common(1)[0]
        tmode, tfreq = Counter(trimmed).most_common(1)[0]
        if mode < 2:
            continue
        consistency = max(freq, tfreq) / len(counts)
        scored.append((consistency, mode, -rank, delim))
    if scored:
        top = max(s[0] for s in scored)
        near = [s for s in scored if s[0] >= top - 0.1]
        near.sort(key=lambda s: (s[1], s[2]), reverse=True)
        choice = near[0][3]
    return choice


def find_header(records: list[list[str]], is_known: Callable[[str], bool]) -> int:
    """Index of the header record: the first whose cells mostly are known header names, else the first
    with (nearly) the modal number of cells filled."""
    scan = records[:HEADER_SCAN_ROWS]
    for i, rec in enumerate(scan):
        cells = [c.strip() for c in rec if c.strip()]
        if len(cells) < 2:
            continue
        known = sum(1 for c in cells if is_known(c))
        if known >= 2 and known >= 0.5 * len(cells):
            return i
    filled = [sum(1 for c in rec if c.strip()) for rec in scan]
    nonblank = [n for n in filled if n]
    if not nonblank:
        return 0
    modal = Counter(nonblank).most_common(1)[0][0]
    widest = max(nonblank)
    for i, n in enumerate(filled):
        if n >= 2 and n >= min(modal, widest) and n >= 0.6 * widest:
            return i
    return next(i for i, n in enumerate(filled) if n)


def _unique_headers(cells: list[str]) -> list[str]:
    out: list[str] = []
    seen: Counter = Counter()
    for i, cell in enumerate(cells):
        name = re.sub(r"\s+", " ", str(cell)).strip() or f"column {i + 1}"
        seen[name] += 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


# --- Text tables ------------------------------------------------------------------------------

def _layout(sample: str, name: str, is_known: Callable[[str], bool]) -> tuple[str, list[str], int, int]:
    """(delimiter, headers, header row, end of the header in ``sample``) from the start of a text table."""
    lower = name.lower()
    hint = "\t" if lower.endswith((".tsv", ".tab", ".tsv.gz")) else None
    declared = re.match(r"\s*sep=(.)\s*(?:\r\n|\r|\n)", sample, flags=re.I)  # Excel's "sep=;" first line
    delimiter = declared.group(1) if declared else sniff_delimiter(sample, hint)
    records = _records(sample, delimiter, HEADER_SCAN_ROWS + 1)
    if not records:
        raise IngestError("not_a_table", "no rows could be read from the file")
    h = find_header([r for r, _ in records], is_known)
    header_cells, header_end = records[h]
    while header_cells and not header_cells[-1].strip():
        header_cells = header_cells[:-1]
    if not header_cells:
        raise IngestError("not_a_table", "no header row was found")
    return delimiter, _unique_headers(header_cells), h + 1, header_end


def _not_binary(sample: str) -> None:
    if _looks_binary(sample):
        raise IngestError("not_a_table", "this is not a text table (it looks like a binary file); "
                                         "upload CSV, TSV or Excel (.xlsx)")


def read_text_table(data: bytes, name: str, is_known: Callable[[str], bool]) -> RawTable:
    encoding, full = detect_encoding(data)
    bom = 3 if encoding == "utf-8-sig" else 0
    if full is None:  # UTF-8: decode only a sample now (a cut character at its end is dropped)
        sample = data[bom: bom + SAMPLE_CHARS].decode("utf-8", errors="ignore")
        whole = len(data) - bom <= SAMPLE_CHARS
    else:
        full = full.lstrip("\ufeff")
        sample = full[:SAMPLE_CHARS]
        whole = len(full) <= SAMPLE_CHARS
    _not_binary(sample)
    blank = re.search(r"[^\ufeff\s\x00]", sample) is None
    if blank and (whole or (full is None and re.search(rb"[^\s\x00]", data[bom:]) is None)
                  or (full is not None and re.search(r"[^\ufeff\s\x00]", full) is None)):
        raise IngestError("empty_file", "the file is empty")
    delimiter, headers, header_row, header_end = _layout(sample, name, is_known)
    raw = RawTable(headers=headers, frame=pd.DataFrame(), file_type="csv", encoding=encoding,
                   delimiter=delimiter, header_row=header_row)
    if full is None:
        start = bom + len(sample[:header_end].encode("utf-8"))
        buf = data
    else:
        start = 0
        buf = full[header_end:].encode("utf-8")
    frame = _parse_fast(buf, start, delimiter, len(headers))
    if frame is not None:
        frame.index = frame.index + (header_row + 1)
    else:
        body = buf[start:].decode("utf-8", errors="replace")
        frame, bad = _parse_slow(body, delimiter, len(headers), header_row)
        raw.bad_rows = bad
    raw.frame = frame
    if delimiter == ";":
        raw.decimal_comma = True
    return raw


# --- Large text files, read from disk without holding the whole file ------------------------------

STREAM_MIN_BYTES = 16 * 1024 * 1024
STREAM_CHUNK = 16 * 1024 * 1024


def _utf8_cut(chunk: bytes) -> int:
    """Where an incomplete UTF-8 sequence at the end of ``chunk`` starts (``len(chunk)`` if none)."""
    n = len(chunk)
    for back in range(1, min(4, n) + 1):
        b = chunk[n - back]
        if b & 0xC0 != 0x80:  # ASCII or a lead byte
            need = 1 if b < 0x80 else 2 if b >> 5 == 0b110 else 3 if b >> 4 == 0b1110 else 4 if b >> 3 == 0b11110 else 1
            return n - back if need > back else n
    return n


def _odd_quotes(view) -> bool:
    """Whether some line of ``view`` (whole lines; CR or LF end a line) holds an odd number of double
    quotes: a quoted cell then goes on past the end of the line (in a well-formed file, quotes come
    in pairs within each line otherwise: a quoted cell opens and closes, "" stands for a quote)."""
    a = np.frombuffer(view, dtype=np.uint8)
    quotes = np.flatnonzero(a == 34)
    if not len(quotes):
        return False
    breaks = np.flatnonzero((a == 10) | (a == 13))
    return bool((np.bincount(np.searchsorted(breaks, quotes)) % 2).any())


def _quotes_span_lines(buf: bytes, start: int, end: int) -> bool:
    """:func:`_odd_quotes` over ``buf[start:end]`` (whole lines), a block of lines at a time."""
    view = memoryview(buf)
    while start < end:
        stop = min(start + STREAM_CHUNK, end)
        if stop < end:
            stop = max(buf.rfind(b"\n", start, stop), buf.rfind(b"\r", start, stop)) + 1 or end
        if buf.find(b'"', start, stop) != -1 and _odd_quotes(view[start:stop]):
            return True
        start = stop
    return False


def read_text_file(path: Path, name: str, size: int, is_known: Callable[[str], bool]) -> RawTable | None:
    """A large UTF-8 text table read straight from disk: the same result as :func:`read_text_table`
    on the file's bytes, without holding them all. The file is read twice in blocks (a check that
    it is UTF-8 and whether quoted cells span lines, then the parse). None when the file needs the
    general route (not UTF-8, UTF-16, blank at the start, rows the fast parser cannot read)."""
    with open(path, "rb") as handle:
        head = handle.read(3 + SAMPLE_CHARS)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return None
        bom = 3 if head.startswith(b"\xef\xbb\xbf") else 0
        sample = head[bom: bom + SAMPLE_CHARS].decode("utf-8", errors="ignore")
        if re.search(r"[^\ufeff\s\x00]", sample) is None or not _valid_utf8(head[:_utf8_cut(head)]):
            return None
        _not_binary(sample)
        delimiter, headers, header_row, header_end = _layout(sample, name, is_known)
        start = bom + len(sample[:header_end].encode("utf-8"))
        # The whole file must be UTF-8 (else the general route decides the encoding), read in blocks
        # of whole lines; quoted cells that span lines (after the header) need the slower parser.
        handle.seek(0)
        offset, carry, spans = 0, b"", False
        while True:
            chunk = handle.read(STREAM_CHUNK)
            block = carry + chunk if carry else chunk
            if chunk:
                cut = max(block.rfind(b"\n"), block.rfind(b"\r")) + 1
                if not cut:  # no line break yet
                    carry = block
                    continue
            else:
                cut = len(block)
            piece = memoryview(block)[:cut]
            if not _valid_utf8(piece):
                return None
            at = max(start - offset, 0)
            if not spans and at < cut and block.find(b'"', at, cut) != -1:
                spans = _odd_quotes(piece[at:])
            offset += cut
            carry = block[cut:]
            if not chunk:
                break
        handle.seek(max(size - 4096, 0))
        tail = handle.read()
        end = size - (len(tail) - len(tail.rstrip(b"\r\n")))
    names = [f"c{i}" for i in range(len(headers))]
    if end <= start:
        frame = pd.DataFrame({i: pd.Series([], dtype="str") for i in range(len(headers))})
    else:
        # Read by arrow itself from the header on (trailing line breaks give empty rows, dropped).
        stream = pa.OSFile(str(path))
        try:
            stream.seek(start)
            frame = _parse_arrow(stream, delimiter, names, spans)
        finally:
            stream.close()
        if frame is None:
            return None
    frame.index = frame.index + (header_row + 1)
    raw = RawTable(headers=headers, frame=frame, file_type="csv", encoding="utf-8-sig" if bom else "utf-8",
                   delimiter=delimiter, header_row=header_row)
    if delimiter == ";":
        raw.decimal_comma = True
    return raw


def _parse_fast(buf: bytes, start: int, delimiter: str, ncols: int) -> pd.DataFrame | None:
    """Parse the UTF-8 rows in ``buf[start:]`` with pyarrow's multi-threaded reader; None to fall back
    to the exact reader (ragged rows, lines of spaces, broken quoting)."""
    end = len(buf)
    while end > start and buf[end - 1] in (10, 13):
        end -= 1
    if end <= start:
        return pd.DataFrame({i: pd.Series([], dtype="str") for i in range(ncols)})
    payload = pa.py_buffer(memoryview(buf)[start:end])
    spans = buf.find(b'"', start, end) != -1 and _quotes_span_lines(buf, start, end)
    return _parse_arrow(pa.BufferReader(payload), delimiter, [f"c{i}" for i in range(ncols)], spans)


def _parse_arrow(stream, delimiter: str, names: list[str], multiline: bool) -> pd.DataFrame | None:
    """Every cell of ``stream`` as text (arrow-backed ``str`` columns 0..n-1, missing for empty cells),
    or None when pyarrow's reader cannot read it. ``multiline``: quoted cells may span lines (the
    reader then splits the work between threads more slowly)."""
    try:
        table = pacsv.read_csv(
            stream,
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 22),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"', double_quote=True,
                                              newlines_in_values=multiline, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.large_string() for n in names}, null_values=[""],
                                                 strings_can_be_null=True, quoted_strings_can_be_null=True),
        )
    except (pa.ArrowInvalid, pa.ArrowException, ValueError):
        return None
    # Blank lines come back as rows of nulls (a line of spaces makes pyarrow fail: the exact reader
    # takes over), so positions stay file rows. Cells are trimmed later, by the parser of each mapped
    # column; unmapped columns are never read.
    empty_row = None
    for n in names:
        nulls = pc.is_null(table.column(n))
        empty_row = nulls if empty_row is None else pc.and_(empty_row, nulls)
    frame = pd.DataFrame({i: table.column(n).to_pandas() for i, n in enumerate(names)}, copy=False)
    frame.index = pd.RangeIndex(len(frame))
    if empty_row is not None and pc.any(empty_row).as_py():  # rows of empty cells (",,,,") are blank lines
        blank = empty_row.to_numpy(zero_copy_only=False)
        last = np.flatnonzero(~blank)
        keep = int(last[-1]) + 1 if len(last) else 0
        if blank[:keep].any():
            frame = frame[~blank]
        else:  # blank lines at the end only: a slice, not a copy
            frame = frame.iloc[:keep]
    return frame


def _parse_slow(body: str, delimiter: str, ncols: int, header_row: int) -> tuple[pd.DataFrame, dict[int, int]]:
    """Parse with the csv module, keeping exact row numbers across blank lines and ragged rows."""
    rows: list[list[str | None]] = []
    index: list[int] = []
    bad: dict[int, int] = {}
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter, quotechar='"', doublequote=True,
                        strict=False)
    row = header_row
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error:
            row += 1
            bad[row] = -1
            rows.append([None] * ncols)
            index.append(row)
            continue
        row += 1
        cells = [c.strip() for c in record]
        if not any(cells):
            continue
        if len(cells) > ncols:
            extra = cells[ncols:]
            if any(extra):
                bad[row] = max(i for i, c in enumerate(cells) if c) + 1
            cells = cells[:ncols]
        elif len(cells) < ncols:
            cells = cells + [""] * (ncols - len(cells))
        rows.append([c if c else None for c in cells])
        index.append(row)
    frame = pd.DataFrame(rows, columns=list(range(ncols)), index=index, dtype="str") if rows else \
        pd.DataFrame({i: pd.Series([], dtype="str") for i in range(ncols)})
    return frame, bad


# --- Excel --------------------------------------------------------------------------------------

def _cell_text(value: object) -> str | None:
    import datetime as dt

    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    text = str(value).strip()
    return text or None


def read_excel_table(data: bytes, is_known: Callable[[str], bool], sheet: str | int | None = None) -> RawTable:
    import warnings

    try:
        import openpyxl
    except ImportError:  # pragma: no cover - openpyxl is a pinned dependency
        raise IngestError("unsupported_format", "reading Excel files needs openpyxl") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except zipfile.BadZipFile:
        raise IngestError("damaged_file", "the Excel file is damaged or truncated") from None
    except KeyError:
        raise IngestError("damaged_file", "the Excel file is damaged (parts of the workbook are missing)") from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for broken files
        raise IngestError("damaged_file", f"the Excel file cannot be opened ({type(exc).__name__})") from None
    notes: list[tuple[str, str]] = []
    try:
        names = wb.sheetnames
        if sheet is not None:
            chosen = names[sheet] if isinstance(sheet, int) and 0 <= sheet < len(names) else sheet
            if chosen not in names:
                raise IngestError("not_a_table", f"the workbook has no sheet {sheet!r}; it has {', '.join(names)}")
            order = [chosen]
        else:
            order = names
        grid: list[list[str | None]] = []
        used = None
        for sheet_name in order:
            ws = wb[sheet_name]
            try:
                ws.reset_dimensions()
            except AttributeError:
                pass
            rows = []
            for values in ws.iter_rows(min_row=1, values_only=True):
                rows.append([_cell_text(v) for v in values])
            while rows and not any(rows[-1]):
                rows.pop()
            if rows:
                grid, used = rows, sheet_name
                break
        others = [n for n in names if n != used]
        if used and others and sheet is None:
            notes.append(("other_sheets_ignored",
                          f"read sheet '{used}'; other sheets were not read: {', '.join(others)}"))
    except IngestError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise IngestError("damaged_file", f"the Excel file cannot be read ({type(exc).__name__})") from None
    finally:
        try:
            wb.close()
        except Exception:  # noqa: BLE001
            pass
    if not grid:
        raise IngestError("empty_file", "the workbook has no data")
    records = [[c or "" for c in r] for r in grid]
    h = find_header(records, is_known)
    header_cells = list(records[h])
    while header_cells and not header_cells[-1].strip():
        header_cells.pop()
    if not header_cells:
        raise IngestError("not_a_table", "no header row was found")
    headers = _unique_headers(header_cells)
    ncols = len(headers)
    rows, index, bad = [], [], {}
    for i in range(h + 1, len(grid)):
        cells = grid[i]
        if not any(c for c in cells):
            continue
        if len(cells) > ncols and any(cells[ncols:]):
            bad[i + 1] = len(cells)
        cells = (list(cells[:ncols]) + [None] * ncols)[:ncols]
        rows.append(cells)
        index.append(i + 1)
    frame = pd.DataFrame(rows, columns=list(range(ncols)), index=index, dtype="str") if rows else \
        pd.DataFrame({i: pd.Series([], dtype="str") for i in range(ncols)})
    return RawTable(headers=headers, frame=frame, file_type="xlsx", header_row=h + 1, sheet=used,
                    bad_rows=bad, notes=notes)


# --- Entry point --------------------------------------------------------------------------------

def _large_text_file(source: object, name: str | None, max_bytes: int) -> tuple[Path, str, int] | None:
    """(path, name, size) when ``source`` is a large uncompressed text file on disk (read from disk in
    blocks, see :func:`read_text_file`); None otherwise."""
    if not isinstance(source, (str, os.PathLike)):
        return None
    path = Path(source)
    try:
        size = path.stat().st_size
        if not path.is_file() or size < STREAM_MIN_BYTES or size > max_bytes:
            return None
        with open(path, "rb") as handle:
            magic = handle.read(8)
    except OSError:
        return None
    name = name or path.name
    if magic[:2] in (b"\x1f\x8b", b"PK") or magic.startswith((b"\xd0\xcf\x11\xe0", b"%PDF-")):
        return None
    if name.lower().endswith((".xlsx", ".xlsm", ".zip", ".gz")):
        return None
    return path, name, size


def read_raw(source: object, *, name: str | None, max_bytes: int, is_known: Callable[[str], bool],
             sheet: str | int | None = None) -> RawTable:
    large = _large_text_file(source, name, max_bytes)
    if large is not None:
        raw = read_text_file(*large, is_known)
        if raw is not None:
            return raw
    data, name = load_source(source, name, max_bytes)
    if not data:
        raise IngestError("empty_file", "the file is empty")
    compressed = None
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data, max_bytes)
        compressed = "gzip"
        name = re.sub(r"\.gz$", "", name, flags=re.I)
        if not data.strip():
            raise IngestError("empty_file", "the file is empty (after uncompressing)")
    if data[:4] == b"PK\x03\x04" or (data[:2] == b"PK" and name.lower().endswith((".xlsx", ".xlsm", ".zip"))):
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
            members = zf.namelist()
        except zipfile.BadZipFile:
            if name.lower().endswith((".xlsx", ".xlsm")):
                raise IngestError("damaged_file", "the Excel file is damaged or truncated") from None
            raise IngestError("damaged_file", "the zip file is damaged or truncated") from None
        if any(m.startswith("xl/") for m in members):
            raw = read_excel_table(data, is_known, sheet)
            raw.compressed = compressed
            return raw
        tables = [m for m in members if m.lower().endswith((".csv", ".tsv", ".txt"))]
        if len(tables) != 1:
            raise IngestError("unsupported_format", "a zip file must hold exactly one CSV or TSV file")
        info = zf.getinfo(tables[0])
        if info.file_size > max_bytes:
            raise IngestError("too_large", f"the zipped file is larger than the limit of {_mb(max_bytes)}")
        try:
            data = zf.read(tables[0])
        except (zipfile.BadZipFile, zlib.error, EOFError):
            raise IngestError("damaged_file", "the zip file is damaged or truncated") from None
        name, compressed = tables[0], "zip"
    if name.lower().endswith((".xlsx", ".xlsm")) and data[:2] != b"PK" and data[:4] != b"\xd0\xcf\x11\xe0":
        raise IngestError("damaged_file", "the file is named .xlsx but is not an Excel workbook (damaged or "
                                          "renamed)")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise IngestError("unsupported_format", "old-style Excel (.xls) or password-protected workbooks cannot be "
                                                "read; save it as .xlsx or CSV")
    if data[:5] == b"%PDF-":
        raise IngestError("not_a_table", "this is a PDF, not a table; upload CSV, TSV or Excel (.xlsx)")
    raw = read_text_table(data, name, is_known)
    raw.compressed = compressed
    return raw
