"""Frame detectors that follow scikit-learn's estimator contract.

Paragraph texts (or their embeddings, float array n × d) -> per-paragraph frame scores (``predict_proba``, n × frames)
and the 0/1 indicator matrix of frames (``predict``, columns in ``classes_`` order, as scikit-learn's multi-label
classifiers give it); ``frame_table`` adds both to a paragraphs table, the frames as a tuple per row
(``framing.schemas.FRAMED``). ``framing.multilabel.label_sets(detector.predict(X), detector.classes_)`` turns
indicator rows into tuples.

- ``CodebookDetector``: zero-shot; scores each paragraph against each frame's definition and exemplars, with
  per-label thresholds calibrated on gold when ``fit`` is given labels.
- ``FrameClassifier``: one logistic regression per frame on the embeddings, trained from labelled paragraphs (plus the
  codebook's exemplars), with per-label thresholds tuned by cross-validation.
Both are multi-label; the codebook's fallback frame (``factual_report``) is predicted only when no other frame is.
``FrameClusterer`` (unsupervised) lives in ``framing.cluster``.
"""

from __future__ import annotations

import os
import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import StratifiedKFold
from sklearn.utils._param_validation import HasMethods, Interval, InvalidParameterError, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted

from .lexical import fit_vocabulary, stack_rows, term_matrix, with_terms
from .codebook import Codebook, load_codebook
from .embed import Embedder, Embeddings, default_embedder
from .errors import FramingError, FramingWarning
from .multilabel import label_indicator, label_sets
from .schemas import FRAMED, TEXTS, validate
from .framed import with_frames
from .segment import split_sentences
from .thresholds import best_f1_threshold

DEFAULT_THRESHOLD = 0.5

__all__ = ["CodebookDetector", "FrameClassifier", "ParameterError", "as_input", "label_indicator", "label_sets",
           "paragraph_features"]


class InputTypeError(FramingError, TypeError):
    """Input of the wrong type (e.g. a matrix holding objects that are not numbers); also a ``TypeError``."""


class ParameterError(FramingError, InvalidParameterError):
    """An estimator parameter of the wrong type or out of its range, raised by ``fit``; also scikit-learn's
    ``InvalidParameterError``, so code written for scikit-learn estimators catches it too."""


# Parameter constraints shared by the estimators (scikit-learn's vocabulary: checked by ``_validate_params``).
CODEBOOK_PARAMETER = [Codebook, str, os.PathLike, None]
EMBEDDER_PARAMETER = [HasMethods(["embed"]), None]


def validate_parameters(estimator: BaseEstimator) -> None:
    """Check an estimator's parameters against its ``_parameter_constraints``; a violation is a ``ParameterError``."""
    try:
        estimator._validate_params()
    except InvalidParameterError as error:
        raise ParameterError(str(error)) from None


# --- inputs ---------------------------------------------------------------------------------------------------------

def as_input(X) -> np.ndarray | list[str]:
    """Texts (list, Series, or a DataFrame with ``text``) -> list of str; ``Embeddings`` or a numeric matrix -> float32,
    checked by scikit-learn's ``check_array`` (2-D, finite, at least one row and column)."""
    if isinstance(X, Embeddings):
        X = X.vectors
    if isinstance(X, pd.DataFrame):
        if "text" in X.columns:
            X = validate(TEXTS, X, "input table")["text"]
        elif not all(pd.api.types.is_numeric_dtype(dtype) for dtype in X.dtypes):
            raise FramingError(f"input table has no 'text' column (columns: {', '.join(map(str, X.columns))}) and is "
                               f"not a numeric matrix of embeddings")
    if isinstance(X, str):
        raise FramingError("expected paragraph texts or an embedding matrix, got one string: wrap it in a list")
    if _is_texts(X):
        texts = list(X)
        if not texts:
            raise FramingError("empty input: no paragraphs")
        for i, text in enumerate(texts):
            if not isinstance(text, str) or not text.strip():
                raise FramingError(f"paragraph {i} is {'empty' if isinstance(text, str) else repr(text)}, not text")
        return texts
    try:
        matrix = check_array(X, dtype=(np.float64, np.float32), input_name="X")
    except (ValueError, TypeError) as error:  # sklearn's own message, which says what is wrong with the matrix
        if isinstance(X, (list, tuple, pd.Series)) and len(X) == 0:
            raise FramingError("empty input: no paragraphs") from None
        kind = InputTypeError if isinstance(error, TypeError) else FramingError
        raise kind(f"expected paragraph texts or a 2-D matrix of embeddings: {error}") from None
    return matrix.astype(np.float32, copy=False)


