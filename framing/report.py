"""A study's comparison in one call (``framing compare``): framed paragraphs (+ optional labels) -> tables and figures.

``read_framed(path)`` reads a framed table written by ``framing frames`` (JSON lines) or saved by a user (.csv with
frames joined by ``;``, .jsonl, .parquet); ``read_labels(path)`` reads ``para_id, labels`` (or ``article_id, labels``
for a study coded per article) in the same formats;
``write_comparison(framed, by, out, ...)`` writes into ``out``:

- ``shares.csv``: per group and frame, raw share and interval and, with labels, the corrected share, its interval
  (which includes the validation sample's uncertainty) and ``correction_note``;
- ``test.csv``: the permutation test (pooled, and within strata when ``strata`` is given);
- ``divergences.csv``: Jensen–Shannon divergence per pair with interval and chance level (within strata if given);
- ``differences.csv`` (with ``strata``): Mantel–Haenszel differences per pair and frame, within strata;
- ``rates.csv`` (with labels): the detector's sensitivity and false-positive rate per frame on the labelled units;
- ``figures/*.png`` and ``manifest.json`` (inputs' SHA-256, options, seed, outputs' SHA-256).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .atomic import check_writable_folder
from .errors import FramingError
from .multilabel import as_label_set
from .outputs import csv_bytes, digests, png_bytes, publish
from .table_files import read_table

READABLE = (".jsonl", ".csv", ".parquet")
# What write_comparison makes at the top of ``out``: replaced whole on every run, the manifest last.
OUTPUTS = ("shares.csv", "test.csv", "divergences.csv", "differences.csv", "rates.csv", "figures", "manifest.json")


def _read(path: Path, what: str) -> pd.DataFrame:
    path = Path(path)
    if path.suffix.lower() not in READABLE:
        raise FramingError(f"{path}: {what} must be a .jsonl, .csv or .parquet file")
    if not path.is_file():
        raise FramingError(f"{path}: no such file")
    return read_table(path)


def _tuples(values, path: Path, column: str) -> list[tuple[str, ...]]:
    return [as_label_set(value, f"{path}: row {number}: {column}") for number, value in enumerate(values, start=1)]


def read_framed(path: str | Path) -> pd.DataFrame:
    """A framed table from a file: needs ``article_id`` and ``frames`` (a list, or keys joined by ``;``)."""
    path = Path(path)
    table = _read(path, "the framed table")
    missing = [c for c in ("article_id", "frames") if c not in table.columns]
    if missing:
        raise FramingError(f"{path}: lacks column(s) {', '.join(missing)} (make it with `framing frames`)")
    table["frames"] = _tuples(table["frames"], path, "frames")
    table["article_id"] = table["article_id"].astype(str)
    if "scores" in table.columns and isinstance(table["scores"].iloc[0], dict):
        table.attrs["frames"] = list(table["scores"].iloc[0])  # `framing frames` scores every frame of its codebook
    if "para_id" not in table.columns:
        table["para_id"] = table["article_id"] + ":" + table.groupby("article_id").cumcount().astype(str)
    return table


def read_labels(path: str | Path) -> pd.DataFrame:
    """Gold labels from a file, read by ``framing.labels.load_labels`` (the one reader of labels files): ``labels``
    (a list, or frame keys joined by ``;``) per ``para_id``, or per ``article_id`` for a study coded per article. The
    key column is recorded in ``attrs["on"]``."""
    from .labels import load_labels

    table = load_labels(path)
    on = table.attrs["unit"]
    if table[on].duplicated().any():
        raise FramingError(f"{path}: {on} {table[on][table[on].duplicated()].iloc[0]!r} is labelled by several "
                           f"coders; compare needs one label set per unit (adjudicate first)")
    table = table[[on, "labels"]]
    table.attrs["on"] = on
    return table


def labelled_on(framed: pd.DataFrame, labels: pd.DataFrame) -> str:
    """The column that joins ``labels`` to ``framed``: ``para_id``, or ``article_id`` when the labels are per article,
    which needs a framed table with one row per article (from an article-level detector)."""
    on = labels.attrs.get("on", "para_id" if "para_id" in labels.columns else "article_id")
    if on == "article_id" and framed["article_id"].duplicated().any():
        raise FramingError("the labels are per article (article_id), but the framed table has several rows per "
                           "article: frame the corpus with an article-level detector (framing train with these "
                           "labels), or label paragraphs (para_id)")
    return on


def frames_of(framed: pd.DataFrame, labels: pd.DataFrame | None = None) -> list[str]:
    """The frames to compare: the table's own list (``attrs['frames']``) when it carries one; else the default
    codebook's when every frame seen belongs to it; else every frame seen, sorted."""
    if "frames" in framed.attrs:
        return list(framed.attrs["frames"])
    from .codebook import load_codebook

    seen = {f for row in framed["frames"] for f in row}
    if labels is not None:
        seen |= {f for row in labels["labels"] for f in row}
    names = load_codebook().names
    return names if seen <= set(names) else sorted(seen)


