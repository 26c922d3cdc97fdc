"""Compare outlets: frame shares with uncertainty, a test, divergences, syndication and claim alignment.

Framed paragraphs (``framing.schemas.FRAMED``: a Paragraphs table + ``frames``, a tuple of frame keys per row, from
``detector.frame_table(paragraphs)`` or gold ``labels``; read back from a CSV, ``"a;b"`` is parsed) -> tidy result
tables, one row per (group, frame) (``framing.schemas.SHARES``), pair of groups, or paragraph pair. Uncertainty
respects that paragraphs come in articles: bootstraps and permutations resample whole articles.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import beta, chi2_contingency

from .embed import Embeddings
from .errors import FramingError
from .framed import frames_of, unknown_frames_error
from .multilabel import indicator_table
from .schemas import FRAMED, SHARES, TEXTS, validate
from .stratified import chi2_statistic, group_sums
from .thresholds import best_cut, f1_curve

# Cosine similarity from which a paragraph of another outlet is taken to carry a focal paragraph's claim. Calibrated
# on the hand-labelled Sputnik claim pairs (corpus/annotations/claims_sputnik.csv): see calibrate_alignment().
ALIGNMENT_THRESHOLD = 0.65
SYNDICATION_THRESHOLD = 0.93


def _check(framed: pd.DataFrame, columns: tuple[str, ...], schema=FRAMED) -> pd.DataFrame:
    """The framed table validated (``frames`` parsed into tuples), with ``columns`` present and at least one row."""
    framed = validate(schema, framed, "framed table", columns=columns)
    if framed.empty:
        raise FramingError("framed table is empty: no paragraphs to compare")
    return framed


def _count_frames(counts: pd.DataFrame, frames) -> list[str]:
    """Frames of an ``article_counts`` table: given, recorded in its attrs, or its columns after ``paragraphs``."""
    if frames is not None or counts.attrs.get("frames"):
        return frames_of(counts, frames)
    if "paragraphs" not in counts.columns:
        raise FramingError("counts table lacks 'paragraphs'; make it with framing.compare.article_counts")
    return list(counts.columns[list(counts.columns).index("paragraphs") + 1:])


def article_counts(framed: pd.DataFrame, by: str = "outlet", *, frames=None, body_only: bool = True,
                   drop_copies: bool = False, strata: str | None = None) -> pd.DataFrame:
    """One row per article: its group (and stratum), its number of paragraphs and, per frame, how many carry it.

    Everything the comparison needs is in these counts, so a large corpus can be reduced partition by partition
    (``framing.scale``) and compared here with the same results. With ``strata`` (an event, a week), every article
    must lie in one stratum.
    """
    framed = _check(framed, ("frames", "article_id", by) + ((strata,) if strata else ()))
    names = frames_of(framed, frames)
    data = framed
    if body_only and "kind" in data.columns:
        data = data[data["kind"] == "body"]
    if drop_copies:
        if "is_copy" not in data.columns:
            raise FramingError("drop_copies needs the column 'is_copy': mark copies with "
                               "framing.compare.mark_syndication")
        data = data[~data["is_copy"].astype(bool)]
    unknown = sorted({f for row in data["frames"] for f in row} - set(names))
    if unknown:
        raise unknown_frames_error(unknown, names, framed.attrs.get("codebook"))
    for column in (by, strata) if strata else (by,):
        if data[column].isna().any():
            raise FramingError(f"column {column!r} is empty for {int(data[column].isna().sum())} paragraph(s), e.g. "
                               f"{data.loc[data[column].isna(), 'article_id'].iloc[0]!r}: fill it or use another "
                               f"column")
    keys = ["article_id", by] + ([strata] if strata else [])
    if strata:
        spread = data.groupby("article_id")[strata].nunique()
        if (spread > 1).any():
            raise FramingError(f"article {spread.index[spread > 1][0]!r} lies in more than one stratum of {strata!r}; "
                               f"strata must group whole articles")
    indicator = indicator_table(data["frames"], names).astype("int64")
    indicator.insert(0, "paragraphs", 1)
    counts = indicator.groupby([data[k] for k in keys]).sum().reset_index()
    counts = counts[[*keys, "paragraphs", *names]]
    counts.attrs.update(frames=names, codebook=framed.attrs.get("codebook"))
    return counts


def frame_shares(framed: pd.DataFrame, by: str = "outlet", *, frames=None, groups=None, body_only: bool = True,
                 drop_copies: bool = False, n_boot: int = 2000, confidence: float = 0.95,
                 random_state: int = 0, validation: pd.DataFrame | None = None,
                 strata: str | None = None) -> pd.DataFrame:
    """Share of paragraphs carrying each frame, per group, with a two-stage bootstrap interval.

    Each bootstrap draw resamples the group's articles, then paragraphs within each drawn article, so a group with
    one article still gets an interval (from its paragraphs alone: wide, as it should be). Where the Jeffreys
    interval on the paragraph counts is wider (a frame never or always seen), its bound is used, so no interval is
    zero-wide. Every frame gets a row, also with share 0; a group named in ``groups`` that has no paragraphs gets rows
    with share NaN.

    ``validation`` (a validation sample: units with the detector's ``frames`` and gold ``labels``, see
    ``framing.prevalence``) adds the shares corrected for the detector's errors beside the raw ones:
    ``corrected_share``, ``corrected_low``, ``corrected_high`` (the interval also resamples the validation sample)
    and ``correction_note`` (why a value is NaN or set to a bound; empty otherwise).

    ``strata`` (a column such as an event or a week) gives shares within each stratum: one row per stratum, group
    and frame, the stratum in the first column.

    >>> frame_shares(framed, by="outlet_kind").query("frame == 'denial'")   # doctest: +SKIP
    """
    counts = article_counts(framed, by, frames=frames, body_only=body_only, drop_copies=drop_copies, strata=strata)
    shares = shares_from_counts(counts, by, frames=frames, groups=groups, n_boot=n_boot, confidence=confidence,
                                random_state=random_state, validation=validation, strata=strata)
    return validate(SHARES, shares, "frame shares", columns=(by,))


def shares_from_counts(counts: pd.DataFrame, by: str, *, frames=None, groups=None, n_boot: int = 2000,
                       confidence: float = 0.95, random_state: int = 0, validation: pd.DataFrame | None = None,
                       strata: str | None = None) -> pd.DataFrame:
    """``frame_shares`` from an ``article_counts`` table (rows in any order: they are sorted by article id)."""
    names = _count_frames(counts, frames)
    counts = counts.sort_values("article_id", kind="stable")
    rng = np.random.default_rng(random_state)
    rates = None
    if validation is not None:
        from .prevalence import rate_draws

        # A stream of its own, so the raw columns are the same with and without a validation sample.
        rates = rate_draws(validation, names, n_boot=n_boot, confidence=confidence,
                           random_state=np.random.default_rng([random_state, 1]))
    if strata is None:
        return _group_shares(counts, by, names, groups, n_boot, confidence, rng, rates)
    parts = []
    for stratum, members in counts.groupby(strata, sort=True):
        table = _group_shares(members, by, names, groups, n_boot, confidence, rng, rates)
        table.insert(0, strata, stratum)
        parts.append(table)
    return pd.concat(parts, ignore_index=True)


def _group_shares(counts, by, names, groups, n_boot, confidence, rng, rates) -> pd.DataFrame:
    from .prevalence import CORRECTED_COLUMNS, corrected_columns

    rows = []
    order = list(groups) if groups is not None else sorted(counts[by].dropna().unique())
    for group in order:
        members = counts[counts[by] == group]
        if members.empty:
            empty = {by: group, "share": np.nan, "ci_low": np.nan, "ci_high": np.nan, "paragraphs": 0,
                     "frame_paragraphs": 0, "articles": 0}
            if rates is not None:
                empty.update(corrected_share=np.nan, corrected_low=np.nan, corrected_high=np.nan,
                             correction_note="no units in this group")
            rows.extend({**empty, "frame": n} for n in names)
            continue
        sizes, carried = members["paragraphs"].to_numpy(), members[names].to_numpy(dtype=float)
        draws = _two_stage_draws(sizes, carried, n_boot, rng)
        alpha = (1 - confidence) / 2
        low, high = np.quantile(draws, alpha, axis=0), np.quantile(draws, 1 - alpha, axis=0)
        # A frame seen in none (or all) of a group's paragraphs would get a zero-width bootstrap interval; the
        # Jeffreys interval on the paragraph counts keeps an honest bound, and the wider of the two is reported.
        total, seen = sizes.sum(), carried.sum(axis=0)
        low = np.minimum(low, beta.ppf((1 - confidence) / 2, seen + 0.5, total - seen + 0.5))
        high = np.maximum(high, beta.ppf((1 + confidence) / 2, seen + 0.5, total - seen + 0.5))
        corrected = (corrected_columns(seen / total, draws, rates, confidence, raw_low=low, raw_high=high)
                     if rates is not None else None)
        for j, name in enumerate(names):
            row = {by: group, "frame": name, "share": seen[j] / total, "ci_low": low[j], "ci_high": high[j],
                   "paragraphs": int(total), "frame_paragraphs": int(seen[j]), "articles": len(members)}
            if corrected is not None:
                row.update(corrected[j])
            rows.append(row)
    columns = [by, "frame", "share", "ci_low", "ci_high", "paragraphs", "frame_paragraphs", "articles"]
    return pd.DataFrame(rows, columns=columns + (list(CORRECTED_COLUMNS) if rates is not None else []))


def _two_stage_draws(sizes, carried, n_boot, rng, chunk=100):
    """Bootstrap draws (n_boot x frames) of a group's shares: articles resampled, then paragraphs within them."""
    rates = carried / sizes[:, None]
    shares = []
    for start in range(0, n_boot, chunk):  # in chunks, so memory stays small for groups of thousands of articles
        drawn = rng.multinomial(len(sizes), np.full(len(sizes), 1 / len(sizes)), size=min(chunk, n_boot - start))
        trials = drawn * sizes  # paragraphs drawn per article; frame counts are then binomial in them
        counts = rng.binomial(trials[:, :, None], rates[None, :, :]).sum(axis=1)
        shares.append(counts / trials.sum(axis=1, keepdims=True))
    return np.vstack(shares)


