"""On-disk cache of text embeddings: append-only shards that a killed run cannot corrupt.

Layout: ``<cache dir>/embeddings/<model key>/`` holds shards; each shard is ``NAME.keys.npy`` (16-byte text hashes),
``NAME.vectors.npy`` (float32 rows) and ``NAME.json`` (row count, width and SHA-256 of both arrays). The JSON file is
written last, by an atomic rename, so a shard without it is an unfinished write and is ignored. A shard whose
arrays do not match its checksum is reported, deleted and its texts recomputed: damaged vectors are never returned.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
import warnings
from pathlib import Path

import numpy as np

from .errors import CacheError, FramingWarning

KEY_BYTES = 16
# Shards whose checksum this process has verified, by path -> (size, mtime_ns) of both arrays: verified once, not on
# every lookup (hashing a large cache costs about a second per GB). A rewritten file has a new size or mtime.
_VERIFIED: dict[str, tuple] = {}


def default_cache_dir() -> Path:
    """``$FRAMING_CACHE_DIR`` if set, else the per-user cache folder (``$XDG_CACHE_HOME/framing`` or ``~/.cache``)."""
    if os.environ.get("FRAMING_CACHE_DIR"):
        return Path(os.environ["FRAMING_CACHE_DIR"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "framing"


def text_keys(texts: list[str]) -> np.ndarray:
    """16-byte SHA-256 prefixes of the UTF-8 texts, as a fixed-width bytes array."""
    return np.array([hashlib.sha256(t.encode("utf-8")).digest()[:KEY_BYTES] for t in texts], dtype=f"S{KEY_BYTES}")


class EmbeddingCache:
    """Vectors of one model configuration (``model_key``: model, revision, backend, dtype) keyed by text hash."""

    def __init__(self, root: str | Path, model_key: str):
        slug = re.sub(r"[^A-Za-z0-9.-]+", "_", model_key)[:60]
        digest = hashlib.sha256(model_key.encode()).hexdigest()[:16]
        self.model_key = model_key
        self.folder = Path(root) / "embeddings" / f"{slug}-{digest}"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CacheError(f"{self.folder}: cannot create the embedding cache folder ({error.strerror})") from None
        label = self.folder / "model.txt"  # says, for a person browsing the cache, what the folder holds
        if not label.exists():
            label.write_text(model_key + "\n")

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(found, vectors)``: a boolean mask over ``keys`` and the vectors of the found ones, in order."""
        shards = self._valid_shards()
        found = np.zeros(len(keys), dtype=bool)
        if not shards or not len(keys):
            return found, np.zeros((0, 0), dtype=np.float32)
        all_keys = np.concatenate([k for k, _ in shards])
        owner = np.concatenate([np.full(len(k), i) for i, (k, _) in enumerate(shards)])
        row = np.concatenate([np.arange(len(k)) for k, _ in shards])
        order = np.argsort(all_keys, kind="stable")
        sorted_keys = all_keys[order]
        where = np.searchsorted(sorted_keys, keys)
        where_clipped = np.minimum(where, len(sorted_keys) - 1)
        found = sorted_keys[where_clipped] == keys
        hits = order[where_clipped[found]]
        dim = shards[0][1].shape[1]
        vectors = np.empty((int(found.sum()), dim), dtype=np.float32)
        for i, (_, shard_vectors) in enumerate(shards):
            mine = owner[hits] == i
            if mine.any():
                vectors[mine] = shard_vectors[row[hits[mine]]]
        return found, vectors

    def store(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        """Write one new shard atomically: arrays first, the checksum file last."""
        if not len(keys):
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        name = f"shard-{uuid.uuid4().hex}"
        keys_path, vectors_path = self.folder / f"{name}.keys.npy", self.folder / f"{name}.vectors.npy"
        for path, array in ((keys_path, keys), (vectors_path, vectors)):
            tmp = path.with_name(path.name + ".tmp")
            with open(tmp, "wb") as handle:
                np.save(handle, array)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        marker = {"rows": len(keys), "dim": vectors.shape[1], "sha256": _checksum(keys, vectors)}
        tmp = self.folder / f"{name}.json.tmp"
        tmp.write_text(json.dumps(marker))
        os.replace(tmp, self.folder / f"{name}.json")

    def _valid_shards(self) -> list[tuple[np.ndarray, np.ndarray]]:
        shards = []
        for marker_path in sorted(self.folder.glob("shard-*.json")):
            stem = marker_path.name[: -len(".json")]
            try:
                marker = json.loads(marker_path.read_text())
                paths = (self.folder / f"{stem}.keys.npy", self.folder / f"{stem}.vectors.npy")
                stamp = tuple((p.stat().st_size, p.stat().st_mtime_ns) for p in paths)
                keys, vectors = (np.load(p, mmap_mode="r") for p in paths)
                intact = (keys.shape == (marker["rows"],) and vectors.shape == (marker["rows"], marker["dim"])
                          and (_VERIFIED.get(str(marker_path)) == stamp
                               or _checksum(keys, vectors) == marker["sha256"]))
                if intact:
                    _VERIFIED[str(marker_path)] = stamp
            except (OSError, ValueError, KeyError, TypeError, EOFError):
                intact = False
            if intact:
                shards.append((np.asarray(keys), vectors))
            else:
                warnings.warn(f"{self.folder / stem}: damaged embedding cache shard removed; its texts will be "
                              f"recomputed", FramingWarning, stacklevel=3)
                for suffix in (".json", ".keys.npy", ".vectors.npy"):
                    (self.folder / f"{stem}{suffix}").unlink(missing_ok=True)
        return shards


def _checksum(keys: np.ndarray, vectors: np.ndarray) -> str:
    digest = hashlib.sha256(np.ascontiguousarray(keys).tobytes())
    digest.update(memoryview(np.ascontiguousarray(vectors)).cast("B"))
    return digest.hexdigest()
