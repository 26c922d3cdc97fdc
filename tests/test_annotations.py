"""Agreement statistics and the checks that keep gold labels tied to the paragraphs they were made for."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from framing import FramingError
from framing.annotations import agreement, attach_gold, krippendorff_alpha, load_annotations


def test_alpha_matches_krippendorffs_binary_example():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", two coders, ten units: alpha = 0.095
    coders = np.array([[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]])
    assert round(krippendorff_alpha(coders), 3) == 0.095


def test_alpha_matches_krippendorffs_example_with_missing_values():
    # Same source, four coders, twelve units, nominal: alpha = 0.743
    nan = np.nan
    coders = np.array([[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan], [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
                       [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan], [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]])
    assert round(krippendorff_alpha(coders), 3) == 0.743


def test_alpha_is_undefined_without_variation():
    assert np.isnan(krippendorff_alpha(np.array([[1, 1, 1], [1, 1, 1]])))


def test_agreement_table_reports_each_frame_and_the_exact_match_share():
    first = pd.DataFrame({"para_id": ["p1", "p2", "p3"], "labels": [("accusation",), ("denial",), ("factual_report",)]})
    second = pd.DataFrame({"para_id": ["p1", "p2", "p3"],
                           "labels": [("accusation",), ("denial", "sovereignty"), ("factual_report",)]})
    table = agreement(first, second).set_index("frame")
    assert table.loc["accusation", "alpha"] == 1.0
    assert table.loc["sovereignty", ["yes_first", "yes_second"]].tolist() == [0, 1]
    assert table.loc["exact_match", "percent_agreement"] == pytest.approx(2 / 3)
    assert table.loc["overall", "units"] == 30


def test_labels_outside_the_codebook_are_named(tmp_path):
    (tmp_path / "annotations").mkdir()
    (tmp_path / "annotations" / "gold.csv").write_text("para_id,labels\nx:p001,accusation;propaganda\n")
    with pytest.raises(FramingError, match=r"x:p001: label\(s\) propaganda not in codebook"):
        load_annotations(corpus=tmp_path)


def test_fallback_label_cannot_be_combined(tmp_path):
    (tmp_path / "annotations").mkdir()
    (tmp_path / "annotations" / "gold.csv").write_text("para_id,labels\nx:p001,denial;factual_report\n")
    with pytest.raises(FramingError, match="'factual_report' applies only when no other label does"):
        load_annotations(corpus=tmp_path)


def test_gold_made_for_other_text_is_caught():
    paragraphs = pd.DataFrame({"para_id": ["a:p001"], "text": ["Moscow denied the reports."]})
    gold = pd.DataFrame({"para_id": ["a:p001"], "labels": [("denial",)], "text_start": ["Kim arrived"]})
    with pytest.raises(FramingError, match="segmentation changed since annotation"):
        attach_gold(paragraphs, gold)
