"""Scaling: time and peak memory of each stage as the corpus grows, on one process and on a local Dask cluster.

Usage: .venv/bin/python benchmarks/scaling.py [--sizes 10000 100000] [--million] [--workers 2]

Embedding is the one stage that cannot be synthesised: its throughput is measured on real paragraphs (torch and
ONNX int8, 600 paragraphs) and its cost at each size is *projected* from that (printed as projected). For the other
stages the script builds N distinct paragraphs by repeating the corpus with a variant mark in every paragraph, and
fills a throwaway cache with the real vectors of the base texts plus small noise, so that segment -> embed (cache
hits) -> frames -> compare run for real at every size. With --million, 1,000,000 synthetic paragraph vectors and
frame sets go through incremental clustering and the comparison (no text), with the memory they take beyond the
vectors themselves. Each measurement runs in its own process; peak memory is that process's VmHWM.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np


def peak_mb() -> float:
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def synthetic_articles(n_paragraphs: int):
    import framing

    base = framing.load_corpus(framing.corpus_dir())
    base = base[base["language"] == "en"].reset_index(drop=True)
    per_copy = len(framing.segment(base).query("kind == 'body'"))
    copies = -(-n_paragraphs // per_copy)
    rows = []
    for k in range(copies):
        for article in base.to_dict("records"):
            # the mark goes into every sentence, so that sentence embeddings are distinct too
            marked = "\n\n".join(re.sub(r"([.!?][\"”’)]?)(\s|$)", rf" (v{k})\1\2", p.strip())
                                 for p in article["text"].split("\n") if p.strip())
            rows.append({**article, "article_id": f"{article['article_id']}-v{k}", "text": marked})
    import pandas as pd

    return pd.DataFrame(rows)


def fill_cache(articles, cache_dir: str, seed: int = 0) -> int:
    """Real vectors of the base texts + noise, stored under the synthetic texts' keys (paragraphs and sentences)."""
    import framing
    from framing.cache import EmbeddingCache, text_keys
    from framing.segment import split_sentences

    paragraphs = framing.segment(articles)
    texts = list(dict.fromkeys(t for p in paragraphs["text"] for t in [p, *split_sentences(p)]))
    bases = [re.sub(r" \(v\d+\)", "", t) for t in texts]
    unique_bases = list(dict.fromkeys(bases))
    real = framing.Embedder(show_progress=False)  # the user's cache: base texts are embedded once, for real
    base_vectors = dict(zip(unique_bases, real.embed(unique_bases)))
    rng = np.random.default_rng(seed)
    vectors = np.array([base_vectors[b] for b in bases]) + rng.normal(0, 0.01, (len(texts), 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    encoder = real.encoder
    key = f"{encoder.name}|{encoder.revision}|torch|float32"
    EmbeddingCache(cache_dir, key).store(text_keys(texts), vectors)
    return len(texts)


def run_pipeline(n: int, cache_dir: str, workers: int, mode: str) -> dict:
    os.environ["FRAMING_CACHE_DIR"] = cache_dir
    import framing
    from framing.compare import article_counts, difference_test_from_counts, divergences_from_counts, shares_from_counts

    articles = synthetic_articles(n)
    timings = {}
    if mode == "local":
        start = time.perf_counter()
        paragraphs = framing.segment(articles)
        timings["segment"] = time.perf_counter() - start
        start = time.perf_counter()
        framed = framing.load_detector().frame_table(paragraphs)
        timings["embed (cache) + frames"] = time.perf_counter() - start
        start = time.perf_counter()
        counts = article_counts(framed, "outlet_kind")
        shares_from_counts(counts, "outlet_kind", n_boot=1000)
        difference_test_from_counts(counts, "outlet_kind", n_permutations=500)
        divergences_from_counts(counts, "outlet_kind")
        timings["compare"] = time.perf_counter() - start
        body = int((paragraphs["kind"] == "body").sum())
    else:
        import dask.dataframe as dd
        from dask.distributed import Client, LocalCluster

        from framing.scale import compare_dask

        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                Client(cluster):
            start = time.perf_counter()
            tables = compare_dask(dd.from_pandas(articles, npartitions=workers * 4), by="outlet_kind", n_boot=1000,
                                  n_permutations=500)
            timings["segment + embed (cache) + frames + compare"] = time.perf_counter() - start
        body = int(tables["counts"]["paragraphs"].sum())
    timings["total"] = sum(timings.values())
    return {"paragraphs": body, "seconds": timings, "peak_mb": peak_mb()}


def run_million(seed: int = 0) -> dict:
    import pandas as pd

    import framing
    from framing.compare import article_counts, difference_test_from_counts, divergences_from_counts, shares_from_counts
    from framing.scale import cluster_incremental

    n, batch = 1_000_000, 50_000
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(30, 384)).astype(np.float32)

    def batches():
        for b in range(n // batch):
            r = np.random.default_rng(seed + b)
            x = centres[r.integers(0, 30, batch)] + r.normal(0, 1.0, (batch, 384)).astype(np.float32)
            yield x / np.linalg.norm(x, axis=1, keepdims=True)

    before = peak_mb()
    start = time.perf_counter()
    model = cluster_incremental(batches(), 20, random_state=seed, batch_size=8192)
    cluster_seconds = time.perf_counter() - start
    names = framing.load_codebook().names
    kinds = np.array(["russian-state", "western-wire", "ukrainian", "us-government", "dprk-state"])
    frames = [tuple(names[j] for j in np.flatnonzero(row)) or ("factual_report",)
              for row in rng.random((n, len(names))) < 0.12]
    framed = pd.DataFrame({"article_id": np.arange(n) // 10, "outlet_kind": kinds[(np.arange(n) // 10) % 5],
                           "frames": frames, "kind": "body"})
    start = time.perf_counter()
    counts = article_counts(framed, "outlet_kind")
    shares_from_counts(counts, "outlet_kind", n_boot=1000)
    difference_test_from_counts(counts, "outlet_kind", n_permutations=500)
    divergences_from_counts(counts, "outlet_kind")
    compare_seconds = time.perf_counter() - start
    return {"paragraphs": n, "seconds": {"incremental clustering (k=20)": cluster_seconds,
                                         "compare (1,000 boot, 500 permutations)": compare_seconds},
            "peak_mb": peak_mb(), "peak_mb_before": before, "clusters": len(model.cluster_centers_),
            "vectors_mb_if_held": n * 384 * 4 / 2**20}


def embed_throughput(sample: int = 600) -> dict:
    import framing
    from framing.onnx_backend import OnnxEncoder

    texts = framing.segment(framing.load_corpus(framing.corpus_dir())).query("kind == 'body'")["text"].tolist()
    texts = [f"{t} ({i})" for i in range(-(-sample // len(texts))) for t in texts][:sample]
    result = {}
    for name, encoder in [("torch", framing.embed.load_encoder(backend="torch")), ("onnx int8", OnnxEncoder(quantize=True))]:
        encoder.encode(texts[:8])  # load and warm up
        start = time.perf_counter()
        encoder.encode(texts)
        result[name] = sample / (time.perf_counter() - start)
    return result


def child(args) -> None:
    if args.child == "million":
        print(json.dumps(run_million()))
    elif args.child == "embed":
        print(json.dumps(embed_throughput()))
    else:
        mode, n, cache = args.child.split(":")
        print(json.dumps(run_pipeline(int(n), cache, args.workers, mode)))


def measure(what: str, workers: int) -> dict:
    output = subprocess.run([sys.executable, __file__, "--child", what, "--workers", str(workers)],
                            capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--million", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    embed = measure("embed", args.workers)
    print(f"embedding throughput on real paragraphs: torch {embed['torch']:.0f}/s, ONNX int8 {embed['onnx int8']:.0f}/s")
    print("\n| paragraphs | run | stage | seconds | peak RSS MB |\n|---|---|---|---|---|")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as cache:
            sys.path.insert(0, os.path.dirname(__file__))
            import framing  # noqa: F401  (fill in this process; the runs read it)

            os.environ["FRAMING_CACHE_DIR"] = cache
            filled = fill_cache(synthetic_articles(n), cache)
            del os.environ["FRAMING_CACHE_DIR"]
            results = {mode: measure(f"{mode}:{n}:{cache}", args.workers) for mode in ("local", "dask")}
        for mode, result in results.items():
            for stage, seconds in result["seconds"].items():
                if mode == "dask" and stage == "total":
                    continue  # one stage: the same number
                print(f"| {result['paragraphs']:,} | {mode} | {stage} | {seconds:.1f} | {result['peak_mb']:.0f} |")
        print(f"| {n:,} | projected | embedding cold, torch / ONNX int8 | {n / embed['torch']:.0f} / "
              f"{n / embed['onnx int8']:.0f} | |")
        ratio = results["dask"]["seconds"]["total"] / results["local"]["seconds"]["total"]
        print(f"| {n:,} | dask/local | time ratio ({args.workers} workers; {filled:,} cached texts) | {ratio:.2f} | |")
    if args.million:
        result = measure("million", args.workers)
        for stage, seconds in result["seconds"].items():
            print(f"| 1,000,000 | local | {stage} | {seconds:.1f} | {result['peak_mb']:.0f} |")
        print(f"peak RSS {result['peak_mb']:.0f} MB with vectors streamed in batches of 50,000 (holding all 1M vectors "
              f"would take {result['vectors_mb_if_held']:.0f} MB more)")


if __name__ == "__main__":
    main()