def _is_texts(X) -> bool:
    """Paragraph texts: a sequence whose items are not numbers or rows of numbers (a str, or NaN or None among str)."""
    if isinstance(X, np.ndarray):
        return X.ndim == 1 and X.dtype.kind in "OUS"
    if isinstance(X, pd.Series):
        return not pd.api.types.is_numeric_dtype(X.dtype) or len(X) == 0
    if isinstance(X, (list, tuple)):
        return len(X) > 0 and any(isinstance(item, str) for item in X) or len(X) == 0
    return False


def paragraph_features(X, embedder: Embedder | None = None, *, sentences: bool = True) -> np.ndarray:
    """Texts -> [paragraph embedding | element-wise max over its sentences' embeddings], float32 (n, 2 × 384).

    A frame often lives in one sentence of a longer paragraph; the max over sentences keeps it from being averaged
    away. A matrix is returned unchanged (precomputed features).
    """
    X = as_input(X)
    if isinstance(X, np.ndarray):
        return X
    embedder = embedder or default_embedder()
    paragraphs = embedder.embed(X)
    if not sentences:
        return paragraphs
    split = [split_sentences(text) for text in X]
    vectors = embedder.embed([sentence for group in split for sentence in group])
    starts = np.cumsum([0] + [len(group) for group in split])[:-1]
    return np.hstack([paragraphs, np.maximum.reduceat(vectors, starts, axis=0)])


def _resolve_codebook(codebook: Codebook | str | None) -> Codebook:
    return codebook if isinstance(codebook, Codebook) else load_codebook(codebook)


def _apply_thresholds(scores: np.ndarray, thresholds: np.ndarray, names: list[str], fallback: str | None) -> np.ndarray:
    """Scores -> 0/1; the fallback frame is on exactly when no other frame passes its threshold."""
    predicted = (scores >= thresholds).astype(np.int8)
    if fallback is not None:
        f = names.index(fallback)
        others = np.delete(predicted, f, axis=1)
        predicted[:, f] = (others.sum(axis=1) == 0)
    return predicted


