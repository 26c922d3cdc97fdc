"""Word uni- and bigram TF-IDF features beside the embeddings: cue words ("sanctions", "denied", "court") that an
embedding of a whole paragraph or article blurs. One implementation for every detector that uses them.

A fitted vocabulary is kept as two plain arrays (``vocabulary_``: terms in column order, ``idf_``), so a detector
file needs no pickle and rebuilds the exact same columns.
"""

from __future__ import annotations

import numpy as np


def _vectorizer(vocabulary=None, max_features: int | None = 20000):
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2, max_features=max_features,
                           dtype=np.float64, vocabulary=vocabulary)


def fit_vocabulary(texts: list[str], *, max_features: int = 20000) -> tuple[np.ndarray, np.ndarray]:
    """Terms (str array, in column order) and their idf, fitted on ``texts``."""
    vectorizer = _vectorizer(max_features=max_features).fit(texts)
    return vectorizer.get_feature_names_out().astype(str), vectorizer.idf_.astype(np.float64)


def term_matrix(texts: list[str], vocabulary: np.ndarray, idf: np.ndarray, weight: float = 1.0):
    """Sparse (len(texts), len(vocabulary)) TF-IDF matrix over a fitted vocabulary, times ``weight``."""
    vectorizer = _vectorizer(vocabulary={term: i for i, term in enumerate(np.asarray(vocabulary).tolist())})
    vectorizer.idf_ = np.asarray(idf, dtype=np.float64)
    return vectorizer.transform(texts) * float(weight)


def with_terms(dense: np.ndarray, terms):
    """[dense | terms] as one sparse matrix."""
    from scipy.sparse import csr_matrix, hstack

    return hstack([csr_matrix(dense), terms]).tocsr()


def stack_rows(first, second):
    """Rows of ``second`` under ``first``, dense or sparse alike."""
    from scipy.sparse import issparse, vstack

    return vstack([first, second]).tocsr() if issparse(first) else np.vstack([first, second])
