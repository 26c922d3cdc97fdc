"""Your own labels, per paragraph or per article, from one or several coders, for any codebook.

Labels file (CSV or JSONL) -> Labels table (``load_labels``): one row per (unit, coder), columns

- ``para_id`` *or* ``article_id``: the unit labelled (``attrs["level"]`` is ``"paragraph"`` or ``"article"``);
- ``labels``: tuple of frame keys in codebook order; an empty tuple means "coded: no frame applies";
- ``coder``: who coded it (``"1"`` when the file has no ``coder`` column);
- any other column of the file (e.g. ``text_sha256``, ``seconds``) is kept.

A unit that is not in the file is simply not labelled: labelling a subset is the normal case. ``attach_labels`` puts
labels on a paragraphs (or articles) table and marks which rows are ``labelled``; ``agreement_by_frame`` gives
Krippendorff's alpha per frame for any number of coders; the table gets ``labels`` (tuple, or None where not labelled)
and ``labelled`` (bool):

>>> labels = load_labels("my_labels.csv", codebook)            # doctest: +SKIP
>>> table = attach_labels(paragraphs, labels)                  # doctest: +SKIP
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from .codebook import Codebook
from .errors import FramingError
from .multilabel import indicator_table

UNIT_COLUMNS = {"para_id": "paragraph", "article_id": "article"}
DEFAULT_CODER = "1"
LABEL_FILE_SUFFIXES = (".csv", ".jsonl", ".parquet")


def load_labels(source: str | Path | pd.DataFrame, codebook: Codebook | None = None) -> pd.DataFrame:
    """Read a labels file (``.csv`` with ``labels`` as ``"a;b"``, ``.jsonl`` or ``.parquet`` with a list or ``"a;b"``)
    or table.

    With a ``codebook``, every label must be one of its frames (the error names the row and how to fix it) and
    labels are put in codebook order. A unit coded twice by the same coder is an error.
    """
    table, where = _read(source)
    unit = _unit_column(table, where)
    if "labels" not in table.columns:
        raise FramingError(f"{where}: no 'labels' column (columns: {', '.join(map(str, table.columns))}); a labels "
                           f"file has {unit} and labels (frame keys joined by ';'), optionally coder")
    table = table.copy()
    table[unit] = table[unit].astype(str).str.strip()
    if (table[unit] == "").any():
        row = int(np.flatnonzero(table[unit] == "")[0]) + 1
        raise FramingError(f"{where} row {row}: empty {unit}")
    if "coder" not in table.columns:
        table["coder"] = DEFAULT_CODER
    table["coder"] = table["coder"].map(lambda c: DEFAULT_CODER if _blank(c) else str(c).strip())
    table["labels"] = [_parse(value, codebook, f"{where} row {i + 1} ({unit} {uid!r})")
                       for i, (uid, value) in enumerate(zip(table[unit], table["labels"]))]
    twice = table.duplicated([unit, "coder"], keep="first")
    if twice.any():
        row = int(np.flatnonzero(twice)[0])
        raise FramingError(f"{where} row {row + 1}: {unit} {table[unit].iat[row]!r} is labelled twice by coder "
                           f"{table['coder'].iat[row]!r}; keep one row per {unit} and coder")
    ordered = [unit, "labels", "coder", *(c for c in table.columns if c not in (unit, "labels", "coder"))]
    table = table[ordered].reset_index(drop=True)
    table.attrs.update(level=UNIT_COLUMNS[unit], unit=unit, source=where)
    if codebook is not None:
        table.attrs.update(frames=codebook.names, codebook=codebook.name)
    return table


def _read(source) -> tuple[pd.DataFrame, str]:
    if isinstance(source, pd.DataFrame):
        return source, "labels table"
    from .table_files import read_table

    path = Path(source)
    if not path.is_file():
        raise FramingError(f"{path}: no such labels file")
    if path.suffix.lower() not in LABEL_FILE_SUFFIXES:
        raise FramingError(f"{path}: labels are read from {' or '.join(LABEL_FILE_SUFFIXES)} files, not "
                           f"{path.suffix!r}")
    return read_table(path), str(path)


def _unit_column(table: pd.DataFrame, where: str) -> str:
    present = [c for c in UNIT_COLUMNS if c in table.columns]
    if not present:
        raise FramingError(f"{where}: needs a para_id column (paragraph labels) or an article_id column (article "
                           f"labels); columns: {', '.join(map(str, table.columns))}")
    if len(present) == 2:  # both: paragraph labels that also name their article
        return "para_id"
    return present[0]


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or (isinstance(value, str)
                                                                               and not value.strip())


def _parse(value, codebook: Codebook | None, where: str) -> tuple[str, ...]:
    if _blank(value):
        labels = []
    elif isinstance(value, str):
        text = value.strip()
        if text.startswith("["):  # a JSON list written into a CSV cell
            try:
                value = json.loads(text)
            except json.JSONDecodeError:
                raise FramingError(f"{where}: labels {text!r} is not a JSON list nor 'a;b'") from None
            labels = [str(v).strip() for v in value]
        else:
            labels = [part.strip() for part in text.split(";") if part.strip()]
    elif isinstance(value, (list, tuple, np.ndarray)):
        labels = [str(v).strip() for v in value]
    else:
        raise FramingError(f"{where}: labels must be frame keys joined by ';' or a list, not {value!r}")
    if len(set(labels)) != len(labels):
        raise FramingError(f"{where}: a frame is repeated in {';'.join(labels)!r}")
    if codebook is None:
        return tuple(labels)
    unknown = [label for label in labels if label not in codebook]
    if unknown:
        raise FramingError(f"{where}: label(s) {', '.join(map(repr, unknown))} not in codebook {codebook.name!r} "
                           f"(frames: {', '.join(codebook.names)}); correct the label or add the frame to the "
                           f"codebook")
    if codebook.fallback in labels and len(labels) > 1:
        raise FramingError(f"{where}: {codebook.fallback!r} is the codebook's fallback and applies only when no "
                           f"other frame does; remove it or the other labels")
    return tuple(name for name in codebook.names if name in labels)


def consensus(labels: pd.DataFrame, *, rule: str = "majority") -> pd.DataFrame:
    """One label set per unit from several coders: ``"majority"`` (a frame coded by more than half of the unit's
    coders; with two coders, both), ``"union"``, ``"intersection"``, or a coder's name (that coder's labels only).

    Columns: the unit column, ``labels``, ``coders`` (how many coded the unit).
    """
    unit = _unit_of(labels)
    if rule not in ("majority", "union", "intersection"):
        if rule not in set(labels["coder"]):
            raise FramingError(f"consensus rule {rule!r} is neither majority, union, intersection nor a coder "
                               f"(coders: {', '.join(sorted(set(labels['coder'])))})")
        mine = labels[labels["coder"] == rule]
        result = mine[[unit, "labels"]].assign(coders=1).reset_index(drop=True)
        result.attrs.update(labels.attrs)
        return result
    rows = []
    for uid, group in labels.groupby(unit, sort=False):
        sets = [set(s) for s in group["labels"]]
        order = list(dict.fromkeys(f for s in group["labels"] for f in s))
        if rule == "union":
            chosen = set().union(*sets)
        elif rule == "intersection":
            chosen = set.intersection(*sets)
        else:
            chosen = {f for f in order if sum(f in s for s in sets) * 2 > len(sets)}
        frames = labels.attrs.get("frames")
        ordered = [f for f in (frames or order) if f in chosen]
        rows.append({unit: uid, "labels": tuple(ordered), "coders": len(sets)})
    result = pd.DataFrame(rows, columns=[unit, "labels", "coders"])
    result.attrs.update(labels.attrs)
    return result


def _unit_of(labels: pd.DataFrame) -> str:
    unit = labels.attrs.get("unit") or next((c for c in UNIT_COLUMNS if c in labels.columns), None)
    if unit is None or "labels" not in labels.columns:
        raise FramingError("not a labels table: expected para_id or article_id, and labels; read it with "
                           "framing.labels.load_labels")
    return unit


def attach_labels(table: pd.DataFrame, labels: pd.DataFrame, *, rule: str = "majority",
                  check_text: bool = True) -> pd.DataFrame:
    """Paragraphs (or articles) + ``labels`` (tuple of frame keys, or None where not labelled) and ``labelled``.

    Labels of several coders are combined first (``consensus(rule=...)``). A label for a unit that is not in the
    table is an error (e.g. segmentation changed since labelling), as is a ``text_sha256`` that does not match.
    """
    unit = _unit_of(labels)
    if unit not in table.columns:
        what = "paragraphs table (from framing.segment)" if unit == "para_id" else "table with article_id"
        raise FramingError(f"labels are per {UNIT_COLUMNS[unit]} ({unit}); attach them to a {what}")
    if unit == "article_id" and table["article_id"].duplicated().any():
        raise FramingError("article labels go on a table with one row per article (the articles table, or "
                           "framing.training.article_table(paragraphs)), not on paragraphs")
    combined = consensus(labels, rule=rule) if labels["coder"].nunique() > 1 else labels
    unknown = sorted(set(combined[unit]) - set(table[unit]))
    if unknown:
        raise FramingError(f"{len(unknown)} labelled {UNIT_COLUMNS[unit]}(s) not in the table, e.g. {unknown[0]!r}: "
                           f"label the same corpus (and segmentation) you attach them to")
    if check_text and "text_sha256" in labels.columns and "text" in table.columns:
        from .realtext import text_hash

        texts = table.set_index(unit)["text"]
        for uid, digest in zip(labels[unit], labels["text_sha256"]):
            if isinstance(digest, str) and digest and text_hash(texts.loc[uid]) != digest:
                raise FramingError(f"labels of {uid!r} were made for a different text (text_sha256 differs): the "
                                   f"corpus or its segmentation changed since labelling")
    mapping = dict(zip(combined[unit], combined["labels"]))
    result = table.copy()
    result["labels"] = [mapping.get(uid) for uid in result[unit]]
    result["labelled"] = result[unit].isin(mapping.keys())
    for key in ("frames", "codebook"):
        if key in labels.attrs and key not in result.attrs:
            result.attrs[key] = labels.attrs[key]
    return result


def label_matrix(labels, names: list[str]) -> pd.DataFrame:
    """One 0/1 column per frame, one row per entry of ``labels`` (tuples of frame keys): ``multilabel.indicator_table``."""
    labels = labels if isinstance(labels, pd.Series) else pd.Series(list(labels), dtype=object)
    return indicator_table(labels, names).astype("int64")


def label_counts(labels: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Per frame: units labelled with it (``positives``), units labelled at all (``labelled``)."""
    matrix = label_matrix(labels["labels"], names)
    return pd.DataFrame({"frame": names, "positives": matrix.sum().to_numpy(), "labelled": len(labels)})


