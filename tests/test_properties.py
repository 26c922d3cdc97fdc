"""Property-based tests: whatever a file holds, loading and segmenting it gives a result or a FramingError.

Random text (all of Unicode, control and invisible characters included), random bytes, and random CSV, JSON Lines,
Markdown-with-header and text shapes are written to files and read with ``load_corpus``, then cut with ``segment``.
Any other exception (a TypeError, a parser's own error, a traceback) is a bug: the user could not tell what to fix.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framing import FramingError, load_corpus, segment

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)  # every code point UTF-8 can hold
awkward = st.sampled_from(["", " ", "\n", "\r\n", "\t", "\u200b", "\ufeff", "\u2066", "\u00a0", "\0", ",", ";", '"',
                           "'", "---", "...", "#", "&a", "*a", ":", "- ", "{", "}", "[", "]", "\\", "é", "Кремль",
                           "金正恩", "🙂"])
field_text = st.lists(st.one_of(any_text, awkward), max_size=6).map("".join)
field_names = st.sampled_from(["article_id", "outlet", "outlet_kind", "date", "title", "url", "language", "licence",
                               "provenance", "modelled_on", "rests_on", "text", "source", "extra", ""])
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), field_text),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(field_text, inner, max_size=3)),
    max_leaves=8)


def load_and_segment(path: Path, require_metadata: bool) -> None:
    """The property: a result, or a FramingError, and nothing else."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            articles = load_corpus(path, require_metadata=require_metadata)
        except FramingError:
            return
        assert len(articles) >= 1 and articles["text"].map(lambda t: isinstance(t, str) and t.strip() != "").all()
        try:
            paragraphs = segment(articles)
        except FramingError:
            return
        assert set(paragraphs["article_id"]) <= set(articles["article_id"])


def written(name: str, data: bytes | str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="framing-property-"))
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
    return path


@SETTINGS
@given(body=st.one_of(any_text, field_text), require=st.booleans())
def test_any_text_file(body, require):
    load_and_segment(written("article.txt", body), require)


@SETTINGS
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".txt", ".md", ".csv", ".jsonl", ".parquet"]),
       require=st.booleans())
def test_any_bytes_with_any_suffix(data, suffix, require):
    load_and_segment(written(f"article{suffix}", data), require)


@SETTINGS
@given(header=st.dictionaries(field_names, st.one_of(field_text, st.integers(), st.dates().map(str)), max_size=10),
       raw_header=field_text, body=field_text, closed=st.booleans(), raw=st.booleans(), require=st.booleans())
def test_any_markdown_header_and_body(header, raw_header, body, closed, raw, require):
    lines = raw_header if raw else "\n".join(f"{key}: {json.dumps(value)}" for key, value in header.items())
    text = "---\n" + lines + ("\n---\n" if closed else "\n") + body
    load_and_segment(written("article.md", text), require)


@SETTINGS
@given(header=st.lists(st.one_of(field_names, field_text), min_size=1, max_size=6),
       rows=st.lists(st.lists(field_text, max_size=7), max_size=5), quoted=st.booleans(), require=st.booleans())
def test_any_csv_shape(header, rows, quoted, require):
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL if quoted else csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)  # rows may be shorter or longer than the header
    load_and_segment(written("articles.csv", buffer.getvalue()), require)


@SETTINGS
@given(lines=st.lists(st.one_of(json_values.map(json.dumps), field_text,
                                st.dictionaries(field_names, json_values, max_size=8).map(json.dumps)), max_size=5),
       require=st.booleans())
def test_any_jsonl_shape(lines, require):
    load_and_segment(written("articles.jsonl", "\n".join(lines)), require)


@SETTINGS
@given(row=st.fixed_dictionaries({"article_id": field_text, "text": field_text},
                                 optional={"title": field_text, "language": field_text, "date": field_text,
                                           "outlet": field_text, "provenance": field_text,
                                           "modelled_on": st.one_of(field_text, st.lists(field_text, max_size=3))}),
       require=st.booleans())
def test_any_jsonl_article_fields(row, require):
    load_and_segment(written("articles.jsonl", json.dumps(row) + "\n"), require)


@pytest.mark.parametrize("text", ["Title\n\u200b\n\u2066\u2069\n", "T\n" + "word " * 5000, "\ufeff\ufeffTitle\nBody."])
def test_examples_that_were_hard_to_find_at_random(text):
    load_and_segment(written("article.txt", text), False)
