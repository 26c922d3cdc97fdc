"""Unsupervised frame discovery: cluster paragraph embeddings, then name each cluster.

Paragraph texts (or embeddings) -> ``labels_`` (cluster per paragraph, -1 = outlier) and ``clusters_``, a table with
one row per cluster: size, the nearest codebook frames, the most distinctive terms (class-based TF-IDF, as in
BERTopic) and the most representative paragraphs.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import HDBSCAN, AgglomerativeClustering, KMeans
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.metrics import silhouette_score
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from .codebook import Codebook, load_codebook
from .embed import default_embedder
from .detectors import CODEBOOK_PARAMETER, EMBEDDER_PARAMETER, as_input, validate_parameters
from .errors import FramingError, FramingWarning

METHODS = ("kmeans", "agglomerative", "hdbscan")


class FrameClusterer(ClusterMixin, BaseEstimator):
    """Group paragraphs by embedding similarity and describe each group.

    ``n_clusters=None`` picks the number in ``k_range`` with the best cosine silhouette (stated in
    ``silhouette_``). Outliers are explicit: with k-means or agglomerative clustering, a paragraph whose cosine
    similarity to its cluster centre is below the ``outlier_quantile`` of all such similarities gets label -1; HDBSCAN
    marks its own noise points -1.

    >>> clusterer = FrameClusterer(random_state=0).fit(paragraphs["text"])   # doctest: +SKIP
    >>> clusterer.clusters_[["cluster", "size", "frames", "terms"]]          # doctest: +SKIP
    """

    _parameter_constraints = {
        "n_clusters": [Interval(Integral, 1, None, closed="left"), None],
        "method": [StrOptions(set(METHODS))],
        "k_range": [tuple, list],
        "outlier_quantile": [Interval(Real, 0, 1, closed="left")],
        "n_terms": [Interval(Integral, 1, None, closed="left")],
        "n_representatives": [Interval(Integral, 0, None, closed="left")],
        "codebook": CODEBOOK_PARAMETER,
        "embedder": EMBEDDER_PARAMETER,
        "random_state": ["random_state"],
    }

    def __init__(self, n_clusters=None, method="kmeans", k_range=(4, 16), outlier_quantile=0.05, n_terms=8,
                 n_representatives=3, codebook=None, embedder=None, random_state=None):
        self.n_clusters = n_clusters
        self.method = method
        self.k_range = k_range
        self.outlier_quantile = outlier_quantile
        self.n_terms = n_terms
        self.n_representatives = n_representatives
        self.codebook = codebook
        self.embedder = embedder
        self.random_state = random_state

    def fit(self, X, y=None, texts=None):
        """Cluster ``X`` (texts, or embeddings with their ``texts`` given separately for the terms)."""
        validate_parameters(self)
        if len(self.k_range) != 2 or not all(isinstance(k, Integral) for k in self.k_range) \
                or not 2 <= self.k_range[0] <= self.k_range[1]:
            raise FramingError(f"k_range must be (low, high) with 2 <= low <= high, not {self.k_range!r}")
        X = as_input(X)
        if not isinstance(X, np.ndarray):
            texts, X = X, (self.embedder or default_embedder()).embed(X)
        if texts is not None and len(texts) != len(X):
            raise FramingError(f"{len(X)} embeddings but {len(texts)} texts")
        if len(X) < 3:
            raise FramingError(f"clustering needs at least 3 paragraphs, got {len(X)} sample(s)")
        if self.n_clusters is not None and self.n_clusters >= len(X):
            raise FramingError(f"n_clusters={self.n_clusters} needs more than {self.n_clusters} paragraphs, got "
                               f"{len(X)} sample(s)")
        self.n_features_in_ = X.shape[1]
        vectors = _unit_rows(X)
        self.silhouette_ = {}
        k = self.n_clusters or self._choose_k(vectors)
        labels = self._cluster(vectors, k)
        clusters = sorted(set(labels) - {-1})
        self.cluster_centers_ = _unit_rows(np.array([vectors[labels == c].mean(axis=0) for c in clusters]))
        if self.method != "hdbscan":
            similarity = np.einsum("ij,ij->i", vectors, self.cluster_centers_[labels])
            cut = np.quantile(similarity, self.outlier_quantile) if self.outlier_quantile else -np.inf
            labels = np.where(similarity < cut, -1, labels)
        self.labels_ = labels
        self.n_clusters_ = len(clusters)
        self.clusters_ = self._describe(vectors, labels, clusters, texts)
        return self

    def _choose_k(self, vectors: np.ndarray) -> int:
        low, high = self.k_range
        candidates = [k for k in range(max(2, low), min(high, len(vectors) - 1) + 1)]
        if not candidates:
            raise FramingError(f"k_range {self.k_range} leaves no valid number of clusters for {len(vectors)} items")
        for k in candidates:
            self.silhouette_[k] = float(silhouette_score(vectors, self._cluster(vectors, k), metric="cosine"))
        return max(self.silhouette_, key=self.silhouette_.get)

    def _cluster(self, vectors: np.ndarray, k: int) -> np.ndarray:
        if self.method == "kmeans":
            # One OpenMP thread: on a busy 2-core machine two spinning threads made k-means 40x slower (15.5 s
            # instead of 0.4 s for 3,000 paragraphs), and one thread loses nothing at this size.
            with threadpool_limits(limits=1, user_api="openmp"):
                return KMeans(k, n_init=10, random_state=self.random_state).fit_predict(vectors)
        if self.method == "agglomerative":
            return AgglomerativeClustering(k, metric="cosine", linkage="average").fit_predict(vectors)
        return HDBSCAN(min_cluster_size=max(5, len(vectors) // 50)).fit_predict(vectors)

    def _describe(self, vectors: np.ndarray, labels: np.ndarray, clusters: list, texts) -> pd.DataFrame:
        codebook = self.codebook if isinstance(self.codebook, Codebook) else load_codebook(self.codebook)
        table = codebook.exemplar_table()
        exemplars = (self.embedder or default_embedder()).embed(table["text"].tolist())
        prototypes = _unit_rows(np.array([exemplars[(table["frame"] == name).to_numpy()].mean(axis=0)
                                          for name in codebook.names]))
        if prototypes.shape[1] != vectors.shape[1]:
            warnings.warn(f"the paragraph vectors have {vectors.shape[1]} dimensions but the embedder gives "
                          f"{prototypes.shape[1]}: clusters are not named after codebook frames (embed the paragraphs "
                          f"with the clusterer's embedder)", FramingWarning, stacklevel=3)
            prototypes = np.zeros((0, vectors.shape[1]))
        terms = _class_tfidf_terms(texts, labels, self.n_terms) if texts is not None else {}
        rows = []
        for c, centre in zip(clusters, self.cluster_centers_):
            members = np.flatnonzero(labels == c)
            closeness = vectors[members] @ centre
            nearest = np.argsort(-(prototypes @ centre))[:2] if len(prototypes) else np.array([], dtype=int)
            rows.append({"cluster": c, "size": len(members),
                         "frames": tuple(codebook.names[i] for i in nearest),
                         "frame_similarity": tuple(round(float(prototypes[i] @ centre), 3) for i in nearest),
                         "terms": terms.get(c, ()),
                         "representatives": tuple(int(i) for i in members[np.argsort(-closeness)]
                                                  [: self.n_representatives])})
        outliers = int((labels == -1).sum())
        rows.append({"cluster": -1, "size": outliers, "frames": (), "frame_similarity": (), "terms": (),
                     "representatives": ()})
        return pd.DataFrame(rows)

    def fit_predict(self, X, y=None, texts=None):
        return self.fit(X, texts=texts).labels_

    def predict(self, X) -> np.ndarray:
        """Nearest cluster centre for new paragraphs (no outlier rule)."""
        check_is_fitted(self, "cluster_centers_")
        X = as_input(X)
        vectors = X if isinstance(X, np.ndarray) else (self.embedder or default_embedder()).embed(X)
        if vectors.shape[1] != self.n_features_in_:
            raise FramingError(f"X has {vectors.shape[1]} features, but FrameClusterer is expecting "
                               f"{self.n_features_in_} features as input")
        return np.argmax(_unit_rows(vectors) @ self.cluster_centers_.T, axis=1)


def _unit_rows(X: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (a zero row stays zero, rather than becoming NaN)."""
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    return X / np.where(norms == 0, 1, norms)


def _class_tfidf_terms(texts, labels: np.ndarray, n_terms: int) -> dict[int, tuple[str, ...]]:
    """Class-based TF-IDF: each cluster's paragraphs joined into one document; terms frequent in it, rare elsewhere."""
    clusters = sorted(set(labels) - {-1})
    if not clusters:
        return {}
    documents = [" ".join(t for t, label in zip(texts, labels) if label == c) for c in clusters]
    vectorizer = CountVectorizer(stop_words="english", ngram_range=(1, 2), min_df=1, token_pattern=r"(?u)\b[^\W\d_]{3,}\b")
    counts = vectorizer.fit_transform(documents).toarray().astype(float)
    term_frequency = counts / counts.sum(axis=1, keepdims=True)
    average_words = counts.sum() / len(clusters)
    weight = term_frequency * np.log(1 + average_words / counts.sum(axis=0))
    vocabulary = vectorizer.get_feature_names_out()
    return {c: tuple(vocabulary[i] for i in np.argsort(-row)[:n_terms]) for c, row in zip(clusters, weight)}
