"""Retrain the detectors that ship with the package: from the event corpus's gold, the real-text gold of RUWA and BASIL
(``framing.realtext``) and the codebook exemplars.

``python -m framing.study.train`` rewrites ``framing/data/detector-*.npz``; a test checks that the shipped files match
what ``train_default_detectors`` produces. Retraining needs the RUWA and BASIL data sets (``../shared/datasets`` or
``$FRAMING_SHARED_DATASETS``), since their text is not in the repository.
"""

from __future__ import annotations

import warnings
from importlib import resources
from pathlib import Path

from ..codebook import load_codebook
from ..detector_files import save_detector
from ..detectors import CodebookDetector, FrameClassifier
from ..errors import FramingError


def default_design(embedder=None, random_state: int = 0) -> FrameClassifier:
    """The shipped default's design: embeddings + word n-grams, per-frame thresholds tuned by cross-validation.

    Chosen on real text (``framing evaluate``, ``real_design_comparison``): the word n-grams and tuned thresholds
    beat the embedding-only classifier on held-out real units of every source.
    """
    return FrameClassifier(embedder=embedder, C=4.0, lexical=1.0, threshold="tune", random_state=random_state)


DEFAULT_DESIGN = default_design


def train_default_detectors(out_dir: str | Path | None = None, *, random_state: int = 0, embedder=None,
                            datasets=None) -> dict[str, Path]:
    """Retrain the shipped detectors on every gold-labelled unit (event corpus, RUWA, BASIL) and the exemplars."""
    from ..realtext import SOURCES, available_sources
    from .validity import training_pool

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
        zero_shot = CodebookDetector(codebook=codebook, embedder=embedder, random_state=random_state).fit(
            texts, labels)
    return {"default": save_detector(classifier, out_dir / "detector-default.npz"),
            "codebook": save_detector(zero_shot, out_dir / "detector-codebook.npz")}


if __name__ == "__main__":
    for name, written in train_default_detectors().items():
        print(f"{name}: {written}")
