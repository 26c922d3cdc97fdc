"""Encoder backends side by side: torch (sentence-transformers) vs onnxruntime fp32 vs onnxruntime int8 (the default),
and each one's arithmetic rate against the machine's measured matrix-multiply peak.

Usage: .venv/bin/python benchmarks/encoders.py [--n 2000] [--rounds 3] [--seed 0] [--data basil|corpus]
       .venv/bin/python benchmarks/encoders.py --per-text      (one worker's CPU time per text length)

Data: ``basil`` (default when the shared copy is there): N distinct BASIL news paragraphs of at least 20 words (real
Fox/NYT/HuffPost text), seeded sample; ``corpus``: N news-like paragraphs (60-150 words) recombined from the sentences
of the English body paragraphs of the project corpus. Every backend encodes each text alone, as the Embedder does
(torch with its default threads, the ONNX ones on one single-threaded worker per CPU), ``--rounds`` times in rotating
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


def basil_paragraphs(n: int, seed: int = 0, min_words: int = 20) -> list[str]:
    """N distinct BASIL paragraphs of at least ``min_words`` words, in a seeded random order."""
    from framing.datasets import shared_datasets_dir

    folder = Path(os.environ.get("FRAMING_BASIL") or (shared_datasets_dir() or Path("missing")) / "basil")
    file = folder / "basil_articles.jsonl"
    if not file.exists():
        sys.exit(f"{file}: BASIL not found (set FRAMING_BASIL, or give --data corpus)")
    texts = set()
    for line in file.read_text(encoding="utf-8").splitlines():
        for paragraph in json.loads(line)["paragraphs"]:
            text = " ".join(paragraph).strip()
            if len(text.split()) >= min_words:
                texts.add(text)
    texts = sorted(texts)
    random.Random(seed).shuffle(texts)
    return texts[:n]


def flops_per_text(tokens: np.ndarray, layers: int = 6, hidden: int = 384, intermediate: int = 1536) -> np.ndarray:
    """Multiply-add work of one BERT encoder pass, counted as 2 operations per multiply-add: per layer and token the
    Q, K, V and output projections (4 H^2), the feed-forward pair (2 H I) and attention scores and mixing (2 L H)."""
    return 2.0 * layers * tokens * (4 * hidden**2 + 2 * hidden * intermediate + 2 * tokens * hidden)


def gemm_peak(threads: int, rounds: int = 5, clock=time.perf_counter) -> dict:
    """Best GEMM rate (operations/s) of this machine: fp32 with torch (``threads`` intra-op threads, as the torch
    encoder runs) and fp32 and int8 (u8 x s8 -> s32) with onnxruntime, ``threads`` single-threaded sessions at once
    (as the ONNX encoders run), over the shapes of the model's layers (128 tokens) and a large square. ``clock``:
    wall time by default; ``time.process_time`` for one thread, so that other processes' load counts less."""
    import onnxruntime as ort
    import torch
    from concurrent.futures import ThreadPoolExecutor
    from onnx import TensorProto, helper

    def best(run) -> float:
        run()
        times = []
        for _ in range(rounds):
            start = clock()
            run()
            times.append(clock() - start)
        return min(times)

    shapes = [(128, 384, 1536), (128, 1536, 384), (128, 384, 384), (1024, 1024, 1024)]
    torch.set_num_threads(threads)
    result = {"torch-fp32": 0.0, "onnx-fp32": 0.0, "onnx-int8": 0.0}
    for m, k, n in shapes:
        a, b = torch.randn(m, k), torch.randn(k, n)
        repeat = max(1, int(2e9 // (2 * m * k * n)))
        seconds = best(lambda: [a @ b for _ in range(repeat)])
        result["torch-fp32"] = max(result["torch-fp32"], 2 * m * k * n * repeat / seconds)
        for kind in ("onnx-fp32", "onnx-int8"):
            integer = kind == "onnx-int8"
            a_type, b_type = (TensorProto.UINT8, TensorProto.INT8) if integer else (TensorProto.FLOAT,) * 2
            graph = helper.make_graph(
                [helper.make_node("MatMulInteger" if integer else "MatMul", ["A", "B"], ["Y"])], "gemm",
                [helper.make_tensor_value_info("A", a_type, [m, k])],
                [helper.make_tensor_value_info("Y", TensorProto.INT32 if integer else TensorProto.FLOAT, [m, n])],
                [helper.make_tensor("B", b_type, [k, n], (np.random.randint(-127, 127, (k, n)) if integer
                                                          else np.random.randn(k, n)).ravel().tolist())])
            model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
            model.ir_version = 9
            options = ort.SessionOptions()
            options.intra_op_num_threads, options.inter_op_num_threads = 1, 1
            session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
            feed = {"A": np.random.randint(0, 255, (m, k)).astype(np.uint8) if integer
                    else np.random.randn(m, k).astype(np.float32)}
            with ThreadPoolExecutor(threads) as pool:
                seconds = best(lambda: list(pool.map(lambda _: [session.run(None, feed) for _ in range(repeat)],
                                                     range(threads))))
            result[kind] = max(result[kind], 2 * m * k * n * repeat * threads / seconds)
    return result


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


def per_text(repeats: int = 30) -> None:
    """One worker's compute: CPU time (``time.thread_time``) of one single-threaded onnxruntime call per text length,
    for fp32 and int8, against one core's GEMM peak; and what that makes per worker per hour. Tokenising and Python
    are left out; so is most of the machine's load, since CPU time counts only this thread's running time."""
    from framing.onnx_backend import OnnxEncoder

    peak = gemm_peak(1, clock=time.process_time)  # CPU time, like the texts below
    print(f"one core's GEMM peak (CPU time): fp32 {peak['onnx-fp32'] / 1e9:.0f} G/s, int8 {peak['onnx-int8'] / 1e9:.0f} G/s; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    print("| backend | tokens | ms per text (CPU) | G op/s | % of one core's peak | texts per worker-hour |")
    print("|---|---|---|---|---|---|")
    for quantize in (False, True):
        encoder = OnnxEncoder(quantize=quantize)
        session, _ = encoder._load()
        for length in (16, 32, 64, 128, 256):
            ids = np.full((1, length), 1000, dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
            feed = {k: v for k, v in feed.items() if k in encoder._input_names}
            session.run(None, feed)
            times = []
            for _ in range(repeats):
                start = time.thread_time()
                session.run(None, feed)
                times.append(time.thread_time() - start)
            seconds = float(np.median(times))
            rate = flops_per_text(np.array([length]))[0] / seconds
            top = peak[encoder.backend]
            print(f"| {encoder.backend} | {length} | {seconds * 1e3:.2f} | {rate / 1e9:.0f} | {rate / top:.0%} | "
                  f"{3600 / seconds:,.0f} |")


def make_encoder(backend: str):
    from framing.embed import load_encoder

    return load_encoder(backend=backend)


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
    parser.add_argument("--n", type=int, default=2000, help="paragraphs (default 2000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the three backends (default 3)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", choices=("basil", "corpus"), default="basil")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--peak", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--per-text", action="store_true", help="one worker's CPU time per text length, then stop")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    if args.worker:
        return worker(*args.worker)
    if args.peak:
        return print(json.dumps(gemm_peak(args.peak)))
    if args.per_text:
        return per_text()

    load_start = os.getloadavg()[0]
    texts = basil_paragraphs(args.n, args.seed) if args.data == "basil" else news_paragraphs(args.n, args.seed)
    words = np.array([len(t.split()) for t in texts])
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env = {**os.environ, "FRAMING_CACHE_DIR": str(tmp / "cache")}
        os.environ["FRAMING_CACHE_DIR"] = env["FRAMING_CACHE_DIR"]
        start = time.perf_counter()
        for quantize in (False, True):  # one-time export (fp32, then int8), not part of the rounds
            from framing.onnx_backend import OnnxEncoder, available_cpus

            encoder = OnnxEncoder(quantize=quantize)
            encoder.encode(["warm-up"])
        export = time.perf_counter() - start
        tokens = np.array([len(encoder._tokenizer.encode(t).ids) for t in texts])  # special tokens in, truncated
        del encoder
        cpus = available_cpus()
        print(f"{len(texts)} {args.data} paragraphs, {words.min()}-{words.max()} words (mean {words.mean():.0f}), "
              f"{tokens.mean():.0f} tokens on average ({(tokens >= 256).sum()} at the 256 limit); {cpus} CPUs; "
              f"ONNX export + int8 quantisation (once per machine): {export:.1f} s", flush=True)
        peak = json.loads(subprocess.run([sys.executable, __file__, "--peak", str(cpus)], env=env, check=True,
                                         capture_output=True, text=True).stdout.strip().splitlines()[-1])
        print("GEMM peak, " + ", ".join(f"{k} {v / 1e9:.0f} G/s" for k, v in peak.items()), flush=True)
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
                      f"(load {result['load']:.1f} s, peak RSS +{result['rss_delta_mb']:.0f} MB; "
                      f"load average {os.getloadavg()[0]:.1f})", flush=True)
            for backend in BACKENDS:
                cosines = (vectors[backend] * vectors["torch"]).sum(axis=1)
                runs[backend][-1].update(mean_cos=float(cosines.mean()), min_cos=float(cosines.min()),
                                         speed=len(texts) / runs[backend][-1]["seconds"])
            for backend in BACKENDS:
                runs[backend][-1]["ratio"] = runs[backend][-1]["speed"] / runs["torch"][-1]["speed"]

    work = flops_per_text(tokens).sum()
    print(f"\n{work / len(texts) / 1e9:.2f} G operations per paragraph on average (2 per multiply-add; "
          f"{args.data} data). Peak: best GEMM rate of this machine with the backend's threads (torch: {cpus} "
          f"threads; ONNX: {cpus} single-threaded sessions at once), fp32 for torch and fp32, int8 for int8.\n")
    print("| backend | paragraphs/s, median (rounds) | × torch, median | achieved G op/s | GEMM peak G op/s | "
          "% of peak | peak RSS delta | mean / min cosine to torch |")
    print("|---|---|---|---|---|---|---|---|")
    for backend in BACKENDS:
        rows = runs[backend]
        median = lambda key: float(np.median([row[key] for row in rows]))  # noqa: E731
        speeds = "/".join(f"{row['speed']:.0f}" for row in rows)
        agreement = "—" if backend == "torch" else (f"{np.mean([r['mean_cos'] for r in rows]):.4f} / "
                                                    f"{min(r['min_cos'] for r in rows):.4f}")
        achieved = work / median("seconds")
        top = peak["torch-fp32" if backend == "torch" else backend]
        print(f"| {backend} | {median('speed'):.0f} ({speeds}) | {median('ratio'):.2f} | {achieved / 1e9:.0f} | "
              f"{top / 1e9:.0f} | {achieved / top:.0%} | {median('rss_delta_mb'):.0f} MB | {agreement} |")
    print(f"\nOne subprocess per measurement; peak RSS delta: VmHWM after encoding minus VmRSS after making the "
          f"encoder. Load average (1 min) at start and end: {load_start:.1f} and {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores.")


if __name__ == "__main__":
    main()