def difference_test(framed: pd.DataFrame, by: str = "outlet_kind", *, frames=None, n_permutations: int = 2000,
                    random_state: int = 0, strata: str | None = None) -> pd.DataFrame:
    """Do groups differ in their frames? Chi-square statistic on groups × frames, p-value by permuting group labels
    across whole articles (paragraphs of one article are not independent), effect size Cramér's V.

    With ``strata`` (an event, a week): the statistic is summed over strata and group labels are permuted among the
    articles of one stratum only, so differences between strata never count as differences between groups
    (``framing.stratified``); ``stratified_differences`` gives the pooled, stratum-adjusted difference per frame.
    """
    return difference_test_from_counts(article_counts(framed, by, frames=frames, strata=strata), by, frames=frames,
                                       n_permutations=n_permutations, random_state=random_state, strata=strata)


def difference_test_from_counts(counts: pd.DataFrame, by: str, *, frames=None, n_permutations: int = 2000,
                                random_state: int = 0, strata: str | None = None) -> pd.DataFrame:
    """``difference_test`` from an ``article_counts`` table."""
    names = _count_frames(counts, frames)
    if strata is not None:
        from .stratified import stratified_test_from_counts

        return stratified_test_from_counts(counts, by, strata, names, n_permutations=n_permutations,
                                           random_state=random_state)
    counts = counts.sort_values("article_id", kind="stable")
    observed = counts.groupby(by)[names].sum()
    observed = observed.loc[observed.sum(axis=1) > 0, observed.sum() > 0]
    if len(observed) < 2:
        raise FramingError(f"a test needs at least two groups of {by!r} with frames, found {len(observed)}")
    statistic, classic_p, dof, _ = chi2_contingency(observed.to_numpy(), correction=False)
    per_article = counts[observed.columns].to_numpy()
    codes, labels = pd.factorize(counts[by])
    rng = np.random.default_rng(random_state)
    # one stratum; the same arithmetic for the observed and every permuted table
    exceed, reference = 0, chi2_statistic(observed.to_numpy(dtype=float)[None])
    for _ in range(n_permutations):  # whole articles change group; their frame counts move with them
        regrouped = group_sums(rng.permutation(codes), per_article, len(labels))
        exceed += chi2_statistic(regrouped[None]) >= reference  # empty groups are skipped there
    n = observed.to_numpy().sum()
    return pd.DataFrame([{"grouping": by, "groups": len(observed), "frames": observed.shape[1],
                          "chi2": statistic, "dof": dof, "p_permutation": (1 + exceed) / (1 + n_permutations),
                          "p_chi2_independent": classic_p,
                          "cramers_v": np.sqrt(statistic / (n * (min(observed.shape) - 1))),
                          "permutations": n_permutations, "frame_mentions": int(n)}])


