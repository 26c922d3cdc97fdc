"""The Dask pipeline gives the same tables as the single-machine one, on the corpus."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")  # declared in the [dev] extra; this guards only a partial install

from framing import FramingError, corpus_dir, load_corpus, load_detector, segment  # noqa: E402
from framing.compare import difference_test, divergences, frame_shares  # noqa: E402
from framing.scale import cluster_incremental, compare_dask  # noqa: E402


@pytest.fixture(scope="module")
def articles():
    return load_corpus(corpus_dir())


def test_dask_tables_equal_the_local_ones(articles):
    framed = load_detector().frame_table(segment(articles))
    local = {"shares": frame_shares(framed, by="outlet_kind", n_boot=500),
             "difference_test": difference_test(framed, by="outlet_kind", n_permutations=300),
             "divergences": divergences(framed, by="outlet_kind")}
    shuffled = articles.sample(frac=1, random_state=1)  # partitions in another order must not matter
    with __import__("dask").config.set(scheduler="processes", num_workers=2):
        remote = compare_dask(dd.from_pandas(shuffled, npartitions=4), by="outlet_kind", n_boot=500,
                              n_permutations=300)
    for name, table in local.items():
        pd.testing.assert_frame_equal(remote[name].reset_index(drop=True), table.reset_index(drop=True))


def test_an_article_split_across_partitions_is_refused(articles):
    doubled = pd.concat([articles.iloc[:3], articles.iloc[:3]])
    with pytest.raises(FramingError, match="an article appears in two partitions"):
        compare_dask(dd.from_pandas(doubled, npartitions=2, sort=False), n_boot=10, n_permutations=10)


def test_incremental_clustering_learns_from_batches():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(3, 8)) * 5
    batches = [centres[rng.integers(0, 3, 300)] + rng.normal(size=(300, 8)) for _ in range(5)]
    model = cluster_incremental(batches, 3, random_state=0, batch_size=256)
    found = np.sort(model.cluster_centers_[:, 0])
    assert np.allclose(found, np.sort(centres[:, 0]), atol=0.5)
