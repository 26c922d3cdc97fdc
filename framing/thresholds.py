"""Score cuts chosen by F1: the one search used to calibrate detector thresholds and the claim-alignment cut.

>>> y, scores = np.array([0, 0, 1, 1, 0]), np.array([0.1, 0.3, 0.6, 0.8, 0.55])
>>> f1_curve(y, scores, [0.5, 0.58])[["threshold", "precision", "recall", "f1"]].round(3).values.tolist()
[[0.5, 0.667, 1.0, 0.8], [0.58, 1.0, 1.0, 1.0]]
>>> best_f1_threshold(y, scores, default=0.5)   # halfway between 0.55 (left out) and 0.6 (kept)
0.575
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def f1_curve(y, scores, cuts) -> pd.DataFrame:
    """Precision, recall and F1 of ``scores >= cut`` against the 0/1 (or boolean) truth ``y``, one row per cut.

    Precision is NaN where a cut flags nothing; F1 is 0 there.
    """
    truth = np.asarray(y).astype(bool)
    scores = np.asarray(scores, dtype=np.float64)
    cuts = np.asarray(cuts, dtype=np.float64)
    # Counts of scores >= cut by binary search over sorted scores: O(n log n), also for thousands of candidate cuts.
    n_flagged = len(scores) - np.searchsorted(np.sort(scores), cuts, side="left")
    true_positives = int(truth.sum()) - np.searchsorted(np.sort(scores[truth]), cuts, side="left")
    positives = int(truth.sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(n_flagged > 0, true_positives / np.maximum(n_flagged, 1), np.nan)
        recall = true_positives / positives if positives else np.zeros(len(cuts))
        f1 = np.where(n_flagged + positives > 0, 2 * true_positives / np.maximum(n_flagged + positives, 1), 0.0)
    return pd.DataFrame({"threshold": cuts, "precision": precision, "recall": recall, "f1": f1,
                         "flagged": n_flagged})


def best_cut(curve: pd.DataFrame) -> float:
    """The threshold of the highest F1 in an ``f1_curve`` table (the lowest such cut on ties)."""
    return float(curve.loc[curve["f1"].idxmax(), "threshold"])


def best_f1_threshold(y, scores, default: float) -> float:
    """The score cut that maximises F1 on (y, scores); ``default`` when the label never occurs.

    Candidates are the observed scores. The cut is placed halfway between the lowest score it keeps and the next lower
    observed score, never on an observed score: a paragraph whose score moves by float rounding (~1e-7, as vectors do
    across machines and thread counts) then stays on its side of the threshold.
    """
    y = np.asarray(y)
    if y.sum() == 0:
        return default
    candidates = np.unique(np.asarray(scores, dtype=np.float64))
    best_index = int(f1_curve(y, scores, candidates)["f1"].to_numpy().argmax())
    if best_index == 0:
        return float(candidates[0] - 1e-3)  # every paragraph passes: keep it so, with a margin
    return float((candidates[best_index] + candidates[best_index - 1]) / 2)
