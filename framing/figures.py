"""``framing figures --corpus CORPUS [--codebook CB.yaml] [--detector DETECTOR.npz]``: tables, figures, findings and a
manifest for any corpus and codebook.

Corpus -> paragraphs -> framed table (paragraphs, or articles for an article-level detector) -> shares by group with
intervals, a test of difference, divergences -> ``out/tables/*.csv``, ``out/figures/*.png``, ``out/findings.txt``
(sentences computed from the tables) and ``out/manifest.json`` (versions, model, detector, corpus hash, seed, SHA-256
of every output), written so that an interrupted run leaves ``out`` as it was (``framing.outputs.publish``). The event
corpus's own case study is ``framing.study.figures`` (``framing figures`` without ``--corpus``).
"""

from __future__ import annotations

import hashlib
import json
import platform
import warnings
from pathlib import Path

import pandas as pd

from . import __version__, plots
from .atomic import check_writable_folder
from .embed import default_embedder
from .errors import FramingError, FramingWarning
from .framed import codebook_of, frames_of
from .outputs import csv_bytes, digests, png_bytes, publish

STYLE = {"figure.dpi": 100, "savefig.dpi": 150, "font.family": "DejaVu Sans", "font.size": 9, "axes.titlesize": 10}


def choose_detector(codebook=None, detector=None, embedder=None):
    """A saved detector (path or shipped name), else the zero-shot detector of ``codebook``, else the default.

    A codebook without labels gives an uncalibrated zero-shot detector, with a warning saying so.
    """
    from .codebook import load_codebook
    from .detector_files import load_detector

    if detector is not None:
        loaded = load_detector(detector, embedder=embedder)
        if codebook is not None:
            names = load_codebook(codebook).names
            if names != loaded.frames_:
                raise FramingError(f"the detector's frames ({', '.join(loaded.frames_)}) are not those of codebook "
                                   f"{codebook} ({', '.join(names)}): give the detector trained on that codebook")
        return loaded
    if codebook is not None:
        from .detectors import CodebookDetector

        warnings.warn(f"no --detector: frames of {codebook} are detected zero-shot with the uncalibrated threshold; "
                      f"train one on your labels (framing train) for trustworthy shares", FramingWarning, stacklevel=2)
        return CodebookDetector(codebook=load_codebook(codebook), embedder=embedder).fit()
    return load_detector(embedder=embedder)


