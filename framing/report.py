"""A study's comparison in one call (``framing compare``): framed paragraphs (+ optional labels) -> tables and figures.

``read_framed(path)`` reads a framed table written by ``framing frames`` (JSON lines) or saved by a user (.csv with
frames joined by ``;``, .jsonl, .parquet); ``read_labels(path)`` reads ``para_id, labels`` in the same formats;
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

import hashlib
import json
from pathlib import Path

import pandas as pd

from .errors import FramingError

READABLE = (".jsonl", ".csv", ".parquet")


def _read(path: Path, what: str) -> pd.DataFrame:
    path = Path(path)
    if path.suffix.lower() not in READABLE:
        raise FramingError(f"{path}: {what} must be a .jsonl, .csv or .parquet file")
    if not path.is_file():
        raise FramingError(f"{path}: no such file")
    try:
        if path.suffix.lower() == ".jsonl":
            return pd.read_json(path, lines=True, dtype=False)
        if path.suffix.lower() == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False)
        return pd.read_parquet(path)
    except ValueError as error:
        raise FramingError(f"{path}: cannot be read as a table: {str(error).splitlines()[0]}") from None


def _tuples(values, path: Path, column: str) -> list[tuple[str, ...]]:
    out = []
    for number, value in enumerate(values, start=1):
        if isinstance(value, str):
            out.append(tuple(v.strip() for v in value.split(";") if v.strip()))
        elif isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
            out.append(tuple(str(v) for v in (value.tolist() if hasattr(value, "tolist") else value)))
        else:
            raise FramingError(f"{path}: row {number}: {column} {value!r} is neither a list nor frame keys joined by "
                               f"';'")
    return out


def read_framed(path: str | Path) -> pd.DataFrame:
    """A framed table from a file: needs ``article_id`` and ``frames`` (a list, or keys joined by ``;``)."""
    path = Path(path)
    table = _read(path, "the framed table")
    missing = [c for c in ("article_id", "frames") if c not in table.columns]
    if missing:
        raise FramingError(f"{path}: lacks column(s) {', '.join(missing)} (make it with `framing frames`)")
    table["frames"] = _tuples(table["frames"], path, "frames")
    table["article_id"] = table["article_id"].astype(str)
    if "para_id" not in table.columns:
        table["para_id"] = table["article_id"] + ":" + table.groupby("article_id").cumcount().astype(str)
    return table


def read_labels(path: str | Path) -> pd.DataFrame:
    """Gold labels from a file: ``para_id`` and ``labels`` (a list, or frame keys joined by ``;``)."""
    path = Path(path)
    table = _read(path, "the labels table")
    missing = [c for c in ("para_id", "labels") if c not in table.columns]
    if missing:
        raise FramingError(f"{path}: lacks column(s) {', '.join(missing)}; a labels table has para_id and labels")
    table["labels"] = _tuples(table["labels"], path, "labels")
    table["para_id"] = table["para_id"].astype(str)
    return table[["para_id", "labels"]]


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
    import matplotlib

    from . import plots
    from .compare import difference_test, divergences, frame_shares, stratified_differences
    from .prevalence import misclassification_rates, validation_sample

    for column in (by, strata):
        if column is not None and column not in framed.columns:
            raise FramingError(f"the framed table has no column {column!r} (columns: {', '.join(map(str, framed.columns))})")
    names = list(frames) if frames is not None else frames_of(framed, labels)
    validation = validation_sample(framed, labels) if labels is not None else None
    out = Path(out)
    (out / "figures").mkdir(parents=True, exist_ok=True)
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
    written = {f"{name}.csv": _write_csv(table, out / f"{name}.csv") for name, table in tables.items()}
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

    with matplotlib.rc_context({**STYLE, "backend": "Agg"}):
        import matplotlib.pyplot as plt

        for name, (draw, title) in drawings.items():
            drawn = draw()
            figure = drawn if isinstance(drawn, plt.Figure) else drawn.figure
            if not isinstance(drawn, plt.Figure):
                drawn.set_title(title, loc="left")
            figure.savefig(out / "figures" / f"{name}.png", metadata={"Software": None}, bbox_inches="tight")
            plt.close(figure)
            written[f"figures/{name}.png"] = _sha256(out / "figures" / f"{name}.png")
    manifest = {"by": by, "strata": strata, "frames": names, "seed": seed, "n_boot": n_boot,
                "corrected": validation is not None,
                "labelled_units": 0 if validation is None else len(validation), "inputs": inputs or {},
                "outputs": written}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_csv(table: pd.DataFrame, path: Path) -> str:
    table = table.copy()
    for column in table.columns:
        if table[column].map(lambda v: isinstance(v, tuple)).any():
            table[column] = table[column].map(lambda v: ";".join(map(str, v)) if isinstance(v, tuple) else v)
    table.to_csv(path, index=False, lineterminator="\n", float_format="%.6g")
    return _sha256(path)
