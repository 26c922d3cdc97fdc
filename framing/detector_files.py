"""Save and load frame detectors (the shipped ones by name); ``framing.study.train`` retrains the shipped files.

A detector file is a ``.npz`` of plain arrays plus a JSON header (no pickle, so it loads safely and across
scikit-learn versions): the detector kind, its parameters, the frames, the embedding model and revision it was trained
with, a format number, and a SHA-256 over the header and every array. A file is checked in full before it is used:
its header fields and their types, the arrays' names, shapes and values (finite numbers), and the checksum, so a file
that was edited (two frame names swapped, a coefficient changed) or damaged is refused with one line, as is a file from
another format, model revision or codebook.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from importlib import resources
from pathlib import Path

import numpy as np

from . import __version__
from .articles import ArticleFrameClassifier
from .atomic import atomic_path
from .detectors import CodebookDetector, FrameClassifier, ParameterError, validate_parameters
from .embed import default_embedder
from .errors import DetectorFileError, FramingError, FramingWarning
from .training import StudyDetector

FORMAT = 2
DEFAULT_DETECTOR = "default"
# Arrays of each kind; those after a "?" are written only when the detector has them (e.g. TF-IDF vocabulary).
_ARRAYS = {"study": ("coef_", "intercept_", "thresholds_", "exemplar_vectors_", "exemplar_frame_", "zero_shot_"),
           "article": ("coef_", "intercept_", "thresholds_", "?vocabulary_", "?idf_"),
           "classifier": ("coef_", "intercept_", "thresholds_", "?vocabulary_", "?idf_"),
           "codebook": ("exemplar_vectors_", "exemplar_frame_", "thresholds_")}
# Subclasses first: a StudyDetector is also a FrameClassifier.
_KINDS = {"study": StudyDetector, "article": ArticleFrameClassifier, "classifier": FrameClassifier,
          "codebook": CodebookDetector}
_HEADER_TYPES = {"format": int, "framing": str, "kind": str, "params": dict, "frames": list, "fallback": (str, type(None)),
                 "codebook": (str, type(None)), "level": str, "model": str, "revision": str, "backend": str,
                 "n_features_in": int, "sha256": str}
_DTYPES = {"vocabulary_": "U", "zero_shot_": "b", "exemplar_frame_": "iu"}  # the others hold numbers ("fiu")


def save_detector(detector, path: str | Path) -> Path:
    """Write a fitted ``FrameClassifier`` or ``CodebookDetector`` to ``path`` (``.npz``), atomically."""
    kind = next((k for k, cls in _KINDS.items() if isinstance(detector, cls)), None)
    if kind is None or not hasattr(detector, "thresholds_"):
        raise FramingError(f"only a fitted detector ({', '.join(c.__name__ for c in _KINDS.values())}) can be "
                           f"saved, not {detector!r}")
    encoder = (detector.embedder or default_embedder()).encoder
    params = {k: list(v) if isinstance(v, tuple) else v for k, v in detector.get_params().items()
              if k not in ("codebook", "embedder")}
    header = {"format": FORMAT, "framing": __version__, "kind": kind, "params": params,
              "frames": list(detector.frames_), "fallback": detector.fallback_,
              "codebook": getattr(detector, "codebook_name_", None),
              "level": "article" if kind == "article" else "paragraph",
              "model": encoder.name, "revision": encoder.revision, "backend": getattr(encoder, "backend", "torch"),
              "n_features_in": int(getattr(detector, "n_features_in_", 0))}
    if getattr(detector, "n_embedding_features_", None):  # a classifier with word n-grams after its embeddings
        header["n_embedding_features"] = int(detector.n_embedding_features_)
    if getattr(detector, "validation_", None):  # real-text precision and recall per frame and source
        header["validation"] = detector.validation_
    arrays = {name.lstrip("?"): np.asarray(getattr(detector, name.lstrip("?"))) for name in _ARRAYS[kind]
              if not name.startswith("?") or hasattr(detector, name[1:])}
    header["sha256"] = _checksum(header, arrays)
    path = Path(path)
    with atomic_path(path) as tmp:
        np.savez(tmp, header=json.dumps(header), **arrays)
    return path


def load_detector(name_or_path: str | Path = DEFAULT_DETECTOR, *, embedder=None):
    """Load a saved detector: ``"default"`` (shipped, trained on the corpus gold), ``"codebook"`` (zero-shot with
    thresholds calibrated on the corpus gold, shipped too), or the path of a file written by ``save_detector``.

    >>> from framing.multilabel import label_sets
    >>> detector = load_detector()                                                       # doctest: +SKIP
    >>> label_sets(detector.predict(["Pyongyang denied supplying any weapons."]), detector.classes_)  # doctest: +SKIP
    [('denial',)]
    """
    path = _packaged(name_or_path) if str(name_or_path) in ("default", "codebook") else Path(name_or_path)
    if not path.exists():
        raise DetectorFileError(f"{path}: no such detector file (names: 'default', 'codebook')")
    header, arrays = _read(path)
    _check_header(path, header)
    kind = header["kind"]
    _check_arrays(path, header, arrays)
    if header["sha256"] != _checksum({k: v for k, v in header.items() if k != "sha256"}, arrays):
        raise DetectorFileError(f"{path}: checksum does not match: the file was changed or damaged after it was "
                                f"saved; retrain and save it again")
    from .e5_backend import E5_MODEL

    if embedder is None and header["model"] == E5_MODEL:  # trained on e5 vectors: needs e5, not the default
        from .embed import Embedder

        embedder = Embedder(E5_MODEL)
    encoder = (embedder or default_embedder()).encoder
    if (header["model"], header["revision"]) != (encoder.name, encoder.revision):
        raise DetectorFileError(f"{path}: trained with {header['model']} {header['revision']}, but the embedder is "
                                f"{encoder.name} {encoder.revision}: vectors would not match; retrain the detector")
    backend = getattr(encoder, "backend", "torch")
    if header["backend"] != backend:
        warnings.warn(f"{path.name}: trained on {header['backend']} vectors, used with {backend} ones (they agree to a "
                      f"cosine of about 0.99, so a score near a threshold may flip); retrain the detector on "
                      f"{backend} for exact results", FramingWarning, stacklevel=2)
    params = {k: tuple(v) if k == "parts" else v for k, v in header["params"].items()}
    detector = _KINDS[kind](embedder=embedder, **params)
    if getattr(detector, "_parameter_constraints", None):
        try:
            validate_parameters(detector)
        except ParameterError as error:
            raise DetectorFileError(f"{path}: {error}") from None
    detector.frames_, detector.fallback_ = header["frames"], header["fallback"]
    detector.codebook_name_ = header["codebook"]
    detector.classes_ = np.array(header["frames"], dtype=object)
    for name, value in arrays.items():
        setattr(detector, name, value)
    detector.n_features_in_ = header["n_features_in"] or arrays[_ARRAYS[kind][0]].shape[1]
    if header.get("n_embedding_features"):
        detector.n_embedding_features_ = int(header["n_embedding_features"])
    if isinstance(header.get("validation"), dict):
        detector.validation_ = header["validation"]
    return detector


def _read(path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    try:
        with np.load(path, allow_pickle=False) as data:
            if "header" not in data.files:
                raise DetectorFileError(f"{path}: not a framing detector file (no header)")
            raw = data["header"]
            arrays = {name: data[name] for name in data.files if name != "header"}
    except DetectorFileError:
        raise
    except Exception as error:  # numpy raises OSError, ValueError, zipfile errors, EOFError … for a damaged file
        raise DetectorFileError(f"{path}: not a framing detector file ({type(error).__name__}: "
                                f"{str(error).splitlines()[0] if str(error) else 'unreadable'})") from None
    if raw.shape != () or raw.dtype.kind != "U":
        raise DetectorFileError(f"{path}: the header is not a JSON text")
    try:
        header = json.loads(str(raw))
    except json.JSONDecodeError as error:
        raise DetectorFileError(f"{path}: the header is not valid JSON ({error.msg})") from None
    if not isinstance(header, dict):
        raise DetectorFileError(f"{path}: the header is a JSON {type(header).__name__}, not an object")
    return header, arrays


def _check_header(path: Path, header: dict) -> None:
    if header.get("format") != FORMAT:
        raise DetectorFileError(f"{path}: detector file format {header.get('format')} (written by framing "
                                f"{header.get('framing')}); this framing {__version__} reads format {FORMAT}: "
                                f"retrain it")
    for field, kind in _HEADER_TYPES.items():
        if field not in header:
            raise DetectorFileError(f"{path}: the header lacks {field!r}")
        if not isinstance(header[field], kind) or isinstance(header[field], bool) and kind is int:
            raise DetectorFileError(f"{path}: header field {field!r} has the wrong type ({header[field]!r})")
    if header["kind"] not in _KINDS:
        raise DetectorFileError(f"{path}: unknown detector kind {header['kind']!r} (known: {', '.join(_KINDS)})")
    frames = header["frames"]
    if not frames or not all(isinstance(f, str) and f for f in frames) or len(set(frames)) != len(frames):
        raise DetectorFileError(f"{path}: 'frames' must be distinct frame names, not {frames!r}")
    if header["fallback"] is not None and header["fallback"] not in frames:
        raise DetectorFileError(f"{path}: fallback {header['fallback']!r} is not one of the frames")
    known = set(_KINDS[header["kind"]]().get_params()) - {"codebook", "embedder"}
    unknown = sorted(set(header["params"]) - known)
    if unknown:
        raise DetectorFileError(f"{path}: unknown parameter(s) {', '.join(unknown)} for a {header['kind']} detector")
    if header["n_features_in"] < 0:
        raise DetectorFileError(f"{path}: 'n_features_in' must not be negative")


def _check_arrays(path: Path, header: dict, arrays: dict[str, np.ndarray]) -> None:
    kind = header["kind"]
    required = [name for name in _ARRAYS[kind] if not name.startswith("?")]
    allowed = {name.lstrip("?") for name in _ARRAYS[kind]}
    if not set(required) <= set(arrays) or not set(arrays) <= allowed:
        raise DetectorFileError(f"{path}: holds arrays {', '.join(sorted(arrays)) or 'none'}; a {kind} detector has "
                                f"{', '.join(name.lstrip('?') for name in _ARRAYS[kind])}")
    n_frames = len(header["frames"])
    for name, array in arrays.items():
        if array.dtype.kind not in _DTYPES.get(name, "fiu"):
            raise DetectorFileError(f"{path}: array {name} holds {array.dtype}, not the expected kind of values")
        if array.dtype.kind == "f" and not np.isfinite(array).all():
            raise DetectorFileError(f"{path}: array {name} holds NaN or infinite values")
    shapes = {"thresholds_": (n_frames,)}
    if "coef_" in arrays:
        width = arrays["coef_"].shape[-1] if kind == "article" or not header["n_features_in"] else header["n_features_in"]
        shapes.update(coef_=(n_frames, width), intercept_=(n_frames,))
    if "exemplar_vectors_" in arrays:
        n_exemplars = len(arrays["exemplar_frame_"])
        shapes.update(exemplar_vectors_=(n_exemplars, arrays["exemplar_vectors_"].shape[-1]),
                      exemplar_frame_=(n_exemplars,))
        owners = arrays["exemplar_frame_"]
        if owners.min(initial=0) < 0 or owners.max(initial=0) >= n_frames:
            raise DetectorFileError(f"{path}: exemplar_frame_ must number frames 0..{n_frames - 1}")
    if "zero_shot_" in arrays:
        shapes["zero_shot_"] = (n_frames,)
    if "vocabulary_" in arrays or "idf_" in arrays:
        size = len(arrays.get("vocabulary_", arrays.get("idf_")))
        shapes.update(vocabulary_=(size,), idf_=(size,))
    for name, shape in shapes.items():
        if name in arrays and arrays[name].shape != shape:
            raise DetectorFileError(f"{path}: array {name} has shape {arrays[name].shape}, expected {shape} "
                                    f"({n_frames} frames)")


def _checksum(header: dict, arrays: dict[str, np.ndarray]) -> str:
    """SHA-256 over the header (sorted JSON) and each array's name, dtype, shape and bytes."""
    digest = hashlib.sha256(json.dumps(header, sort_keys=True).encode())
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}|{array.dtype.str}|{array.shape}".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def _packaged(name: str) -> Path:
    return Path(str(resources.files("framing") / "data" / f"detector-{name}.npz"))


def upgrade_detector_file(path: str | Path, out: str | Path) -> Path:
    """Rewrite a format-1 detector file (before checksums) as format 2: the same arrays and parameters, with the
    unused ``random_state`` of a codebook detector dropped. Trust only files you made yourself: format 1 carried no
    checksum, so this cannot tell an edited file from an intact one."""
    with np.load(path, allow_pickle=False) as data:
        header = json.loads(str(data["header"]))
        arrays = {name: data[name] for name in data.files if name != "header"}
    if header.get("format") != 1:
        raise DetectorFileError(f"{path}: not a format-1 detector file")
    if header.get("kind") == "codebook":
        header["params"].pop("random_state", None)
    header.setdefault("backend", "torch")  # format-1 files before the backend was recorded were torch's
    header.setdefault("codebook", None)
    header.setdefault("level", "article" if header.get("kind") == "article" else "paragraph")
    header.update(format=FORMAT)
    header.pop("sha256", None)
    header["sha256"] = _checksum(header, arrays)
    with atomic_path(Path(out)) as tmp:
        np.savez(tmp, header=json.dumps(header), **arrays)
    return Path(out)

