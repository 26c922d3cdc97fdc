"""Retrain the detectors that ship with the package from the event corpus's gold labels and the codebook exemplars.

``python -m framing.study.train`` rewrites ``framing/data/detector-*.npz``; a test checks that the shipped files match
what ``train_default_detectors`` produces.
"""

from __future__ import annotations

import warnings
from importlib import resources
from pathlib import Path

from ..codebook import load_codebook
from ..detector_files import save_detector
from ..detectors import CodebookDetector, FrameClassifier


def train_default_detectors(out_dir: str | Path | None = None, *, random_state: int = 0,
                            embedder=None) -> dict[str, Path]:
    """Retrain the shipped detectors from the corpus gold and the default codebook's exemplars.

    Run ``python -m framing.study.train`` to rewrite ``framing/data/detector-*.npz`` after the corpus or codebook
    changes; a test checks that the shipped files match what this function produces.
    """
    from ..annotations import gold_paragraphs

    out_dir = Path(out_dir) if out_dir else Path(str(resources.files("framing") / "data"))
    gold = gold_paragraphs()
    codebook = load_codebook()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the corpus has enough examples of every frame; anything else is a bug
        classifier = FrameClassifier(codebook=codebook, embedder=embedder, random_state=random_state).fit(
            gold["text"], gold["labels"])
        zero_shot = CodebookDetector(codebook=codebook, embedder=embedder).fit(
            gold["text"], gold["labels"])
    return {"default": save_detector(classifier, out_dir / "detector-default.npz"),
            "codebook": save_detector(zero_shot, out_dir / "detector-codebook.npz")}



if __name__ == "__main__":
    for name, written in train_default_detectors().items():
        print(f"{name}: {written}")