def divergences(framed: pd.DataFrame, by: str = "outlet_kind", *, frames=None, strata: str | None = None,
                n_boot: int = 1000, n_permutations: int = 1000, confidence: float = 0.95,
                random_state: int = 0) -> pd.DataFrame:
    """Jensen–Shannon divergence (bits, 0 = same frame mix, 1 = disjoint) between every pair of groups, with a
    bootstrap interval (articles resampled), ``jsd_null`` (the mean divergence when group labels are permuted: what
    groups of these sizes show by chance) and its permutation p-value.

    With ``strata``: the mean over strata of the divergence within each stratum (``framing.stratified``).
    """
    return divergences_from_counts(article_counts(framed, by, frames=frames, strata=strata), by, frames=frames,
                                   strata=strata, n_boot=n_boot, n_permutations=n_permutations,
                                   confidence=confidence, random_state=random_state)


def divergences_from_counts(counts: pd.DataFrame, by: str, *, frames=None, strata: str | None = None,
                            n_boot: int = 1000, n_permutations: int = 1000, confidence: float = 0.95,
                            random_state: int = 0) -> pd.DataFrame:
    """``divergences`` from an ``article_counts`` table."""
    from .stratified import divergences_with_intervals

    return divergences_with_intervals(counts, by, _count_frames(counts, frames), strata=strata, n_boot=n_boot,
                                      n_permutations=n_permutations, confidence=confidence,
                                      random_state=random_state)


