"""Outlet comparison: shares with article-level uncertainty, the test, divergences, syndication, claim alignment."""

from __future__ import annotations

import pandas as pd
import pytest

from framing import FramingError, corpus_dir, load_corpus, segment
from framing.compare import (ALIGNMENT_THRESHOLD, align_claims, calibrate_alignment, difference_test, divergences,
                             frame_shares, mark_syndication)

FRAMES = ["denial", "sanctions", "factual_report"]


def framed_table(rows):
    """rows: (outlet, article_id, frames) -> a minimal framed table of body paragraphs."""
    return pd.DataFrame([{"outlet": o, "outlet_kind": o, "article_id": a, "frames": f, "kind": "body",
                          "para_id": f"{a}:p{i:03d}", "position": i + 1, "text": f"text {i}"}
                         for i, (o, a, f) in enumerate(rows)])


def test_shares_count_paragraphs_and_list_every_frame():
    framed = framed_table([("A", "a1", ("denial",)), ("A", "a1", ("denial", "sanctions")), ("A", "a2", ("factual_report",)),
                           ("A", "a2", ("factual_report",))])
    shares = frame_shares(framed, by="outlet", frames=FRAMES).set_index("frame")
    assert shares.loc["denial", "share"] == 0.5 and shares.loc["sanctions", "share"] == 0.25
    assert shares.loc["denial", ["paragraphs", "frame_paragraphs", "articles"]].tolist() == [4, 2, 2]


def test_interval_reflects_article_clustering():
    # Two articles: one all denial, one none. Resampling articles gives an interval far wider than 16 paragraphs would.
    framed = framed_table([("A", "a1", ("denial",))] * 8 + [("A", "a2", ("factual_report",))] * 8)
    row = frame_shares(framed, by="outlet", frames=FRAMES, random_state=0).set_index("frame").loc["denial"]
    assert row["ci_low"] <= 0.15 and row["ci_high"] >= 0.85


def test_single_article_group_gets_a_wide_interval_not_none():
    framed = framed_table([("B", "b1", ("denial",)), ("B", "b1", ("factual_report",)), ("B", "b1", ("factual_report",)),
                           ("B", "b1", ("denial",))])
    row = frame_shares(framed, by="outlet", frames=FRAMES, random_state=0).set_index("frame").loc["denial"]
    assert row["articles"] == 1 and row["ci_high"] - row["ci_low"] >= 0.5


def test_a_requested_group_without_paragraphs_gets_explicit_empty_rows():
    framed = framed_table([("A", "a1", ("denial",))])
    shares = frame_shares(framed, by="outlet", frames=FRAMES, groups=["A", "Nobody"])
    empty = shares[shares["outlet"] == "Nobody"]
    assert len(empty) == 3 and empty["share"].isna().all() and (empty["paragraphs"] == 0).all()


def test_shares_are_deterministic_for_a_seed():
    framed = framed_table([("A", f"a{i % 3}", ("denial",) if i % 2 else ("sanctions",)) for i in range(12)])
    assert frame_shares(framed, frames=FRAMES, random_state=3).equals(frame_shares(framed, frames=FRAMES, random_state=3))


def test_unknown_frame_is_an_error():
    with pytest.raises(FramingError, match="frames propaganda are not among the frames compared"):
        frame_shares(framed_table([("A", "a1", ("propaganda",))]), frames=FRAMES)


def test_difference_test_separates_different_from_alike_groups():
    alike = framed_table([(o, f"{o}{i}", ("denial",) if j % 2 else ("sanctions",)) for o in "AB" for i in range(5)
                          for j in range(4)])
    unlike = framed_table([(o, f"{o}{i}", ("denial",) if o == "A" else ("sanctions",)) for o in "AB" for i in range(5)
                           for j in range(4)])
    same = difference_test(alike, by="outlet", frames=FRAMES, n_permutations=200).iloc[0]
    different = difference_test(unlike, by="outlet", frames=FRAMES, n_permutations=200).iloc[0]
    assert same["p_permutation"] > 0.5 and same["cramers_v"] == pytest.approx(0)
    assert different["p_permutation"] < 0.02 and different["cramers_v"] == pytest.approx(1)


def test_divergence_is_zero_for_the_same_mix_and_one_for_disjoint_mixes():
    framed = framed_table([("A", "a1", ("denial",)), ("B", "b1", ("denial",)), ("C", "c1", ("sanctions",))])
    table = divergences(framed, by="outlet", frames=FRAMES).set_index(["group_a", "group_b"])["jsd"]
    assert table[("A", "B")] == pytest.approx(0) and table[("A", "C")] == pytest.approx(1)


@pytest.fixture(scope="module")
def corpus_framed(real_embedder):
    from framing import load_detector

    paragraphs = segment(load_corpus(corpus_dir()))
    return (load_detector(embedder=real_embedder).frame_table(paragraphs),
            real_embedder.embed_paragraphs(paragraphs))


def test_syndicated_reuters_copies_are_flagged_and_the_original_kept(corpus_framed):
    framed, embeddings = corpus_framed
    marked = mark_syndication(framed, embeddings)
    lede = marked[marked["text"].str.startswith("MOSCOW, Sept 14 (Reuters) - Russia told the United States")]
    group = marked[marked["syndication_group"] == lede["syndication_group"].iloc[0]]
    assert set(group["outlet"]) == {"Reuters", "Cyprus Mail", "Philippine Daily Inquirer (newsinfo.inquirer.net)"}
    assert group.loc[group["outlet"] == "Reuters", "is_copy"].tolist() == [False]
    sputnik = marked[marked["article_id"] == "ru01-sputnik-2023-09-14-us-duplicity"]
    assert not sputnik["is_copy"].any()  # TASS retells the statement in its own words: not a copy


def test_alignment_finds_the_claims_other_outlets_carry(corpus_framed):
    framed, embeddings = corpus_framed
    alignment = align_claims(framed, embeddings, "ru01-sputnik-2023-09-14-us-duplicity")
    antonov = alignment[(alignment["focal_position"] == 3) & (alignment["outlet"] == "TASS")].iloc[0]
    assert antonov["carried"] and "no right to teach" in framed.set_index("para_id").loc[antonov["match_para_id"],
                                                                                          "text"]
    assert set(alignment["outlet"]) == set(framed["outlet"]) - {"Sputnik Africa"}
    not_carried = alignment[~alignment["carried"]]
    assert (not_carried["frames_gained"].map(len) == 0).all()


def test_alignment_of_an_unknown_article_is_an_error(corpus_framed):
    framed, embeddings = corpus_framed
    with pytest.raises(FramingError, match="focal article 'nope' is not in the table"):
        align_claims(framed, embeddings, "nope")


def test_alignment_threshold_is_the_one_calibrated_on_the_labelled_pairs(corpus_framed, real_embedder):
    framed, embeddings = corpus_framed
    pairs = pd.read_csv(corpus_dir() / "annotations" / "claims_sputnik.csv", dtype=str, keep_default_na=False)
    vectors = dict(zip(embeddings.para_id, embeddings.vectors))
    pairs["similarity"] = [float(vectors[a] @ vectors[b]) for a, b in zip(pairs["focal_para_id"],
                                                                         pairs["candidate_para_id"])]
    threshold, table = calibrate_alignment(pairs)
    assert threshold == ALIGNMENT_THRESHOLD
    best = table.set_index("threshold").loc[threshold]
    assert best["precision"] > 0.7 and best["recall"] > 0.8
