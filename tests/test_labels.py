"""Your own labels: reading them, partial labels, several coders, and agreement per frame."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from framing import FramingError
from framing.codebook import Codebook, Frame
from framing.labels import agreement_by_frame, attach_labels, consensus, krippendorff_alpha, load_labels

CODEBOOK = Codebook("mine", 1, tuple(Frame(n, n, f"the {n} frame", "", "", (f"about {n}",))
                                     for n in ("economy", "security", "legal")))


def paragraphs(n=4):
    return pd.DataFrame({"article_id": ["a"] * n, "para_id": [f"a:p{i:03d}" for i in range(n)],
                         "text": [f"Paragraph {i}." for i in range(n)]})


def test_csv_labels_per_paragraph_become_tuples_in_codebook_order(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("para_id,labels\na:p001,security;economy\na:p002,\n")
    labels = load_labels(path, CODEBOOK)
    assert labels["labels"].tolist() == [("economy", "security"), ()]  # empty: coded, no frame applies
    assert labels.attrs["level"] == "paragraph" and set(labels["coder"]) == {"1"}


def test_jsonl_labels_per_article_with_lists_and_coders(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [{"article_id": "a", "labels": ["legal"], "coder": "ana"},
                                                     {"article_id": "a", "labels": "legal;economy", "coder": "ben"}]))
    labels = load_labels(path, CODEBOOK)
    assert labels.attrs["level"] == "article"
    assert labels["labels"].tolist() == [("legal",), ("economy", "legal")]


def test_an_unknown_label_names_the_row_and_the_fix(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("para_id,labels\na:p001,economy\na:p002,econ\n")
    with pytest.raises(FramingError, match=r"labels\.csv row 2 \(para_id 'a:p002'\): label\(s\) 'econ' not in codebook "
                                           r"'mine' \(frames: economy, security, legal\); correct the label or add"):
        load_labels(path, CODEBOOK)


def test_the_same_unit_twice_by_one_coder_is_an_error(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("para_id,labels,coder\na:p001,economy,ana\na:p001,legal,ana\n")
    with pytest.raises(FramingError, match="row 2: para_id 'a:p001' is labelled twice by coder 'ana'"):
        load_labels(path, CODEBOOK)


def test_a_file_without_unit_column_says_what_it_needs(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("id,labels\n1,economy\n")
    with pytest.raises(FramingError, match="needs a para_id column .* or an article_id column"):
        load_labels(path, CODEBOOK)


def test_partial_labels_attach_with_unlabelled_rows_marked():
    labels = load_labels(pd.DataFrame({"para_id": ["a:p001", "a:p003"], "labels": ["legal", ""]}), CODEBOOK)
    table = attach_labels(paragraphs(), labels)
    assert table["labelled"].tolist() == [False, True, False, True]
    assert table["labels"].tolist() == [None, ("legal",), None, ()]
    assert table.attrs["frames"] == ["economy", "security", "legal"]


def test_labels_for_paragraphs_that_do_not_exist_are_an_error():
    labels = load_labels(pd.DataFrame({"para_id": ["b:p009"], "labels": ["legal"]}), CODEBOOK)
    with pytest.raises(FramingError, match="1 labelled paragraph\\(s\\) not in the table, e.g. 'b:p009'"):
        attach_labels(paragraphs(), labels)


def test_a_changed_text_is_caught_by_its_hash():
    labels = load_labels(pd.DataFrame({"para_id": ["a:p001"], "labels": ["legal"], "text_sha256": ["0" * 64]}),
                         CODEBOOK)
    with pytest.raises(FramingError, match="made for a different text"):
        attach_labels(paragraphs(), labels)


def test_majority_of_three_coders_decides_each_frame():
    labels = load_labels(pd.DataFrame({"para_id": ["a:p001"] * 3, "coder": ["x", "y", "z"],
                                       "labels": ["economy;legal", "economy", "legal;security"]}), CODEBOOK)
    assert consensus(labels)["labels"].tolist() == [("economy", "legal")]
    assert consensus(labels, rule="intersection")["labels"].tolist() == [()]
    assert consensus(labels, rule="y")["labels"].tolist() == [("economy",)]


def test_alpha_per_frame_matches_the_krippendorff_package():
    krippendorff = pytest.importorskip("krippendorff")
    rng = np.random.default_rng(0)
    rows = []
    for unit in range(40):
        truth = {f for f in CODEBOOK.names if rng.random() < 0.4}
        for coder in ("ana", "ben", "cem"):
            if coder == "cem" and unit % 3 == 0:
                continue  # the third coder skipped some units: missing values
            seen = {f for f in CODEBOOK.names if (f in truth) != (rng.random() < 0.15)}
            rows.append({"para_id": f"u{unit}", "coder": coder, "labels": ";".join(sorted(seen))})
    labels = load_labels(pd.DataFrame(rows), CODEBOOK)
    table = agreement_by_frame(labels).set_index("frame")
    for frame in CODEBOOK.names:
        matrix = np.full((3, 40), np.nan)
        for row in labels.itertuples():
            matrix[["ana", "ben", "cem"].index(row.coder), int(row.para_id[1:])] = float(frame in row.labels)
        expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
        assert table.loc[frame, "alpha"] == pytest.approx(expected, abs=1e-9)
        assert table.loc[frame, "alpha"] == pytest.approx(krippendorff_alpha(matrix))
    assert table.loc["overall", "coders"] == 3 and table.loc["economy", "units"] == 40


def test_agreement_needs_two_coders():
    labels = load_labels(pd.DataFrame({"para_id": ["a:p001"], "labels": ["legal"]}), CODEBOOK)
    with pytest.raises(FramingError, match="at least two coders"):
        agreement_by_frame(labels)
