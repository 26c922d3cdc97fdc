"""Atomic file writes: the one helper every output of framing goes through.

A file is written under a temporary name in its own folder and renamed onto its final name only when complete, so
a killed run or a full disk never leaves a half-written file under the real name; on any failure the temporary file
is removed. Errors are ``OutputError`` naming the path and the reason in one line.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with atomic_path(folder / "table.csv") as tmp:
...     _ = tmp.write_text("a,b\\n1,2\\n")
>>> sorted(p.name for p in folder.iterdir())
['table.csv']
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import OutputError

TEMP_MARK = ".tmp-"  # temporary names are ".<name>.tmp-<random><suffix>": hidden, and never taken for an output


def temporary_name(path: Path) -> Path:
    """A hidden temporary path beside ``path`` that keeps its suffix (so ``np.savez`` adds no second ``.npz``)."""
    return path.with_name(f".{path.stem}{TEMP_MARK}{uuid.uuid4().hex[:12]}{path.suffix}")


def check_writable_file(path: str | Path) -> Path:
    """Refuse, before any computing, an output file path that cannot be written: a folder, a missing or read-only
    parent folder."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; give the name of a file to write")
    parent = path.parent
    if not parent.is_dir():
        raise OutputError(f"{path}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: folder {parent} is not writable")
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputError(f"{path}: file exists and is read-only")
    return path


def check_writable_folder(path: str | Path) -> Path:
    """Refuse, before any computing, an output folder that is a file or cannot be created or written."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path}: is a file; give a folder to write into")
    existing = next((p for p in (path, *path.parents) if p.exists()), None)
    if existing is None or not existing.is_dir():
        raise OutputError(f"{path}: cannot create this folder ({existing} is not a folder)")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: folder {existing} is not writable")
    return path


@contextmanager
def atomic_path(path: str | Path, *, durable: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block ends without error, flush it to disk (``durable``) and
    rename it onto ``path``. On any error (or interruption) the temporary file is removed and ``path`` is untouched.
    """
    path = Path(path)
    tmp = temporary_name(path)
    try:
        yield tmp
        if durable:
            _fsync(tmp)
        os.replace(tmp, path)
    except OSError as error:
        raise OutputError(f"{path}: cannot write ({error.strerror or error})") from None
    finally:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass  # e.g. the folder itself vanished; nothing is left under the final name either way


def write_bytes(path: str | Path, data: bytes, *, durable: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path, durable=durable) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text(path: str | Path, text: str, *, durable: bool = True) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically (``\\n`` line endings, as given)."""
    return write_bytes(path, text.encode("utf-8"), durable=durable)


def remove_stale_temporaries(folder: str | Path, *, older_than_s: float = 600.0) -> int:
    """Delete temporary files left in ``folder`` by killed runs (older than ``older_than_s``, so that a write in
    progress in another process is left alone); returns how many were removed. Never raises."""
    import time

    removed, now = 0, time.time()
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return 0
    for entry in entries:
        if (entry.name.startswith(".") and TEMP_MARK in entry.name) or entry.name.endswith(".tmp"):
            try:
                if now - entry.stat().st_mtime > older_than_s and entry.is_file():
                    entry.unlink()
                    removed += 1
            except OSError:
                continue
    return removed


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())
