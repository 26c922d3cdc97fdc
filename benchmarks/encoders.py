"""Encoder backends side by side: torch (sentence-transformers) vs onnxruntime fp32 vs onnxruntime int8.

Usage: .venv/bin/python benchmarks/encoders.py [--n 5000] [--rounds 2] [--seed 0]

Builds N news-like paragraphs (60-150 words, deterministic from ``--seed``) by recombining the sentences of the
English body paragraphs of the project corpus, then encodes them with each backend, ``--rounds`` times in rotating
order (round 1: torch, fp32, int8; round 2: fp32, int8, torch; ...), so that a slow spell of the machine does not
fall on one backend only. Each measurement runs in a fresh subprocess, so that its peak memory is its own: peak RSS
(``VmHWM`` in ``/proc/self/status``, Linux) after encoding minus RSS (``VmRSS``) after ``import framing`` and making
the encoder, that is, the memory of loading the model and its libraries and of encoding. (``resource.getrusage``'s
``ru_maxrss`` is not used: Linux carries it over from the parent process across exec, which hides the delta.)
Encoders are called directly, cold: no Embedder, no embedding cache. Load time (imports + model) is timed apart from
encoding; the one-time ONNX export happens before the rounds, into a temporary cache folder (the user's cache is not
touched).

Prints a Markdown table: paragraphs/s (mean over rounds), ratio to torch (mean of per-round ratios), load
seconds, peak RSS delta, and agreement with the torch vectors of the same round (mean and min cosine).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

BACKENDS = ("torch", "onnx-fp32", "onnx-int8")


def news_paragraphs(n: int, seed: int = 0) -> list[str]:
    """N paragraphs of 60-150 words made of corpus sentences in a seeded random order."""
    from framing import corpus_dir, load_corpus, segment

    paragraphs = segment(load_corpus(corpus_dir()))
    body = paragraphs[(paragraphs["language"] == "en") & (paragraphs["kind"] == "body")]["text"]
    sentences = sorted({s.strip() for text in body for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 4})
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        target, words, parts = rng.randint(60, 150), 0, []
        while words < target:
            sentence = rng.choice(sentences)
            if words + len(sentence.split()) > 150 and words >= 60:
                break
            parts.append(sentence)
            words += len(sentence.split())
        out.append(" ".join(parts))
    return out


def make_encoder(backend: str):
    if backend == "torch":
        from framing.embed import load_encoder

        return load_encoder()
    from framing.onnx_backend import OnnxEncoder

    return OnnxEncoder(quantize=backend == "onnx-int8")


def _memory_mb(field: str) -> float:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process, from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status (this benchmark measures memory on Linux only)")


def worker(backend: str, texts_file: str, vectors_file: str) -> None:
    """One measurement, in its own process; prints a JSON line."""
    texts = json.loads(Path(texts_file).read_text())
    encoder = make_encoder(backend)
    base = _memory_mb("VmRSS")
    start = time.perf_counter()
    encoder.encode(texts[:1])  # imports and model load
    load = time.perf_counter() - start
    start = time.perf_counter()
    vectors = np.asarray(encoder.encode(texts), dtype=np.float32)
    seconds = time.perf_counter() - start
    peak = _memory_mb("VmHWM")
    np.save(vectors_file, vectors)
    print(json.dumps({"backend": backend, "seconds": seconds, "load": load, "rss_delta_mb": peak - base,
                      "peak_mb": peak}))


def run_worker(backend: str, texts_file: Path, vectors_file: Path, env: dict) -> dict:
    result = subprocess.run([sys.executable, __file__, "--worker", backend, str(texts_file), str(vectors_file)],
                            env=env, capture_output=True, text=True, check=False)
    if result.returncode:
        sys.exit(f"{backend} worker failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=5000, help="paragraphs (default 5000)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of the three backends (default 2)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    if args.worker:
        return worker(*args.worker)

    texts = news_paragraphs(args.n, args.seed)
    words = np.array([len(t.split()) for t in texts])
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env = {**os.environ, "FRAMING_CACHE_DIR": str(tmp / "cache")}
        os.environ["FRAMING_CACHE_DIR"] = env["FRAMING_CACHE_DIR"]
        start = time.perf_counter()
        for quantize in (False, True):  # one-time export (fp32, then int8), not part of the rounds
            from framing.onnx_backend import OnnxEncoder

            encoder = OnnxEncoder(quantize=quantize)
            encoder.encode(["warm-up"])
        export = time.perf_counter() - start
        tokens = np.array([sum(e.attention_mask) for e in encoder._tokenizer.encode_batch(texts)])
        del encoder
        print(f"{len(texts)} paragraphs, {words.min()}-{words.max()} words (mean {words.mean():.0f}), "
              f"{tokens.mean():.0f} tokens on average ({(tokens >= 256).sum()} truncated at 256); "
              f"{os.cpu_count()} CPUs; ONNX export + int8 quantisation (once per machine): {export:.1f} s")
        texts_file = tmp / "texts.json"
        texts_file.write_text(json.dumps(texts))
        runs: dict[str, list[dict]] = {b: [] for b in BACKENDS}
        for r in range(args.rounds):
            order = BACKENDS[r % 3:] + BACKENDS[:r % 3]
            vectors = {}
            for backend in order:
                vectors_file = tmp / f"{backend}.npy"
                result = run_worker(backend, texts_file, vectors_file, env)
                vectors[backend] = np.load(vectors_file)
                runs[backend].append(result)
                print(f"round {r + 1}: {backend:9s} {len(texts) / result['seconds']:6.1f} paragraphs/s "
                      f"(load {result['load']:.1f} s, peak RSS +{result['rss_delta_mb']:.0f} MB)", flush=True)
            for backend in BACKENDS:
                cosines = (vectors[backend] * vectors["torch"]).sum(axis=1)
                runs[backend][-1].update(mean_cos=float(cosines.mean()), min_cos=float(cosines.min()),
                                         speed=len(texts) / runs[backend][-1]["seconds"])
            for backend in BACKENDS:
                runs[backend][-1]["ratio"] = runs[backend][-1]["speed"] / runs["torch"][-1]["speed"]

    print("\n| backend | paragraphs/s | × torch | load s | peak RSS delta | peak RSS | mean cosine | min cosine |")
    print("|---|---|---|---|---|---|---|---|")
    for backend in BACKENDS:
        rows = runs[backend]
        mean = lambda key: float(np.mean([row[key] for row in rows]))  # noqa: E731
        speeds = "/".join(f"{row['speed']:.0f}" for row in rows)
        agreement = ("—", "—") if backend == "torch" else (f"{mean('mean_cos'):.4f}",
                                                          f"{min(row['min_cos'] for row in rows):.4f}")
        print(f"| {backend} | {mean('speed'):.0f} ({speeds}) | {mean('ratio'):.2f} | {mean('load'):.1f} | "
              f"{mean('rss_delta_mb'):.0f} MB (max {max(r['rss_delta_mb'] for r in rows):.0f}) | "
              f"{mean('peak_mb'):.0f} MB | "
              f"{agreement[0]} | {agreement[1]} |")
    print("\nparagraphs/s: mean over rounds (each round in brackets); × torch: mean of per-round ratios; peak RSS "
          "delta: VmHWM after encoding minus VmRSS after `import framing` + making the encoder; peak RSS: VmHWM of "
          "the whole process; one subprocess per measurement.")


if __name__ == "__main__":
    main()
