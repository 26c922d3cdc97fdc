"""Jupyter display: a framed article as HTML (frame tags, marked quotes) and readable styled comparison tables.

Every piece of text that comes from data (outlet and kind names, frame names, article ids, paragraph text, speakers) is
HTML-escaped, so a name such as ``<script>`` shows as text and never runs in the notebook.
"""

from __future__ import annotations

import html

import pandas as pd

from .errors import FramingError
from .framed import frames_of, parse_frames
from .plots import FRAME_COLOURS, frame_colour, palette
from .schemas import FRAMED, SHARES, validate


class FramedArticle:
    """One article's paragraphs with their frames as coloured tags and quoted words marked with their speaker.

    >>> framed = pd.DataFrame({"article_id": "a", "para_id": ["a:p000", "a:p001"], "position": [0, 1],
    ...                        "kind": ["title", "body"], "text": ["Moscow rejects claims", "No weapons were sold."],
    ...                        "frames": [("denial",), ("denial", "accusation")]})
    >>> FramedArticle(framed, "a")       # in a notebook this cell shows the article with coloured frame tags
    <framing.display.FramedArticle object at ...>
    >>> "No weapons were sold.<br>" in FramedArticle(framed, "a")._repr_html_()
    True
    """

    def __init__(self, framed: pd.DataFrame, article_id: str, quotes: pd.DataFrame | None = None):
        framed = validate(FRAMED, framed, "framed table", columns=("para_id", "position", "text"))
        rows = framed[framed["article_id"] == article_id]
        if rows.empty:
            raise FramingError(f"article {article_id!r} is not in the framed table")
        self.article_id = article_id
        self.paragraphs = rows.sort_values("position")
        try:
            frames = frames_of(framed)
        except FramingError:  # a table without its frame list: colour the frames it shows
            frames = list(dict.fromkeys(f for row in framed["frames"] for f in parse_frames(row)))
        self.colours = palette(frames, known=FRAME_COLOURS)
        self.quotes = quotes[quotes["article_id"] == article_id] if quotes is not None else None

    def _repr_html_(self) -> str:
        first = self.paragraphs.iloc[0]
        parts = ["<div style='font-family:sans-serif;max-width:52em'>",
                 f"<div style='color:#666;font-size:90%'>{html.escape(str(first.get('outlet', '')))} · "
                 f"{html.escape(str(first.get('outlet_kind', '')))} · {html.escape(self.article_id)}</div>"]
        for row in self.paragraphs.itertuples():
            text = self._marked_text(row.para_id, row.text)
            tags = "".join(_tag(frame, self.colours.get(frame)) for frame in parse_frames(row.frames))
            weight = "bold" if getattr(row, "kind", "body") == "title" else "normal"
            parts.append(f"<p style='margin:0.6em 0;font-weight:{weight}'><span style='color:#999'>"
                         f"¶{html.escape(str(row.position))}"
                         f"</span> {text}<br>{tags}</p>")
        parts.append("</div>")
        return "".join(parts)

    def _marked_text(self, para_id: str, text: str) -> str:
        if self.quotes is None:
            return html.escape(text)
        spans = sorted((q.start, q.end, q.speaker, q.kind) for q in self.quotes[self.quotes["para_id"] == para_id]
                       .itertuples())
        out, cursor = [], 0
        for start, end, speaker, kind in spans:
            if start < cursor:
                continue  # overlapping extractions: keep the first
            style = "background:#fff3bf" if kind == "direct" else "border-bottom:2px dotted #e0a800"
            out.append(html.escape(text[cursor:start]))
            out.append(f"<span style='{style}' title='{html.escape(kind)} quote: {html.escape(speaker)}'>"
                       f"{html.escape(text[start:end])}</span><sub style='color:#b07d00'>"
                       f"{html.escape(speaker)}</sub>")
            cursor = end
        out.append(html.escape(text[cursor:]))
        return "".join(out)


def _tag(frame: str, colour: str | None = None) -> str:
    colour = colour or frame_colour(frame)
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    dark = 0.299 * red + 0.587 * green + 0.114 * blue > 150  # a light background needs dark text
    return (f"<span style='display:inline-block;margin:2px 4px 0 0;padding:0 6px;border-radius:8px;font-size:80%;"
            f"background:{colour};color:{'black' if dark else 'white'}'>{html.escape(frame)}</span>")


def frame_legend(frames=None) -> str:
    """HTML legend of the frame colours: the event corpus's frames, or ``frames`` (a list, a Codebook or a framed
    table)."""
    if frames is None:
        names = list(FRAME_COLOURS)
    elif isinstance(frames, pd.DataFrame):
        names = frames_of(frames)
    else:
        names = list(getattr(frames, "names", frames))
    colours = palette(names, known=FRAME_COLOURS)
    return "".join(_tag(frame, colours[frame]) for frame in names)


def styled_shares(shares: pd.DataFrame, by: str = "outlet_kind"):
    """Frame shares as a groups × frames table, each cell 'share [low–high]', shaded by the share."""
    shares = validate(SHARES, shares, "frame shares", columns=(by,))
    frames = list(dict.fromkeys(shares["frame"]))

    def wide(column: str) -> pd.DataFrame:
        table = shares.pivot(index=by, columns="frame", values=column)[frames]
        # Outlet, kind and frame names come from the user's data: escaped, so that they show as text and never run
        # as HTML in the notebook.
        table.index = [html.escape(str(label)) for label in table.index]
        table.columns = [html.escape(str(label)) for label in table.columns]
        table.index.name, table.columns.name = html.escape(str(by)), "frame"
        return table

    share, low, high = wide("share"), wide("ci_low"), wide("ci_high")
    percent = lambda table: table.map(lambda v: "–" if pd.isna(v) else f"{v:.0%}")  # noqa: E731
    labels = percent(share) + " [" + percent(low) + "–" + percent(high) + "]"
    shading = share.map(lambda v: "" if pd.isna(v) else f"background-color: rgba(214,39,40,{0.8 * v:.2f})")
    return (labels.style.apply(lambda _: shading, axis=None)
            .set_caption("share of body paragraphs carrying each frame [95% interval, articles resampled]")
            .set_properties(**{"white-space": "nowrap", "font-size": "85%"}))
