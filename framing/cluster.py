"""Unsupervised frame discovery: cluster paragraph embeddings, then name each cluster.

Paragraph texts (or embeddings) -> ``labels_`` (cluster per paragraph, -1 = outlier) and ``clusters_``, a table with
one row per cluster: size, the nearest codebook frames, the most distinctive terms (class-based TF-IDF, as in
BERTopic) and the most representative paragraphs.
"""

from __future__ import annotations

import random
import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
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

METHODS = ("graph", "kmeans", "agglomerative", "hdbscan")


class FrameClusterer(ClusterMixin, BaseEstimator):
    """Group paragraphs by embedding similarity and describe each group.

    ``method="graph"`` (the default unless ``n_clusters`` is given) finds the number of clusters itself: each paragraph
    is linked to its ``n_neighbors`` most similar paragraphs (cosine, exact), and the Leiden algorithm (igraph) splits
    that graph into communities by modularity at ``resolution``. A paragraph is an **outlier** (label -1) when its
    cosine similarity to its cluster's centre is below ``min_similarity``, or when its cluster has fewer than
    ``min_cluster_size`` members. Past ``max_fit_rows`` paragraphs the graph is built on a seeded sample of that many,
    and every paragraph goes to its most similar cluster centre (same outlier rule), so time grows linearly.

    Why this method: on the 8,222 distinct BASIL sentences (100 events x 3 outlets; the same MiniLM int8 vectors for
    both; ``benchmarks/pipeline_vs_bertopic.py --basil``, one run) it found 87 clusters with 2.9% outliers and an NMI
    of 0.595 with the events (outliers as one group) in 5.9 s with naming, where BERTopic 0.17.4 (UMAP + HDBSCAN, its
    second fit) took 40.8 s for 142 topics, 29.5% outliers and NMI 0.580: 6.9x as fast (machine load 17 on 2 cores;
    on a quiet machine BERTopic took 9.4-10 s). The former default (k-means, k by silhouette over 4-16) took 51-56 s
    there and collapsed to 4 clusters (NMI 0.135); k-means with k = 20 gives NMI 0.29. ``resolution=4``: at
    resolution 1 modularity merges small groups (its resolution limit): 31 clusters, NMI 0.49, and partitions that
    change with the seed (mean adjusted Rand index between seeds 0.70); from 3-4 upward they are stable (0.81) and
    finer resolutions add clusters without adding stability. One BLAS thread and igraph's two Leiden iterations keep
    it fast on a busy machine.

    ``method="kmeans"`` with ``n_clusters`` (or, without, the best cosine silhouette in ``k_range``, stated in
    ``silhouette_``) and ``method="agglomerative"``: outliers are the ``outlier_quantile`` least similar to their
    centre. ``method="hdbscan"``: HDBSCAN's own noise points; if it finds no cluster, that is a ``FramingError``.

    >>> clusterer = FrameClusterer(random_state=0).fit(paragraphs["text"])   # doctest: +SKIP
    >>> clusterer.clusters_[["cluster", "size", "frames", "terms"]]          # doctest: +SKIP
    """

    _parameter_constraints = {
        "n_clusters": [Interval(Integral, 1, None, closed="left"), None],
        "method": [StrOptions(set(METHODS)), None],
        "k_range": [tuple, list],
        "outlier_quantile": [Interval(Real, 0, 1, closed="left")],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "resolution": [Interval(Real, 0, None, closed="neither")],
        "min_similarity": [Interval(Real, -1, 1, closed="both")],
        "min_cluster_size": [Interval(Integral, 1, None, closed="left")],
        "max_fit_rows": [Interval(Integral, 3, None, closed="left")],
        "n_terms": [Interval(Integral, 1, None, closed="left")],
        "n_representatives": [Interval(Integral, 0, None, closed="left")],
        "codebook": CODEBOOK_PARAMETER,
        "embedder": EMBEDDER_PARAMETER,
        "random_state": ["random_state"],
    }

    def __init__(self, n_clusters=None, method=None, k_range=(4, 16), outlier_quantile=0.05, n_neighbors=10,
                 resolution=4.0, min_similarity=0.3, min_cluster_size=5, max_fit_rows=20_000, n_terms=8,
                 n_representatives=3, codebook=None, embedder=None, random_state=None):
        self.n_clusters = n_clusters
        self.method = method
        self.k_range = k_range
        self.outlier_quantile = outlier_quantile
        self.n_neighbors = n_neighbors
        self.resolution = resolution
        self.min_similarity = min_similarity
        self.min_cluster_size = min_cluster_size
        self.max_fit_rows = max_fit_rows
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
        method = self.method or ("kmeans" if self.n_clusters else "graph")
        if method in ("graph", "hdbscan") and self.n_clusters:
            raise FramingError(f"method {method!r} finds the number of clusters itself; n_clusters applies to "
                               "'kmeans' and 'agglomerative'")
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
        vectors = np.array(X, dtype=np.float32)  # one copy, normalised in place (no temporaries of its size)
        norms = np.sqrt(np.einsum("ij,ij->i", vectors, vectors))
        vectors /= np.where(norms == 0, 1, norms)[:, None]  # a zero row stays zero rather than becoming NaN
        self.method_ = method
        self.silhouette_ = {}
        if method == "graph":
            # One BLAS thread, as for k-means below: on a busy 2-core machine two threads made the neighbour search
            # 3x slower (3.3 s instead of 1.1 s for 8,222 sentences), and one thread runs it at the CPU's fp32 peak.
            with threadpool_limits(limits=1):
                labels = self._graph(vectors)
        else:
            k = self.n_clusters or (self._choose_k(vectors) if method != "hdbscan" else None)
            labels = self._cluster(vectors, k, method)
        clusters = sorted(set(labels) - {-1})
        if not clusters:
            raise FramingError(f"method {method!r} found no cluster in {len(vectors)} paragraphs (all are noise); "
                               "try method='graph', or kmeans with n_clusters")
        self.cluster_centers_ = _centres(vectors, labels, clusters)
        if method == "graph":
            labels = self._outliers(vectors, labels, clusters)
            clusters = sorted(set(labels) - {-1})
            if not clusters:
                raise FramingError(f"no cluster of at least {self.min_cluster_size} paragraphs whose members are "
                                   f"{self.min_similarity} similar to its centre: lower min_cluster_size or "
                                   "min_similarity")
            labels = _renumber(labels)
            clusters = sorted(set(labels) - {-1})
            self.cluster_centers_ = _centres(vectors, labels, clusters)
        elif method != "hdbscan":
            similarity = _similarity_to_centre(vectors, self.cluster_centers_, labels)
            cut = np.quantile(similarity, self.outlier_quantile) if self.outlier_quantile else -np.inf
            labels = np.where(similarity < cut, -1, labels)
        self.labels_ = labels
        self.n_clusters_ = len(clusters)
        self.clusters_ = self._describe(vectors, labels, clusters, texts)
        return self

    def _graph(self, vectors: np.ndarray) -> np.ndarray:
        """Leiden communities of the k-nearest-neighbour graph (of a sample past ``max_fit_rows``), then every row
        to its most similar community centre."""
        import igraph

        rng = np.random.default_rng(self.random_state)
        fit_rows = (np.sort(rng.choice(len(vectors), self.max_fit_rows, replace=False))
                    if len(vectors) > self.max_fit_rows else np.arange(len(vectors)))
        sample = vectors[fit_rows]
        k = min(self.n_neighbors, len(sample) - 1)
        neighbours, similarity = nearest_neighbours(sample, k)
        graph = igraph.Graph(n=len(sample), edges=_undirected(neighbours, similarity, weights := []), directed=False)
        graph.es["weight"] = weights
        previous = random.getstate()
        igraph.set_random_number_generator(random.Random(int(rng.integers(2**31))))
        try:
            communities = graph.community_leiden(objective_function="modularity", weights="weight",
                                                 resolution=self.resolution).membership
        finally:
            igraph.set_random_number_generator(random)
            random.setstate(previous)
        labels = np.asarray(communities)
        if len(fit_rows) == len(vectors):
            return labels
        centres = _centres(sample, labels, sorted(set(labels)))
        return nearest_centre(vectors, centres)

    def _outliers(self, vectors: np.ndarray, labels: np.ndarray, clusters: list) -> np.ndarray:
        """-1 for a paragraph less than ``min_similarity`` similar to its centre or in a cluster under
        ``min_cluster_size`` members (sizes counted after the similarity rule)."""
        centre_of = np.full(labels.max() + 1, -1)
        centre_of[clusters] = np.arange(len(clusters))
        similarity = _similarity_to_centre(vectors, self.cluster_centers_, centre_of[labels])
        labels = np.where(similarity < self.min_similarity, -1, labels)
        sizes = np.bincount(labels[labels >= 0], minlength=labels.max() + 1)
        return np.where((labels >= 0) & (sizes[np.maximum(labels, 0)] < self.min_cluster_size), -1, labels)

    def _choose_k(self, vectors: np.ndarray) -> int:
        low, high = self.k_range
        candidates = [k for k in range(max(2, low), min(high, len(vectors) - 1) + 1)]
        if not candidates:
            raise FramingError(f"k_range {self.k_range} leaves no valid number of clusters for {len(vectors)} items")
        for k in candidates:
            self.silhouette_[k] = float(silhouette_score(vectors, self._cluster(vectors, k, self.method_),
                                                         metric="cosine"))
        return max(self.silhouette_, key=self.silhouette_.get)

    def _cluster(self, vectors: np.ndarray, k: int | None, method: str) -> np.ndarray:
        if method == "kmeans":
            # One OpenMP thread: on a busy 2-core machine two spinning threads made k-means 40x slower (15.5 s
            # instead of 0.4 s for 3,000 paragraphs), and one thread loses nothing at this size.
            with threadpool_limits(limits=1, user_api="openmp"):
                return KMeans(k, n_init=10, random_state=self.random_state).fit_predict(vectors)
        if method == "agglomerative":
            return AgglomerativeClustering(k, metric="cosine", linkage="average").fit_predict(vectors)
        return HDBSCAN(min_cluster_size=max(5, len(vectors) // 50)).fit_predict(vectors)

    def _describe(self, vectors: np.ndarray, labels: np.ndarray, clusters: list, texts) -> pd.DataFrame:
        codebook = self.codebook if isinstance(self.codebook, Codebook) else load_codebook(self.codebook)
        table = codebook.exemplar_table()
        exemplars = (self.embedder or default_embedder()).embed(table["text"].tolist())
        prototypes = np.array([exemplars[(table["frame"] == name).to_numpy()].mean(axis=0) for name in codebook.names])
        prototypes /= np.linalg.norm(prototypes, axis=1, keepdims=True)
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
        return nearest_centre(np.asarray(vectors, dtype=np.float32), self.cluster_centers_)


def _undirected(neighbours: np.ndarray, similarity: np.ndarray, weights: list) -> list:
    """Edges i-j of the k-nearest-neighbour lists, each pair once (i->j and j->i merged), as a list of pairs; their
    cosine similarities (negative ones as 0) are appended to ``weights``."""
    n, k = neighbours.shape
    low = np.minimum(np.repeat(np.arange(n), k), neighbours.ravel())
    high = np.maximum(np.repeat(np.arange(n), k), neighbours.ravel())
    pair, first = np.unique(low * n + high, return_index=True)
    weights.extend(np.maximum(similarity.ravel()[first], 0).astype(float).tolist())
    return np.column_stack([pair // n, pair % n]).tolist()


def nearest_neighbours(vectors: np.ndarray, k: int, block: int = 2048) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` most similar other rows of each row of L2-normalised ``vectors`` (exact, by blocks of rows):
    ``(indices, cosine similarities)``, each ``(n, k)``."""
    n = len(vectors)
    indices, similarity = np.empty((n, k), dtype=np.int64), np.empty((n, k), dtype=np.float32)
    for start in range(0, n, block):
        scores = vectors[start:start + block] @ vectors.T
        rows = np.arange(len(scores))
        scores[rows, start + rows] = -np.inf  # not its own neighbour
        top = np.argpartition(scores, -k, axis=1)[:, -k:]
        indices[start:start + block] = top
        similarity[start:start + block] = np.take_along_axis(scores, top, axis=1)
    return indices, similarity


def nearest_centre(vectors: np.ndarray, centres: np.ndarray, block: int = 65536) -> np.ndarray:
    """Index of the most similar centre for each row, by blocks of rows (memory stays small for a million rows)."""
    return np.concatenate([np.argmax(vectors[s:s + block] @ centres.T, axis=1)
                           for s in range(0, len(vectors), block)])


def _centres(vectors: np.ndarray, labels: np.ndarray, clusters: list, block: int = 65536) -> np.ndarray:
    """Normalised mean vector of each cluster, in the order of ``clusters`` (summed in float64 by blocks of rows, so
    a million rows need no float64 copy)."""
    order = np.full(max(clusters) + 1, -1)
    order[clusters] = np.arange(len(clusters))
    centres = np.zeros((len(clusters), vectors.shape[1]), dtype=np.float64)
    for start in range(0, len(vectors), block):
        part = labels[start:start + block]
        rows = np.flatnonzero((part >= 0) & (part <= max(clusters)))
        rows = rows[order[part[rows]] >= 0]
        members = csr_matrix((np.ones(len(rows)), (order[part[rows]], rows)), shape=(len(clusters), len(part)))
        centres += members @ vectors[start:start + block].astype(np.float64)
    return (centres / np.linalg.norm(centres, axis=1, keepdims=True)).astype(np.float32)


def _similarity_to_centre(vectors: np.ndarray, centres: np.ndarray, index: np.ndarray,
                          block: int = 65536) -> np.ndarray:
    """Cosine of each row with centre ``index[row]``, by blocks of rows."""
    return np.concatenate([np.einsum("ij,ij->i", vectors[s:s + block], centres[index[s:s + block]])
                           for s in range(0, len(vectors), block)])


def _renumber(labels: np.ndarray) -> np.ndarray:
    """Clusters numbered 0, 1, ... by decreasing size (ties by first member); -1 stays -1."""
    kept = labels[labels >= 0]
    ids, first, sizes = np.unique(kept, return_index=True, return_counts=True)
    order = ids[np.lexsort((first, -sizes))]
    new = np.full(labels.max() + 1, -1)
    new[order] = np.arange(len(order))
    return np.where(labels >= 0, new[np.maximum(labels, 0)], -1)


def _class_tfidf_terms(texts, labels: np.ndarray, n_terms: int) -> dict[int, tuple[str, ...]]:
    """Class-based TF-IDF: each cluster's paragraphs joined into one document; terms frequent in it, rare elsewhere."""
    clusters = sorted(set(labels) - {-1})
    if not clusters:
        return {}
    members: dict[int, list[str]] = {c: [] for c in clusters}
    for text, label in zip(texts, labels):
        if label >= 0:
            members[label].append(text)
    documents = [" ".join(members[c]) for c in clusters]
    vectorizer = CountVectorizer(stop_words="english", ngram_range=(1, 2), min_df=1,
                                 token_pattern=r"(?u)\b[^\W\d_]{3,}\b", dtype=np.float64)
    counts = vectorizer.fit_transform(documents).tocsr()  # sparse: clusters x terms
    document_words = np.asarray(counts.sum(axis=1)).ravel()
    term_words = np.asarray(counts.sum(axis=0)).ravel()
    idf = np.log(1 + document_words.sum() / len(clusters) / term_words)
    weight = counts.multiply(1 / document_words[:, None]).multiply(idf[None, :]).tocsr()
    vocabulary = vectorizer.get_feature_names_out()
    terms = {}
    for row, c in enumerate(clusters):
        start, end = weight.indptr[row], weight.indptr[row + 1]
        values, columns = weight.data[start:end], weight.indices[start:end]
        best = np.lexsort((columns, -values))[:n_terms]  # ties by vocabulary order, as a dense argsort gave
        terms[c] = tuple(vocabulary[columns[best]])
    return terms
