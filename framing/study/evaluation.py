"""``framing evaluate`` without arguments: the project's own evaluation, real text first.

Writes each table as ``<out>/<name>.csv`` and all of them as ``<out>/evaluation.md``, in this order:

1. **Real text** (RUWA, BASIL and the collected event units, ``framing.realtext``): the detector designs side by side
   under each scheme of ``framing.study.validity``, then, for the shipped design, per-frame scores with bootstrap
   intervals, coded against detected shares per source, the learning curve, and the agreement of the two coding
   passes.
2. **In-corpus (optimistic)**: cross-validation on the event corpus, which is mostly composed text.
3. Other benchmarks: GVFC headline frames, FNC-1 disagreement, clustering.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..detectors import CodebookDetector, FrameClassifier
from ..evaluate import (evaluate_clustering, evaluate_corpus, evaluate_fnc1, evaluate_gvfc, frame_scores,
                        markdown_table)
from . import validity
from .train import DEFAULT_DESIGN

DESIGNS = {
    "embeddings (the design shipped until this evaluation)": lambda: FrameClassifier(random_state=0),
    "embeddings + word n-grams, C=4 (shipped now)": DEFAULT_DESIGN,
    "zero-shot (codebook exemplars, calibrated thresholds)": lambda: CodebookDetector(),
}
SHIPPED = "embeddings + word n-grams, C=4 (shipped now)"


def design_comparison(pool: validity.Pool, *, random_state: int = 0) -> tuple[pd.DataFrame, dict]:
    """Macro and micro F1 of every design under every real-text scheme; also the shipped design's full tables."""
    rows, shipped = [], {}
    real = pool.table[pool.real]
    units = {**real["source"].value_counts().to_dict(), "all real units": len(real),
             "event (collected)": int((real["source"] == "event").sum())}
    for design, make in DESIGNS.items():
        tables = [validity.composed_to_collected(make, pool, random_state=random_state),
                  validity.leave_one_source_out(make, pool, random_state=random_state)]
        fitted, predicted = validity.cross_fitted(make, pool, random_state=random_state)
        tables.append(fitted)
        scores = pd.concat(tables, ignore_index=True)
        if design == SHIPPED:
            shipped = {"scores": scores, "cross_fitted_predictions": predicted}
        for (scheme, test), table in scores.groupby(["scheme", "test"], sort=False):
            by = table.set_index("frame")
            macro_min = next(f for f in by.index if f.startswith("macro_min"))
            rows.append({"design": design, "scheme": scheme, "test": test, "units": units[test],
                         "coded_labels": int(by.loc["micro", "support"]),
                         "macro_f1": by.loc["macro", "f1"], "macro_f1_low": by.loc["macro", "f1_low"],
                         "macro_f1_high": by.loc["macro", "f1_high"],
                         "frames_in_macro": int(by.loc["macro", "support"]),
                         "macro_f1_frequent_frames": by.loc[macro_min, "f1"],
                         "frequent_frames": int(by.loc[macro_min, "support"]), "micro_f1": by.loc["micro", "f1"]})
    return pd.DataFrame(rows), shipped


def shipped_as_is(pool: validity.Pool, *, random_state: int = 0) -> pd.DataFrame:
    """The shipped default detector file, unchanged, on each source's real units (in-sample where it trained on them)."""
    from ..detector_files import load_detector

    detector = load_detector("default")
    held = pool.where(pool.real)
    predicted = detector.predict_indicator(held.texts)
    tables = []
    for source in sorted(set(held.table["source"])):
        mine = (held.table["source"] == source).to_numpy()
        table = frame_scores(held.Y[mine], predicted[mine], pool.names, groups=held.table["group"][mine],
                             random_state=random_state)
        table.insert(0, "test", source)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def agreement_tables(pool: validity.Pool) -> pd.DataFrame:
    """Krippendorff's alpha per frame between the two coding passes of the real units (collected, never composed),
    per source and overall."""
    from ..annotations import krippendorff_alpha
    from ..multilabel import label_indicator
    from ..realtext import load_real_labels

    both = load_real_labels("pass_a").merge(load_real_labels("pass_b"), on="unit_id", suffixes=("_a", "_b"))
    both = both.merge(pool.table.loc[pool.real, ["unit_id", "source"]], on="unit_id")  # real units only
    rows = []
    for source, part in [("all", both), *both.groupby("source")]:
        A, B = (label_indicator(list(part[f"labels_{p}"]), pool.names) for p in ("a", "b"))
        for j, name in enumerate([*pool.names, "overall"]):
            a, b = (A[:, j], B[:, j]) if j < len(pool.names) else (A.ravel(), B.ravel())
            rows.append({"source": source, "frame": name, "units": len(part), "alpha": krippendorff_alpha(
                np.vstack([a, b])), "yes_a": int(a.sum()), "yes_b": int(b.sum())})
    return pd.DataFrame(rows)


def run_evaluation(out: str | Path = "build/evaluation", *, datasets: str | Path | None = None,
                   random_state: int = 0, fnc1: bool = True) -> str:
    """Run every evaluation, write ``<table>.csv`` and ``evaluation.md`` to ``out``, return the Markdown."""
    from ..datasets import shared_datasets_dir
    from ..realtext import available_sources

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    datasets = Path(datasets) if datasets else shared_datasets_dir()
    sources = available_sources(datasets)
    pool = validity.training_pool(sources=sources, datasets=datasets)
    comparison, shipped = design_comparison(pool, random_state=random_state)
    real = {"real_design_comparison": comparison,
            "real_shipped_design_per_frame": shipped["scores"],
            "real_shares_by_source": validity.shares_by_source(pool, shipped["cross_fitted_predictions"]),
            "real_learning_curve": validity.learning_curve(DESIGNS[SHIPPED], pool, random_state=random_state),
            "real_shipped_file_as_is": shipped_as_is(pool, random_state=random_state),
            "real_gold_agreement": agreement_tables(pool)}
    optimistic = evaluate_corpus(random_state)
    other = {"clustering": evaluate_clustering(datasets / "gvfc" if datasets else None, random_state)}
    if datasets is not None:
        other["gvfc"] = evaluate_gvfc(datasets / "gvfc", random_state)
        if fnc1:
            other["fnc1"] = evaluate_fnc1(datasets / "fnc1")
    sections = ["# Real text (report these first)\n",
                f"Sources read here: {', '.join(sources)}"
                + ("" if set(sources) >= {"ruwa", "basil"} else " — RUWA and/or BASIL absent, so the real-text "
                   "tables cover fewer units (put the data sets in shared/datasets or set FRAMING_SHARED_DATASETS)")
                + ". Every score is on real units held out from training; intervals are 95% bootstraps over "
                  "articles.\n"]
    sections += _sections(real, out)
    sections += ["# In-corpus scores (optimistic: the event corpus is mostly composed text)\n"]
    sections += _sections(optimistic, out)
    sections += ["# Other benchmarks\n"]
    sections += _sections(other, out)
    if datasets is None:
        sections.append("GVFC and FNC-1 skipped: no data sets folder (give --datasets or set FRAMING_SHARED_DATASETS)\n")
    report = "\n".join(sections)
    (out / "evaluation.md").write_text(report)
    return report


def _sections(tables: dict[str, pd.DataFrame], out: Path) -> list[str]:
    sections = []
    for name, table in tables.items():
        table.to_csv(out / f"{name}.csv", index=False, float_format="%.4f", lineterminator="\n")
        sections.append(f"## {name}\n\n{markdown_table(table)}\n")
    return sections
