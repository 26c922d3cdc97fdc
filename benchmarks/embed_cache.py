"""Embedding throughput, cold (empty cache) and warm (second run), on this machine.

Usage: .venv/bin/python benchmarks/embed_cache.py [--repeat-corpus N]

Embeds the paragraphs of the project corpus (optionally N variants of each, to make a longer run) with a fresh
cache folder, then again in a new process-level Embedder, and prints paragraphs per second for both and the ratio.
The cold time includes loading the model; the warm time includes reading and verifying the cache.
"""

from __future__ import annotations

import argparse
import tempfile
import time

from framing import Embedder, corpus_dir, load_corpus, segment


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat-corpus", type=int, default=1, help="variants of each paragraph (default 1)")
    args = parser.parse_args()
    paragraphs = segment(load_corpus(corpus_dir()))
    texts = [f"{text} ({i})" if i else text for i in range(args.repeat_corpus) for text in paragraphs["text"]]
    with tempfile.TemporaryDirectory() as cache:
        start = time.perf_counter()
        Embedder(cache_dir=cache, show_progress=False).embed(texts)
        cold = time.perf_counter() - start
        start = time.perf_counter()
        warm_embedder = Embedder(cache_dir=cache, show_progress=False)
        warm_embedder.embed(texts)
        warm = time.perf_counter() - start
    assert warm_embedder.last_stats["computed"] == 0
    print("| run | paragraphs | seconds | paragraphs/s |\n|---|---|---|---|")
    print(f"| cold | {len(texts)} | {cold:.2f} | {len(texts) / cold:.0f} |")
    print(f"| warm | {len(texts)} | {warm:.3f} | {len(texts) / warm:.0f} |")
    print(f"warm/cold time ratio: 1/{cold / warm:.0f}")


if __name__ == "__main__":
    main()
