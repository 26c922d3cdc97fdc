"""Comparisons within strata (an event, a week, a topic): the test, a pooled stratum-adjusted difference per frame,
and divergences with intervals.

Input: an ``article_counts`` table (one row per article: ``article_id``, group, stratum, ``paragraphs`` and one count
column per frame). Groups are compared only with articles of the same stratum, so a frame that follows the events
cannot pass for a difference between outlets.

- ``stratified_test_from_counts``: the chi-square statistics of groups × frame mentions summed over strata; p-value by
  permuting group labels among the articles *of one stratum* (never across strata).
- ``stratified_differences``: per pair of groups and frame, the Mantel–Haenszel (Cochran–Mantel–Haenszel) pooled
  difference in share, weights ``n_a n_b / (n_a + n_b)`` per stratum (Greenland & Robins 1985), with the
  Mantel–Haenszel odds ratio beside it; interval by resampling strata, then articles within each stratum and group;
  p-value by within-stratum permutation. With a validation sample, the difference corrected for the detector's
  errors: under non-differential error a difference in detected shares is ``J = tpr - fpr`` times the true difference,
  so it is divided by ``J`` (resampled with the validation sample, see ``framing.prevalence``).
- ``divergences_with_intervals``: Jensen–Shannon divergence per pair (between frame mixes standardised to the
  strata both groups cover, when there are strata), bootstrap interval, and the mean divergence under within-stratum permutation
  (``jsd_null``): small samples make any two mixes look different, and ``jsd_null`` says how different two groups of
  these sizes look when they do not differ at all.

References: Mantel, N., & Haenszel, W. (1959). Statistical aspects of the analysis of data from retrospective studies
of disease. *JNCI*, 22(4), 719–748. Greenland, S., & Robins, J. M. (1985). Estimation of a common effect parameter from
sparse follow-up data. *Biometrics*, 41(1), 55–68.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import chi2 as chi2_distribution

from .errors import FramingError


def _codes(counts: pd.DataFrame, by: str, strata: str | None):
    """Counts sorted by stratum then article; stratum codes, group codes and labels."""
    key = counts[strata] if strata else pd.Series(0, index=counts.index)
    counts = counts.assign(_stratum=key).sort_values(["_stratum", "article_id"], kind="stable")
    stratum_codes, stratum_labels = pd.factorize(counts["_stratum"], sort=True)
    group_codes, group_labels = pd.factorize(counts[by], sort=True)
    return counts.drop(columns="_stratum"), stratum_codes, stratum_labels, group_codes, group_labels


def group_sums(codes: np.ndarray, rows: np.ndarray, n_groups: int) -> np.ndarray:
    """Sum of ``rows`` (n, k) per code: an (n_groups, k) array, the same as ``np.add.at`` into zeros but about ten
    times faster (one ``bincount``; same order of additions, so the same floats)."""
    rows = np.asarray(rows, dtype=float)
    k = rows.shape[1]
    flat = (np.asarray(codes)[:, None] * k + np.arange(k)).ravel()
    return np.bincount(flat, weights=rows.ravel(), minlength=n_groups * k).reshape(n_groups, k)


def _within_strata(stratum_codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A permutation of positions that moves each article only within its stratum (positions sorted by stratum)."""
    # the order of lexsort((random, stratum)) with one float sort: the random part never crosses a stratum
    return np.argsort(stratum_codes + rng.random(len(stratum_codes)), kind="stable")


def chi2_statistic(table: np.ndarray) -> float:
    """Sum over strata of the chi-square statistic of a (strata, groups, frames) count array (empty cells skipped)."""
    rows, columns, totals = table.sum(axis=2), table.sum(axis=1), table.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = rows[:, :, None] * columns[:, None, :] / totals[:, None, None]
        cells = np.where(expected > 0, (table - expected) ** 2 / expected, 0.0)
    return float(np.nansum(cells))


