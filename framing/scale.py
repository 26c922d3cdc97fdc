"""The same pipeline on Dask, for corpora that outgrow one machine: articles -> framed paragraphs -> comparison.

Each partition of a Dask DataFrame of articles (whole articles per partition) is segmented, embedded and framed
where it lives; workers load the model and the detector once per process. What travels back is small: per-article
frame counts (``framing.compare.article_counts``), from which shares, the test and the divergences are computed
exactly as on one machine, so the results are equal. Clustering at scale is incremental (MiniBatchKMeans).

>>> import dask.dataframe as dd                                           # doctest: +SKIP
>>> articles = dd.from_pandas(framing.load_corpus("corpus"), npartitions=4)   # doctest: +SKIP
>>> tables = compare_dask(articles, by="outlet_kind")                     # doctest: +SKIP
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from sklearn.cluster import MiniBatchKMeans

from .compare import article_counts, difference_test_from_counts, divergences_from_counts, shares_from_counts
from .errors import FramingError
from .segment import segment


@lru_cache(maxsize=4)
def _detector(name: str):
    from .detector_files import load_detector

    return load_detector(name)  # once per worker process; the embedder inside is shared (default_embedder)


def frame_partition(articles: pd.DataFrame, detector: str = "default") -> pd.DataFrame:
    """One partition of articles -> its framed paragraphs (the single-machine steps, unchanged). ``detector`` is a
    shipped name or the path of your detector file (``framing train``); its codebook gives the frames compared."""
    if articles.empty:
        return _empty_framed(articles)
    return _detector(detector).frame_table(segment(articles))


def counts_partition(articles: pd.DataFrame, by: str, detector: str = "default") -> pd.DataFrame:
    """One partition of articles -> per-article frame counts (small: one row per article)."""
    if articles.empty:
        return pd.DataFrame(columns=["article_id", by, "paragraphs", *_detector(detector).frames_])
    return article_counts(frame_partition(articles, detector), by)


def compare_dask(articles, by: str = "outlet_kind", *, detector: str = "default", random_state: int = 0,
                 n_boot: int = 2000, n_permutations: int = 2000) -> dict[str, pd.DataFrame]:
    """Shares, test and divergences of a Dask DataFrame of articles, computed on the cluster partition by
    partition; equal to ``frame_shares``/``difference_test``/``divergences`` on the same articles."""
    names = _detector(detector).frames_  # the detector's codebook, whichever it is
    meta = pd.DataFrame({"article_id": pd.Series(dtype=object), by: pd.Series(dtype=object),
                         "paragraphs": pd.Series(dtype="int64"), **{n: pd.Series(dtype="int64") for n in names}})
    counts = articles.map_partitions(counts_partition, by, detector, meta=meta).compute()
    if counts["article_id"].duplicated().any():
        raise FramingError("an article appears in two partitions; partition the articles by article_id")
    counts = counts.astype({"paragraphs": "int64", **{n: "int64" for n in names}})
    counts.attrs["frames"] = names
    return {"counts": counts,
            "shares": shares_from_counts(counts, by, frames=names, random_state=random_state, n_boot=n_boot),
            "difference_test": difference_test_from_counts(counts, by, frames=names, random_state=random_state,
                                                           n_permutations=n_permutations),
            "divergences": divergences_from_counts(counts, by, frames=names)}


def cluster_incremental(batches, n_clusters: int, *, random_state: int = 0, batch_size: int = 4096):
    """MiniBatchKMeans fitted batch by batch (``partial_fit``) on an iterable of vector arrays, so memory holds one
    batch at a time; returns the fitted model (``cluster_centers_``; ``predict`` gives labels batch by batch)."""
    model = MiniBatchKMeans(n_clusters, random_state=random_state, batch_size=batch_size, n_init=3)
    seen = 0
    for batch in batches:
        batch = np.asarray(batch, dtype=np.float32)
        if len(batch) < n_clusters and seen == 0:
            raise FramingError(f"the first batch needs at least {n_clusters} vectors, got {len(batch)}")
        model.partial_fit(batch)
        seen += len(batch)
    if seen == 0:
        raise FramingError("no vectors to cluster")
    return model


def _empty_framed(articles: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(columns=["article_id", "para_id", "position", "kind", "text", "frames"])
