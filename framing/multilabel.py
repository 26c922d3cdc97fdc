"""Label sets and their 0/1 indicator matrices: the one place that converts between them.

A label set is a tuple of frame keys, e.g. ``("accusation", "whataboutism")``; in files it is written ``"a;b"``.
An indicator matrix has one row per example and one 0/1 column per frame, in the order of ``names``.

>>> label_indicator([("denial",), "accusation; denial", []], ["accusation", "denial"]).tolist()
[[0, 1], [1, 1], [0, 0]]
>>> label_sets([[0, 1], [1, 1]], ["accusation", "denial"])
[('denial',), ('accusation', 'denial')]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import FramingError

SEPARATOR = ";"


def parse_label_string(value: str) -> tuple[str, ...]:
    """``"a;b"`` -> ``("a", "b")``: split on ``;``, blanks stripped, empty parts dropped (``""`` -> ``()``).

    >>> parse_label_string(" accusation ;denial; ")
    ('accusation', 'denial')
    """
    return tuple(part.strip() for part in value.split(SEPARATOR) if part.strip())


def as_label_set(value: object, where: str = "labels") -> tuple[str, ...]:
    """One cell of a labels or frames column -> a tuple of keys.

    Accepts a tuple, list, set or 1-D array of keys (as from JSON Lines or Parquet), a ``"a;b"`` string (as from CSV)
    and an empty cell (None, NaN -> ``()``). Anything else is a ``FramingError`` naming ``where``.
    """
    if isinstance(value, str):
        return parse_label_string(value)
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ()
    if isinstance(value, (tuple, list, set, frozenset, np.ndarray, pd.Series)):
        items = list(value)
        if not all(isinstance(item, str) for item in items):
            raise FramingError(f"{where}: labels must be frame keys (text), not {items!r}")
        return tuple(sorted(items)) if isinstance(value, (set, frozenset)) else tuple(items)
    raise FramingError(f"{where}: labels must be a list of frame keys or a ';'-separated string, not {value!r}")


def label_indicator(y, names: list[str]) -> np.ndarray:
    """Label sets (tuples or lists of keys, or ``"a;b"`` strings), a 0/1 DataFrame with frame columns, or a 0/1 matrix
    with one column per name -> int8 matrix (examples × ``names``). Unknown keys are an error naming the example."""
    names = list(names)
    if isinstance(y, pd.DataFrame):
        unknown = [c for c in y.columns if c not in names]
        if unknown:
            raise FramingError(f"label column(s) {', '.join(map(str, unknown))} not in the codebook "
                               f"(frames: {', '.join(names)})")
        y = y.reindex(columns=names, fill_value=0).to_numpy()
    if isinstance(y, np.ndarray) and y.ndim == 2 and y.dtype.kind in "biuf":
        if not np.isin(y, (0, 1)).all():
            sample = float(y[~np.isin(y, (0, 1))].flat[0])
            if not np.isfinite(sample):
                raise FramingError(f"a label matrix may hold only 0 and 1; it holds {sample}")
            kind = "values" if sample.is_integer() else "continuous values"
            raise FramingError(f"a label matrix may hold only 0 and 1, not {kind} such as {sample:g}")
        if y.shape[1] != len(names):
            raise FramingError(f"a 0/1 label matrix needs one column per frame of the codebook (its classes: "
                               f"{len(names)}), got {y.shape[1]}")
        if not len(y):
            raise FramingError("empty labels: no examples")
        return y.astype(np.int8)
    if y is None:
        raise FramingError("no labels given (y is None): give one label set per example")
    if isinstance(y, (str, bytes)) or not hasattr(y, "__iter__"):
        raise FramingError(f"labels must be one label set per example, not {type(y).__name__}")
    if isinstance(y, np.ndarray) and y.dtype.kind in "biuf":
        kind = "continuous values" if y.dtype.kind == "f" else "class numbers"
        raise FramingError(f"labels must be label sets (tuples of frame keys), not {kind} such as {y.flat[0]!r}")
    position = {name: j for j, name in enumerate(names)}
    rows = []
    for i, labels in enumerate(y):
        labels = as_label_set(labels, f"labels of example {i}")
        unknown = [label for label in labels if label not in position]
        if unknown:
            raise FramingError(f"labels of example {i}: {', '.join(unknown)} not in the codebook "
                               f"(frames: {', '.join(names)})")
        row = np.zeros(len(names), dtype=np.int8)
        row[[position[label] for label in labels]] = 1
        rows.append(row)
    if not rows:
        raise FramingError("empty labels: no examples")
    return np.vstack(rows)


def indicator_table(labels: pd.Series, names: list[str]) -> pd.DataFrame:
    """``label_indicator`` as a DataFrame: one 0/1 column per frame, with the index of ``labels``."""
    if not len(labels):
        return pd.DataFrame(np.zeros((0, len(names)), dtype=np.int8), columns=list(names), index=labels.index)
    return pd.DataFrame(label_indicator(labels, names), columns=list(names), index=labels.index)


def label_sets(indicator, names: list[str]) -> list[tuple[str, ...]]:
    """0/1 matrix -> one tuple of keys per row, in the order of ``names``."""
    names = list(names)
    return [tuple(name for name, on in zip(names, row) if on) for row in np.asarray(indicator)]


def format_label_set(labels: tuple[str, ...]) -> str:
    """``("a", "b")`` -> ``"a;b"`` (how label sets are written to CSV)."""
    return SEPARATOR.join(labels)
