"""Embeddings with the real all-MiniLM-L6-v2, and the on-disk cache around it."""

from __future__ import annotations

import numpy as np
import pytest

from framing import Embedder, Embeddings, FramingError, FramingWarning, load_corpus, segment
from framing.embed import BACKENDS, _plain_tokenizer, default_model_path, text_windows


def cosine(a, b):
    return float(a @ b)


def test_vectors_are_normalised_float32_of_the_model_width(real_embedder):
    vectors = real_embedder.embed(["Kim Jong Un arrived in Russia.", "Putin met Kim at the cosmodrome."])
    assert vectors.dtype == np.float32 and vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_paraphrases_are_closer_than_unrelated_pairs(real_embedder):
    pairs = [
        ("Russia's ambassador said the US has no right to lecture Moscow.",
         "Washington cannot teach Russia how to live, the Russian envoy said."),
        ("North Korea denied selling weapons to Russia.",
         "Pyongyang rejected claims that it supplied arms to Moscow."),
        ("The US threatened new sanctions over an arms deal.",
         "Washington warned of fresh penalties if weapons change hands."),
    ]
    unrelated = ["The recipe calls for two cups of flour and a pinch of salt.",
                 "The striker scored twice in the second half of the match.",
                 "Heavy rain is expected across the region this weekend."]
    vectors = real_embedder.embed([t for pair in pairs for t in pair] + unrelated)
    for i in range(len(pairs)):
        paraphrase = cosine(vectors[2 * i], vectors[2 * i + 1])
        for j in range(len(unrelated)):
            assert paraphrase > cosine(vectors[2 * i], vectors[6 + j]) + 0.3


def test_cache_hit_returns_identical_vectors_without_the_model(tmp_path):
    texts = ["Kim arrived in Vladivostok by armoured train.", "Antonov spoke of duplicity."]
    first = Embedder(cache_dir=tmp_path).embed(texts)
    again = Embedder(cache_dir=tmp_path)
    second = again.embed(texts)
    assert np.array_equal(first, second)
    assert again.last_stats == {"texts": 2, "unique": 2, "cached": 2, "computed": 0, "windowed": 0}
    assert again._encoder.__dict__.get("_session") is None  # the model was never loaded


def test_truncated_cache_file_is_detected_and_recomputed(tmp_path):
    texts = ["Washington threatened sanctions.", "Moscow denied any arms deal."]
    expected = Embedder(cache_dir=tmp_path).embed(texts)
    (vectors_file,) = tmp_path.rglob("shard-*.vectors.npy")
    vectors_file.write_bytes(vectors_file.read_bytes()[:-100])
    embedder = Embedder(cache_dir=tmp_path)
    with pytest.warns(FramingWarning, match="damaged embedding cache shard removed"):
        recomputed = embedder.embed(texts)
    assert embedder.last_stats["computed"] == 2
    assert np.allclose(recomputed, expected, atol=1e-6)


def test_corrupted_bytes_of_the_same_length_are_detected(tmp_path, counting_encoder):
    Embedder(counting_encoder, cache_dir=tmp_path).embed(["one text"])
    (vectors_file,) = tmp_path.rglob("shard-*.vectors.npy")
    data = bytearray(vectors_file.read_bytes())
    data[-1] ^= 0xFF
    vectors_file.write_bytes(bytes(data))
    embedder = Embedder(counting_encoder, cache_dir=tmp_path)
    with pytest.warns(FramingWarning, match="damaged"):
        embedder.embed(["one text"])
    assert counting_encoder.encoded == ["one text", "one text"]


def test_unfinished_shard_from_a_killed_run_is_ignored(tmp_path, counting_encoder):
    Embedder(counting_encoder, cache_dir=tmp_path).embed(["kept"])
    (marker,) = tmp_path.rglob("shard-*.json")
    marker.unlink()  # a run killed after writing the arrays but before the checksum file
    embedder = Embedder(counting_encoder, cache_dir=tmp_path)
    embedder.embed(["kept"])
    assert embedder.last_stats["computed"] == 1


