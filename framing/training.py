"""Your codebook and your labels -> a detector, its cross-validated quality, and what to label next.

- ``StudyDetector``: paragraph frames; a ``FrameClassifier`` for frames with at least ``min_labels`` labelled
  examples and the zero-shot ``CodebookDetector``, calibrated on the labelled paragraphs, for the rest (a
  ``FramingWarning`` names them).
- ``train_detector(paragraphs, labels, codebook)``: the right detector for the labels' level (paragraph or article,
  ``framing.articles.ArticleFrameClassifier``), trained on the labelled units only.
- ``cross_validate(paragraphs, labels, codebook)``: grouped cross-validated precision, recall and F1 per frame, with
  bootstrap intervals over groups (articles, or a column such as an event id).
- ``suggest(...)``: which unlabelled paragraphs to label next (zero-shot on a cold start, then uncertainty with
  diversity).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.metrics import precision_recall_fscore_support

from .articles import ArticleFrameClassifier, article_order, article_table, group_folds
from .codebook import Codebook, load_codebook
from .detectors import CodebookDetector, FrameClassifier, paragraph_features
from .multilabel import label_indicator
from .thresholds import best_f1_threshold
from .errors import FramingError, FramingWarning
from .labels import attach_labels

MIN_LABELS = 5


class StudyDetector(FrameClassifier):
    """Paragraph frames from your labels: a classifier where a frame has enough labels, calibrated zero-shot where not.

    A frame with fewer than ``min_labels`` labelled positive paragraphs is scored by its similarity to the codebook's
    definition and exemplars (``CodebookDetector``); its threshold is the F1-best cut on the labelled paragraphs (or
    ``zero_shot_threshold`` without any positive). Scores of such frames are cosine similarities, not probabilities.
    ``zero_shot_frames_`` lists them.
    """

    def __init__(self, codebook=None, embedder=None, C=16.0, sentences=True, use_exemplars=True,
                 threshold=0.5, cv=5, min_examples=2, min_labels=MIN_LABELS, top_k=3, zero_shot_threshold=0.45,
                 random_state=None):
        super().__init__(codebook=codebook, embedder=embedder, C=C, sentences=sentences,
                         use_exemplars=use_exemplars, threshold=threshold, cv=cv, min_examples=min_examples,
                         random_state=random_state)
        self.min_labels = min_labels
        self.top_k = top_k
        self.zero_shot_threshold = zero_shot_threshold

    def fit(self, X, y):
        codebook = self.codebook if isinstance(self.codebook, Codebook) else load_codebook(self.codebook)
        features = paragraph_features(X, self.embedder, sentences=self.sentences)
        Y = label_indicator(y, codebook.names)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FramingWarning)  # the few-label warning comes below, once, with the fix
            super().fit(X, y)
        zero_shot = CodebookDetector(codebook=codebook, embedder=self.embedder, top_k=self.top_k,
                                     threshold=self.zero_shot_threshold).fit()
        self.exemplar_vectors_ = zero_shot.exemplar_vectors_
        self.exemplar_frame_ = zero_shot.exemplar_frame_
        positives = Y.sum(axis=0)
        self.zero_shot_ = positives < self.min_labels
        if codebook.fallback is not None:
            self.zero_shot_[codebook.names.index(codebook.fallback)] = False  # it is "no other frame", not scored
        if self.zero_shot_.any():
            scores = self._zero_shot_scores(features)
            for j in np.flatnonzero(self.zero_shot_):
                self.thresholds_[j] = best_f1_threshold(Y[:, j], scores[:, j], self.zero_shot_threshold)
            named = ", ".join(f"{codebook.names[j]} ({int(positives[j])})" for j in np.flatnonzero(self.zero_shot_))
            warnings.warn(f"too few labelled paragraphs (fewer than {self.min_labels}) for frame(s) {named}: they are "
                          f"detected zero-shot from the codebook, calibrated on the {len(Y)} labelled paragraphs; "
                          f"label more paragraphs with these frames", FramingWarning, stacklevel=2)
        return self

    @property
    def zero_shot_frames_(self) -> list[str]:
        return [name for name, zs in zip(self.frames_, self.zero_shot_) if zs]

    def _zero_shot_scores(self, features: np.ndarray) -> np.ndarray:
        vectors = features[:, : self.exemplar_vectors_.shape[1]]  # the paragraph vector part
        similarity = vectors @ self.exemplar_vectors_.T
        scores = np.zeros((len(vectors), len(self.frames_)), dtype=np.float32)
        for j in range(len(self.frames_)):
            mine = np.sort(similarity[:, self.exemplar_frame_ == j], axis=1)[:, ::-1]
            scores[:, j] = mine[:, : self.top_k].mean(axis=1)
        return scores

    def _scores(self, X) -> np.ndarray:
        features = paragraph_features(X, self.embedder, sentences=self.sentences)
        scores = super()._scores(features)
        if np.any(self.zero_shot_):
            scores[:, self.zero_shot_] = self._zero_shot_scores(features)[:, self.zero_shot_]
        return scores


def labelled_units(paragraphs: pd.DataFrame, labels: pd.DataFrame, *, rule: str = "majority") -> pd.DataFrame:
    """The labelled rows of the paragraphs table (paragraph labels) or of its article table (article labels), with
    ``labels``; several coders are combined by ``rule`` (``framing.labels.consensus``)."""
    table = article_table(paragraphs) if labels.attrs.get("level") == "article" else paragraphs
    attached = attach_labels(table, labels, rule=rule)
    labelled = attached[attached["labelled"]].reset_index(drop=True)
    if labelled.empty:
        raise FramingError("no labelled units: label some paragraphs or articles first")
    return labelled


def make_detector(level: str, codebook: Codebook, *, embedder=None, random_state: int = 0, **params):
    """An unfitted detector for ``level`` (``"paragraph"`` or ``"article"``)."""
    if level == "article":
        return ArticleFrameClassifier(codebook=codebook, embedder=embedder, random_state=random_state, **params)
    if level == "paragraph":
        return StudyDetector(codebook=codebook, embedder=embedder, random_state=random_state, **params)
    raise FramingError(f"level must be 'paragraph' or 'article', not {level!r}")


def train_detector(paragraphs: pd.DataFrame, labels: pd.DataFrame, codebook: Codebook, *, embedder=None,
                   rule: str = "majority", random_state: int = 0, **params):
    """Fit the detector for the labels' level on the labelled units only (unlabelled ones are simply not used)."""
    level = labels.attrs.get("level", "paragraph")
    labelled = labelled_units(paragraphs, labels, rule=rule)
    detector = make_detector(level, codebook, embedder=embedder, random_state=random_state, **params)
    if level == "article":
        chosen = paragraphs[paragraphs["article_id"].isin(set(labelled["article_id"]))]
        order = article_order(chosen)
        y = labelled.set_index("article_id").loc[order, "labels"].tolist()
        return detector.fit(chosen, y)
    return detector.fit(labelled["text"].tolist(), labelled["labels"].tolist())


