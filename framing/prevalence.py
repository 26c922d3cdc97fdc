"""Frame shares corrected for the detector's errors, with intervals that carry the validation sample's uncertainty.

Validation sample (a framed table + gold ``labels``: per unit the detector's ``frames`` and the coders' ``labels``,
both tuples of frame keys, optionally ``article_id`` so that units of one article are resampled together)
-> ``misclassification_rates`` (per frame: sensitivity, false-positive rate, Youden's J, whether a correction is
possible) -> ``corrected_shares`` (per group and frame: the detected share corrected, with its interval).

The method is adjusted classify-and-count, applied to each frame as its own yes/no decision (a unit may carry several
frames, so the frames are not one multi-class variable). If the detector flags a unit that carries the frame with
probability ``tpr`` (sensitivity) and one that does not with probability ``fpr``, the detected share ``q`` of a group
whose true share is ``p`` is, in expectation, ``q = tpr * p + fpr * (1 - p)``, hence

    p = (q - fpr) / (tpr - fpr)

(Rogan & Gladen 1978 for a screening test's prevalence; Forman 2008 as "adjusted classify and count" in the
quantification literature). It was chosen over alternatives because it needs only what a researcher has, the
detector's labels and a coded sample; its one assumption is stated in plain terms (the detector errs at the same rates
in the coded sample as in the groups compared: non-differential error, "prior-probability shift" in quantification
terms), and it can be checked per outlet with ``misclassification_rates(..., by=...)``. A probabilistic variant
(averaging calibrated scores) needs scores calibrated on the target text, which a detector moved from composed
paragraphs to real headlines does not have; a measurement-error regression model (TeBlunthuis, Hase & Chan 2024)
answers a regression question, not a table of shares, and reduces to this estimator for a share.

Intervals: the validation sample is as much a sample as the articles are. Each bootstrap draw resamples the coded
sample (whole articles when ``article_id`` is given) to get ``tpr*, fpr*``, and independently resamples the group's
articles and their paragraphs (the two-stage bootstrap of ``framing.compare.frame_shares``) to get ``q*``; the
interval is the percentile interval of ``(q* - fpr*) / (tpr* - fpr*)``, as Bachl & Scharkow (2017) recommend for
content analysis and Lang & Reiczigel (2014) show is needed for intervals that keep their coverage
(``benchmarks/corrected_shares.py`` measures it).

A frame whose detector cannot be told apart from chance (the lower bound of the interval of ``J = tpr - fpr`` is not
above 0), or whose coded sample has no unit with (or without) the frame, gets NaN and a reason in
``correction_note``. A point estimate that falls outside [0, 1] (a detected share below the false-positive rate) is
reported at the bound with the unbounded value in the note: never a silent clip.

References
- Rogan, W. J., & Gladen, B. (1978). Estimating prevalence from the results of a screening test. *American Journal of
  Epidemiology*, 107(1), 71–76.
- Forman, G. (2008). Quantifying counts and costs via classification. *Data Mining and Knowledge Discovery*, 17(2),
  164–206.
- Bachl, M., & Scharkow, M. (2017). Correcting measurement error in content analysis. *Communication Methods and
  Measures*, 11(2), 87–104.
- Lang, Z., & Reiczigel, J. (2014). Confidence limits for prevalence of disease adjusted for estimated sensitivity and
  specificity. *Preventive Veterinary Medicine*, 113(1), 13–22.
- TeBlunthuis, N., Hase, V., & Chan, C.-H. (2024). Misclassification in automated content analysis causes bias in
  regression. Can we fix it? Yes we can! *Communication Methods and Measures*, 18(3), 278–299.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import FramingError

CORRECTED_COLUMNS = ("corrected_share", "corrected_low", "corrected_high", "correction_note")


def validation_sample(framed: pd.DataFrame, labels: pd.DataFrame, *, on: str = "para_id") -> pd.DataFrame:
    """The rows of ``framed`` that have gold labels, with ``labels`` added: the validation sample of a study.

    ``labels`` has ``on`` (default ``para_id``) and ``labels`` (a tuple of frame keys, or frame keys joined by ``;``).
    Labelling a subset is the normal case: unlabelled rows are left out, and a labelled id missing from ``framed`` is
    an error naming it (labels for text that was never framed cannot validate the detector).

    >>> validation = validation_sample(framed, my_labels)          # doctest: +SKIP
    >>> frame_shares(framed, by="outlet", validation=validation)   # doctest: +SKIP
    """
    for table, name in ((framed, "framed table"), (labels, "labels table")):
        if on not in table.columns:
            raise FramingError(f"{name} lacks column {on!r} to join labels to predictions on")
    if "labels" not in labels.columns:
        raise FramingError(f"labels table lacks column 'labels' (columns: {', '.join(map(str, labels.columns))})")
    if "frames" not in framed.columns:
        raise FramingError("framed table lacks column 'frames'; make it with detector.frame_table")
    if labels[on].duplicated().any():
        raise FramingError(f"labels table: {on} {labels[on][labels[on].duplicated()].iloc[0]!r} is labelled twice")
    unknown = sorted(set(labels[on]) - set(framed[on]))
    if unknown:
        raise FramingError(f"{len(unknown)} labelled unit(s) are not in the framed table, e.g. {unknown[0]!r}: frame "
                           f"the same text that was labelled")
    parsed = labels[[on, "labels"]].assign(labels=[_as_tuple(v) for v in labels["labels"]])
    return framed.drop(columns=["labels"], errors="ignore").merge(parsed, on=on, how="inner", validate="one_to_one")


def _as_tuple(value) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(";") if v.strip())
    return tuple(value)


@dataclass(frozen=True)
class RateDraws:
    """Misclassification rates of each frame: point estimates, bootstrap draws (``n_boot`` x frames) and notes."""

    frames: list[str]
    tpr: np.ndarray
    fpr: np.ndarray
    tpr_draws: np.ndarray
    fpr_draws: np.ndarray
    positives: np.ndarray
    negatives: np.ndarray
    notes: list[str]  # "" where the frame can be corrected, else why not

    @property
    def correctable(self) -> np.ndarray:
        return np.array([note == "" for note in self.notes])


def rate_draws(validation: pd.DataFrame, frames: list[str], *, n_boot: int = 2000, confidence: float = 0.95,
               random_state: int | np.random.Generator = 0, cluster: str | None = "article_id") -> RateDraws:
    """Sensitivity and false-positive rate per frame from a validation sample, with ``n_boot`` bootstrap draws that
    resample whole ``cluster``s (articles) when that column is present, else single units."""
    missing = [c for c in ("frames", "labels") if c not in validation.columns]
    if missing:
        raise FramingError(f"validation sample lacks column(s) {', '.join(missing)}: it needs the detector's 'frames' "
                           f"and the gold 'labels' of each unit (see framing.prevalence.validation_sample)")
    if validation.empty:
        raise FramingError("validation sample is empty: label some units to correct shares")
    gold = np.array([[name in set(row) for name in frames] for row in validation["labels"]], dtype=float)
    predicted = np.array([[name in set(row) for name in frames] for row in validation["frames"]], dtype=float)
    if cluster is not None and cluster in validation.columns:
        codes = pd.factorize(validation[cluster])[0]
    else:
        codes = np.arange(len(validation))
    n_clusters = codes.max() + 1
    sums = np.zeros((4, n_clusters, len(frames)))  # positives, true positives, negatives, false positives
    for k, values in enumerate((gold, gold * predicted, 1 - gold, (1 - gold) * predicted)):
        np.add.at(sums[k], codes, values)
    rng = np.random.default_rng(random_state)
    weights = rng.multinomial(n_clusters, np.full(n_clusters, 1 / n_clusters), size=n_boot).astype(float)
    pos, tp, neg, fp = (weights @ sums[k] for k in range(4))
    with np.errstate(invalid="ignore", divide="ignore"):
        tpr_draws, fpr_draws = tp / pos, fp / neg
    totals = sums.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        tpr, fpr = totals[1] / totals[0], totals[3] / totals[2]
    alpha = (1 - confidence) / 2
    notes = []
    for j, name in enumerate(frames):
        if totals[0, j] == 0:
            notes.append(f"no coded unit carries {name}: its detection rate is unknown")
            continue
        if totals[2, j] == 0:
            notes.append(f"every coded unit carries {name}: its false-positive rate is unknown")
            continue
        youden = tpr_draws[:, j] - fpr_draws[:, j]
        low = np.nanquantile(youden, alpha)
        if not low > 0:
            notes.append(f"detector cannot be told from chance for {name}: sensitivity {tpr[j]:.2f} vs false-positive "
                         f"rate {fpr[j]:.2f} (J = {tpr[j] - fpr[j]:.2f}, {confidence:.0%} lower bound {low:.2f}) on "
                         f"{int(totals[0, j])} coded positives")
        else:
            notes.append("")
    return RateDraws(list(frames), tpr, fpr, tpr_draws, fpr_draws, totals[0].astype(int), totals[2].astype(int), notes)


def misclassification_rates(validation: pd.DataFrame, *, frames=None, by: str | None = None, n_boot: int = 2000,
                            confidence: float = 0.95, random_state: int = 0) -> pd.DataFrame:
    """Per frame (and per ``by`` group if given): coded positives and negatives, sensitivity, false-positive rate and
    Youden's J with bootstrap intervals, and whether a share of that frame can be corrected (``correction_note``).

    With ``by`` (an outlet column, say), compare the rates across groups: the correction assumes they are equal.
    """
    names = _frame_names(frames, validation)
    parts = [(None, validation)] if by is None else list(validation.groupby(by, sort=True))
    alpha = (1 - confidence) / 2
    rows = []
    for group, part in parts:
        draws = rate_draws(part, names, n_boot=n_boot, confidence=confidence, random_state=random_state)
        youden = draws.tpr_draws - draws.fpr_draws
        for j, name in enumerate(names):
            row = {} if by is None else {by: group}
            row.update({"frame": name, "coded_positives": int(draws.positives[j]),
                        "coded_negatives": int(draws.negatives[j]), "sensitivity": draws.tpr[j],
                        "sensitivity_low": _q(draws.tpr_draws[:, j], alpha),
                        "sensitivity_high": _q(draws.tpr_draws[:, j], 1 - alpha),
                        "false_positive_rate": draws.fpr[j], "fpr_low": _q(draws.fpr_draws[:, j], alpha),
                        "fpr_high": _q(draws.fpr_draws[:, j], 1 - alpha), "youden_j": draws.tpr[j] - draws.fpr[j],
                        "youden_low": _q(youden[:, j], alpha), "youden_high": _q(youden[:, j], 1 - alpha),
                        "correctable": draws.notes[j] == "", "correction_note": draws.notes[j]})
            rows.append(row)
    return pd.DataFrame(rows)


def _q(values: np.ndarray, level: float) -> float:
    values = values[np.isfinite(values)]
    return float(np.quantile(values, level)) if len(values) else np.nan


def _frame_names(frames, table: pd.DataFrame) -> list[str]:
    if frames is not None:
        return list(frames)
    if "frames" in table.attrs:  # a framed table that carries its frame list
        return list(table.attrs["frames"])
    from .codebook import load_codebook

    return load_codebook().names


def adjust(observed, tpr, fpr):
    """Rogan–Gladen / adjusted classify-and-count: the true share implied by a detected share (arrays broadcast).

    >>> round(float(adjust(0.30, tpr=0.6, fpr=0.1)), 6)
    0.4
    """
    observed, tpr, fpr = (np.asarray(v, dtype=float) for v in (observed, tpr, fpr))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tpr - fpr > 0, (observed - fpr) / (tpr - fpr), np.nan)


def corrected_columns(observed: np.ndarray, observed_draws: np.ndarray, rates: RateDraws,
                      confidence: float = 0.95, raw_low=None, raw_high=None) -> list[dict]:
    """Corrected share, interval and note per frame for one group, from its detected shares (point and bootstrap
    draws, ``n_boot`` x frames) and the validation sample's rate draws (same ``n_boot``).

    ``raw_low``/``raw_high``: the raw interval after its Jeffreys widening (a frame never or always detected in a
    group has bootstrap draws all equal); mapped through the point rates, they keep the corrected interval from
    being narrower than the raw one implies."""
    alpha = (1 - confidence) / 2
    point = adjust(observed, rates.tpr, rates.fpr)
    floor = adjust(raw_low, rates.tpr, rates.fpr) if raw_low is not None else np.full(len(rates.frames), np.inf)
    ceiling = adjust(raw_high, rates.tpr, rates.fpr) if raw_high is not None else np.full(len(rates.frames), -np.inf)
    draws = adjust(observed_draws, rates.tpr_draws, rates.fpr_draws)
    rows = []
    for j, name in enumerate(rates.frames):
        if rates.notes[j]:
            rows.append({"corrected_share": np.nan, "corrected_low": np.nan, "corrected_high": np.nan,
                         "correction_note": rates.notes[j]})
            continue
        if not np.isfinite(observed[j]):
            rows.append({"corrected_share": np.nan, "corrected_low": np.nan, "corrected_high": np.nan,
                         "correction_note": "no units in this group"})
            continue
        finite = draws[:, j][np.isfinite(draws[:, j])]  # a draw whose resampled J is not > 0 has no finite value
        low, high = np.quantile(finite, [alpha, 1 - alpha])
        low, high = min(low, floor[j]) if np.isfinite(floor[j]) else low, max(high, ceiling[j]) if np.isfinite(
            ceiling[j]) else high
        note = ""
        value = float(point[j])
        if not 0 <= value <= 1:
            bound = min(max(value, 0.0), 1.0)
            note = (f"estimate {value:.3f} set to {bound:.0f}: the detected share {observed[j]:.3f} is "
                    f"{'below the false-positive rate' if value < 0 else 'above the sensitivity'} "
                    f"({rates.fpr[j]:.3f} / {rates.tpr[j]:.3f})")
            value = bound
        dropped = len(draws) - len(finite)
        if dropped:
            note = "; ".join(filter(None, [note, f"{dropped} of {len(draws)} bootstrap draws had J <= 0 and were "
                                                 f"left out"]))
        rows.append({"corrected_share": value, "corrected_low": float(np.clip(low, 0, 1)),
                     "corrected_high": float(np.clip(high, 0, 1)), "correction_note": note})
    return rows
