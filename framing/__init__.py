"""framing: a Jupyter-first toolkit for media-framing research.

The pipeline is a chain of pure steps, each from one table to the next::

    articles   = load_corpus("corpus")              # one row per article (framing.corpus)
    paragraphs = segment(articles)                  # one row per paragraph (framing.segment)
    embeddings = Embedder().embed_paragraphs(paragraphs)   # float32 matrix + para_id (framing.embed)
    framed     = load_detector().frame_table(paragraphs)       # + frames and score_<frame> (framing.detectors)
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("framing")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

from .cache import default_cache_dir
from .codebook import Codebook, CodebookError, Frame, load_codebook
from .corpus import load_corpus
from .embed import Embedder, Embeddings, embedding_map
from .errors import CorpusError, FramingError, FramingWarning
from .paths import corpus_dir
from .segment import DEFAULT_RULES, BoilerplateRule, dropped_lines, segment

__all__ = [
    "__version__",
    "BoilerplateRule", "Codebook", "CodebookDetector", "CodebookError", "CorpusError", "DEFAULT_RULES", "Embedder",
    "Embeddings", "Frame", "FrameClassifier", "FrameClusterer", "FramingError", "FramingWarning", "corpus_dir",
    "default_cache_dir", "dropped_lines", "embedding_map", "load_codebook", "load_corpus", "load_detector",
    "save_detector", "segment",
]

# The estimators pull in scikit-learn (about 0.7 s); they load on first use, so `framing segment` and cached
# `framing embed` runs start fast.
_LAZY = {"FrameClusterer": "cluster", "CodebookDetector": "detectors", "FrameClassifier": "detectors",
         "load_detector": "detector_files", "save_detector": "detector_files"}


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'framing' has no attribute {name!r}")