def cross_validate(paragraphs: pd.DataFrame, labels: pd.DataFrame, codebook: Codebook, *, groups: str = "article_id",
                   folds: int = 5, embedder=None, rule: str = "majority", random_state: int = 0, n_boot: int = 1000,
                   **params) -> pd.DataFrame:
    """Precision, recall and F1 per frame (then micro and macro averages) of out-of-fold predictions, folds keeping
    each ``groups`` value whole (an article's paragraphs, or an event's articles, never straddle train and test).

    Columns: ``frame``, ``precision``, ``recall``, ``f1``, ``f1_low``, ``f1_high`` (95% bootstrap interval over
    groups), ``support`` (labelled positives), ``labelled`` (units), ``detector`` (classifier or zero-shot).
    """
    level = labels.attrs.get("level", "paragraph")
    labelled = labelled_units(paragraphs, labels, rule=rule)
    if groups not in labelled.columns:
        raise FramingError(f"cannot group folds by {groups!r}: no such column (columns: "
                           f"{', '.join(map(str, labelled.columns))})")
    names = codebook.names
    Y = label_indicator(labelled["labels"].tolist(), names)
    predicted = np.zeros_like(Y)
    zero_shot = np.zeros(len(names), dtype=int)
    features = None if level == "article" else paragraph_features(labelled["text"].tolist(), embedder)
    for train, test in group_folds(labelled[groups], folds, random_state):
        detector = make_detector(level, codebook, embedder=embedder, random_state=random_state, **params)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FramingWarning)  # a fold may hold few examples of a frame
            if level == "article":
                ids = labelled["article_id"]
                train_paras = paragraphs[paragraphs["article_id"].isin(set(ids.iloc[train]))]
                order = article_order(train_paras)
                y = labelled.set_index("article_id").loc[order, "labels"].tolist()
                detector.fit(train_paras, y)
                test_paras = paragraphs[paragraphs["article_id"].isin(set(ids.iloc[test]))]
                position = {a: i for i, a in enumerate(article_order(test_paras))}
                rows = detector.predict_indicator(test_paras)
                predicted[test] = rows[[position[a] for a in ids.iloc[test]]]
            else:
                detector.fit(_fit_input(labelled, features, train, detector), labelled["labels"].iloc[train].tolist())
                predicted[test] = detector.predict_indicator(features[test])
                zero_shot += detector.zero_shot_
    return _score_table(Y, predicted, names, labelled[groups].to_numpy(), n_boot, random_state,
                        ["zero-shot" if z > folds / 2 else "classifier" for z in zero_shot]
                        if level == "paragraph" else ["classifier"] * len(names))


def _fit_input(labelled: pd.DataFrame, features: np.ndarray, rows: np.ndarray, detector):
    # With exemplars the classifier embeds the codebook's texts itself, so it gets texts (vectors come from the
    # cache); without, the precomputed features are enough.
    return labelled["text"].iloc[rows].tolist() if detector.use_exemplars else features[rows]


