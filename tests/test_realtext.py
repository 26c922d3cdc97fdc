"""Real-text gold: units by id and text hash, text read from the public data sets, loaded in one call."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from framing import FramingError
from framing.evaluate import frame_scores
from framing.realtext import (SOURCES, available_sources, draw_units, load_real_gold, load_real_labels, load_units,
                              real_dir, resolve_texts, text_hash)

NEEDS_DATASETS = "needs the RUWA and BASIL data sets (shared/datasets beside the checkout, or FRAMING_SHARED_DATASETS)"


@pytest.fixture(scope="module")
def datasets_present():
    if set(available_sources()) != set(SOURCES):
        pytest.skip(NEEDS_DATASETS)


def test_the_repository_keeps_ids_and_hashes_not_third_party_text():
    units = load_units(text=False)
    assert units["unit_id"].is_unique and "text" not in units.columns
    assert units["text_sha256"].str.fullmatch(r"[0-9a-f]{64}").all()
    for name in ("pass_a", "pass_b", "gold", "adjudication"):
        assert "text" not in pd.read_csv(real_dir() / f"{name}.csv", nrows=1).columns


def test_gold_covers_1500_real_units_from_two_public_corpora(datasets_present):
    gold = load_real_gold()
    counts = gold["source"].value_counts()
    assert len(gold) >= 1500 and counts["ruwa"] >= 800 and counts["basil"] >= 800
    assert gold["labels"].map(len).min() >= 1
    assert set(gold["outlet"][gold["source"] == "ruwa"]) >= {"rt.com", "tass.com", "reuters.com", "ukrinform.net"}


def test_at_least_300_units_are_coded_twice_and_disagreements_adjudicated(datasets_present):
    first, second = load_real_labels("pass_a"), load_real_labels("pass_b")
    both = first.merge(second, on="unit_id", suffixes=("_a", "_b"))
    real_double = both[~both["unit_id"].str.startswith("event:")]
    assert len(real_double) >= 300
    adjudicated = pd.read_csv(real_dir() / "adjudication.csv", dtype=str)
    disagree = set(real_double.loc[real_double["labels_a"] != real_double["labels_b"], "unit_id"])
    assert set(adjudicated["unit_id"]) == disagree and adjudicated["reason"].str.len().min() > 10
    gold = load_real_labels("gold").set_index("unit_id")["labels"]
    for row in adjudicated.itertuples():
        assert ";".join(gold[row.unit_id]) == row.gold


def test_a_text_that_no_longer_matches_its_hash_is_refused(datasets_present):
    units = load_units(text=False).head(5).copy()
    units.loc[units.index[2], "text_sha256"] = text_hash("some other words")
    with pytest.raises(FramingError, match=r"1 unit text\(s\) no longer match.*" + units["unit_id"].iloc[2]):
        resolve_texts(units)


def test_an_absent_data_set_is_named_with_where_to_put_it(tmp_path):
    units = pd.DataFrame({"unit_id": ["ruwa:0:title"], "text_sha256": ["0" * 64]})
    with pytest.raises(FramingError, match="RUWA.*shared/datasets/ruwa.*FRAMING_SHARED_DATASETS"):
        resolve_texts(units, datasets=tmp_path)


def test_the_event_units_load_without_the_public_data_sets(tmp_path):
    gold = load_real_gold(sources=("event",), datasets=tmp_path)
    assert len(gold) == 63 and (gold["source"] == "event").all()
    sputnik = gold[gold["unit_id"] == "event:ru01-sputnik-2023-09-14-us-duplicity:p000"].iloc[0]
    assert sputnik["labels"] == ("accusation",) and sputnik["text"].startswith("US Shows 'Duplicity'")


def test_the_sample_is_redrawn_exactly_from_its_seed(datasets_present):
    drawn, stored = draw_units(), load_units(text=False)
    assert drawn["unit_id"].tolist() == stored["unit_id"].tolist()
    assert drawn["text_sha256"].tolist() == stored["text_sha256"].tolist()


def test_frame_scores_match_a_hand_computed_table():
    # frame a: tp 1, fp 1, fn 1 -> P 0.5, R 0.5, F1 0.5; frame b: tp 1, fp 0, fn 1 -> P 1, R 0.5, F1 2/3;
    # frame c is never coded, so it has no F1 and stays out of the macro average.
    truth = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 0]])
    predicted = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 0], [1, 0, 1]])
    table = frame_scores(truth, predicted, ["a", "b", "c"], n_boot=20, min_support=2).set_index("frame")
    assert table.loc["a", ["precision", "recall", "f1"]].tolist() == [0.5, 0.5, 0.5]
    assert table.loc["b", "f1"] == pytest.approx(2 / 3) and np.isnan(table.loc["c", "f1"])
    assert table.loc["macro", "f1"] == pytest.approx((0.5 + 2 / 3) / 2) and table.loc["macro", "support"] == 2
    assert table.loc["micro", "f1"] == pytest.approx(2 * 2 / (4 + 4))
    assert table.loc["c", "predicted_share"] == 0.25 and table.loc["a", "coded_share"] == 0.5


def test_frame_scores_without_bootstrap_give_the_point_estimates_and_no_intervals():
    truth, predicted = np.array([[1], [1], [0], [0]]), np.array([[1], [0], [1], [0]])
    table = frame_scores(truth, predicted, ["a"], n_boot=0).set_index("frame")
    assert table.loc["a", ["precision", "recall", "f1"]].tolist() == [0.5, 0.5, 0.5]
    assert table[["f1_low", "f1_high", "precision_low"]].isna().all().all()


def test_bootstrap_intervals_resample_whole_groups():
    truth = np.array([[1], [1], [0], [0]])
    predicted = np.array([[1], [1], [1], [1]])
    # Two groups: {0, 1} always right, {2, 3} always wrong: precision is 1, 0.5 or 0 in a draw, never 0.75.
    table = frame_scores(truth, predicted, ["a"], groups=[0, 0, 1, 1], n_boot=200).set_index("frame")
    assert table.loc["a", "precision_low"] in (0.0, 0.5) and table.loc["a", "precision_high"] == 1.0