def stratified_test_from_counts(counts: pd.DataFrame, by: str, strata: str, names: list[str], *,
                                n_permutations: int = 2000, random_state: int = 0) -> pd.DataFrame:
    """``difference_test(..., strata=...)`` from an ``article_counts`` table with a strata column."""
    counts, s_codes, s_labels, g_codes, g_labels = _codes(counts, by, strata)
    per_article = counts[names].to_numpy(dtype=float)

    def table(groups: np.ndarray) -> np.ndarray:
        cells = group_sums(s_codes * len(g_labels) + groups, per_article, len(s_labels) * len(g_labels))
        return cells.reshape(len(s_labels), len(g_labels), len(names))

    observed = table(g_codes)
    groups_present = (observed.sum(axis=2) > 0).sum(axis=1)
    frames_present = (observed.sum(axis=1) > 0).sum(axis=1)
    used = groups_present >= 2  # a stratum with one group, or one frame, adds nothing to the statistic
    if not used.any():
        raise FramingError(f"no stratum of {strata!r} has two groups of {by!r} with frames: nothing to compare "
                           f"within strata")
    statistic = chi2_statistic(observed)
    dof = int(((groups_present - 1) * (frames_present - 1))[used].sum())
    rng = np.random.default_rng(random_state)
    exceed = sum(chi2_statistic(table(g_codes[_within_strata(s_codes, rng)])) >= statistic - 1e-9
                 for _ in range(n_permutations))
    n = observed[used].sum()
    denominator = float(sum(observed[k].sum() * (min(groups_present[k], frames_present[k]) - 1)
                            for k in np.flatnonzero(used)))
    return pd.DataFrame([{"grouping": by, "strata": strata, "strata_used": int(used.sum()),
                          "groups": len(g_labels), "frames": len(names), "chi2": statistic, "dof": dof,
                          "p_permutation": (1 + exceed) / (1 + n_permutations),
                          "p_chi2_independent": float(chi2_distribution.sf(statistic, dof)) if dof else np.nan,
                          "cramers_v": np.sqrt(statistic / denominator) if denominator else np.nan,
                          "permutations": n_permutations,
                          "frame_mentions": int(n)}])


def _cells(counts, s_codes, g_codes, names, group: int):
    """Per stratum, the (paragraphs, frame counts) rows of the articles of ``group``."""
    return [counts.loc[(s_codes == k) & (g_codes == group), ["paragraphs", *names]].to_numpy(dtype=float)
            for k in range(s_codes.max() + 1)]


def _resampled_sums(cells: list[np.ndarray], n_boot: int, rng) -> np.ndarray:
    """(n_boot, strata, 1 + frames): each stratum's articles resampled with replacement and summed."""
    out = np.zeros((n_boot, len(cells), cells[0].shape[1] if cells else 0))
    for k, rows in enumerate(cells):
        if len(rows):
            weights = rng.multinomial(len(rows), np.full(len(rows), 1 / len(rows)), size=n_boot)
            out[:, k, :] = weights @ rows
    return out


