"""The schemas at the pipeline's arrows (framing.schemas): a table of the wrong shape is one SchemaError line naming
the column, the problem and an example; label sets read back from files are parsed, never iterated by character."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from framing.errors import FramingError, SchemaError
from framing.schemas import FRAMED, LABELS, PARAGRAPHS, SHARES, validate


def shares(**changes) -> pd.DataFrame:
    row = {"outlet": "Wire", "frame": "denial", "share": 0.5, "ci_low": 0.2, "ci_high": 0.8, "paragraphs": 4,
           "frame_paragraphs": 2, "articles": 1}
    return pd.DataFrame([{**row, **changes}])


def test_a_frames_column_read_back_from_csv_is_parsed_into_tuples():
    written = pd.DataFrame({"article_id": ["a", "a", "b"], "frames": [("denial", "ridicule"), (), ("denial",)]})
    text = written.assign(frames=written["frames"].map(";".join)).to_csv(index=False)
    framed = validate(FRAMED, pd.read_csv(io.StringIO(text), keep_default_na=False), "framed table")
    assert framed["frames"].tolist() == [("denial", "ridicule"), (), ("denial",)]


def test_a_frames_column_of_lists_from_json_lines_is_parsed_into_tuples():
    framed = validate(FRAMED, pd.read_json(io.StringIO('{"article_id": "a", "frames": ["denial", "ridicule"]}\n'),
                                           lines=True))
    assert framed["frames"].tolist() == [("denial", "ridicule")]


def test_a_missing_column_is_named_with_the_step_that_makes_it():
    with pytest.raises(SchemaError, match=r"^framed table lacks column\(s\) 'frames'; make it with "
                                          r"detector\.frame_table$"):
        validate(FRAMED, pd.DataFrame({"article_id": ["a"]}), "framed table")


def test_a_share_outside_its_interval_is_one_line_naming_the_check():
    with pytest.raises(SchemaError) as caught:
        validate(SHARES, shares(share=0.9), "frame shares", columns=("outlet",))
    assert "interval must hold the share" in str(caught.value) and "\n" not in str(caught.value)


def test_a_share_above_one_names_the_column_and_the_value():
    with pytest.raises(SchemaError, match=r"column 'share'.*1\.5"):
        validate(SHARES, shares(share=1.5, ci_high=1.6), "frame shares")


def test_a_labels_row_without_any_label_is_refused():
    with pytest.raises(SchemaError, match=r"column 'labels'.*at least one label"):
        validate(LABELS, pd.DataFrame({"para_id": ["a:p1", "a:p2"], "labels": ["denial", ""]}), "gold.csv")


def test_a_paragraph_kind_outside_title_and_body_is_refused():
    paragraphs = pd.DataFrame({"article_id": ["a"], "outlet": "Wire", "outlet_kind": None, "date": pd.NaT,
                               "title": "T", "url": None, "language": "en", "licence": None, "provenance": None,
                               "modelled_on": None, "rests_on": None, "language_source": None, "text": ["One."],
                               "source": "a.md", "para_id": ["a:p1"], "position": [1], "kind": ["caption"],
                               "n_words": [1], "piece": [1], "pieces": [1]})
    assert validate(PARAGRAPHS, paragraphs.assign(kind="body"))["kind"].tolist() == ["body"]
    with pytest.raises(SchemaError, match=r"column 'kind'.*'caption'"):
        validate(PARAGRAPHS, paragraphs)


def test_something_that_is_not_a_table_is_a_framing_error():
    with pytest.raises(FramingError, match=r"expected a pandas DataFrame, got list"):
        validate(FRAMED, [("a", "denial")], "framed table")
