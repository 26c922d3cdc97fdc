"""The embedding cache under faults: damaged files, a folder that cannot be written, a full disk, concurrent runs.

The cache is best-effort: whatever happens to it, a run returns the right vectors, says once what went wrong, and
leaves no temporary files behind. The stand-in encoder is enough here: these are properties of the bookkeeping.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from framing import Embedder, FramingWarning
from framing.cache import EmbeddingCache


def shards(folder):
    return sorted(folder.rglob("shard-*.json"))


def cached_rows(folder):
    return sum(len(np.load(path)) for path in folder.rglob("shard-*.keys.npy"))


def leftovers(folder):
    return [p.name for p in folder.rglob("*") if ".tmp" in p.name]


@pytest.mark.parametrize("offset, byte", [(10, '"'), (10, "\0"), (11, "("), (11, "#"), (12, "("), (13, "(")])
def test_a_damaged_byte_in_a_shard_header_is_reported_and_recomputed(tmp_path, counting_encoder, offset, byte):
    # One byte of the .npy header (offsets 10-13) made numpy's parser raise tokenize.TokenError, which was not caught:
    # every later run crashed until the file was deleted by hand.
    texts = ["Washington threatened sanctions.", "Moscow denied any arms deal."]
    expected = Embedder(counting_encoder, cache_dir=tmp_path).embed(texts)
    for name in ("keys", "vectors"):
        (path,) = tmp_path.rglob(f"shard-*.{name}.npy")
        data = bytearray(path.read_bytes())
        data[offset] = ord(byte)
        path.write_bytes(bytes(data))
        embedder = Embedder(counting_encoder, cache_dir=tmp_path)
        with pytest.warns(FramingWarning, match="damaged embedding cache shard removed"):
            again = embedder.embed(texts)
        assert embedder.last_stats["computed"] == 2 and np.array_equal(again, expected)
        assert len(shards(tmp_path)) == 1  # the damaged shard is gone, the recomputed one stored


def test_a_cache_folder_that_cannot_be_created_is_skipped_with_one_warning(tmp_path, counting_encoder):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    embedder = Embedder(counting_encoder, cache_dir=blocker / "cache")
    with pytest.warns(FramingWarning, match="cannot create the embedding cache folder .* continuing without a cache"):
        vectors = embedder.embed(["one", "two"])
    assert vectors.shape == (2, 8) and counting_encoder.encoded == ["one", "two"]


def failing_save(monkeypatch, code, after_bytes=64):
    """np.save that writes a little and then fails like the OS would (read-only file system, full disk)."""
    import framing.cache

    calls = []

    def save(file, array, *args, **kwargs):
        calls.append(file)
        with open(file, "wb") as handle:
            handle.write(b"\x93NUMPY" + b"\0" * after_bytes)
        raise OSError(code, os.strerror(code), str(file))

    monkeypatch.setattr(framing.cache.np, "save", save)
    return calls


@pytest.mark.parametrize("code", [errno.EROFS, errno.ENOSPC, errno.EACCES])
def test_a_cache_that_cannot_be_written_warns_once_and_the_run_goes_on(tmp_path, counting_encoder, monkeypatch,
                                                                        code):
    texts = [f"paragraph {i}" for i in range(2500)]  # three chunks of 1024: the first failure stops further writes
    expected = Embedder(counting_encoder, use_cache=False).embed(texts)
    calls = failing_save(monkeypatch, code)
    embedder = Embedder(counting_encoder, cache_dir=tmp_path, show_progress=False)
    with pytest.warns(FramingWarning) as caught:
        vectors = embedder.embed(texts)
    assert np.array_equal(vectors, expected)  # nothing computed is lost
    messages = [str(w.message) for w in caught if "cannot write to the embedding cache" in str(w.message)]
    assert len(messages) == 1 and os.strerror(code) in messages[0]
    assert len(calls) == 1 and leftovers(tmp_path) == [] and shards(tmp_path) == []


def test_temporary_files_of_killed_runs_are_removed_when_the_cache_opens(tmp_path, counting_encoder):
    cache = EmbeddingCache(tmp_path, "stand-in|1|torch|float32")
    stale = [cache.folder / ".shard-1.keys.tmp-0a1b2c.npy", cache.folder / "shard-2.vectors.npy.tmp"]
    fresh = cache.folder / ".shard-3.keys.tmp-3d4e5f.npy"  # another run may be writing this one right now
    for path in [*stale, fresh]:
        path.write_bytes(b"\0" * 1000)
    hour_ago = time.time() - 3600
    for path in stale:
        os.utime(path, (hour_ago, hour_ago))
    EmbeddingCache(tmp_path, "stand-in|1|torch|float32")
    assert [p.exists() for p in [*stale, fresh]] == [False, False, True]


RUN = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import numpy as np
    sys.path.insert(0, {tests!r})
    from conftest import CountingEncoder
    from framing import Embedder

    class SlowEncoder(CountingEncoder):  # slow enough that the three runs compute the same chunks at once
        def encode(self, texts):
            time.sleep(0.4)
            return super().encode(texts)

    go = Path({go!r})
    while not go.exists():
        time.sleep(0.01)
    texts = [f"paragraph number {{i}}" for i in range(3000)]
    vectors = Embedder(SlowEncoder(), cache_dir={cache!r}, show_progress=False).embed(texts)
    np.save({out!r} + sys.argv[1] + ".npy", vectors)
""")


def test_concurrent_runs_on_one_cache_store_each_text_once(tmp_path):
    # Three `framing embed` runs on one cache used to leave 7,500 rows for 3,000 texts, never compacted.
    script = tmp_path / "run.py"
    script.write_text(RUN.format(tests=os.path.dirname(__file__), go=str(tmp_path / "go"), cache=str(tmp_path / "cache"),
                                 out=str(tmp_path / "vectors-")))
    runs = [subprocess.Popen([sys.executable, str(script), str(i)]) for i in range(3)]
    time.sleep(0.5)
    (tmp_path / "go").write_text("")
    assert [run.wait(timeout=300) for run in runs] == [0, 0, 0]
    assert cached_rows(tmp_path / "cache") == 3000
    results = [np.load(tmp_path / f"vectors-{i}.npy") for i in range(3)]
    assert all(np.array_equal(results[0], other) for other in results[1:])
    assert leftovers(tmp_path / "cache") == []


def test_a_text_stored_twice_by_an_older_framing_gives_its_first_written_vector(tmp_path):
    cache = EmbeddingCache(tmp_path, "stand-in|1|torch|float32")
    keys = np.array([b"k" * 16], dtype="S16")
    cache._write_shard(keys, np.ones((1, 4), dtype=np.float32))
    time.sleep(0.01)
    cache._write_shard(keys, np.full((1, 4), 2, dtype=np.float32))  # a duplicate, as concurrent runs used to leave
    found, vectors = cache.lookup(keys)
    assert found.tolist() == [True] and vectors.tolist() == [[1.0, 1.0, 1.0, 1.0]]
