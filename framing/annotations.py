"""The event corpus's frame labels per paragraph: the gold table, the raw coding passes, and agreement between them.

Labels of your own (any codebook, partial, several coders) are read by ``framing.labels``, which this module builds on.

Annotation tables live in ``<corpus>/annotations/`` as CSV files with columns ``para_id``, ``labels`` (frame keys
joined by ``;`` in codebook order) and, in ``gold.csv``, ``text_start`` (the first words of the paragraph, so that a
change in segmentation that shifts ``para_id``s is caught). Loaded, ``labels`` is a tuple of frame keys.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .codebook import Codebook, load_codebook
from .errors import FramingError
from .multilabel import parse_label_string
from .labels import krippendorff_alpha, label_matrix, load_labels  # noqa: F401  (re-exported: the shared helpers)
from .paths import corpus_dir
from .schemas import LABELS, validate
from .table_files import read_table

PASSES = ("gold", "pass_a", "pass_b")
TEXT_START_CHARS = 40


def load_annotations(which: str = "gold", *, corpus: str | Path | None = None,
                     codebook: Codebook | None = None) -> pd.DataFrame:
    """Read one annotation table (``gold``, ``pass_a`` or ``pass_b``) with its labels checked against the codebook.

    >>> gold = load_annotations()                      # doctest: +SKIP
    >>> gold.set_index("para_id").loc[some_id, "labels"]   # doctest: +SKIP
    ('accusation', 'whataboutism')
    """
    if which not in PASSES:
        if Path(which).suffix.lower() in (".csv", ".jsonl"):  # your own labels file
            return load_labels(which, codebook or load_codebook())
        raise FramingError(f"unknown annotation table {which!r}; choose one of {', '.join(PASSES)}, or give the path "
                           f"of your own labels file (.csv or .jsonl; see framing.labels.load_labels)")
    path = Path(corpus or corpus_dir()) / "annotations" / f"{which}.csv"
    if not path.exists():
        raise FramingError(f"{path}: annotation table not found")
    table = read_table(path)
    if not {"para_id", "labels"} <= set(table.columns):
        raise FramingError(f"{path}: needs columns para_id and labels, has {', '.join(table.columns)}")
    duplicated = table["para_id"][table["para_id"].duplicated()]
    if len(duplicated):
        raise FramingError(f"{path}: para_id {duplicated.iloc[0]!r} is labelled more than once")
    codebook = codebook or load_codebook()
    table["labels"] = [_parse_labels(value, codebook, f"{path}: {pid}") for pid, value in
                       zip(table["para_id"], table["labels"])]
    return validate(LABELS, table, f"{path}")


def gold_paragraphs(corpus: str | Path | None = None, *, codebook: Codebook | None = None) -> pd.DataFrame:
    """The corpus's paragraphs with their gold ``labels``: ``attach_gold(segment(load_corpus(corpus)), gold)``, the
    one way the gold is joined to its paragraphs (training, evaluation and the figure build all use it)."""
    from .corpus import load_corpus
    from .segment import segment

    folder = Path(corpus or corpus_dir())
    return attach_gold(segment(load_corpus(folder)), load_annotations(corpus=folder, codebook=codebook))


def _parse_labels(value: str, codebook: Codebook, where: str) -> tuple[str, ...]:
    labels = parse_label_string(value)
    if not labels:
        raise FramingError(f"{where}: no labels")
    unknown = [label for label in labels if label not in codebook]
    if unknown:
        raise FramingError(f"{where}: label(s) {', '.join(unknown)} not in codebook {codebook.name!r}")
    if codebook.fallback in labels and len(labels) > 1:
        raise FramingError(f"{where}: {codebook.fallback!r} applies only when no other label does")
    return tuple(name for name in codebook.names if name in labels)


def attach_gold(paragraphs: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    """Paragraphs + ``labels``; an error names any paragraph without gold, or gold whose text no longer matches."""
    merged = paragraphs.merge(gold, on="para_id", how="left", validate="one_to_one", indicator=True)
    missing = merged.loc[merged["_merge"] == "left_only", "para_id"]
    if len(missing):
        raise FramingError(f"{len(missing)} paragraph(s) have no gold labels, e.g. {missing.iloc[0]!r}; if you "
                           f"labelled a subset, use framing.labels.attach_labels (partial labels)")
    if "text_start" in merged.columns:
        shifted = merged[[not text.startswith(start) for text, start in zip(merged["text"], merged["text_start"])]]
        if len(shifted):
            raise FramingError(f"gold for {shifted['para_id'].iloc[0]!r} was made for a different text "
                               f"({shifted['text_start'].iloc[0]!r}…): segmentation changed since annotation")
    return merged.drop(columns=["_merge", "text_start"], errors="ignore")


def agreement(first: pd.DataFrame, second: pd.DataFrame, codebook: Codebook | None = None) -> pd.DataFrame:
    """Per-frame and overall agreement between two coding passes on the paragraphs both coded.

    Each frame is a yes/no decision per paragraph; ``overall`` pools all (paragraph, frame) decisions. Columns:
    ``frame``, ``alpha`` (Krippendorff, nominal), ``percent_agreement``, ``units``, ``yes_first``, ``yes_second``;
    the last row, ``exact_match``, gives the share of paragraphs whose whole label sets agree.
    """
    codebook = codebook or load_codebook()
    both = first.merge(second, on="para_id", suffixes=("_1", "_2"), validate="one_to_one")
    if both.empty:
        raise FramingError("the two passes share no para_id")
    a, b = label_matrix(both["labels_1"], codebook.names), label_matrix(both["labels_2"], codebook.names)
    rows = []
    for name in codebook.names:
        rows.append(_agreement_row(name, a[name].to_numpy(), b[name].to_numpy()))
    rows.append(_agreement_row("overall", a.to_numpy().ravel(), b.to_numpy().ravel()))
    exact = float(np.mean([x == y for x, y in zip(both["labels_1"], both["labels_2"])]))
    rows.append({"frame": "exact_match", "alpha": np.nan, "percent_agreement": exact, "units": len(both),
                 "yes_first": np.nan, "yes_second": np.nan})
    return pd.DataFrame(rows)


def _agreement_row(name: str, x: np.ndarray, y: np.ndarray) -> dict:
    return {"frame": name, "alpha": krippendorff_alpha(np.vstack([x, y])), "percent_agreement": float(np.mean(x == y)),
            "units": len(x), "yes_first": int(x.sum()), "yes_second": int(y.sum())}
