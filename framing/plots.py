"""One function per figure: ``(table, ax=None, ...) -> ax``. They draw what the table holds and compute nothing.

Colours are fixed per outlet kind (``KIND_COLOURS``) so a kind looks the same in every figure.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D

from .errors import FramingError

KIND_COLOURS = {
    "russian-state": "#d62728", "dprk-state": "#8c564b", "chinese-state": "#e377c2", "us-government": "#1f77b4",
    "western-wire": "#17becf", "western-press": "#9467bd", "ukrainian": "#bcbd22", "south-korean": "#2ca02c",
    "japanese": "#ff7f0e", "other": "#7f7f7f",
}


def kind_colour(kind: object) -> str:
    return KIND_COLOURS.get(str(kind), "#c7c7c7")


def _require(table: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise FramingError(f"{what}: table lacks column(s) {', '.join(missing)}")


def paragraphs_by_outlet(outlets: pd.DataFrame, ax: plt.Axes | None = None) -> plt.Axes:
    """Horizontal bars: body paragraphs per outlet (table from ``framing.figures.outlet_table``), coloured by kind."""
    _require(outlets, ("outlet", "outlet_kind", "paragraphs", "articles"), "paragraphs_by_outlet")
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 0.32 * len(outlets) + 1.2))
    rows = outlets.iloc[::-1]  # first row on top
    ax.barh(rows["outlet"], rows["paragraphs"], color=[kind_colour(k) for k in rows["outlet_kind"]])
    for y, (count, articles) in enumerate(zip(rows["paragraphs"], rows["articles"])):
        ax.text(count, y, f" {count} ({articles} art.)", va="center", fontsize=8)
    ax.set_xlabel("body paragraphs")
    ax.set_xlim(0, rows["paragraphs"].max() * 1.25)
    ax.tick_params(axis="y", labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    kinds = list(dict.fromkeys(outlets["outlet_kind"]))
    ax.legend(handles=[Line2D([], [], marker="s", ls="", color=kind_colour(k), label=k) for k in kinds],
              title="outlet kind", fontsize=8, title_fontsize=8, loc="lower right", frameon=False)
    return ax


def paragraph_map(points: pd.DataFrame, ax: plt.Axes | None = None, *, highlight: str | None = None) -> plt.Axes:
    """Scatter of paragraphs (``x``, ``y`` from ``framing.embed.embedding_map``) coloured by outlet kind.

    ``highlight`` names an article whose paragraphs are drawn on top, numbered by position.
    """
    _require(points, ("x", "y", "outlet_kind", "article_id", "position"), "paragraph_map")
    if ax is None:
        _, ax = plt.subplots(figsize=(9.5, 6))
    for kind, group in points.groupby("outlet_kind", sort=True, dropna=False):
        ax.scatter(group["x"], group["y"], s=14, alpha=0.6, color=kind_colour(kind), label=str(kind), linewidths=0)
    if highlight is not None:
        focal = points[points["article_id"] == highlight]
        if focal.empty:
            raise FramingError(f"paragraph_map: no paragraphs of article {highlight!r} to highlight")
        ax.scatter(focal["x"], focal["y"], s=70, facecolors="none", edgecolors="black", linewidths=1.2,
                   label=f"{highlight}\n(numbered by paragraph position)")
        for row in focal.itertuples():
            ax.annotate(str(row.position), (row.x, row.y), xytext=(4, 3), textcoords="offset points", fontsize=8)
    ax.set_xlabel("first principal component")
    ax.set_ylabel("second principal component")
    ax.legend(fontsize=7, markerscale=1.2, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0),
              title="outlet kind", title_fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return ax
