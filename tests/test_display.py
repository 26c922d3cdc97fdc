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
                           "ci_low": [0.1, 0.0], "ci_high": [0.5, 0.2]})
    html = styled_shares(shares).to_html()
    assert "25% [10%–50%]" in html and "0% [0%–20%]" in html
