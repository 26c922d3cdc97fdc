"""The shape of the data at every arrow of the pipeline, as ``pandera`` schemas that check themselves::

    load_corpus ─► ARTICLES ─► segment ─► PARAGRAPHS ─► detector.frame_table ─► FRAMED ─► frame_shares ─► SHARES
                                                                          gold labels ─► LABELS ─┘

Each schema extends the one before it where the table does (a paragraph keeps its article's metadata). Tables may
carry extra columns (a corpus's own metadata fields); the columns listed here must be present with these types.
``validate(schema, table, what)`` checks a table and turns a failure into one ``framing.errors.SchemaError`` line
that names the column, the problem, the first offending value and its row.

``frames`` and ``labels`` columns hold tuples of frame keys. Read back from a CSV they are ``"a;b"`` strings, and from
Parquet or JSON Lines lists or arrays: the schemas parse all of these into tuples, so a label set is never iterated
character by character.

>>> import pandas as pd
>>> framed = pd.DataFrame({"article_id": ["a1", "a1"], "text": ["One.", "Two."], "frames": ["denial;ridicule", ""]})
>>> validate(FRAMED, framed, "framed table")["frames"].tolist()
[('denial', 'ridicule'), ()]
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd
import pandera.pandas as pa

from .errors import SchemaError
from .multilabel import as_label_set

ARTICLE_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]*"
LANGUAGE_PATTERN = r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*"
PROVENANCES = ("collected", "composed")
PARAGRAPH_KINDS = ("title", "body")

# Metadata every article must fill when a corpus is loaded with its metadata (``load_corpus(require_metadata=True)``).
# The others are optional (issue 11: any corpus in; an absent field is left missing and recorded, never invented). The
# schemas below only say which columns exist and what they hold; which of them must be filled is this one line.
REQUIRED_FIELDS = ("article_id", "outlet")


def is_blank(text: str) -> bool:
    """True when ``text`` shows nothing: only white space, control characters and invisible format characters (zero-
    width spaces, byte-order marks, bidirectional marks and isolates such as ``\\u200b``, ``\\ufeff``, ``\\u2066``).

    >>> is_blank("\\u200b\\ufeff \\u2066"), is_blank("\\u200bA")
    (True, False)
    """
    return not any(not char.isspace() and unicodedata.category(char) not in ("Cf", "Cc", "Zs", "Zl", "Zp")
                   for char in text)


def _fullmatch(pattern: str, what: str) -> pa.Check:
    compiled = re.compile(pattern)
    return pa.Check(lambda s: s.map(lambda v: isinstance(v, str) and compiled.fullmatch(v) is not None),
                    name=what, error=f"must be {what}")


def _visible_text() -> pa.Check:
    return pa.Check(lambda s: s.map(lambda v: isinstance(v, str) and not is_blank(v)), name="non-empty text",
                    error="must be non-empty text")


def _text_or_missing() -> pa.Check:
    return pa.Check(lambda s: s.map(lambda v: isinstance(v, str) or pd.isna(v)), name="text",
                    error="must be text")


def _is_datetime() -> pa.Check:
    return pa.Check(lambda s: pd.api.types.is_datetime64_any_dtype(s), name="dates", error="must be dates")


def _tuple_of_keys() -> pa.Check:
    return pa.Check(lambda s: s.map(lambda v: isinstance(v, tuple) and all(isinstance(k, str) and k for k in v)),
                    name="tuples of frame keys", error="must be tuples of frame keys")


def _parse_label_sets(column: str) -> pa.Parser:
    return pa.Parser(lambda s: s.map(lambda v: as_label_set(v, f"column {column!r}")), name=f"{column} as tuples")


def _metadata(name: str) -> pa.Column:
    return pa.Column(None, checks=_text_or_missing(), nullable=True, required=True, name=name)


_ARTICLE_ID = pa.Column(None, checks=_fullmatch(ARTICLE_ID_PATTERN, "letters, digits, '.', '_', '-'"))

#: Columns of an article table: metadata first, then the body (``text``) and the file it came from (``source``).
ARTICLE_FIELDS = {
    "article_id": _ARTICLE_ID,
    "outlet": _metadata("outlet"),
    "outlet_kind": _metadata("outlet_kind"),
    "date": pa.Column(None, checks=_is_datetime(), nullable=True),
    "title": _metadata("title"),
    "url": _metadata("url"),
    "language": pa.Column(None, checks=_fullmatch(LANGUAGE_PATTERN, "a language code such as 'en'"), nullable=True),
    "licence": _metadata("licence"),
    "provenance": pa.Column(None, checks=pa.Check.isin(PROVENANCES), nullable=True),
    "modelled_on": pa.Column(None, nullable=True),
    "rests_on": _metadata("rests_on"),
    "language_source": pa.Column(None, checks=pa.Check.isin(("metadata", "detected")), nullable=True),
    "text": pa.Column(None, checks=_visible_text()),
    "source": pa.Column(None, checks=_text_or_missing()),
}

#: One row per article (``framing.corpus.load_corpus``); ``article_id`` is unique.
ARTICLES = pa.DataFrameSchema(ARTICLE_FIELDS, unique=["article_id"], name="articles", strict=False)

#: Columns a paragraph adds; it keeps its article's metadata (all of ``ARTICLE_FIELDS`` but the body).
PARAGRAPH_FIELDS = {
    "para_id": pa.Column(None, checks=_visible_text(), unique=True),
    "position": pa.Column(int, checks=pa.Check.ge(0)),
    "kind": pa.Column(None, checks=pa.Check.isin(PARAGRAPH_KINDS)),
    "text": pa.Column(None, checks=_visible_text()),
    "n_words": pa.Column(int, checks=pa.Check.ge(1)),
    "piece": pa.Column(int, checks=pa.Check.ge(1)),
    "pieces": pa.Column(int, checks=pa.Check.ge(1)),
}

#: One row per paragraph (``framing.segment.segment``), title first (``position`` 0, ``kind`` "title").
PARAGRAPHS = pa.DataFrameSchema({**ARTICLE_FIELDS, **PARAGRAPH_FIELDS}, name="paragraphs", strict=False)

#: Any table of paragraph texts a detector frames: only ``text`` is needed.
TEXTS = pa.DataFrameSchema({"text": pa.Column(None, checks=_visible_text())}, name="paragraph texts", strict=False)

#: Framed paragraphs (``detector.frame_table`` or gold ``labels``): ``frames`` is a tuple of frame keys per row.
FRAMED = pa.DataFrameSchema(
    {
        "article_id": pa.Column(None, checks=_text_or_missing()),
        "frames": pa.Column(None, parsers=_parse_label_sets("frames"), checks=_tuple_of_keys()),
    },
    name="framed paragraphs", strict=False,
)

#: Frame shares per group (``framing.compare.frame_shares``); the group column is named by ``by`` and not listed.
SHARES = pa.DataFrameSchema(
    {
        "frame": pa.Column(None, checks=_visible_text()),
        "share": pa.Column(float, checks=pa.Check.in_range(0, 1), nullable=True),
        "ci_low": pa.Column(float, checks=pa.Check.in_range(0, 1), nullable=True),
        "ci_high": pa.Column(float, checks=pa.Check.in_range(0, 1), nullable=True),
        "paragraphs": pa.Column(int, checks=pa.Check.ge(0)),
        "frame_paragraphs": pa.Column(int, checks=pa.Check.ge(0)),
        "articles": pa.Column(int, checks=pa.Check.ge(0)),
    },
    checks=[pa.Check(lambda t: ((t["ci_low"] <= t["share"] + 1e-12) & (t["share"] <= t["ci_high"] + 1e-12))
                     | t["share"].isna(), name="ci_low <= share <= ci_high", error="interval must hold the share"),
            pa.Check(lambda t: t["frame_paragraphs"] <= t["paragraphs"], name="frame_paragraphs <= paragraphs",
                     error="a frame cannot be in more paragraphs than there are")],
    name="frame shares", strict=False,
)

#: Labels per paragraph (gold or one coder's pass): ``labels`` is a non-empty tuple of frame keys.
LABELS = pa.DataFrameSchema(
    {
        "para_id": pa.Column(None, checks=_visible_text(), unique=True),
        "labels": pa.Column(None, parsers=_parse_label_sets("labels"), checks=[
            _tuple_of_keys(), pa.Check(lambda s: s.map(len) > 0, name="at least one label",
                                       error="must hold at least one label")]),
    },
    name="labels", strict=False,
)

_HINTS = {"articles": "load it with framing.load_corpus",
          "paragraphs": "make it with framing.segment",
          "paragraph texts": "make it with framing.segment (any table with a 'text' column will do)",
          "framed paragraphs": "make it with detector.frame_table",
          "frame shares": "make it with framing.compare.frame_shares",
          "labels": "read it with framing.annotations.load_annotations"}


def validate(schema: pa.DataFrameSchema, table: pd.DataFrame, what: str | None = None, *,
             columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """``table`` checked (and its label columns parsed) against ``schema``; ``columns`` names further columns that
    must be present (e.g. the ``by`` column of a comparison). A failure is one ``SchemaError`` line."""
    what = what or schema.name
    if not isinstance(table, pd.DataFrame):
        raise SchemaError(f"{what}: expected a pandas DataFrame, got {type(table).__name__}")
    needed = [name for name, column in schema.columns.items() if column.required] + list(columns)
    missing = [name for name in dict.fromkeys(needed) if name not in table.columns]
    if missing:
        hint = _HINTS.get(schema.name)
        raise SchemaError(f"{what} lacks column(s) {', '.join(map(repr, missing))}" + (f"; {hint}" if hint else ""))
    try:
        checked = schema.validate(table)
        checked.attrs.update(table.attrs)  # what a table records about itself (its frames, codebook) stays with it
        return checked
    except pa.errors.SchemaError as error:
        raise SchemaError(_one_line(error, what)) from None
    except SchemaError:
        raise
    except Exception as error:  # a parser's FramingError arrives wrapped or plain, depending on pandera's version
        cause = error.__cause__ or error.__context__
        if isinstance(cause, SchemaError):
            raise cause from None
        message = str(error).strip().splitlines()
        raise SchemaError(f"{what}: {message[-1] if message else type(error).__name__}") from None


def _one_line(error: pa.errors.SchemaError, what: str) -> str:
    where = f"{what}: column {error.schema.name!r}" if isinstance(error.schema, pa.Column) else what
    cases = error.failure_cases
    example = count = ""
    if isinstance(cases, pd.DataFrame) and len(cases) and "failure_case" in cases:
        first = cases.iloc[0]
        row = first.get("index")
        example = f", e.g. {first['failure_case']!r}" + ("" if row is None or pd.isna(row) else f" (row {row})")
        count = f"{len(cases)} value(s) "
    check = error.check
    if getattr(check, "error", None):
        return f"{where}: {count}{check.error}{example}"
    if getattr(check, "name", None):
        return f"{where}: {count}fail the check {check.name}{example}"
    lines = str(error).strip().splitlines()
    return f"{where}: {lines[0].rstrip(':') if lines else type(error).__name__}{example}"