def stratified_differences(framed: pd.DataFrame, by: str, strata: str | None, *, frames=None, pairs=None,
                           validation: pd.DataFrame | None = None, body_only: bool = True,
                           drop_copies: bool = False, n_boot: int = 2000, n_permutations: int = 2000,
                           confidence: float = 0.95, random_state: int = 0) -> pd.DataFrame:
    """The pooled, stratum-adjusted difference in each frame's share between two groups (Mantel–Haenszel), with
    interval, MH odds ratio and within-stratum permutation p-value; one row per pair of groups and frame.

    ``difference`` is group_a's share minus group_b's, compared within strata only (``framing.stratified`` has the
    method). With ``validation``, ``corrected_difference`` corrects it for the detector's errors.

    >>> stratified_differences(basil, by="outlet", strata="event_id")    # doctest: +SKIP
    """
    from .stratified import stratified_differences as from_counts

    counts = article_counts(framed, by, frames=frames, body_only=body_only, drop_copies=drop_copies, strata=strata)
    return from_counts(counts, by, strata, _count_frames(counts, frames), pairs=pairs, validation=validation, n_boot=n_boot,
                       n_permutations=n_permutations, confidence=confidence, random_state=random_state)




def _vectors(framed: pd.DataFrame, embeddings: Embeddings | np.ndarray) -> np.ndarray:
    if isinstance(embeddings, Embeddings):
        position = {pid: i for i, pid in enumerate(embeddings.para_id)}
        missing = [pid for pid in framed["para_id"] if pid not in position]
        if missing:
            raise FramingError(f"{len(missing)} paragraph(s) have no embedding, e.g. {missing[0]!r}")
        return embeddings.vectors[[position[pid] for pid in framed["para_id"]]]
    if len(embeddings) != len(framed):
        raise FramingError(f"{len(framed)} paragraphs but {len(embeddings)} vectors")
    return np.asarray(embeddings)