def _mh_difference(a: np.ndarray, b: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Mantel–Haenszel difference in share from (..., strata, 1 + frames) sums of groups a and b."""
    na, nb = a[..., :1], b[..., :1]
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where((na > 0) & (nb > 0), na * nb / (na + nb), 0.0)
        if weights is not None:
            w = w * weights[..., None]
        diff = np.where(w > 0, a[..., 1:] / na - b[..., 1:] / nb, 0.0)
        return (w * diff).sum(axis=-2) / w.sum(axis=-2)


def _mh_odds_ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    na, nb = a[:, :1], b[:, :1]
    both = (na > 0) & (nb > 0)
    total = np.where(both, na + nb, np.inf)
    yes_a, no_a, yes_b, no_b = a[:, 1:], na - a[:, 1:], b[:, 1:], nb - b[:, 1:]
    with np.errstate(invalid="ignore", divide="ignore"):
        return (yes_a * no_b / total).sum(axis=0) / (no_a * yes_b / total).sum(axis=0)


def stratified_differences(counts: pd.DataFrame, by: str, strata: str | None, names: list[str], *, pairs=None,
                           validation: pd.DataFrame | None = None, n_boot: int = 2000, n_permutations: int = 2000,
                           confidence: float = 0.95, random_state: int = 0) -> pd.DataFrame:
    """Per pair of groups and frame: the Mantel–Haenszel difference in share (group_a minus group_b) over the strata
    holding both, its interval, the MH odds ratio and a within-stratum permutation p-value (see the module doc)."""
    counts, s_codes, s_labels, g_codes, g_labels = _codes(counts, by, strata)
    labels = list(g_labels)
    pairs = list(pairs) if pairs is not None else [(a, b) for i, a in enumerate(labels) for b in labels[i + 1:]]
    rng = np.random.default_rng(random_state)
    rates = None
    if validation is not None:
        from .prevalence import rate_draws

        rates = rate_draws(validation, names, n_boot=n_boot, confidence=confidence,
                           random_state=np.random.default_rng([random_state, 1]))
    alpha = (1 - confidence) / 2
    rows = []
    for a, b in pairs:
        if a not in labels or b not in labels:
            raise FramingError(f"group {a if a not in labels else b!r} is not a value of {by!r}")
        ia, ib = labels.index(a), labels.index(b)
        cells_a = _cells(counts, s_codes, g_codes, names, ia)
        cells_b = _cells(counts, s_codes, g_codes, names, ib)
        shared = [k for k in range(len(s_labels)) if len(cells_a[k]) and len(cells_b[k])]
        if not shared:
            raise FramingError(f"groups {a!r} and {b!r} share no stratum of {strata!r}: nothing to compare within")
        cells_a, cells_b = [cells_a[k] for k in shared], [cells_b[k] for k in shared]
        sums_a = np.array([c.sum(axis=0) for c in cells_a])
        sums_b = np.array([c.sum(axis=0) for c in cells_b])
        point = _mh_difference(sums_a, sums_b)
        odds = _mh_odds_ratio(sums_a, sums_b)
        # Interval: strata resampled (the events are a sample of events), then articles within each stratum and group.
        strata_weights = rng.multinomial(len(shared), np.full(len(shared), 1 / len(shared)), size=n_boot)
        draws = _mh_difference(_resampled_sums(cells_a, n_boot, rng), _resampled_sums(cells_b, n_boot, rng),
                               strata_weights.astype(float))
        # Permutation: group labels exchanged among the two groups' articles within each stratum only.
        members = np.isin(g_codes, [ia, ib]) & np.isin(s_codes, shared)
        sub_s, sub_g = s_codes[members], (g_codes[members] == ia)
        sub_rows = counts.loc[members, ["paragraphs", *names]].to_numpy(dtype=float)
        _, sub_s = np.unique(sub_s, return_inverse=True)
        exceed = np.zeros(len(names))
        for _ in range(n_permutations):
            flipped = sub_g[_within_strata(sub_s, rng)]
            perm_a = group_sums(sub_s[flipped], sub_rows[flipped], len(sums_a))
            perm_b = group_sums(sub_s[~flipped], sub_rows[~flipped], len(sums_b))
            exceed += np.abs(_mh_difference(perm_a, perm_b)) >= np.abs(point) - 1e-12
        for j, name in enumerate(names):
            low, high = np.nanquantile(draws[:, j], [alpha, 1 - alpha])
            row = {"group_a": a, "group_b": b, "frame": name, "strata_used": len(shared),
                   "share_a": sums_a[:, 1 + j].sum() / sums_a[:, 0].sum(),
                   "share_b": sums_b[:, 1 + j].sum() / sums_b[:, 0].sum(),
                   "difference": point[j], "ci_low": low, "ci_high": high, "odds_ratio_mh": odds[j],
                   "p_permutation": (1 + exceed[j]) / (1 + n_permutations)}
            if rates is not None:
                row.update(_corrected_difference(point[j], draws[:, j], rates, j, alpha))
            rows.append(row)
    return pd.DataFrame(rows)


def _corrected_difference(point: float, draws: np.ndarray, rates, j: int, alpha: float) -> dict:
    if rates.notes[j]:
        return {"corrected_difference": np.nan, "corrected_low": np.nan, "corrected_high": np.nan,
                "correction_note": rates.notes[j]}
    youden = rates.tpr_draws[:, j] - rates.fpr_draws[:, j]
    with np.errstate(invalid="ignore", divide="ignore"):
        corrected = np.where(youden > 0, draws / youden, np.nan)
    low, high = np.nanquantile(corrected, [alpha, 1 - alpha])
    dropped = int(np.sum(~(youden > 0)))
    return {"corrected_difference": point / (rates.tpr[j] - rates.fpr[j]), "corrected_low": max(low, -1.0),
            "corrected_high": min(high, 1.0),
            "correction_note": f"{dropped} of {len(youden)} bootstrap draws had J <= 0 and were left out"
            if dropped else ""}


def _jsd(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Jensen–Shannon divergence in bits along the last axis, of count vectors (normalised here); NaN if one is
    empty."""
    with np.errstate(invalid="ignore", divide="ignore"):
        p = p / p.sum(axis=-1, keepdims=True)
        q = q / q.sum(axis=-1, keepdims=True)
        m = (p + q) / 2
        part = lambda x: np.where(x > 0, x * np.log2(np.where(x > 0, x, 1) / np.where(m > 0, m, 1)), 0.0)  # noqa: E731
        return 0.5 * part(p).sum(axis=-1) + 0.5 * part(q).sum(axis=-1)


def _standardised(sums: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Frame-mention distribution averaged over strata (axis -2), each stratum weighted equally (or by ``weights``);
    a stratum whose resampled articles mention no frame is left out of the average."""
    with np.errstate(invalid="ignore", divide="ignore"):
        within = sums / sums.sum(axis=-1, keepdims=True)
    w = np.ones(within.shape[:-1]) if weights is None else np.broadcast_to(weights, within.shape[:-1]).astype(float)
    w = np.where(np.isfinite(within).all(axis=-1), w, 0.0)
    return np.nansum(np.nan_to_num(within) * w[..., None], axis=-2) / w.sum(axis=-1)[..., None]


def divergences_with_intervals(counts: pd.DataFrame, by: str, names: list[str], *, strata: str | None = None,
                               n_boot: int = 1000, n_permutations: int = 1000, confidence: float = 0.95,
                               random_state: int = 0) -> pd.DataFrame:
    """Every ordered pair of groups (the diagonal included, as 0): ``jsd``, bootstrap ``ci_low``/``ci_high``,
    ``jsd_null`` (mean under within-stratum permutation), ``p_permutation`` and ``strata_used``.

    Without strata the divergence is between the groups' pooled frame mentions and the bootstrap resamples articles
    within groups. With strata each group's frame mix is standardised to the strata both groups cover (the mean of
    its within-stratum mixes, every stratum weighted equally: direct standardisation), so a group that covered other
    events does not look different for that reason alone; the bootstrap resamples strata, then articles.
    """
    counts, s_codes, s_labels, g_codes, g_labels = _codes(counts, by, strata)
    labels = list(g_labels)
    rng = np.random.default_rng(random_state)
    alpha = (1 - confidence) / 2
    frame_rows = counts[names].to_numpy(dtype=float)
    results = {}
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            ib = labels.index(b)
            cells_a = [frame_rows[(s_codes == k) & (g_codes == i)] for k in range(len(s_labels))]
            cells_b = [frame_rows[(s_codes == k) & (g_codes == ib)] for k in range(len(s_labels))]
            shared = [k for k in range(len(s_labels)) if cells_a[k].sum() > 0 and cells_b[k].sum() > 0]
            if not shared:
                results[(a, b)] = {"jsd": np.nan, "ci_low": np.nan, "ci_high": np.nan, "jsd_null": np.nan,
                                   "p_permutation": np.nan, "strata_used": 0}
                continue
            cells_a, cells_b = [cells_a[k] for k in shared], [cells_b[k] for k in shared]
            sums_a = np.array([c.sum(axis=0) for c in cells_a])
            sums_b = np.array([c.sum(axis=0) for c in cells_b])
            point = float(_jsd(_standardised(sums_a), _standardised(sums_b)))
            weights = rng.multinomial(len(shared), np.full(len(shared), 1 / len(shared)), size=n_boot)
            draws = _jsd(_standardised(_resampled_sums(cells_a, n_boot, rng), weights),
                         _standardised(_resampled_sums(cells_b, n_boot, rng), weights))
            rows = np.vstack(cells_a + cells_b)
            sub_s = np.concatenate([np.full(len(c), n) for n, c in enumerate(cells_a)]
                                   + [np.full(len(c), n) for n, c in enumerate(cells_b)])
            is_a = np.concatenate([np.ones(sum(len(c) for c in cells_a), bool),
                                   np.zeros(sum(len(c) for c in cells_b), bool)])
            order = np.argsort(sub_s, kind="stable")
            rows, sub_s, is_a = rows[order], sub_s[order], is_a[order]
            null = np.empty(n_permutations)
            for p in range(n_permutations):
                flipped = is_a[_within_strata(sub_s, rng)]
                perm_a = group_sums(sub_s[flipped], rows[flipped], len(sums_a))
                perm_b = group_sums(sub_s[~flipped], rows[~flipped], len(sums_b))
                null[p] = _jsd(_standardised(perm_a), _standardised(perm_b))
            results[(a, b)] = {"jsd": point, "ci_low": float(np.nanquantile(draws, alpha)),
                               "ci_high": float(np.nanquantile(draws, 1 - alpha)),
                               "jsd_null": float(np.nanmean(null)),
                               "p_permutation": float((1 + np.sum(null >= point - 1e-12)) / (1 + n_permutations)),
                               "strata_used": len(shared)}
    table = []
    for a in labels:
        for b in labels:
            if a == b:
                values = {"jsd": 0.0, "ci_low": 0.0, "ci_high": 0.0, "jsd_null": 0.0, "p_permutation": np.nan,
                          "strata_used": np.nan}
            else:
                values = results[(a, b)] if (a, b) in results else results[(b, a)]
            table.append({"group_a": a, "group_b": b, **values})
    return pd.DataFrame(table)
