"""Simulation: bias and 95% interval coverage of raw vs corrected frame shares (framing.prevalence).

Known truth: four groups (outlets) whose paragraphs carry a frame with true shares 0.05, 0.15, 0.30 and 0.50; each
group has ``--articles`` articles of 1 + Poisson(5) paragraphs, and articles differ (an article's own share is drawn
from a Beta distribution with that mean and concentration 10, so paragraphs of one article are alike). A detector with
known errors (sensitivity, false-positive rate) labels every paragraph. A validation sample of ``--validation`` coded
units (in articles of 3, true share 0.25) is drawn from the same detector. Each draw runs
``frame_shares(..., validation=...)``; we count how often each 95% interval covers the true share.

    python benchmarks/corrected_shares.py --draws 400

prints one table row per detector and true share: mean raw and corrected share, their bias, interval coverage and
mean width, and how many draws gave no corrected value.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from framing.compare import frame_shares

TRUE_SHARES = (0.05, 0.15, 0.30, 0.50)
DETECTORS = {"weak (sens 0.55, fpr 0.12)": (0.55, 0.12), "good (sens 0.80, fpr 0.05)": (0.80, 0.05)}


def _articles(rng, share, n_articles, prefix, concentration=10.0):
    rows = []
    for a in range(n_articles):
        own = rng.beta(share * concentration, (1 - share) * concentration)
        for p in range(1 + rng.poisson(5)):
            rows.append((f"{prefix}{a}", f"{prefix}{a}:{p}", rng.random() < own))
    return rows


def _detect(rng, truth, sensitivity, fpr):
    truth = np.asarray(truth)
    return np.where(truth, rng.random(len(truth)) < sensitivity, rng.random(len(truth)) < fpr)


def one_draw(rng, sensitivity, fpr, n_articles, n_validation, n_boot, seed):
    rows = []
    for g, share in enumerate(TRUE_SHARES):
        for article, para, truth in _articles(rng, share, n_articles, f"g{g}-"):
            rows.append({"outlet": f"true {share:.2f}", "article_id": article, "para_id": para, "truth": truth})
    framed = pd.DataFrame(rows)
    framed["frames"] = [("x",) if d else () for d in _detect(rng, framed["truth"], sensitivity, fpr)]
    coded = pd.DataFrame(_articles(rng, 0.25, n_validation // 3, "v-"), columns=["article_id", "para_id", "truth"])
    coded = coded.iloc[:n_validation]
    coded["labels"] = [("x",) if t else () for t in coded["truth"]]
    coded["frames"] = [("x",) if d else () for d in _detect(rng, coded["truth"], sensitivity, fpr)]
    return frame_shares(framed, by="outlet", frames=["x"], validation=coded, n_boot=n_boot, random_state=seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--draws", type=int, default=400)
    parser.add_argument("--articles", type=int, default=40, help="articles per group")
    parser.add_argument("--validation", type=int, default=300, help="coded units in the validation sample")
    parser.add_argument("--boot", type=int, default=1000, help="bootstrap draws per interval")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    started = time.perf_counter()
    results = []
    for name, (sensitivity, fpr) in DETECTORS.items():
        rng = np.random.default_rng(args.seed)
        for d in range(args.draws):
            table = one_draw(rng, sensitivity, fpr, args.articles, args.validation, args.boot, args.seed + d)
            table["detector"] = name
            results.append(table)
    table = pd.concat(results, ignore_index=True)
    table["truth"] = table["outlet"].str.split().str[1].astype(float)
    table["raw_covers"] = (table["ci_low"] <= table["truth"]) & (table["truth"] <= table["ci_high"])
    table["corrected_covers"] = (table["corrected_low"] <= table["truth"]) & (table["truth"] <= table["corrected_high"])
    summary = table.groupby(["detector", "truth"], sort=False).agg(
        raw_mean=("share", "mean"), corrected_mean=("corrected_share", "mean"),
        raw_coverage=("raw_covers", "mean"), corrected_coverage=("corrected_covers", "mean"),
        raw_width=("ci_high", "mean"), corrected_width=("corrected_high", "mean"),
        no_correction=("corrected_share", lambda v: int(v.isna().sum())))
    summary["raw_width"] -= table.groupby(["detector", "truth"], sort=False)["ci_low"].mean()
    summary["corrected_width"] -= table.groupby(["detector", "truth"], sort=False)["corrected_low"].mean()
    summary.insert(1, "raw_bias", summary["raw_mean"] - summary.index.get_level_values("truth"))
    summary.insert(3, "corrected_bias", summary["corrected_mean"] - summary.index.get_level_values("truth"))
    print(f"{args.draws} draws per detector, {args.articles} articles per group, {args.validation} coded units, "
          f"{args.boot} bootstrap draws, seed {args.seed} ({time.perf_counter() - started:.0f} s)\n")
    print(_markdown(summary.reset_index()))


def _markdown(table: pd.DataFrame) -> str:
    cells = [[f"{v:.3f}" if isinstance(v, float) else str(v) for v in row] for row in table.itertuples(index=False)]
    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in cells])


if __name__ == "__main__":
    main()