def mark_syndication(framed: pd.DataFrame, embeddings, *, threshold: float = SYNDICATION_THRESHOLD,
                     min_words: int = 12) -> pd.DataFrame:
    """Flag copied text across outlets: body paragraphs of different outlets that are near-duplicates both in meaning
    (cosine >= ``threshold``) and in wording (at least half of the shorter one's word trigrams shared).

    Adds ``syndication_group`` (-1 when unique; groups are connected components of copy pairs) and ``is_copy``
    (True for every member but the earliest, by date then article id), so shares can count copied text once.
    """
    framed = _check(framed, ("para_id", "article_id", "outlet", "text"), schema=TEXTS)
    vectors = _vectors(framed, embeddings)
    eligible = np.array([len(t.split()) >= min_words for t in framed["text"]])
    if "kind" in framed.columns:
        eligible &= (framed["kind"] == "body").to_numpy()
    outlets = framed["outlet"].to_numpy()
    candidates = (vectors @ vectors.T >= threshold) & (outlets[:, None] != outlets[None, :])
    candidates &= eligible[:, None] & eligible[None, :]
    shingles = [_trigrams(t) for t in framed["text"]]
    parent = list(range(len(framed)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in zip(*np.nonzero(np.triu(candidates, 1))):
        shared = len(shingles[i] & shingles[j]) / max(1, min(len(shingles[i]), len(shingles[j])))
        if shared >= 0.5:
            parent[root(i)] = root(j)
    roots = np.array([root(i) for i in range(len(framed))])
    sizes = pd.Series(roots).value_counts()
    order_columns = [c for c in ("date", "article_id", "position") if c in framed.columns]
    rank = framed.reset_index(drop=True).sort_values(order_columns).index.to_series().argsort().to_numpy()
    result = framed.copy()
    components = [r for r in dict.fromkeys(roots[np.argsort(rank)]) if sizes[r] > 1]
    number = {r: g for g, r in enumerate(components)}
    result["syndication_group"] = [number.get(r, -1) for r in roots]
    first = {r: min(np.flatnonzero(roots == r), key=lambda k: rank[k]) for r in components}
    result["is_copy"] = [r in first and first[r] != i for i, r in enumerate(roots)]
    return result


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = [w.strip(".,;:!?\"'“”‘’()").lower() for w in text.split()]
    return set(zip(words, words[1:], words[2:]))


def align_claims(framed: pd.DataFrame, embeddings, focal_article: str, *,
                 threshold: float = ALIGNMENT_THRESHOLD) -> pd.DataFrame:
    """For each body paragraph of the focal article and each other outlet: the outlet's closest paragraph, whether
    it carries the claim (cosine >= ``threshold``), and the frames it gains and loses against the focal paragraph."""
    framed = _check(framed, ("para_id", "article_id", "outlet", "frames", "text"))
    if focal_article not in set(framed["article_id"]):
        raise FramingError(f"focal article {focal_article!r} is not in the table")
    vectors = _vectors(framed, embeddings)
    is_focal = (framed["article_id"] == focal_article).to_numpy()
    body = (framed["kind"] == "body").to_numpy() if "kind" in framed.columns else np.ones(len(framed), bool)
    focal_outlet = framed.loc[is_focal, "outlet"].iloc[0]
    rows = []
    for i in np.flatnonzero(is_focal & body):
        for outlet, members in framed[~is_focal & body].groupby("outlet", sort=True):
            if outlet == focal_outlet:
                continue
            index = framed.index.get_indexer(members.index)
            similarity = vectors[index] @ vectors[i]
            best = index[int(np.argmax(similarity))]
            focal_frames, match_frames = set(framed["frames"].iat[i]), set(framed["frames"].iat[best])
            carried = float(similarity.max()) >= threshold
            rows.append({"focal_para_id": framed["para_id"].iat[i], "focal_position": int(framed["position"].iat[i]),
                         "outlet": outlet, "outlet_kind": framed["outlet_kind"].iat[best],
                         "match_para_id": framed["para_id"].iat[best], "similarity": float(similarity.max()),
                         "carried": carried, "focal_frames": tuple(sorted(focal_frames)),
                         "match_frames": tuple(sorted(match_frames)),
                         "frames_gained": tuple(sorted(match_frames - focal_frames)) if carried else (),
                         "frames_lost": tuple(sorted(focal_frames - match_frames)) if carried else ()})
    return pd.DataFrame(rows)


def calibrate_alignment(pairs: pd.DataFrame) -> tuple[float, pd.DataFrame]:
    """The cosine cut that best separates hand-labelled claim pairs (``similarity``, ``carries_claim`` yes/no), by
    F1; returns it and the precision/recall of every candidate cut."""
    truth = (pairs["carries_claim"] == "yes").to_numpy()
    table = f1_curve(truth, pairs["similarity"].to_numpy(), np.round(np.arange(0.30, 0.96, 0.01), 2))
    return best_cut(table), table[["threshold", "precision", "recall", "f1"]]
