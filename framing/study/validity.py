"""Real-text validity of the frame detectors: scores measured on real coverage only, never on composed text.

The training pool is every unit with gold labels: the event corpus (``corpus/``: collected and composed paragraphs)
and the real-text units of RUWA and BASIL (``framing.realtext``). Each unit has a ``source`` (event, ruwa, basil), a
``provenance`` (collected or composed) and a ``group`` (its article, or its RUWA row) so that paragraphs of one
article never sit on both sides of a split. Every score here is computed on **real** units held out from training:

- ``composed_to_collected``: trained on the composed event paragraphs (and the codebook exemplars), tested on the
  collected ones — how far text written for the project carries to real pages of the same event;
- ``leave_one_source_out``: trained on two sources, tested on the real units of the third;
- ``cross_fitted``: five folds over the whole pool, grouped by article, scored on the real units: the closest
  estimate of the shipped detector's quality on text like this, and (kept by ``framing.study.train``) the validation
  sample that corrects its shares;
- ``learning_curve``: real-text macro F1 against the number of real units in training.

Pool (DataFrame ``POOL_COLUMNS``, one row per unit, + its 0/1 label matrix) -> score tables (``framing.evaluate``'s
``frame_scores`` columns, plus ``scheme`` and ``test``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold

from ..annotations import gold_paragraphs
from ..codebook import load_codebook
from ..errors import FramingWarning
from ..evaluate import frame_scores
from ..multilabel import label_indicator
from ..realtext import available_sources, load_real_gold

POOL_COLUMNS = ("unit_id", "source", "provenance", "group", "text", "labels")


@dataclass(frozen=True)
class Pool:
    """Labelled units (``table``, columns ``POOL_COLUMNS``) and their 0/1 labels ``Y`` over ``names``."""

    table: pd.DataFrame
    Y: np.ndarray
    names: list[str]

    def where(self, mask) -> Pool:
        mask = np.asarray(mask, dtype=bool)
        return Pool(self.table[mask].reset_index(drop=True), self.Y[mask], self.names)

    @property
    def texts(self) -> list[str]:
        return self.table["text"].tolist()

    @property
    def real(self) -> np.ndarray:
        return (self.table["provenance"] == "collected").to_numpy()


def training_pool(*, sources: tuple[str, ...] | None = None, datasets=None) -> Pool:
    """Every gold-labelled unit: the event corpus and the real-text units of ``sources`` (default: those present)."""
    sources = sources or available_sources(datasets)
    corpus = gold_paragraphs()
    event = pd.DataFrame({"unit_id": "event:" + corpus["para_id"], "source": "event",
                          "provenance": corpus["provenance"].to_numpy(), "group": corpus["article_id"].to_numpy(),
                          "text": corpus["text"].to_numpy(), "labels": corpus["labels"].to_numpy()})
    others = [s for s in sources if s != "event"]
    tables = [event]
    if others:
        real = load_real_gold(sources=tuple(others), datasets=datasets)
        group = real["unit_id"].str.rsplit(":", n=1).str[0]  # basil:<event>:<outlet> (an article), ruwa:<row>
        tables.append(pd.DataFrame({"unit_id": real["unit_id"], "source": real["source"], "provenance": "collected",
                                    "group": group, "text": real["text"], "labels": real["labels"]}))
    table = pd.concat(tables, ignore_index=True)[list(POOL_COLUMNS)]
    names = load_codebook().names
    return Pool(table, label_indicator(list(table["labels"]), names), names)


def _fit_predict(make_detector, train: Pool, test: Pool) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FramingWarning)  # a held-out source may take a frame's few examples
        detector = make_detector().fit(train.texts, list(train.table["labels"]))
    return detector.predict_indicator(test.texts)


def _scored(pool: Pool, predicted: np.ndarray, scheme: str, test: str, random_state: int) -> pd.DataFrame:
    table = frame_scores(pool.Y, predicted, pool.names, groups=pool.table["group"], random_state=random_state)
    table.insert(0, "test", test)
    table.insert(0, "scheme", scheme)
    return table


def composed_to_collected(make_detector, pool: Pool, *, random_state: int = 0) -> pd.DataFrame:
    """Train on the composed event paragraphs, test on the collected event units."""
    event = pool.table["source"] == "event"
    train, test = pool.where(event & ~pool.real), pool.where(event & pool.real)
    return _scored(test, _fit_predict(make_detector, train, test), "composed -> collected", "event (collected)",
                   random_state)


def leave_one_source_out(make_detector, pool: Pool, *, random_state: int = 0) -> pd.DataFrame:
    """For each source: train on the other sources' units (composed ones included), test on its real units."""
    tables = []
    for source in sorted(set(pool.table["source"])):
        mine = (pool.table["source"] == source).to_numpy()
        train, test = pool.where(~mine), pool.where(mine & pool.real)
        tables.append(_scored(test, _fit_predict(make_detector, train, test), "leave one source out", source,
                              random_state))
    return pd.concat(tables, ignore_index=True)


