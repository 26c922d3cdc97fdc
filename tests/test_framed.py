"""Any codebook through every step: the framed table carries its frames, so no step falls back to the default
codebook."""

from __future__ import annotations

import io

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

from framing import FramingError  # noqa: E402
from framing.compare import difference_test, divergences, frame_shares  # noqa: E402
from framing.display import FramedArticle  # noqa: E402
from framing.framed import frames_of, with_frames  # noqa: E402
from framing.plots import frame_shares as plot_shares, palette  # noqa: E402

FRAMES = ["legal_authority", "personal_attack", "economic_cost", "other"]


def framed_table():
    rows = []
    for outlet, kind, pattern in [("Fox News", "us-conservative", [("personal_attack",), ("legal_authority",), ()]),
                                  ("New York Times", "us-liberal", [("economic_cost",), ("legal_authority",), ()]),
                                  ("HuffPost", "us-liberal", [("personal_attack", "other"), (), ("economic_cost",)])]:
        for article in range(2):
            for position, frames in enumerate(pattern):
                rows.append({"article_id": f"{outlet[:3]}-{article}", "para_id": f"{outlet[:3]}-{article}:p{position}",
                             "outlet": outlet, "outlet_kind": kind, "kind": "body", "position": position,
                             "text": f"Paragraph {position}.", "frames": frames,
                             **{f"score_{f}": float(f in frames) for f in FRAMES}})
    return with_frames(pd.DataFrame(rows), FRAMES, "my-codebook")


def test_shares_test_and_divergences_use_the_tables_own_frames():
    framed = framed_table()
    shares = frame_shares(framed, by="outlet", n_boot=200)
    assert sorted(set(shares["frame"])) == sorted(FRAMES)
    assert difference_test(framed, by="outlet_kind", n_permutations=50)["frames"].iloc[0] == 4
    assert set(divergences(framed, by="outlet")["group_a"]) == {"Fox News", "New York Times", "HuffPost"}


def test_frames_survive_a_csv_round_trip_through_the_score_columns():
    buffer = io.StringIO()
    framed = framed_table()
    framed.assign(frames=framed["frames"].map(";".join)).to_csv(buffer, index=False)
    buffer.seek(0)
    again = pd.read_csv(buffer, keep_default_na=False)
    assert again.attrs == {} and frames_of(again) == FRAMES
    shares = frame_shares(again, by="outlet", n_boot=100).set_index(["outlet", "frame"])
    assert shares.loc[("HuffPost", "other"), "frame_paragraphs"] == 2


def test_a_table_without_its_frames_says_how_to_fix_it():
    bare = framed_table()[["article_id", "outlet", "kind", "frames"]].copy()
    bare.attrs.clear()
    with pytest.raises(FramingError, match=r"pass frames=codebook\.names"):
        frame_shares(bare, by="outlet")


def test_frames_outside_the_list_name_the_codebook_and_the_fix():
    framed = framed_table()
    framed.loc[0, "frames"] = ("denial",)
    with pytest.raises(FramingError, match=r"frames denial are not among the frames compared of codebook "
                                           r"'my-codebook' .*pass frames=codebook\.names of the codebook"):
        frame_shares(framed, by="outlet")


def test_new_kinds_and_frames_get_distinct_colours_not_grey():
    colours = palette(["us-conservative", "us-liberal", *FRAMES])
    assert len(set(colours.values())) == 6 and "#c7c7c7" not in colours.values()
    ax = plot_shares(frame_shares(framed_table(), by="outlet_kind", n_boot=100))
    dots = {tuple(c.get_edgecolor()[0][:3]) for c in ax.collections if hasattr(c, "get_offsets")}
    assert len(dots) == 2


def test_framed_article_colours_the_studys_frames():
    html = FramedArticle(framed_table(), "Fox-0")._repr_html_()
    colours = palette(FRAMES)
    assert f"background:{colours['personal_attack']}" in html and f"background:{colours['legal_authority']}" in html
    assert colours["personal_attack"] != colours["legal_authority"]