def test_identical_texts_are_embedded_once(tmp_path, counting_encoder):
    embedder = Embedder(counting_encoder, cache_dir=tmp_path)
    vectors = embedder.embed(["same", "other", "same", "same"])
    assert sorted(counting_encoder.encoded) == ["other", "same"]
    assert np.array_equal(vectors[0], vectors[2]) and np.array_equal(vectors[0], vectors[3])


def test_cache_is_keyed_by_model_revision(tmp_path, counting_encoder):
    Embedder(counting_encoder, cache_dir=tmp_path).embed(["text"])
    counting_encoder.revision = "2"
    embedder = Embedder(counting_encoder, cache_dir=tmp_path)
    embedder.embed(["text"])
    assert embedder.last_stats["computed"] == 1


def test_cache_dir_comes_from_the_environment(tmp_path, monkeypatch, counting_encoder):
    monkeypatch.setenv("FRAMING_CACHE_DIR", str(tmp_path / "from-env"))
    Embedder(counting_encoder).embed(["text"])
    assert list((tmp_path / "from-env" / "embeddings").glob("*/shard-*.json"))


@pytest.mark.parametrize("bad, message", [(["ok", None], "text 1 is NoneType"), (["ok", float("nan")], "text 1 is float"),
                                          (["  "], "text 0 is empty")])
def test_non_text_input_is_rejected_clearly(tmp_path, counting_encoder, bad, message):
    with pytest.raises(FramingError, match=message):
        Embedder(counting_encoder, cache_dir=tmp_path).embed(bad)


def test_unknown_model_name_is_refused_offline(tmp_path):
    with pytest.raises(FramingError, match="'no-such-model' is not available offline"):
        Embedder("no-such-model", cache_dir=tmp_path).embed(["text"])


def test_sputnik_paragraphs_embed_with_their_ids_and_round_trip(real_embedder, sputnik_path, tmp_path):
    paragraphs = segment(load_corpus(sputnik_path))
    embeddings = real_embedder.embed_paragraphs(paragraphs)
    assert embeddings.para_id.tolist() == paragraphs["para_id"].tolist()
    loaded = Embeddings.load(embeddings.save(tmp_path / "sputnik.npz"))
    assert np.array_equal(loaded.vectors, embeddings.vectors)
    assert (loaded.model, loaded.para_id[0]) == ("all-MiniLM-L6-v2", paragraphs["para_id"].iloc[0])


def test_float16_on_request_keeps_the_values(tmp_path, counting_encoder):
    texts = ["one", "two", "three"]
    full = Embedder(counting_encoder, cache_dir=tmp_path).embed(texts)
    half = Embedder(counting_encoder, cache_dir=tmp_path, dtype="float16").embed(texts)
    assert half.dtype == np.float16 and np.allclose(half, full, atol=1e-3)


def test_large_corpus_goes_to_a_memory_mapped_file_block_by_block(tmp_path, counting_encoder):
    texts = [f"paragraph {i}" for i in range(25)]
    embedder = Embedder(counting_encoder, cache_dir=tmp_path / "cache")
    mapped = embedder.embed_to_file(texts, tmp_path / "vectors.npy", block=10)
    assert isinstance(mapped, np.memmap) and mapped.shape == (25, 8)
    assert np.array_equal(mapped, embedder.embed(texts))
    assert [len(call) for call in counting_encoder.calls[:3]] == [10, 10, 5]  # one block at a time


# --- backends ---------------------------------------------------------------------------------------------------------

