"""Save and load frame detectors (the shipped ones by name); ``framing.study.train`` retrains the shipped files.

A detector file is a ``.npz`` of plain arrays plus a JSON header (no pickle, so it loads safely and across
scikit-learn versions): the detector kind, its parameters, the frames, the embedding model and revision it was trained
with, and a format number. A file from another format, model revision or codebook is refused with a clear error.
"""

from __future__ import annotations

import json
import os
import warnings
from importlib import resources
from pathlib import Path

import numpy as np

from . import __version__
from .embed import default_embedder
from .errors import FramingError, FramingWarning
from .detectors import CodebookDetector, FrameClassifier

FORMAT = 1
DEFAULT_DETECTOR = "default"
_ARRAYS = {"classifier": ("coef_", "intercept_", "thresholds_"),
           "codebook": ("exemplar_vectors_", "exemplar_frame_", "thresholds_")}
_OPTIONAL_ARRAYS = {"classifier": ("vocabulary_", "idf_")}  # lexical features, when the classifier has them
_KINDS = {"classifier": FrameClassifier, "codebook": CodebookDetector}


def save_detector(detector, path: str | Path) -> Path:
    """Write a fitted ``FrameClassifier`` or ``CodebookDetector`` to ``path`` (``.npz``), atomically."""
    kind = next((k for k, cls in _KINDS.items() if isinstance(detector, cls)), None)
    if kind is None or not hasattr(detector, "thresholds_"):
        raise FramingError(f"only a fitted FrameClassifier or CodebookDetector can be saved, not {detector!r}")
    encoder = (detector.embedder or default_embedder()).encoder
    params = {k: v for k, v in detector.get_params().items() if k not in ("codebook", "embedder")}
    header = {"format": FORMAT, "framing": __version__, "kind": kind, "params": params,
              "frames": detector.frames_, "fallback": detector.fallback_,
              "model": encoder.name, "revision": encoder.revision, "backend": getattr(encoder, "backend", "torch"),
              "n_features_in": int(getattr(detector, "n_features_in_", 0)),
              "n_embedding_features": int(getattr(detector, "n_embedding_features_", 0))}
    arrays = {name: getattr(detector, name) for name in _ARRAYS[kind]}
    arrays.update({name: getattr(detector, name) for name in _OPTIONAL_ARRAYS.get(kind, ())
                   if getattr(detector, name, None) is not None})
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez(tmp, header=json.dumps(header), **arrays)
    os.replace(tmp, path)
    return path


def load_detector(name_or_path: str | Path = DEFAULT_DETECTOR, *, embedder=None):
    """Load a saved detector: ``"default"`` (shipped, trained on the corpus gold), ``"codebook"`` (zero-shot with
    thresholds calibrated on the corpus gold, shipped too), or the path of a file written by ``save_detector``.

    >>> detector = load_detector()                                   # doctest: +SKIP
    >>> detector.predict(["Pyongyang denied supplying any weapons."])  # doctest: +SKIP
    [('denial',)]
    """
    path = _packaged(name_or_path) if str(name_or_path) in ("default", "codebook") else Path(name_or_path)
    if not path.exists():
        raise FramingError(f"{path}: no such detector file (names: 'default', 'codebook')")
    try:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(str(data["header"]))
            arrays = {name: data[name] for name in data.files if name != "header"}
    except (OSError, ValueError, KeyError) as error:
        raise FramingError(f"{path}: not a framing detector file ({error})") from None
    if header.get("format") != FORMAT:
        raise FramingError(f"{path}: detector file format {header.get('format')} (written by framing "
                           f"{header.get('framing')}); this framing {__version__} reads format {FORMAT}: retrain it")
    encoder = (embedder or default_embedder()).encoder
    if (header["model"], header["revision"]) != (encoder.name, encoder.revision):
        raise FramingError(f"{path}: trained with {header['model']} {header['revision']}, but the embedder is "
                           f"{encoder.name} {encoder.revision}: vectors would not match; retrain the detector")
    backend = getattr(encoder, "backend", "torch")
    if header.get("backend", backend) != backend:
        warnings.warn(f"{path.name}: trained on {header['backend']} vectors, used with {backend} ones (they agree to a "
                      f"cosine of about 0.99, so a score near a threshold may flip); retrain the detector on "
                      f"{backend} for exact results", FramingWarning, stacklevel=2)
    detector = _KINDS[header["kind"]](embedder=embedder, **header["params"])
    detector.frames_, detector.fallback_ = header["frames"], header["fallback"]
    for name, value in arrays.items():
        setattr(detector, name, value)
    if header["n_features_in"]:
        detector.n_features_in_ = header["n_features_in"]
    if header.get("n_embedding_features"):
        detector.n_embedding_features_ = header["n_embedding_features"]
    return detector


def _packaged(name: str) -> Path:
    return Path(str(resources.files("framing") / "data" / f"detector-{name}.npz"))
