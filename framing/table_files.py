"""Read a table file (``.csv``, ``.jsonl``, ``.parquet``) strictly: the one reader behind corpora, ``--unit paragraph``
rows and label files.

Nothing is guessed or shifted. A CSV row with more or fewer fields than the header, a JSON Lines line that is not a
JSON object, a byte that is not UTF-8: each is a ``CorpusError`` naming the file and the line. CSV cells are read as
text (an empty cell is ``""``); JSON Lines values keep their JSON types.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "rows.csv"
>>> _ = path.write_text("article_id,title,text\\na1,T1,b1,The ambassador spoke.\\n")
>>> read_table(path)  # doctest: +ELLIPSIS
Traceback (most recent call last):
framing.errors.CorpusError: ...rows.csv: line 2 has 4 fields, the header has 3 (a comma in an unquoted cell? quote the cell)
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pandas as pd

from .errors import CorpusError

TABLE_SUFFIXES = (".csv", ".jsonl", ".parquet")


def read_utf8(path: Path) -> str:
    """A text file's content with ``\\n`` line endings and no byte-order mark; unreadable or non-UTF-8 files are a
    ``CorpusError`` naming the file and the reason (permission, a folder, a symlink loop, the first bad byte)."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise CorpusError(path, f"cannot be read ({error.strerror or error})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CorpusError(
            path, f"file is not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})"
        ) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def read_table(path: str | Path) -> pd.DataFrame:
    """One row per record. ``table.attrs["lines"]`` gives the line of the file where each row starts (CSV, JSONL)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix == ".jsonl":
        return _read_jsonl(path)
    if suffix == ".parquet":
        return _read_parquet(path)
    raise CorpusError(path, f"unknown table type '{suffix or path.name}' (expected one of {', '.join(TABLE_SUFFIXES)})")


def _read_csv(path: Path) -> pd.DataFrame:
    text = read_utf8(path)
    if "\0" in text:
        line = text[: text.index("\0")].count("\n") + 1
        raise CorpusError(path, f"line {line} holds a NUL byte: is this a binary file saved as .csv?")
    previous_limit = csv.field_size_limit()
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # an article body may be longer than the default 128 KiB
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        header, rows, lines = None, [], []
        start = 1
        for record in reader:
            if record and any(cell.strip() for cell in record):
                if header is None:
                    header = record
                    _check_header(path, header)
                else:
                    if len(record) != len(header):
                        raise CorpusError(path, f"line {start} has {len(record)} fields, the header has {len(header)}"
                                                f" (a comma in an unquoted cell? quote the cell)")
                    rows.append(record)
                    lines.append(start)
            start = reader.line_num + 1
    except csv.Error as error:
        raise CorpusError(path, f"line {reader.line_num}: not valid CSV ({error})") from None
    finally:
        csv.field_size_limit(previous_limit)
    if header is None:
        raise CorpusError(path, "empty table: no header line")
    unnamed = [j for j, name in enumerate(header) if not name]
    for record, line in zip(rows, lines):
        if any(record[j].strip() for j in unnamed):
            raise CorpusError(path, f"line {line} has a value in column {unnamed[0] + 1}, which the header does not "
                                    f"name")
    table = pd.DataFrame([[r[j] for j in range(len(header)) if header[j]] for r in rows],
                         columns=[name for name in header if name], dtype=object)
    table.attrs["lines"] = lines
    return table


def _check_header(path: Path, header: list[str]) -> None:
    names = [name.strip() for name in header]
    if names != header:
        raise CorpusError(path, f"header names have spaces around them: {', '.join(map(repr, header))}")
    named = [name for name in names if name]
    duplicated = sorted({name for name in named if named.count(name) > 1})
    if duplicated:
        raise CorpusError(path, f"the header names column(s) {', '.join(map(repr, duplicated))} more than once")
    if not named:
        raise CorpusError(path, "the header line names no columns")
    # An unnamed column is allowed only at the end and only if empty (spreadsheets add a trailing comma).
    if "" in names and any(names[names.index(""):]):
        raise CorpusError(path, f"header field {names.index('') + 1} is empty: every column needs a name")


def _read_jsonl(path: Path) -> pd.DataFrame:
    records, lines = [], []
    for number, line in enumerate(read_utf8(path).split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise CorpusError(path, f"line {number}: not valid JSON ({error.msg} at column {error.colno})") from None
        if not isinstance(record, dict):
            kind = _JSON_KINDS.get(type(record), type(record).__name__)
            raise CorpusError(path, f"line {number} is a JSON {kind}, not an object ({{\"field\": value, …}})")
        records.append(record)
        lines.append(number)
    table = pd.DataFrame.from_records(records) if records else pd.DataFrame()
    table = table.astype(object)
    table.attrs["lines"] = lines
    return table


_JSON_KINDS = {list: "array", str: "string", int: "number", float: "number", bool: "true/false", type(None): "null"}


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        table = pd.read_parquet(path)
    except OSError as error:
        raise CorpusError(path, f"cannot be read ({error.strerror or error})") from None
    except Exception as error:  # pyarrow raises its own types for a damaged or non-Parquet file
        raise CorpusError(path, f"cannot be read as parquet: {str(error).splitlines()[0] if str(error) else error!r}")\
            from None
    table.attrs["lines"] = []
    return table