class _FrameDetector(ClassifierMixin, BaseEstimator):
    """Shared prediction logic: ``predict_proba`` -> per-frame thresholds -> 0/1 indicator matrix."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        tags.input_tags.string = True  # paragraph texts are the main input; embeddings the other
        return tags

    def predict_proba(self, X) -> np.ndarray:
        """Score of every frame for every paragraph, shape (n, frames), columns in ``classes_`` order."""
        check_is_fitted(self, "thresholds_")
        return self._scores(self._checked(X))

    def predict(self, X) -> np.ndarray:
        """0/1 indicator matrix (paragraphs × frames, int8), columns in ``classes_`` (codebook) order; the fallback
        frame is on exactly when no other frame is. ``label_sets(detector.predict(X), detector.classes_)`` gives
        tuples such as ``('accusation', 'whataboutism')``."""
        return self._indicator(self.predict_proba(X))

    def predict_indicator(self, X) -> np.ndarray:
        """The same as ``predict`` (kept for code written before ``predict`` returned the indicator matrix)."""
        return self.predict(X)

    def score(self, X, y, sample_weight=None) -> float:
        """Subset accuracy: the share of paragraphs whose whole frame set is right. ``y``: label sets or 0/1."""
        return float(accuracy_score(label_indicator(y, self.frames_), self.predict(X), sample_weight=sample_weight))

    def _indicator(self, scores: np.ndarray) -> np.ndarray:
        return _apply_thresholds(scores, self.thresholds_, self.frames_, self.fallback_)

    def _checked(self, X):
        X = as_input(X)
        if isinstance(X, np.ndarray) and hasattr(self, "n_features_in_") and X.shape[1] != self.n_features_in_:
            raise FramingError(f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                               f"{self.n_features_in_} features as input (embeddings of another model, or features "
                               f"made another way?)")
        return X

    def frame_table(self, paragraphs: pd.DataFrame, X=None) -> pd.DataFrame:
        """Paragraphs + ``frames`` (tuple) and one ``score_<frame>`` column per frame (``framing.schemas.FRAMED``); the
        frame list and codebook name travel in ``attrs`` (see ``framing.framed``)."""
        paragraphs = validate(TEXTS, paragraphs, "paragraphs table")
        scores = self.predict_proba(paragraphs if X is None else X)
        if len(scores) != len(paragraphs):
            raise FramingError(f"{len(paragraphs)} paragraphs but {len(scores)} rows of features")
        table = paragraphs.copy()
        table["frames"] = label_sets(self._indicator(scores), self.frames_)
        for j, name in enumerate(self.frames_):
            table[f"score_{name}"] = scores[:, j]
        table = with_frames(table, self.frames_, getattr(self, "codebook_name_", None))
        return validate(FRAMED, table, "framed paragraphs") if "article_id" in table.columns else table


class CodebookDetector(_FrameDetector):
    """Zero-shot frames from the codebook: similarity of each paragraph to each frame's exemplars and definition.

    The score of a frame is the mean cosine similarity of the paragraph to its ``top_k`` most similar exemplars (the
    definition counts as one more exemplar). Without labels, a frame is assigned when its score reaches
    ``threshold``; ``fit(X, y)`` with gold labels calibrates one threshold per frame (the F1-maximising cut).

    >>> detector = CodebookDetector().fit(texts, gold_labels)                         # doctest: +SKIP
    >>> label_sets(detector.predict(["Moscow denied any arms deal."]), detector.classes_)  # doctest: +SKIP
    [('denial',)]
    """

    _parameter_constraints = {
        "codebook": CODEBOOK_PARAMETER,
        "embedder": EMBEDDER_PARAMETER,
        "top_k": [Interval(Integral, 1, None, closed="left")],
        "threshold": [Interval(Real, -1, 1, closed="both")],
    }

    def __init__(self, codebook=None, embedder=None, top_k=3, threshold=0.45):
        self.codebook = codebook
        self.embedder = embedder
        self.top_k = top_k
        self.threshold = threshold

    def fit(self, X=None, y=None):
        """Embed the codebook; with paragraphs ``X`` and their label sets ``y``, calibrate one threshold per frame
        (without ``y``, ``X`` is not used)."""
        validate_parameters(self)
        codebook = _resolve_codebook(self.codebook)
        self.frames_ = codebook.names
        self.classes_ = np.array(self.frames_, dtype=object)
        self.fallback_ = codebook.fallback
        self.codebook_name_ = codebook.name
        texts, owners = [], []
        for j, frame in enumerate(codebook):
            for text in (frame.definition, *frame.exemplars):
                texts.append(text)
                owners.append(j)
        self.exemplar_vectors_ = np.asarray((self.embedder or default_embedder()).embed(texts), dtype=np.float32)
        self.exemplar_frame_ = np.array(owners)
        self.thresholds_ = np.full(len(self.frames_), float(self.threshold))
        self.n_features_in_ = self.exemplar_vectors_.shape[1]
        if y is not None:
            if X is None:
                raise FramingError("labels were given without paragraphs to calibrate on")
            X = self._checked(X)
            Y = label_indicator(y, self.frames_)
            scores = self._scores(X)
            if len(Y) != len(scores):
                raise FramingError(f"{len(scores)} paragraphs but {len(Y)} label sets")
            self.thresholds_ = np.array([best_f1_threshold(Y[:, j], scores[:, j], self.threshold)
                                         for j in range(len(self.frames_))])
        return self

    def _scores(self, X: np.ndarray | list[str]) -> np.ndarray:
        """Texts: the best of the paragraph and each of its sentences; a matrix: the paragraph vectors only."""
        if isinstance(X, np.ndarray):
            return self._vector_scores(X)
        embedder = self.embedder or default_embedder()
        split = [[text, *split_sentences(text)] for text in X]
        scores = self._vector_scores(embedder.embed([part for group in split for part in group]))
        starts = np.cumsum([0] + [len(group) for group in split])[:-1]
        return np.maximum.reduceat(scores, starts, axis=0)

    def _vector_scores(self, vectors: np.ndarray) -> np.ndarray:
        if vectors.shape[1] != self.exemplar_vectors_.shape[1]:
            raise FramingError(f"embeddings have {vectors.shape[1]} dimensions; the codebook was embedded with "
                               f"{self.exemplar_vectors_.shape[1]}")
        similarity = vectors @ self.exemplar_vectors_.T
        scores = np.empty((len(vectors), len(self.frames_)), dtype=np.float32)
        for j in range(len(self.frames_)):
            mine = np.sort(similarity[:, self.exemplar_frame_ == j], axis=1)[:, ::-1]
            scores[:, j] = mine[:, : self.top_k].mean(axis=1)
        return scores


class FrameClassifier(_FrameDetector):
    """Multi-label frames learned from labelled paragraphs: one balanced logistic regression per frame.

    The codebook's exemplars are added as extra positive examples (``use_exemplars``), which also gives a frame with
    too few labelled paragraphs (fewer than ``min_examples``) something to learn from; such a frame gets a
    ``FramingWarning``. Features are the paragraph embedding and the element-wise maximum over its sentences'
    embeddings (``sentences=True``). A frame is on when its probability reaches ``threshold`` (0.5, as the classes
    are balanced), or, with ``threshold="tune"``, the F1-best cut on out-of-fold probabilities (``cv`` folds); on the
    corpus gold tuning did not help (macro F1 0.774 tuned against 0.785 at 0.5, grouped by article).

    >>> clf = FrameClassifier(random_state=0).fit(texts, gold_labels)                        # doctest: +SKIP
    >>> label_sets(clf.predict(["Washington has no right to lecture Moscow."]), clf.classes_)  # doctest: +SKIP
    [('sovereignty',)]
    """

    _parameter_constraints = {
        "codebook": CODEBOOK_PARAMETER,
        "embedder": EMBEDDER_PARAMETER,
        "C": [Interval(Real, 0, None, closed="neither")],
        "sentences": ["boolean"],
        "lexical": [Interval(Real, 0, None, closed="left")],
        "use_exemplars": ["boolean"],
        "threshold": [Interval(Real, 0, 1, closed="both"), StrOptions({"tune"})],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "min_examples": [Interval(Integral, 0, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, codebook=None, embedder=None, C=16.0, sentences=True, lexical=0.0, use_exemplars=True,
                 threshold=DEFAULT_THRESHOLD, cv=5, min_examples=2, random_state=None):
        self.codebook = codebook
        self.embedder = embedder
        self.C = C
        self.sentences = sentences
        self.lexical = lexical
        self.use_exemplars = use_exemplars
        self.threshold = threshold
        self.cv = cv
        self.min_examples = min_examples
        self.random_state = random_state

    def fit(self, X, y):
        """Train on paragraphs ``X`` (texts, or precomputed features) and their label sets ``y``."""
        validate_parameters(self)
        codebook = _resolve_codebook(self.codebook)
        self.frames_, self.fallback_, self.codebook_name_ = codebook.names, codebook.fallback, codebook.name
        self.classes_ = np.array(self.frames_, dtype=object)
        if y is None:
            raise FramingError("FrameClassifier requires y to be passed, but the target y is None: give one label set "
                               "per paragraph")
        X = as_input(X)
        if self.lexical and isinstance(X, np.ndarray):
            raise FramingError("lexical features need the paragraph texts, not precomputed embeddings")
        vectors = paragraph_features(X, self.embedder, sentences=self.sentences)
        Y = label_indicator(y, self.frames_)
        if len(Y) != len(vectors):
            raise FramingError(f"{len(vectors)} paragraphs but {len(Y)} label sets")
        for j, name in enumerate(self.frames_):
            if Y[:, j].sum() < self.min_examples:
                fallback = "its codebook exemplars" if self.use_exemplars else "no positive examples"
                warnings.warn(f"frame {name!r} has {int(Y[:, j].sum())} labelled example(s); its classifier relies "
                              f"on {fallback}", FramingWarning, stacklevel=2)
        labelled = len(vectors)
        if self.use_exemplars:
            table = codebook.exemplar_table()
            exemplars = paragraph_features(table["text"].tolist(), self.embedder, sentences=self.sentences)
            if exemplars.shape[1] != vectors.shape[1]:
                raise FramingError(f"precomputed features have {vectors.shape[1]} columns but exemplar features "
                                   f"{exemplars.shape[1]}: pass texts, or set use_exemplars=False")
            vectors = np.vstack([vectors, exemplars])
            Y = np.vstack([Y, label_indicator([[f] for f in table["frame"]], self.frames_)])
            X = [*X, *table["text"]] if self.lexical else X
        self.n_embedding_features_ = vectors.shape[1]
        for stale in ("vocabulary_", "idf_"):  # from an earlier fit with lexical features
            self.__dict__.pop(stale, None)
        if self.lexical:
            self.vocabulary_, self.idf_ = fit_vocabulary(list(X))
            vectors = with_terms(vectors, self._lexical_features(X))
        self.coef_ = np.zeros((len(self.frames_), vectors.shape[1]), dtype=np.float64)
        self.intercept_ = np.zeros(len(self.frames_))
        tune = self.threshold == "tune"
        self.thresholds_ = np.full(len(self.frames_), DEFAULT_THRESHOLD if tune else float(self.threshold))
        for j in range(len(self.frames_)):
            model = self._fit_one(vectors, Y[:, j])
            self.coef_[j], self.intercept_[j] = model.coef_[0], model.intercept_[0]
            if tune:
                self.thresholds_[j] = self._tuned_threshold(vectors[:labelled], Y[:labelled, j], vectors[labelled:],
                                                            Y[labelled:, j])
        self.n_features_in_ = vectors.shape[1]
        return self

    def _fit_one(self, vectors: np.ndarray, y: np.ndarray) -> LogisticRegression:
        if y.min() == y.max():
            raise FramingError("a frame is on for every example or for none; a classifier needs both")
        # A tight tolerance puts the solution at the optimum rather than wherever lbfgs stopped, so vectors that
        # differ by float rounding give coefficients that differ by about as little.
        return LogisticRegression(C=self.C, class_weight="balanced", max_iter=5000, tol=1e-8,
                                  random_state=self.random_state).fit(vectors, y)

    def _tuned_threshold(self, vectors, y, extra_vectors, extra_y) -> float:
        """F1-best cut on out-of-fold probabilities of the labelled paragraphs (the exemplars always train)."""
        folds = min(self.cv, int(y.sum()), int(len(y) - y.sum()))
        if folds < 2:
            return DEFAULT_THRESHOLD
        out_of_fold = np.empty(len(y))
        splitter = StratifiedKFold(folds, shuffle=True, random_state=self.random_state)
        for train, test in splitter.split(vectors, y):
            model = self._fit_one(stack_rows(vectors[train], extra_vectors), np.concatenate([y[train], extra_y]))
            out_of_fold[test] = model.predict_proba(vectors[test])[:, 1]
        return best_f1_threshold(y, out_of_fold, DEFAULT_THRESHOLD)

    def _lexical_features(self, texts: list[str]):
        return term_matrix(texts, self.vocabulary_, self.idf_, self.lexical)

    def _scores(self, X: np.ndarray | list[str]) -> np.ndarray:
        if getattr(self, "vocabulary_", None) is not None and isinstance(X, np.ndarray):
            raise FramingError("this classifier uses lexical features: give it the paragraph texts, not embeddings")
        vectors = paragraph_features(X, self.embedder, sentences=self.sentences)
        width = getattr(self, "n_embedding_features_", self.n_features_in_)
        if vectors.shape[1] != width:
            raise FramingError(f"embeddings have {vectors.shape[1]} dimensions; this classifier was trained on "
                               f"{width}")
        logits = vectors @ self.coef_[:, :width].T + self.intercept_
        if getattr(self, "vocabulary_", None) is not None:
            logits = logits + np.asarray(self._lexical_features(X) @ self.coef_[:, width:].T)
        return (1 / (1 + np.exp(-logits))).astype(np.float32)

