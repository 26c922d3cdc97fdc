"""Comparisons within strata: permutations that never cross a stratum, a stratum-adjusted difference, divergences
with intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import jensenshannon

from framing import FramingError
from framing.compare import article_counts, difference_test, divergences, frame_shares, stratified_differences
from framing.stratified import _within_strata

FRAMES = ["denial", "sanctions"]


def framed_table(rows):
    """rows: (outlet, event, article_id, frames per paragraph)."""
    out = []
    for outlet, event, article, frames in rows:
        for i, f in enumerate(frames):
            out.append({"outlet": outlet, "event": event, "article_id": article, "para_id": f"{article}:{i}",
                        "kind": "body", "frames": f})
    return pd.DataFrame(out)


def confounded():
    """Events decide the frame, not outlets: in event e0 everyone denies, in e1 everyone speaks of sanctions; outlet A
    covers e0 mostly, B covers e1 mostly. Pooled, A and B look different; within events they are the same."""
    rows = []
    for k in range(10):
        rows.append(("A", "e0", f"A-e0-{k}", [("denial",)] * 4))
        rows.append(("B", "e1", f"B-e1-{k}", [("sanctions",)] * 4))
    rows.append(("A", "e1", "A-e1", [("sanctions",)] * 4))
    rows.append(("B", "e0", "B-e0", [("denial",)] * 4))
    return framed_table(rows)


def test_within_strata_permutation_never_moves_an_article_to_another_stratum():
    strata = np.repeat([0, 1, 2, 3], [5, 1, 7, 3])
    rng = np.random.default_rng(0)
    for _ in range(200):
        order = _within_strata(strata, rng)
        assert (strata[order] == strata).all()
        assert sorted(order) == list(range(len(strata)))


def test_a_difference_made_by_the_events_vanishes_within_strata():
    framed = confounded()
    pooled = difference_test(framed, by="outlet", frames=FRAMES, n_permutations=300).iloc[0]
    within = difference_test(framed, by="outlet", frames=FRAMES, strata="event", n_permutations=300).iloc[0]
    assert pooled["p_permutation"] < 0.01
    assert within["chi2"] == pytest.approx(0) and within["p_permutation"] == 1
    assert within["strata_used"] == 2


def test_stratified_test_finds_a_difference_that_holds_in_every_stratum():
    rows = [(o, f"e{e}", f"{o}{e}-{k}", [("denial",) if o == "A" else ("sanctions",)] * 3)
            for e in range(8) for o in "AB" for k in range(2)]
    result = difference_test(framed_table(rows), by="outlet", frames=FRAMES, strata="event", n_permutations=500)
    assert result.iloc[0]["p_permutation"] < 0.01 and result.iloc[0]["strata_used"] == 8


def test_mantel_haenszel_difference_matches_the_hand_computation():
    # e0: A 3/4 denial, B 1/4; e1: A 1/2, B 0/2. Weights n_a n_b / (n_a + n_b) = 2 and 1.
    # MH difference = (2 * 0.5 + 1 * 0.5) / 3 = 0.5. MH odds ratio = (3*3/8 + 1*2/4) / (1*1/8 + 1*0/4) = 13.
    rows = [("A", "e0", "a0", [("denial",)] * 3 + [("sanctions",)]),
            ("B", "e0", "b0", [("denial",)] + [("sanctions",)] * 3),
            ("A", "e1", "a1", [("denial",), ("sanctions",)]),
            ("B", "e1", "b1", [("sanctions",)] * 2)]
    table = stratified_differences(framed_table(rows), "outlet", "event", frames=FRAMES, n_boot=200,
                                   n_permutations=50).set_index("frame")
    assert table.loc["denial", "difference"] == pytest.approx(0.5)
    assert table.loc["denial", "odds_ratio_mh"] == pytest.approx(13)
    assert table.loc["denial", "strata_used"] == 2


def test_confounded_outlets_show_no_adjusted_difference():
    table = stratified_differences(confounded(), "outlet", "event", frames=FRAMES, n_boot=300,
                                   n_permutations=300).set_index("frame")
    assert table.loc["denial", "share_a"] > 0.7 and table.loc["denial", "share_b"] < 0.3  # pooled: far apart
    assert table.loc["denial", "difference"] == pytest.approx(0)


def test_shares_within_strata_have_one_row_per_stratum_group_and_frame():
    shares = frame_shares(confounded(), by="outlet", frames=FRAMES, strata="event", n_boot=100)
    assert list(shares.columns[:3]) == ["event", "outlet", "frame"]
    assert len(shares) == 2 * 2 * 2
    row = shares.set_index(["event", "outlet", "frame"]).loc[("e1", "A", "sanctions")]
    assert row["share"] == 1 and row["articles"] == 1


def test_an_article_in_two_strata_is_an_error():
    framed = framed_table([("A", "e0", "a0", [("denial",)]), ("A", "e1", "a0", [("denial",)])])
    with pytest.raises(FramingError, match="article 'a0' lies in more than one stratum"):
        article_counts(framed, "outlet", frames=FRAMES, strata="event")


def test_divergence_agrees_with_scipy_and_has_an_interval():
    rows = [("A", "e0", f"a{k}", [("denial",), ("denial",), ("sanctions",)][k % 2:]) for k in range(8)]
    rows += [("B", "e0", f"b{k}", [("sanctions",), ("sanctions",), ("denial",)][k % 2:]) for k in range(8)]
    table = divergences(framed_table(rows), by="outlet", frames=FRAMES, n_boot=300, n_permutations=200)
    row = table.set_index(["group_a", "group_b"]).loc[("A", "B")]
    # A: 4 articles with 2 denial + 1 sanctions, 4 with 1 + 1 -> 12 denial, 8 sanctions; B the mirror image.
    assert row["jsd"] == pytest.approx(jensenshannon([12 / 20, 8 / 20], [8 / 20, 12 / 20], base=2) ** 2)
    assert row["ci_low"] < row["jsd"] < row["ci_high"]
    assert row["jsd_null"] < row["jsd"] and row["p_permutation"] < 0.05


def test_within_strata_divergence_removes_the_events_mix():
    pooled = divergences(confounded(), by="outlet", frames=FRAMES, n_boot=100, n_permutations=100)
    within = divergences(confounded(), by="outlet", frames=FRAMES, strata="event", n_boot=100, n_permutations=100)
    key = lambda t: t.set_index(["group_a", "group_b"]).loc[("A", "B"), "jsd"]  # noqa: E731
    assert key(pooled) > 0.3 and key(within) == pytest.approx(0)