def write_comparison(framed: pd.DataFrame, by: str, out: str | Path, *, strata: str | None = None,
                     labels: pd.DataFrame | None = None, frames=None, seed: int = 0, n_boot: int = 2000,
                     inputs: dict | None = None) -> dict:
    """Write the comparison tables and figures of ``framed`` by ``by`` into ``out``; returns the manifest."""
    from . import plots
    from .compare import difference_test, divergences, frame_shares, stratified_differences
    from .prevalence import misclassification_rates, validation_sample

    for column in (by, strata):
        if column is not None and column not in framed.columns:
            raise FramingError(f"the framed table has no column {column!r} (columns: {', '.join(map(str, framed.columns))})")
    names = list(frames) if frames is not None else frames_of(framed, labels)
    validation = validation_sample(framed, labels, on=labelled_on(framed, labels)) if labels is not None else None
    out = check_writable_folder(out)  # before any computing
    tables = {"shares": frame_shares(framed, by=by, frames=names, validation=validation, n_boot=n_boot,
                                     random_state=seed)}
    tests = [difference_test(framed, by=by, frames=names, random_state=seed)]
    if strata is not None:
        tests.append(difference_test(framed, by=by, frames=names, strata=strata, random_state=seed))
        tables["differences"] = stratified_differences(framed, by, strata, frames=names, validation=validation,
                                                       n_boot=n_boot, random_state=seed)
    tables["test"] = pd.concat(tests, ignore_index=True)
    tables["divergences"] = divergences(framed, by=by, frames=names, strata=strata, random_state=seed)
    if validation is not None:
        tables["rates"] = misclassification_rates(validation, frames=names, random_state=seed)
    files = {f"{name}.csv": csv_bytes(table) for name, table in tables.items()}
    corrected = " (corrected for detector errors)" if validation is not None else " (as detected)"
    drawings = {"shares": (lambda: plots.frame_shares(tables["shares"], by=by, unit="paragraphs"),
                           f"Frame shares by {by}{corrected}"),
                "divergences": (lambda: plots.divergence_intervals(tables["divergences"]),
                                f"Jensen–Shannon divergence between {by} groups"
                                + (f" within {strata}" if strata else ""))}
    if strata is not None:
        drawings["differences"] = (lambda: plots.paired_differences(tables["differences"]),
                                   f"Differences between {by} groups within the same {strata}{corrected}")
    from .study.figures import STYLE

    for name, (draw, title) in drawings.items():
        files[f"figures/{name}.png"] = png_bytes(draw, title, STYLE)
    written = digests(files)
    manifest = {"by": by, "strata": strata, "frames": names, "seed": seed, "n_boot": n_boot,
                "corrected": validation is not None,
                "labelled_units": 0 if validation is None else len(validation), "inputs": inputs or {},
                "outputs": written}
    files["manifest.json"] = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8")
    publish(files, out, owned=OUTPUTS)
    return manifest