def cross_fitted(make_detector, pool: Pool, *, folds: int = 5, random_state: int = 0) -> tuple[pd.DataFrame,
                                                                                              np.ndarray]:
    """Out-of-fold predictions for every unit of the pool (folds grouped by article), each from a detector trained on
    the other folds; scored on the real units, per source and over all. Returns the scores and the predictions (one
    row per pool unit)."""
    groups = pool.table["group"].to_numpy()
    predicted = np.zeros(pool.Y.shape, dtype=np.int8)
    for train, test in GroupKFold(folds).split(pool.Y, groups=groups):
        mask = np.zeros(len(groups), dtype=bool)
        mask[test] = True
        predicted[test] = _fit_predict(make_detector, pool.where(~mask), pool.where(mask))
    real = pool.real
    held, held_predicted = pool.where(real), predicted[real]
    scheme = f"cross-fitted ({folds} folds by article)"
    tables = [_scored(held, held_predicted, scheme, "all real units", random_state)]
    for source in sorted(set(held.table["source"])):
        mine = (held.table["source"] == source).to_numpy()
        tables.append(_scored(held.where(mine), held_predicted[mine], scheme, source, random_state))
    return pd.concat(tables, ignore_index=True), predicted


def learning_curve(make_detector, pool: Pool, *, sizes=(0, 100, 200, 400, 800, None), test_share: float = 0.3,
                   random_state: int = 0) -> pd.DataFrame:
    """Real-text macro F1 on a fixed held-out third of the real units (by article) against the number of real units
    added to the composed event paragraphs in training (``None`` = all the rest)."""
    rng = np.random.default_rng(random_state)
    real = pool.real
    groups = pool.table["group"].to_numpy()
    real_groups = np.unique(groups[real])
    test_groups = set(rng.choice(real_groups, int(test_share * len(real_groups)), replace=False))
    is_test = real & np.isin(groups, list(test_groups))
    test = pool.where(is_test)
    candidates = rng.permutation(np.flatnonzero(real & ~is_test))
    rows = []
    for size in sizes:
        chosen = candidates if size is None else candidates[:size]
        train = np.zeros(len(pool.table), dtype=bool)
        train[chosen] = True
        train |= ~real  # the composed paragraphs always train
        scores = frame_scores(test.Y, _fit_predict(make_detector, pool.where(train), test), pool.names,
                              groups=test.table["group"], n_boot=200, random_state=random_state)
        macro = scores.set_index("frame").loc["macro"]
        rows.append({"real_training_units": len(chosen), "test_units": len(test.table), "macro_f1": macro["f1"],
                     "macro_f1_low": macro["f1_low"], "macro_f1_high": macro["f1_high"],
                     "micro_f1": scores.set_index("frame").loc["micro", "f1"]})
    return pd.DataFrame(rows)


def shares_by_source(pool: Pool, predicted: np.ndarray) -> pd.DataFrame:
    """Coded against detected share of each frame per source, from out-of-fold predictions (one row per pool unit),
    on the real units."""
    real = pool.real
    held, predicted = pool.where(real), predicted[real]
    rows = []
    for source in sorted(set(held.table["source"])):
        mine = (held.table["source"] == source).to_numpy()
        for j, name in enumerate(pool.names):
            coded, detected = held.Y[mine, j].mean(), predicted[mine, j].mean()
            rows.append({"source": source, "frame": name, "units": int(mine.sum()),
                         "coded_units": int(held.Y[mine, j].sum()), "coded_share": coded, "detected_share": detected,
                         "difference_points": 100 * (detected - coded)})
    return pd.DataFrame(rows)
