"""Retrain the detectors that ship with the package: from the event corpus's gold, the real-text gold of RUWA and BASIL
(``framing.realtext``) and the codebook exemplars, and measure the default on real text as it is trained.

``python -m framing.study.train`` rewrites ``framing/data/detector-*.npz`` and ``detector-default.validation.csv``; a
test checks that the shipped files match what ``train_default_detectors`` produces. Retraining needs the RUWA and
BASIL data sets (``../shared/datasets`` or ``$FRAMING_SHARED_DATASETS``), since their text is not in the repository.

The validation file holds, for every real gold unit, the frames that a detector of the same design predicted without
having seen that unit's article (5 folds by article): the honest validation sample for corrected shares
(``validation_sample()``). The detector file's header holds the per-frame real-text precision and recall computed from
it (``validation``), which figures and findings show next to a frame whose precision is low.
"""

from __future__ import annotations

import warnings
from importlib import resources
from pathlib import Path

import pandas as pd

from ..codebook import load_codebook
from ..detector_files import save_detector
from ..detectors import CodebookDetector, FrameClassifier
from ..errors import FramingError
from ..multilabel import label_sets

VALIDATION_FILE = "detector-default.validation.csv"


def default_design(embedder=None, random_state: int = 0) -> FrameClassifier:
    """The shipped default's design: sentence-embedding features plus word uni- and bigrams, one balanced logistic
    regression per frame (C=4), cut at 0.5.

    Chosen on real text (``framing evaluate``, table ``real_design_comparison``): adding word n-grams raised the
    cross-fitted macro F1 on the real units from 0.47 to 0.53 and leave-one-source-out from 0.33 to 0.35; thresholds
    tuned by cross-validation gave the same scores at six times the training cost, and fine-tuning MiniLM's top two
    layers matched but did not beat it on a fold (see the issue 9 notes).
    """
    return FrameClassifier(embedder=embedder, C=4.0, lexical=1.0, random_state=random_state)


DEFAULT_DESIGN = default_design


def train_default_detectors(out_dir: str | Path | None = None, *, random_state: int = 0, embedder=None,
                            datasets=None, validate: bool = True) -> dict[str, Path]:
    """Retrain the shipped detectors on every gold-labelled unit (event corpus, RUWA, BASIL) and the exemplars; with
    ``validate``, also write the cross-fitted validation sample and put its scores in the default's header."""
    from ..realtext import SOURCES, available_sources
    from .validity import cross_fitted, training_pool

    if missing := sorted(set(SOURCES) - set(available_sources(datasets))):
        raise FramingError(f"retraining the shipped detectors needs the {' and '.join(m.upper() for m in missing)} "
                           f"data set(s): put them in shared/datasets beside the checkout or set "
                           f"FRAMING_SHARED_DATASETS")
    out_dir = Path(out_dir) if out_dir else Path(str(resources.files("framing") / "data"))
    pool = training_pool(sources=SOURCES, datasets=datasets)
    texts, labels = pool.texts, list(pool.table["labels"])
    codebook = load_codebook()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every frame has enough examples; anything else is a bug
        classifier = default_design(embedder, random_state).set_params(codebook=codebook).fit(texts, labels)
        zero_shot = CodebookDetector(codebook=codebook, embedder=embedder).fit(texts, labels)
    written = {}
    if validate:
        scores, predicted = cross_fitted(lambda: default_design(embedder, random_state), pool,
                                         random_state=random_state)
        classifier.validation_ = _validation_summary(scores)
        table = pool.table
        sample = pd.DataFrame({"unit_id": table["unit_id"], "source": table["source"],
                               "provenance": table["provenance"], "group": table["group"],
                               "labels": [";".join(s) for s in table["labels"]],
                               "frames": [";".join(s) for s in label_sets(predicted, pool.names)]})
        sample.to_csv(out_dir / VALIDATION_FILE, index=False, lineterminator="\n")
        written["validation"] = out_dir / VALIDATION_FILE
    written["default"] = save_detector(classifier, out_dir / "detector-default.npz")
    written["codebook"] = save_detector(zero_shot, out_dir / "detector-codebook.npz")
    return written


def _validation_summary(scores: pd.DataFrame) -> dict:
    """{test: {frame: {precision, recall, f1, support}}} from ``cross_fitted``'s table, rounded for the header."""
    summary = {}
    for test, table in scores.groupby("test", sort=False):
        summary[test] = {row.frame: {"precision": _round(row.precision), "recall": _round(row.recall),
                                     "f1": _round(row.f1), "support": int(row.support)}
                         for row in table.itertuples() if not row.frame.startswith(("macro", "micro"))}
    return summary


def _round(value) -> float | None:
    return None if pd.isna(value) else round(float(value), 4)


def validation_sample(sources: tuple[str, ...] = ("event", "ruwa", "basil"), *, datasets=None) -> pd.DataFrame:
    """The shipped default's validation sample for text like ``sources``: every gold unit of those sources (the event
    corpus's composed paragraphs too, since its figures count them) with the coders' ``labels`` and the cross-fitted
    ``frames`` (tuples), ``source``, ``provenance``, ``article_id`` (units of one article are resampled together) and
    ``text`` (read from the corpus and the data sets). Pass it as ``validation=`` to ``framing.compare.frame_shares``.
    """
    from ..annotations import gold_paragraphs
    from ..multilabel import parse_label_string
    from ..realtext import load_units

    path = Path(str(resources.files("framing") / "data" / VALIDATION_FILE))
    sample = pd.read_csv(path, dtype=str, keep_default_na=False)
    sample = sample[sample["source"].isin(sources)].reset_index(drop=True)
    texts = {}
    if "event" in sources:
        event = gold_paragraphs()
        texts.update(zip("event:" + event["para_id"], event["text"]))
    if others := tuple(s for s in sources if s != "event"):
        units = load_units(datasets=datasets, sources=others)
        texts.update(zip(units["unit_id"], units["text"]))
    sample["text"] = sample["unit_id"].map(texts)
    if sample["text"].isna().any():
        raise FramingError(f"{path}: {int(sample['text'].isna().sum())} unit(s) have no text here; retrain with "
                           f"python -m framing.study.train")
    for column in ("labels", "frames"):
        sample[column] = sample[column].map(parse_label_string)
    return sample.rename(columns={"group": "article_id"})


def real_text_precision(detector, source: str, *, min_support: int = 20) -> dict[str, float]:
    """Per-frame real-text precision of a shipped detector on ``source``; a frame coded fewer than ``min_support``
    times there (or a source the validation does not know) takes its precision over all real units. {} when the
    detector carries no validation."""
    validation = getattr(detector, "validation_", None) or {}
    pooled, own = validation.get("all real units", {}), validation.get(source, {})
    precision = {}
    for frame, row in pooled.items():
        chosen = own.get(frame) if own.get(frame, {}).get("support", 0) >= min_support else row
        if chosen.get("precision") is not None:
            precision[frame] = chosen["precision"]
    return precision


if __name__ == "__main__":
    for name, written in train_default_detectors().items():
        print(f"{name}: {written}")
