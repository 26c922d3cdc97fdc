"""Jupyter display: a framed article as HTML with frame tags and marked quotes; shares as a styled table."""

from __future__ import annotations

import pandas as pd
import pytest

from framing import FramingError
from framing.display import FramedArticle, styled_shares
from framing.quotes import find_quotes


def framed_article():
    return pd.DataFrame({
        "article_id": ["a", "a"], "para_id": ["a:p000", "a:p001"], "position": [0, 1], "kind": ["title", "body"],
        "outlet": ["Wire", "Wire"], "outlet_kind": ["western-wire"] * 2,
        "text": ["Russia rejects claims", '"We never sold weapons," Antonov said.'],
        "frames": [("denial",), ("denial", "accusation")]})


def test_framed_article_shows_frame_tags_and_marks_the_quote_with_its_speaker():
    framed = framed_article()
    html = FramedArticle(framed, "a", find_quotes(framed))._repr_html_()
    assert html.count(">denial</span>") == 2 and ">accusation</span>" in html
    assert "title='direct quote: Antonov'" in html and "We never sold weapons" in html


def test_framed_article_of_an_unknown_id_is_an_error():
    with pytest.raises(FramingError, match="article 'b' is not in the framed table"):
        FramedArticle(framed_article(), "b")


def test_styled_shares_shows_share_and_interval_per_cell():
    shares = pd.DataFrame({"outlet_kind": ["x", "x"], "frame": ["denial", "sanctions"], "share": [0.25, 0.0],
                           "ci_low": [0.1, 0.0], "ci_high": [0.5, 0.2], "paragraphs": 8, "frame_paragraphs": [2, 0],
                           "articles": 2})
    html = styled_shares(shares).to_html()
    assert "25% [10%–50%]" in html and "0% [0%–20%]" in html


HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>", '" onmouseover="alert(3)']


def test_styled_shares_escapes_outlet_kind_and_frame_names():
    # These names used to be written into the HTML as they were: the script and the onerror handler ran in the notebook.
    shares = pd.DataFrame({"outlet": HOSTILE, "frame": ["denial", HOSTILE[1], "denial"], "share": 0.5, "ci_low": 0.2,
                           "ci_high": 0.8, "paragraphs": 4, "frame_paragraphs": 2, "articles": 1})
    html = styled_shares(shares, by="outlet").to_html()
    assert "<script" not in html and "<img" not in html and '" onmouseover="' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "&quot; onmouseover=&quot;alert(3)" in html


def test_framed_article_escapes_every_name_it_shows():
    framed = framed_article().assign(outlet=HOSTILE[0], outlet_kind=HOSTILE[2], position=[HOSTILE[1], "1"])
    html = FramedArticle(framed, "a")._repr_html_()
    assert "<script" not in html and "<img" not in html and '" onmouseover="' not in html


def test_framed_article_reads_frames_written_as_text():
    html = FramedArticle(framed_article().assign(frames=["denial", "denial;accusation"]), "a")._repr_html_()
    assert html.count(">denial</span>") == 2 and ">accusation</span>" in html and ">;</span>" not in html
