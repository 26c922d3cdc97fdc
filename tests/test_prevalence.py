"""Shares corrected for the detector's errors (adjusted classify-and-count), with the validation sample's
uncertainty in the interval; quapy as an independent check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

from framing import FramingError
from framing.compare import frame_shares
from framing.prevalence import adjust, misclassification_rates, validation_sample

FRAMES = ["denial", "sanctions"]


def framed_rows(outlet, n_detected, n_total, article_size=5):
    """``n_total`` paragraphs of ``outlet`` in articles of ``article_size``; the first ``n_detected`` are detected as
    denial, the rest as sanctions."""
    return [{"outlet": outlet, "article_id": f"{outlet}{i // article_size}", "para_id": f"{outlet}:{i}",
             "kind": "body", "frames": ("denial",) if i < n_detected else ("sanctions",)} for i in range(n_total)]


def validation_rows(copies=4):
    """Coded units in blocks of ten: five carry denial (detector finds 4: sensitivity 0.8), five do not (detector
    flags 1: false-positive rate 0.2). Sanctions: coded on the other five, the detector finds it in 4 of them and in 1
    of the denial units."""
    gold = ([("denial",)] * 5 + [("sanctions",)] * 5) * copies
    detected = ([("denial",)] * 4 + [("sanctions",)] + [("denial",)] + [("sanctions",)] * 4) * copies
    ids = [f"v{i}" for i in range(10 * copies)]
    return pd.DataFrame({"para_id": ids, "article_id": ids, "labels": gold, "frames": detected})


def test_correction_matches_the_hand_computed_rogan_gladen_estimate():
    # Outlet A: 40 of 100 paragraphs detected as denial -> (0.40 - 0.2) / (0.8 - 0.2) = 1/3.
    framed = pd.DataFrame(framed_rows("A", 40, 100))
    row = frame_shares(framed, by="outlet", frames=FRAMES, validation=validation_rows(), n_boot=500
                       ).set_index("frame").loc["denial"]
    assert row["share"] == pytest.approx(0.40)
    assert row["corrected_share"] == pytest.approx(1 / 3)
    assert row["correction_note"] == ""
    assert row["corrected_low"] < 1 / 3 < row["corrected_high"]


def test_an_estimate_below_zero_is_set_to_zero_and_says_so():
    # 10% detected, below the false-positive rate of 20%: the unbounded estimate is -1/6.
    framed = pd.DataFrame(framed_rows("B", 10, 100))
    row = frame_shares(framed, by="outlet", frames=FRAMES, validation=validation_rows(), n_boot=200
                       ).set_index("frame").loc["denial"]
    assert row["corrected_share"] == 0
    assert "estimate -0.167 set to 0" in row["correction_note"]


def test_a_frame_the_detector_cannot_tell_from_chance_gets_nan_and_a_reason():
    validation = validation_rows()
    validation["frames"] = [("denial",), ("sanctions",)] * 20  # detections unrelated to the gold labels
    shares = frame_shares(pd.DataFrame(framed_rows("A", 40, 100)), by="outlet", frames=FRAMES,
                          validation=validation, n_boot=300).set_index("frame")
    assert np.isnan(shares.loc["denial", "corrected_share"])
    assert "cannot be told from chance for denial" in shares.loc["denial", "correction_note"]
    assert shares.loc["denial", "share"] == pytest.approx(0.40)  # the raw column stays


def test_a_frame_nobody_coded_gets_nan_and_a_reason():
    validation = validation_rows()
    validation["labels"] = [("denial",)] * 40
    row = frame_shares(pd.DataFrame(framed_rows("A", 40, 100)), by="outlet", frames=FRAMES, validation=validation,
                       n_boot=200).set_index("frame").loc["sanctions"]
    assert np.isnan(row["corrected_share"]) and "no coded unit carries sanctions" in row["correction_note"]


def test_raw_columns_do_not_change_when_a_validation_sample_is_added():
    framed = pd.DataFrame(framed_rows("A", 40, 100) + framed_rows("B", 20, 60))
    raw = frame_shares(framed, by="outlet", frames=FRAMES, n_boot=300)
    both = frame_shares(framed, by="outlet", frames=FRAMES, n_boot=300, validation=validation_rows())
    pd.testing.assert_frame_equal(raw, both[raw.columns])


def test_a_smaller_validation_sample_gives_a_wider_corrected_interval():
    framed = pd.DataFrame(framed_rows("A", 400, 1000))
    small, large = validation_rows(4), validation_rows(40)
    width = {}
    for name, validation in (("small", small), ("large", large)):
        row = frame_shares(framed, by="outlet", frames=FRAMES, validation=validation, n_boot=1000
                           ).set_index("frame").loc["denial"]
        assert row["corrected_share"] == pytest.approx(1 / 3)  # same rates, same point estimate
        width[name] = row["corrected_high"] - row["corrected_low"]
    assert width["small"] > 1.5 * width["large"]


def test_misclassification_rates_report_sensitivity_and_false_positive_rate():
    rates = misclassification_rates(validation_rows(), frames=FRAMES, n_boot=200).set_index("frame")
    assert rates.loc["denial", ["coded_positives", "coded_negatives"]].tolist() == [20, 20]
    assert rates.loc["denial", "sensitivity"] == pytest.approx(0.8)
    assert rates.loc["denial", "false_positive_rate"] == pytest.approx(0.2)
    assert rates.loc["denial", "youden_j"] == pytest.approx(0.6)


def test_validation_sample_keeps_only_labelled_units_and_parses_joined_labels():
    framed = pd.DataFrame(framed_rows("A", 2, 5))
    labels = pd.DataFrame({"para_id": ["A:0", "A:3"], "labels": ["denial", "denial;sanctions"]})
    sample = validation_sample(framed, labels)
    assert sample["para_id"].tolist() == ["A:0", "A:3"]
    assert sample["labels"].tolist() == [("denial",), ("denial", "sanctions")]
    assert sample["frames"].tolist() == [("denial",), ("sanctions",)]


def test_labels_for_units_that_were_not_framed_are_an_error():
    framed = pd.DataFrame(framed_rows("A", 2, 5))
    with pytest.raises(FramingError, match="1 labelled unit\\(s\\) are not in the framed table, e.g. 'Z:9'"):
        validation_sample(framed, pd.DataFrame({"para_id": ["A:0", "Z:9"], "labels": ["denial", "denial"]}))


class _FixedPredictions(ClassifierMixin, BaseEstimator):
    """A 'classifier' whose input is already the detector's 0/1 decision, so quapy sees the detector's predictions."""

    def fit(self, X, y):
        self.classes_ = np.array([0, 1])
        return self

    def predict(self, X):
        return np.asarray(X)[:, 0].astype(int)


def test_corrected_shares_agree_with_quapy_adjusted_classify_and_count():
    from quapy.method.aggregative import ACC

    rng = np.random.default_rng(7)
    gold = rng.random(400) < 0.3
    detected = np.where(gold, rng.random(400) < 0.65, rng.random(400) < 0.12)
    validation = pd.DataFrame({"para_id": [f"v{i}" for i in range(400)],
                               "labels": [("denial",) if g else ("sanctions",) for g in gold],
                               "frames": [("denial",) if d else ("sanctions",) for d in detected]})
    target_detected = rng.random(600) < 0.35
    framed = pd.DataFrame({"outlet": "A", "article_id": [f"a{i // 6}" for i in range(600)], "kind": "body",
                           "para_id": [f"a:{i}" for i in range(600)],
                           "frames": [("denial",) if d else ("sanctions",) for d in target_detected]})
    ours = frame_shares(framed, by="outlet", frames=FRAMES, validation=validation, n_boot=200
                        ).set_index("frame").loc["denial", "corrected_share"]
    quantifier = ACC(_FixedPredictions().fit(None, None), fit_classifier=False, solver="exact-raise",
                     method="inversion", val_split=(detected.astype(int)[:, None], gold.astype(int)))
    quantifier.fit(detected.astype(int)[:, None], gold.astype(int))
    theirs = quantifier.predict(target_detected.astype(int)[:, None])[1]
    assert ours == pytest.approx(theirs, abs=1e-9)
    assert ours == pytest.approx(float(adjust(target_detected.mean(), detected[gold].mean(),
                                              detected[~gold].mean())))
