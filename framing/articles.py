"""Frames coded per article: an article-level detector built from paragraph evidence.

Paragraphs table (``framing.segment``; one row per paragraph, ``article_id``, ``text``, ``kind``) ->
``article_table``: one row per article (its metadata, ``paragraphs``, ``text``) and ``ArticleFrameClassifier``
features: per article, the mean and the element-wise maximum of its paragraph embeddings and the title's embedding,
optionally with word TF-IDF. One class-weighted logistic regression per frame; per-frame thresholds are tuned on
out-of-fold probabilities. ``frame_table(paragraphs)`` gives one row per article with ``frames`` and
``score_<frame>``.

Why paragraph evidence rather than the article embedded as a whole: all-MiniLM-L6-v2 reads 256 word pieces, about the
first 180 words; a frame raised further down is invisible to it. ``parts=("whole",)`` gives that design, for
comparison (``benchmarks/article_level.py`` measures both).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.utils.validation import check_is_fitted

from .lexical import fit_vocabulary, term_matrix, with_terms
from .codebook import Codebook, load_codebook
from .detectors import _apply_thresholds
from .multilabel import label_indicator, label_sets
from .thresholds import best_f1_threshold
from .embed import default_embedder
from .errors import FramingError, FramingWarning
from .framed import with_frames

PARTS = ("mean", "max", "title", "whole")
PARAGRAPH_ONLY = ("para_id", "position", "kind", "text", "n_words", "piece", "pieces")


def article_table(paragraphs: pd.DataFrame) -> pd.DataFrame:
    """One row per article (in order of first appearance): its metadata, ``title``, ``paragraphs`` (body count) and
    ``text`` (the body paragraphs joined by blank lines)."""
    _check_paragraphs(paragraphs)
    kind = paragraphs["kind"] if "kind" in paragraphs.columns else pd.Series("body", index=paragraphs.index)
    body = paragraphs[kind != "title"]
    metadata = [c for c in paragraphs.columns if c not in PARAGRAPH_ONLY]
    table = paragraphs.drop_duplicates("article_id")[metadata].reset_index(drop=True)
    titles = paragraphs[kind == "title"].drop_duplicates("article_id").set_index("article_id")["text"]
    if "title" not in table.columns:
        table["title"] = table["article_id"].map(titles)
    texts = body.groupby("article_id", sort=False)["text"].agg("\n\n".join)
    table["paragraphs"] = table["article_id"].map(body.groupby("article_id").size()).fillna(0).astype(int)
    table["text"] = table["article_id"].map(texts).fillna("")
    table.attrs.update(paragraphs.attrs)
    return table


def _check_paragraphs(paragraphs) -> None:
    if not isinstance(paragraphs, pd.DataFrame) or not {"article_id", "text"} <= set(paragraphs.columns):
        raise FramingError("an article-level detector reads a paragraphs table (article_id, text, kind) from "
                           "framing.segment(articles)")
    if paragraphs.empty:
        raise FramingError("empty paragraphs table: no articles")


def article_order(paragraphs: pd.DataFrame) -> list[str]:
    """Article ids in order of first appearance: the row order of ``predict`` and of ``y`` in ``fit``."""
    return list(dict.fromkeys(paragraphs["article_id"]))


def article_features(paragraphs: pd.DataFrame, embedder=None, parts=("mean", "max", "title")) -> np.ndarray:
    """Paragraphs -> one feature row per article (``article_order``): the ``parts`` concatenated.

    ``mean``/``max``: mean / element-wise maximum of the body paragraphs' vectors (the title's when there is no
    body); ``title``: the title's vector (zeros without one); ``whole``: the title and body embedded as one text
    (truncated by the model at 256 word pieces).
    """
    _check_paragraphs(paragraphs)
    unknown = [p for p in parts if p not in PARTS]
    if unknown or not parts:
        raise FramingError(f"unknown feature part(s) {unknown or parts}; choose from {', '.join(PARTS)}")
    embedder = embedder or default_embedder()
    order = article_order(paragraphs)
    kind = (paragraphs["kind"] if "kind" in paragraphs.columns else pd.Series("body", index=paragraphs.index))
    vectors = embedder.embed(paragraphs["text"].tolist())
    codes = pd.Categorical(paragraphs["article_id"], categories=order).codes
    is_title = (kind == "title").to_numpy()
    blocks = []
    if "mean" in parts or "max" in parts:
        use = ~is_title
        has_body = np.bincount(codes[use], minlength=len(order)) > 0
        use = use | (is_title & ~has_body[codes])  # an article with only a title is represented by it
        counts = np.bincount(codes[use], minlength=len(order))[:, None]
        if "mean" in parts:
            sums = np.zeros((len(order), vectors.shape[1]), dtype=np.float64)
            np.add.at(sums, codes[use], vectors[use])
            blocks.append(sums / np.maximum(counts, 1))
        if "max" in parts:
            maxima = np.full((len(order), vectors.shape[1]), -1.0)
            np.maximum.at(maxima, codes[use], vectors[use])
            blocks.append(np.where(counts > 0, maxima, 0.0))
    if "title" in parts:
        titles = np.zeros((len(order), vectors.shape[1]))
        titles[codes[is_title]] = vectors[is_title]
        blocks.append(titles)
    if "whole" in parts:
        whole = paragraphs.groupby("article_id", sort=False)["text"].agg("\n\n".join).reindex(order)
        blocks.append(embedder.embed(whole.tolist()))
    return np.hstack(blocks).astype(np.float32)


def article_texts(paragraphs: pd.DataFrame) -> list[str]:
    """The whole text (title and body) of each article, in ``article_order``."""
    return paragraphs.groupby("article_id", sort=False)["text"].agg("\n\n".join).reindex(
        article_order(paragraphs)).tolist()


class ArticleFrameClassifier(ClassifierMixin, BaseEstimator):
    level = "article"  # framing frames prints one row per article
    """Multi-label frames per article from a paragraphs table: one class-weighted logistic regression per frame on
    paragraph-evidence features (``parts``), with ``tfidf=True`` word 1–2-gram TF-IDF features alongside.

    ``threshold="tune"`` (default) sets each frame's cut at the F1-best value on out-of-fold probabilities of the
    training articles (``cv`` folds); a number uses that cut for every frame. Frames with fewer than
    ``min_examples`` labelled articles get a ``FramingWarning`` naming them.

    Defaults measured on GVFC (1,299 articles, 9 frames, 5-fold CV; ``benchmarks/article_level.py``): mean+max+title
    with C=4 and tuned cuts, micro/macro F1 0.778/0.729, against 0.736/0.683 for the article embedded whole and
    0.534/0.345 for a plain logistic regression on the mean vector cut at 0.5; TF-IDF added 0.007 micro at twice the
    training time, so it is off by default.

    >>> clf = ArticleFrameClassifier(codebook=cb, random_state=0).fit(paragraphs, article_labels)  # doctest: +SKIP
    >>> clf.frame_table(paragraphs)[["article_id", "frames"]]                                     # doctest: +SKIP
    """

    def __init__(self, codebook=None, embedder=None, parts=("mean", "max", "title"), tfidf=False, C=4.0,
                 tfidf_weight=1.0, threshold="tune", cv=5, min_examples=3, random_state=None):
        self.codebook = codebook
        self.embedder = embedder
        self.parts = parts
        self.tfidf = tfidf
        self.C = C
        self.tfidf_weight = tfidf_weight
        self.threshold = threshold
        self.cv = cv
        self.min_examples = min_examples
        self.random_state = random_state

    # -- features ----------------------------------------------------------------------------------------------
    def _features(self, paragraphs: pd.DataFrame, fit: bool = False):
        dense = article_features(paragraphs, self.embedder, tuple(self.parts))
        if not self.tfidf:
            return dense
        texts = article_texts(paragraphs)
        if fit:
            self.vocabulary_, self.idf_ = fit_vocabulary(texts, max_features=50000)
        return with_terms(dense, term_matrix(texts, self.vocabulary_, self.idf_, self.tfidf_weight))

    # -- fitting -----------------------------------------------------------------------------------------------
    def fit(self, X, y):
        codebook = self.codebook if isinstance(self.codebook, Codebook) else load_codebook(self.codebook)
        self.frames_, self.fallback_, self.codebook_name_ = codebook.names, codebook.fallback, codebook.name
        self.classes_ = np.array(self.frames_, dtype=object)
        Y = label_indicator(y, self.frames_)
        n_articles = len(article_order(X))
        if len(Y) != n_articles:
            raise FramingError(f"{n_articles} articles but {len(Y)} label sets (labels go in article order)")
        features = self._features(X, fit=True)
        few = [name for j, name in enumerate(self.frames_) if Y[:, j].sum() < self.min_examples]
        if few:
            warnings.warn(f"frame(s) {', '.join(few)} have fewer than {self.min_examples} labelled articles: their "
                          f"predictions rest on too little; label more articles with them", FramingWarning,
                          stacklevel=2)
        self.coef_ = np.zeros((len(self.frames_), features.shape[1]))
        self.intercept_ = np.full(len(self.frames_), -30.0)  # a frame never labelled is never predicted
        tune = isinstance(self.threshold, str)
        if tune and self.threshold != "tune":
            raise FramingError(f"threshold must be a number or 'tune', not {self.threshold!r}")
        self.thresholds_ = np.full(len(self.frames_), 0.5 if tune else float(self.threshold))
        for j in range(len(self.frames_)):
            if Y[:, j].min() == Y[:, j].max():
                if Y[0, j] == 1:
                    self.intercept_[j] = 30.0  # on in every labelled article
                continue
            model = self._fit_one(features, Y[:, j])
            self.coef_[j], self.intercept_[j] = model.coef_[0], model.intercept_[0]
            if tune:
                self.thresholds_[j] = self._tuned_threshold(features, Y[:, j])
        self.n_features_in_ = features.shape[1]
        return self

    def _fit_one(self, features, y) -> LogisticRegression:
        return LogisticRegression(C=self.C, class_weight="balanced", max_iter=5000, tol=1e-6,
                                  random_state=self.random_state).fit(features, y)

    def _tuned_threshold(self, features, y) -> float:
        positives = int(y.sum())
        folds = min(self.cv, positives, len(y) - positives)
        if folds < 2:
            return 0.5
        out_of_fold = np.empty(len(y))
        for train, test in StratifiedKFold(folds, shuffle=True, random_state=self.random_state).split(features, y):
            out_of_fold[test] = self._fit_one(features[train], y[train]).predict_proba(features[test])[:, 1]
        return best_f1_threshold(y, out_of_fold, 0.5)

    # -- prediction --------------------------------------------------------------------------------------------
    def predict_proba(self, X) -> np.ndarray:
        """Probability of every frame for every article (rows in ``article_order``)."""
        check_is_fitted(self, "thresholds_")
        features = self._features(X)
        if features.shape[1] != self.n_features_in_:
            raise FramingError(f"features have {features.shape[1]} columns; this detector was trained on "
                               f"{self.n_features_in_}")
        logits = np.asarray(features @ self.coef_.T) + self.intercept_
        return (1 / (1 + np.exp(-np.clip(logits, -60, 60)))).astype(np.float32)

    def predict_indicator(self, X) -> np.ndarray:
        return _apply_thresholds(self.predict_proba(X), self.thresholds_, self.frames_, self.fallback_)

    def predict(self, X) -> np.ndarray:
        """0/1 indicator matrix (articles in ``article_order`` × frames in ``classes_`` order), as the paragraph
        detectors give it; ``label_sets(clf.predict(X), clf.classes_)`` gives tuples."""
        return self.predict_indicator(X)

    def frame_table(self, paragraphs: pd.DataFrame) -> pd.DataFrame:
        """One row per article (``article_table``) + ``frames`` and ``score_<frame>``."""
        scores = self.predict_proba(paragraphs)
        table = article_table(paragraphs)
        table["frames"] = label_sets(_apply_thresholds(scores, self.thresholds_, self.frames_, self.fallback_),
                                     self.frames_)
        for j, name in enumerate(self.frames_):
            table[f"score_{name}"] = scores[:, j]
        return with_frames(table, self.frames_, getattr(self, "codebook_name_", None))


def group_folds(groups, n_splits: int, random_state: int = 0):
    """Folds that keep each group (article, event) whole, shuffled with the seed."""
    groups = pd.Series(list(groups))
    unique = groups.drop_duplicates().to_numpy()
    n_splits = min(n_splits, len(unique))
    if n_splits < 2:
        raise FramingError(f"cross-validation needs at least two groups, found {len(unique)}")
    splitter = KFold(n_splits, shuffle=True, random_state=random_state)
    for train_groups, test_groups in splitter.split(unique):
        test = groups.isin(unique[test_groups]).to_numpy()
        yield np.flatnonzero(~test), np.flatnonzero(test)