def krippendorff_alpha(values: np.ndarray) -> float:
    """Krippendorff's alpha for nominal data; ``values`` is coders × units with NaN where a coder gave no value.

    Units with fewer than two values are not pairable and are left out. Returns NaN when there is no variation.
    >>> round(krippendorff_alpha(np.array([[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]])), 3)
    0.095
    """
    values = np.asarray(values, dtype=float)
    categories = np.unique(values[~np.isnan(values)])
    index = {c: i for i, c in enumerate(categories)}
    coincidence = np.zeros((len(categories), len(categories)))
    for unit in values.T:
        present = unit[~np.isnan(unit)]
        if len(present) < 2:
            continue
        counts = np.zeros(len(categories))
        for value in present:
            counts[index[value]] += 1
        coincidence += (np.outer(counts, counts) - np.diag(counts)) / (len(present) - 1)
    totals = coincidence.sum(axis=1)
    n = totals.sum()
    expected = (np.outer(totals, totals).sum() - (totals ** 2).sum())
    if n <= 1 or expected == 0:
        return float("nan")
    observed = coincidence.sum() - np.trace(coincidence)
    return float(1 - (n - 1) * observed / expected)


def agreement_by_frame(labels: pd.DataFrame, frames: list[str] | Codebook | None = None) -> pd.DataFrame:
    """Agreement of all coders, per frame, on the units coded by at least two of them.

    Each frame is a yes/no decision per unit; ``alpha`` is Krippendorff's (nominal) over coders × units with the
    units a coder did not code missing; ``percent_agreement`` is the share of coder pairs on a unit that agree.
    Columns: ``frame``, ``alpha``, ``percent_agreement``, ``units`` (coded by ≥ 2), ``coders``, ``yes`` (yes votes);
    the last row, ``overall``, pools every (unit, frame) decision.
    """
    unit = _unit_of(labels)
    names = frames.names if isinstance(frames, Codebook) else list(frames or labels.attrs.get("frames") or [])
    if not names:
        names = list(dict.fromkeys(f for row in labels["labels"] for f in row))
    coders = sorted(set(labels["coder"]))
    if len(coders) < 2:
        raise FramingError(f"agreement needs at least two coders; the labels have one ({coders[0]!r}): give the "
                           f"second coder's rows a different 'coder' value")
    shared = labels.groupby(unit)["coder"].nunique()
    units = list(shared.index[shared >= 2])
    if not units:
        raise FramingError("no unit was coded by two coders; agreement needs overlap")
    position = {u: i for i, u in enumerate(units)}
    cube = np.full((len(names), len(coders), len(units)), np.nan)  # frame × coder × unit
    for row in labels[labels[unit].isin(position)].itertuples(index=False):
        uid, coder, chosen = getattr(row, unit), row.coder, row.labels
        cube[:, coders.index(coder), position[uid]] = [float(name in chosen) for name in names]
    rows = [_agreement_row(name, cube[j], len(units), len(coders)) for j, name in enumerate(names)]
    pooled = np.concatenate([cube[j] for j in range(len(names))], axis=1)
    rows.append(_agreement_row("overall", pooled, len(units) * len(names), len(coders)))
    return pd.DataFrame(rows)


def _agreement_row(name: str, values: np.ndarray, units: int, coders: int) -> dict:
    agree = pairs = 0
    for unit in values.T:
        present = unit[~np.isnan(unit)]
        yes = present.sum()
        n = len(present)
        pairs += n * (n - 1) / 2
        agree += yes * (yes - 1) / 2 + (n - yes) * (n - yes - 1) / 2
    return {"frame": name, "alpha": krippendorff_alpha(values), "percent_agreement": agree / pairs if pairs else np.nan,
            "units": units, "coders": coders, "yes": int(np.nansum(values))}


def write_labels(labels: pd.DataFrame, path: str | Path) -> Path:
    """Write a labels table as CSV (``labels`` joined by ';') atomically (``framing.atomic``): a killed process
    leaves the old file or the new one, never half of one."""
    from .atomic import atomic_path

    table = labels.copy()
    table["labels"] = table["labels"].map(lambda row: ";".join(row))
    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=False, lineterminator="\n")
    return Path(path)
