"""On-disk cache of text embeddings: append-only shards that a killed run cannot corrupt, and a best-effort helper.

Layout: ``<cache dir>/embeddings/<model key>/`` holds shards; each shard is ``NAME.keys.npy`` (16-byte text hashes),
``NAME.vectors.npy`` (float32 rows) and ``NAME.json`` (row count, width and SHA-256 of both arrays). The JSON file is
written last, by an atomic rename, so a shard without it is an unfinished write and is ignored. A shard that cannot be
read, or whose arrays do not match its checksum, is reported, deleted and its texts recomputed: damaged vectors are
never returned.

The cache never stops a run. A cache folder that cannot be created or written (read-only, full disk) is reported once
as a warning and the run continues without it; temporary files of a failed write are removed at once, and those left
by killed runs when the cache is next opened. Runs that share a cache take turns to write (a lock file): a text
already stored by another run is not stored again, so concurrent runs leave one vector per text, the first written.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import uuid
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .atomic import atomic_path, remove_stale_temporaries
from .errors import FramingError, FramingWarning

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock; concurrent runs may then store a text twice
    fcntl = None

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
        self.readable = self.writable = True
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            self.readable = self.writable = False
            self._warn(f"{self.folder}: cannot create the embedding cache folder ({error.strerror or error}); "
                       f"continuing without a cache (set FRAMING_CACHE_DIR to a writable folder)")
            return
        remove_stale_temporaries(self.folder)
        label = self.folder / "model.txt"  # says, for a person browsing the cache, what the folder holds
        if not label.exists():
            try:
                label.write_text(model_key + "\n")
            except OSError:
                pass  # only a note for people; a read-only cache is still read

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(found, vectors)``: a boolean mask over ``keys`` and the vectors of the found ones, in order.

        A text stored more than once (by runs of an older framing) gives its first-written vector."""
        shards = self._valid_shards() if self.readable else []
        found = np.zeros(len(keys), dtype=bool)
        if not shards or not len(keys):
            return found, np.zeros((0, 0), dtype=np.float32)
        all_keys = np.concatenate([k for k, _ in shards])
        owner = np.concatenate([np.full(len(k), i) for i, (k, _) in enumerate(shards)])
        row = np.concatenate([np.arange(len(k)) for k, _ in shards])
        order = np.argsort(all_keys, kind="stable")  # equal keys keep shard order: the first written comes first
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
        """Write the vectors of texts the cache does not hold yet as one new shard; never raises.

        Under the cache's lock, keys another run stored meanwhile are left out (that run's vector is kept). A write
        that fails (read-only folder, full disk) is reported once and the cache is not written again in this run."""
        if not len(keys) or not self.writable:
            return
        try:
            with self._locked():
                found, _ = self.lookup(keys)
                if found.all():
                    return
                self._write_shard(keys[~found], np.ascontiguousarray(vectors[~found], dtype=np.float32))
        except (OSError, FramingError) as error:
            self.writable = False
            self._warn(f"{self.folder}: cannot write to the embedding cache ({_reason(error)}); continuing without "
                       f"storing new vectors")

    def _write_shard(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        """Arrays first, the checksum file last; each file under a temporary name until it is complete."""
        name = f"shard-{time.time_ns():020d}-{uuid.uuid4().hex[:8]}"  # names sort in the order shards were written
        written = []
        try:
            for suffix, array in ((".keys.npy", keys), (".vectors.npy", vectors)):
                path = self.folder / f"{name}{suffix}"
                with atomic_path(path) as tmp:
                    np.save(tmp, array)
                written.append(path)
            marker = {"rows": len(keys), "dim": vectors.shape[1], "sha256": _checksum(keys, vectors)}
            with atomic_path(self.folder / f"{name}.json") as tmp:
                tmp.write_text(json.dumps(marker))
        except BaseException:
            for path in written:  # arrays without their checksum file would only be orphans
                path.unlink(missing_ok=True)
            raise

    @contextmanager
    def _locked(self):
        """An exclusive lock on the cache folder, shared with other processes (best-effort where there is none)."""
        if fcntl is None:
            yield
            return
        with open(self.folder / ".lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _valid_shards(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Every complete, intact shard, oldest first; damaged ones are reported and removed."""
        shards = []
        try:
            markers = list(self.folder.glob("shard-*.json"))
        except OSError as error:
            self.readable = False
            self._warn(f"{self.folder}: cannot read the embedding cache ({_reason(error)}); continuing without it")
            return []
        for marker_path in sorted(markers, key=_written_order):
            stem = marker_path.name[: -len(".json")]
            paths = (self.folder / f"{stem}.keys.npy", self.folder / f"{stem}.vectors.npy")
            try:
                marker = json.loads(marker_path.read_text())
                stamp = tuple((p.stat().st_size, p.stat().st_mtime_ns) for p in paths)
                keys, vectors = (np.load(p, mmap_mode="r", allow_pickle=False) for p in paths)
                intact = (keys.shape == (marker["rows"],) and vectors.shape == (marker["rows"], marker["dim"])
                          and keys.dtype == np.dtype(f"S{KEY_BYTES}") and vectors.dtype == np.float32
                          and (_VERIFIED.get(str(marker_path)) == stamp
                               or _checksum(keys, vectors) == marker["sha256"]))
                if intact:
                    _VERIFIED[str(marker_path)] = stamp
            except FileNotFoundError:
                continue  # removed meanwhile by another run (a damaged shard it found first)
            except Exception:  # noqa: BLE001 - any unreadable shard is damaged: numpy's header parser alone raises
                intact = False  # ValueError, SyntaxError, tokenize.TokenError, EOFError, UnicodeDecodeError ...
            if intact:
                shards.append((np.asarray(keys), vectors))
                continue
            self._warn(f"{self.folder / stem}: damaged embedding cache shard removed; its texts will be recomputed")
            for suffix in (".json", ".keys.npy", ".vectors.npy"):
                try:
                    (self.folder / f"{stem}{suffix}").unlink(missing_ok=True)
                except OSError:
                    pass  # a read-only cache: the shard stays, and is skipped again next time
        return shards

    def _warn(self, message: str) -> None:
        warnings.warn(message, FramingWarning, stacklevel=4)


def _written_order(marker_path: Path) -> tuple:
    """Shards in the order they were written: by the time in their name (older framing: by the marker's mtime)."""
    stamp = marker_path.name.split("-")[1] if marker_path.name.count("-") >= 2 else ""
    if stamp.isdigit():
        return (int(stamp), marker_path.name)
    try:
        return (marker_path.stat().st_mtime_ns, marker_path.name)
    except OSError:
        return (0, marker_path.name)


def _reason(error: BaseException) -> str:
    return getattr(error, "strerror", None) or str(error).split(": ", 1)[-1] or type(error).__name__


def _checksum(keys: np.ndarray, vectors: np.ndarray) -> str:
    digest = hashlib.sha256(np.ascontiguousarray(keys).tobytes())
    digest.update(memoryview(np.ascontiguousarray(vectors)).cast("B"))
    return digest.hexdigest()
