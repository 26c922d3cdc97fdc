"""The onnxruntime backends: same model, same vectors (fp32) or nearly (int8), each text's vector its own (alone or in
any batch, any number of workers), their own cache key, exported once."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import framing.onnx_backend as onnx_backend
from framing.embed import Embedder, load_encoder
from framing.errors import FramingError
from framing.onnx_backend import OnnxEncoder

SENTENCES = [
    "The central bank raised interest rates by a quarter point on Wednesday.",
    "Officials said the ceasefire was holding.",
    "Protesters gathered outside parliament for a third consecutive night, demanding the resignation of the interior "
    "minister after police used tear gas against a peaceful march.",
    "Shares fell.",
    "The ministry of health reported 1,204 new cases, the highest daily figure since March.",
    "Critics accused the government of using the crisis to expand surveillance powers without parliamentary oversight.",
    "Farmers blocked the motorway with tractors to protest against cuts to fuel subsidies.",
    "The summit ended without a joint statement.",
    "According to the UN refugee agency, more than two million people have fled the region since the fighting began, "
    "most of them women and children who crossed into neighbouring countries on foot.",
    "Opposition leaders called the election result a fraud.",
    "The company announced it would cut 4,000 jobs in Europe over the next two years.",
    "Rescue teams are still searching the rubble for survivors of Tuesday's earthquake.",
    "Energy prices have doubled since last winter, pushing inflation to a forty-year high.",
    "A spokesman for the foreign ministry dismissed the report as propaganda.",
    "Talks in Geneva resumed after a two-week pause.",
    "The court ruled that the law violated the constitution's guarantee of press freedom.",
    "Teachers went on strike over pay.",
    "Satellite images appear to show a build-up of troops near the border, analysts said.",
    "The new climate plan commits the country to net zero emissions by 2050 but sets no interim targets.",
    "Local residents say the factory has polluted the river for decades.",
    "The president thanked allies for their support.",
    "Migrants rescued in the Mediterranean were taken to a port in Sicily on Sunday.",
    "Is the alliance still fit for purpose? Its members disagree.",
    "Vaccination rates remain low in rural areas, where clinics are scarce.",
    "The state broadcaster did not mention the protests in its evening bulletin.",
    "Wheat exports resumed under a deal brokered by Turkey and the United Nations.",
    "Police arrested 37 people.",
    "The minister denied any wrongdoing and said she would not resign.",
    "Independent journalists have been barred from the region since the start of the operation.",
    "Ökonomen erwarten eine Rezession — economists expect a recession, the institute wrote.",
    "“We will not negotiate under threat,” the prime minister told reporters.",
    "Hospitals in the capital are running short of oxygen and basic medicines.",
    "The sanctions target banks, oil exports and the personal assets of senior officials.",
    "Voters head to the polls on Sunday in an election seen as a referendum on the government's economic record.",
    "Floods.",
    "The report found no evidence that the ballots had been tampered with.",
]
LONG = [  # each well over 256 word pieces, so truncation decides what the model sees
    " ".join(SENTENCES[:20]) * 2,
    " ".join(SENTENCES[10:]) * 2,
    " ".join(reversed(SENTENCES)) * 2,
    "Breaking: " + " ".join(SENTENCES[::2]) * 3,
]
TEXTS = SENTENCES + LONG


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


@pytest.fixture(scope="module")
def onnx_cache(tmp_path_factory):
    """A private FRAMING_CACHE_DIR for this module: the user's cache is never touched, exports happen once here."""
    folder = tmp_path_factory.mktemp("framing-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FRAMING_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(scope="module")
def torch_vectors(onnx_cache):
    return np.asarray(load_encoder(backend="torch").encode(TEXTS), dtype=np.float32)


@pytest.fixture(scope="module")
def fp32(onnx_cache):
    return OnnxEncoder()


@pytest.fixture(scope="module")
def int8(onnx_cache):
    return OnnxEncoder(quantize=True)


def test_fixture_texts_include_truncated_ones(fp32):
    fp32.encode(["warm up"])
    lengths = [sum(e.attention_mask) for e in fp32._tokenizer.encode_batch(TEXTS)]  # tokens, padding left out
    assert len(TEXTS) == 40 and max(lengths) == 256 and sum(n == 256 for n in lengths) == len(LONG)
    assert min(lengths) < 10


def test_fp32_matches_torch(fp32, torch_vectors):
    cosines = _cosines(fp32.encode(TEXTS), torch_vectors)
    print(f"onnx-fp32 vs torch: mean cosine {cosines.mean():.5f}, min {cosines.min():.5f}")
    assert cosines.mean() >= 0.99
    assert cosines.min() >= 0.999  # measured 1.0000: padded batches match torch exactly, truncation included


def test_int8_close_to_torch(int8, torch_vectors):
    cosines = _cosines(int8.encode(TEXTS), torch_vectors)
    print(f"onnx-int8 vs torch: mean cosine {cosines.mean():.5f}, min {cosines.min():.5f}")
    assert cosines.mean() >= 0.99  # 0.993 on 2,000 BASIL news paragraphs (benchmarks/encoders.py)
    assert cosines.min() >= 0.97


@pytest.mark.parametrize("kind", ["fp32", "int8"])
def test_shape_dtype_norm_and_order(kind, request):
    encoder = request.getfixturevalue(kind)
    vectors = encoder.encode(TEXTS)
    assert vectors.shape == (40, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    reversed_vectors = encoder.encode(TEXTS[::-1])
    np.testing.assert_array_equal(reversed_vectors[::-1], vectors)
    assert encoder.encode([]).shape == (0, 384)


@pytest.mark.parametrize("kind", ["fp32", "int8"])
def test_a_vector_depends_on_its_text_only(kind, request):
    # Alone, among other texts, on one worker or on three: bit for bit the same (int8 activations are scaled per
    # call, and every call holds one text on one thread).
    encoder = request.getfixturevalue(kind)
    together = encoder.encode(TEXTS)
    alone = np.vstack([encoder.encode([TEXTS[i]]) for i in (0, 3, 37)])
    np.testing.assert_array_equal(alone, together[[0, 3, 37]])
    quantize = kind == "int8"
    one_worker = OnnxEncoder(quantize=quantize, workers=1).encode(TEXTS[30:] + TEXTS[:5])
    three_workers = OnnxEncoder(quantize=quantize, workers=3).encode(TEXTS[:5])
    np.testing.assert_array_equal(one_worker[-5:], together[:5])
    np.testing.assert_array_equal(three_workers, together[:5])


def test_identity_matches_torch_encoder_but_backend(fp32, int8):
    torch_encoder = load_encoder(backend="torch")
    assert fp32.name == int8.name == torch_encoder.name == "all-MiniLM-L6-v2"
    assert fp32.revision == int8.revision == torch_encoder.revision
    assert (fp32.backend, int8.backend) == ("onnx-fp32", "onnx-int8")


def test_export_stored_in_cache_and_reused(onnx_cache, fp32, int8, monkeypatch):
    fp32.encode(["x"]), int8.encode(["x"])
    stored = sorted(p.name for p in (onnx_cache / "onnx").iterdir())
    revision = fp32.revision.replace(":", "-")
    assert stored == [f"{revision}-fp32.onnx", f"{revision}-int8.onnx"]  # no tmp files left behind

    def no_export(*args, **kwargs):
        raise AssertionError("exported again")

    monkeypatch.setattr(onnx_backend, "_export_fp32", no_export)
    np.testing.assert_allclose(OnnxEncoder().encode([TEXTS[5]]), fp32.encode([TEXTS[5]]), atol=1e-6)
    assert OnnxEncoder(quantize=True).encode(["y"]).shape == (1, 384)


def test_embedder_caches_backends_apart(tmp_path, fp32, onnx_cache):
    texts = SENTENCES[:6]
    onnx_vectors = Embedder(fp32, cache_dir=tmp_path, show_progress=False).embed(texts)
    torch_vectors = Embedder(backend="torch", cache_dir=tmp_path, show_progress=False).embed(texts)
    folders = sorted((tmp_path / "embeddings").iterdir())
    labels = sorted((f / "model.txt").read_text().strip().split("|")[2] for f in folders)
    assert len(folders) == 2 and labels == ["onnx-fp32", "torch"]
    again = Embedder(OnnxEncoder(), cache_dir=tmp_path, show_progress=False)
    np.testing.assert_array_equal(again.embed(texts), onnx_vectors)
    assert again.last_stats["cached"] == 6
    assert _cosines(onnx_vectors, torch_vectors).min() >= 0.999


def test_missing_onnxruntime_is_a_clear_error(onnx_cache, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(FramingError, match=r"pip install onnxruntime onnx\), or give backend='torch'"):
        OnnxEncoder().encode(["text"])


def test_not_a_model_folder(tmp_path):
    with pytest.raises(FramingError, match="not a sentence-transformers model folder"):
        OnnxEncoder(tmp_path)