def _score_table(Y, predicted, names, groups, n_boot, random_state, kinds) -> pd.DataFrame:
    p, r, f, s = precision_recall_fscore_support(Y, predicted, average=None, zero_division=0)
    low, high = _f1_intervals(Y, predicted, groups, n_boot, random_state)
    rows = [{"frame": n, "precision": p[j], "recall": r[j], "f1": f[j], "f1_low": low[j], "f1_high": high[j],
             "support": int(s[j]), "labelled": len(Y), "detector": kinds[j]} for j, n in enumerate(names)]
    for k, average in enumerate(("micro", "macro")):
        p, r, f, _ = precision_recall_fscore_support(Y, predicted, average=average, zero_division=0)
        rows.append({"frame": f"{average} avg", "precision": p, "recall": r, "f1": f, "f1_low": low[len(names) + k],
                     "f1_high": high[len(names) + k], "support": int(Y.sum()), "labelled": len(Y), "detector": ""})
    return pd.DataFrame(rows)


def _f1_intervals(Y, predicted, groups, n_boot, random_state, confidence=0.95):
    """Per-frame, micro and macro F1 over bootstrap resamples of whole groups."""
    unique, codes = np.unique(groups.astype(str), return_inverse=True)
    rng = np.random.default_rng(random_state)
    tp = np.zeros((len(unique), Y.shape[1]))
    fp, fn = tp.copy(), tp.copy()
    np.add.at(tp, codes, (Y == 1) & (predicted == 1))
    np.add.at(fp, codes, (Y == 0) & (predicted == 1))
    np.add.at(fn, codes, (Y == 1) & (predicted == 0))
    draws = rng.multinomial(len(unique), np.full(len(unique), 1 / len(unique)), size=n_boot)
    TP, FP, FN = draws @ tp, draws @ fp, draws @ fn
    with np.errstate(invalid="ignore", divide="ignore"):
        per_frame = np.where(2 * TP + FP + FN > 0, 2 * TP / (2 * TP + FP + FN), 0.0)
        micro = 2 * TP.sum(1) / np.maximum(2 * TP.sum(1) + FP.sum(1) + FN.sum(1), 1)
    values = np.column_stack([per_frame, micro, per_frame.mean(axis=1)])
    alpha = (1 - confidence) / 2
    return np.quantile(values, alpha, axis=0), np.quantile(values, 1 - alpha, axis=0)


# --- what to label next -------------------------------------------------------------------------------------------

def suggest(scores: np.ndarray, thresholds: np.ndarray, vectors: np.ndarray, candidates: np.ndarray, n: int, *,
            diversity: float = 0.3) -> list[int]:
    """Indices (into ``candidates``' rows) of ``n`` paragraphs to label next, most informative first.

    Uncertainty of a paragraph: how close its closest frame score is to that frame's threshold, relative to the
    spread of that frame's scores (0 = on a threshold). Candidates are taken greedily by uncertainty, each one's
    rank lowered by its similarity to those already taken (weight ``diversity``), so a batch is not ten copies of
    one wire story.
    """
    if len(candidates) == 0:
        return []
    spread = scores[candidates].std(axis=0) + 1e-6
    distance = np.abs(scores[candidates] - thresholds) / spread
    uncertainty = -distance.min(axis=1)  # higher = more uncertain
    chosen: list[int] = []
    similarity_to_chosen = np.full(len(candidates), -1.0)
    for _ in range(min(n, len(candidates))):
        value = uncertainty - diversity * np.maximum(similarity_to_chosen, 0) * uncertainty.std()
        value[chosen] = -np.inf
        best = int(np.argmax(value))
        chosen.append(best)
        similarity_to_chosen = np.maximum(similarity_to_chosen, vectors[candidates] @ vectors[candidates[best]])
    return chosen


def learning_curve(paragraphs: pd.DataFrame, labels: pd.DataFrame, codebook: Codebook, *, steps: int = 5,
                   groups: str = "article_id", folds: int = 5, embedder=None, random_state: int = 0) -> pd.DataFrame:
    """Cross-validated micro and macro F1 when training on the first k labels (in the order they were made), for
    ``steps`` values of k up to all of them. Columns: ``labels``, ``micro_f1``, ``macro_f1``."""
    rows = []
    total = len(labels)
    sizes = sorted({max(10, int(round(total * (i + 1) / steps))) for i in range(steps)} | {total})
    for size in [s for s in sizes if s <= total]:
        subset = labels.iloc[:size].copy()
        subset.attrs.update(labels.attrs)
        scores = cross_validate(paragraphs, subset, codebook, groups=groups, folds=folds, embedder=embedder,
                                random_state=random_state, n_boot=200).set_index("frame")
        rows.append({"labels": size, "micro_f1": scores.loc["micro avg", "f1"],
                     "macro_f1": scores.loc["macro avg", "f1"]})
    return pd.DataFrame(rows)