def test_default_backend_is_int8_and_torch_is_one_argument_away(tmp_path, monkeypatch):
    monkeypatch.delenv("FRAMING_BACKEND", raising=False)
    assert Embedder(cache_dir=tmp_path).encoder.backend == "onnx-int8"
    assert Embedder(backend="torch", cache_dir=tmp_path).encoder.backend == "torch"
    monkeypatch.setenv("FRAMING_BACKEND", "onnx-fp32")
    assert Embedder(cache_dir=tmp_path).encoder.backend == "onnx-fp32"
    monkeypatch.setenv("FRAMING_BACKEND", "tensorrt")
    with pytest.raises(FramingError, match=r"'tensorrt' \(\$FRAMING_BACKEND\) is not one of onnx-int8"):
        Embedder(cache_dir=tmp_path).encoder
    with pytest.raises(FramingError, match="runs on the CPU only; for device 'cuda' give backend='torch'"):
        Embedder(backend="onnx-int8", device="cuda", cache_dir=tmp_path).encoder


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_vector_is_the_same_alone_in_any_batch_cold_or_cached(backend, tmp_path):
    text = "Moscow rejected Washington's assessment of the talks as a display of duplicity."
    others = [f"Paragraph {i} of a longer article, with more words in it than the first. " * (i % 4 + 1)
              for i in range(12)]
    alone = Embedder(backend=backend, use_cache=False).embed([text])[0]
    cold = Embedder(backend=backend, cache_dir=tmp_path).embed([*others[:7], text, *others[7:]])[7]
    cached = Embedder(backend=backend, cache_dir=tmp_path)
    again = cached.embed([others[3], text])[1]
    assert cached.last_stats["cached"] == 2
    assert np.array_equal(alone, cold) and np.array_equal(alone, again)


# --- long texts -------------------------------------------------------------------------------------------------------

SPORT = ("The striker scored twice in the second half as the home side came back from two goals down to win the "
         "derby in front of a sold-out stadium. ")
MARKETS = ("The central bank raised interest rates by half a point and bond yields climbed to their highest level "
           "since the financial crisis. ")


def test_windows_cover_the_text_at_word_starts_within_the_limit():
    tokenizer = _plain_tokenizer(default_model_path())
    text = SPORT * 12 + MARKETS * 12
    windows = text_windows(tokenizer, text, 254)
    total = len(tokenizer.encode(text, add_special_tokens=False).ids)
    assert len(windows) == -(-total // 254) and sum(n for _, n in windows) == total
    assert all(n <= 254 for _, n in windows) and max(n for _, n in windows) - min(n for _, n in windows) <= 20
    assert " ".join(piece for piece, _ in windows).split() == text.split()  # nothing lost, no word cut in two
    assert [len(tokenizer.encode(piece, add_special_tokens=False).ids) for piece, _ in windows] == [
        n for _, n in windows]


def test_the_end_of_a_long_paragraph_counts(tmp_path):
    # 12 sentences on football, then 12 on interest rates: about 540 word pieces, over twice the model's 256
    long_text = SPORT * 12 + MARKETS * 12
    embedder = Embedder(cache_dir=tmp_path, show_progress=False)
    windowed = embedder.embed([long_text])[0]
    assert embedder.last_stats["windowed"] == 1
    truncated = Embedder(cache_dir=tmp_path, long_texts="truncate").embed([long_text])[0]
    markets, sport = embedder.embed([MARKETS.strip(), SPORT.strip()])
    assert windowed @ markets > 0.6 and windowed @ sport > 0.6   # both halves are seen
    assert truncated @ markets < 0.3                              # cut at 256 word pieces, the markets were lost
    assert len({p.name for p in (tmp_path / "embeddings").iterdir()}) == 2  # the two treatments are cached apart


def test_a_short_text_is_not_windowed(tmp_path):
    embedder = Embedder(cache_dir=tmp_path, show_progress=False)
    short = embedder.embed([SPORT * 3])[0]
    assert embedder.last_stats["windowed"] == 0
    assert np.array_equal(short, Embedder(long_texts="truncate", use_cache=False).embed([SPORT * 3])[0])