def comparison(framed: pd.DataFrame, by: str, *, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Shares with intervals, the difference test (when two groups have frames) and divergences, by ``by``."""
    from .compare import difference_test, divergences, frame_shares

    tables = {"shares": frame_shares(framed, by=by, random_state=seed)}
    try:
        tables["difference_test"] = difference_test(framed, by=by, random_state=seed)
    except FramingError as error:  # e.g. one group only: say so in the findings, do not invent a test
        tables["difference_test"] = pd.DataFrame([{"grouping": by, "note": str(error)}])
    tables["divergences"] = divergences(framed, by=by)
    return tables


def findings(framed: pd.DataFrame, tables: dict[str, pd.DataFrame], by: str, unit: str) -> list[str]:
    """The main results as sentences, each with its uncertainty, computed from the tables."""
    frames = frames_of(framed)
    groups = sorted(framed[by].astype(str).unique())
    lines = [f"{framed['article_id'].nunique()} articles in {len(groups)} groups of {by} ({', '.join(groups)}); "
             f"{len(framed)} {unit} framed with codebook {codebook_of(framed) or 'unnamed'} "
             f"({len(frames)} frames: {', '.join(frames)})."]
    test = tables["difference_test"].iloc[0]
    if "chi2" in test and pd.notna(test.get("chi2")):
        lines.append(f"Frame mixes differ between groups of {by}: chi-square {test['chi2']:.1f} on {int(test['dof'])} "
                     f"degrees of freedom, permutation p = {test['p_permutation']:.4f} ({int(test['permutations'])} "
                     f"article permutations), Cramér's V = {test['cramers_v']:.2f}.")
    else:
        lines.append(f"No test of difference: {test.get('note', 'too few groups')}")
    shares = tables["shares"]
    for frame in frames:
        ranked = shares[shares["frame"] == frame].sort_values("share", ascending=False)
        if ranked["share"].max() == 0:
            lines.append(f"{frame}: detected in no {unit[:-1] if unit.endswith('s') else unit} of any group.")
            continue
        top, low = ranked.iloc[0], ranked.iloc[-1]
        lines.append(f"{frame}: highest in {top[by]} {top['share']:.0%} (95% interval {top['ci_low']:.0%}–"
                     f"{top['ci_high']:.0%}, {int(top['articles'])} articles); lowest in {low[by]} {low['share']:.0%} "
                     f"({low['ci_low']:.0%}–{low['ci_high']:.0%}).")
    return lines


def build_study_figures(corpus, *, out: str | Path = "build", codebook=None, detector=None, by: str | None = None,
                        seed: int = 0, embedder=None) -> dict:
    """Frame a corpus with your detector (or codebook) and write tables, figures, findings and a manifest."""
    from .corpus import load_corpus
    from .segment import segment

    paths = [corpus] if isinstance(corpus, (str, Path)) else list(corpus)
    out = check_writable_folder(out)  # before any computing
    articles = load_corpus(paths, require_metadata=False)
    paragraphs = segment(articles)
    chosen = choose_detector(codebook, detector, embedder)
    framed = chosen.frame_table(paragraphs)
    unit = "articles" if getattr(chosen, "level", "paragraph") == "article" else "body paragraphs"
    if by is None:
        by = "outlet_kind" if framed["outlet_kind"].notna().all() else "outlet"
    if by not in framed.columns:
        raise FramingError(f"--by {by}: no such column (columns: {', '.join(map(str, framed.columns))})")
    tables = comparison(framed, by, seed=seed)
    keep = [c for c in ("article_id", "para_id", "outlet", "outlet_kind", by, "kind", "frames") if c in framed.columns]
    tables["framed"] = framed[list(dict.fromkeys(keep))]
    files = {f"tables/{name}.csv": csv_bytes(table) for name, table in tables.items()}
    drawings = {"frame_shares": (lambda: plots.frame_shares(tables["shares"], by=by, unit=unit),
                                 f"Frame shares by {by}")}
    if len(tables["divergences"]) > 1:
        drawings["divergences"] = (lambda: plots.divergence_heatmap(tables["divergences"]),
                                   f"How different are the frame mixes of each {by}? (Jensen–Shannon)")
    for name, (draw, title) in drawings.items():
        files[f"figures/{name}.png"] = png_bytes(draw, title, STYLE)
    files["findings.txt"] = ("\n".join(findings(framed, tables, by, unit)) + "\n").encode("utf-8")
    written = digests(files)
    encoder = (chosen.embedder or default_embedder()).encoder
    manifest = {"framing": __version__, "python": platform.python_version(),
                "model": {"name": encoder.name, "revision": encoder.revision},
                "detector": {"kind": type(chosen).__name__, "source": str(detector or codebook or "default"),
                             "codebook": codebook_of(framed), "frames": frames_of(framed), "unit": unit},
                "corpus": {"paths": [str(p) for p in paths], "articles": len(articles), "paragraphs": len(paragraphs),
                           "sha256": _corpus_hash(articles)},
                "grouping": by, "seed": seed, "outputs": written}
    files["manifest.json"] = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8")
    publish(files, out)
    return manifest


def _corpus_hash(articles: pd.DataFrame) -> str:
    digest = hashlib.sha256()
    for article_id, text in zip(articles["article_id"], articles["text"]):
        digest.update(f"{article_id}\0{text}\0".encode())
    return digest.hexdigest()
