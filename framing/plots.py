"""One function per figure: ``(table, ax=None, ...) -> ax``. They draw what the table holds and compute nothing.

Colours are fixed per outlet kind (``KIND_COLOURS``) and frame (``FRAME_COLOURS``) of the event corpus, so a kind looks
the same in every figure; any other kinds and frames (your study's) get distinct colours from ``palette``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.colors import to_hex
from matplotlib.lines import Line2D

from .errors import FramingError

KIND_COLOURS = {
    "russian-state": "#d62728", "dprk-state": "#8c564b", "chinese-state": "#e377c2", "us-government": "#1f77b4",
    "western-wire": "#17becf", "western-press": "#9467bd", "ukrainian": "#bcbd22", "south-korean": "#2ca02c",
    "japanese": "#ff7f0e", "other": "#7f7f7f",
}


def kind_colour(kind: object) -> str:
    return KIND_COLOURS.get(str(kind), "#c7c7c7")


_DISTINCT = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
             "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#9edae5", "#dbdb8d")


def palette(keys, *, known: dict | None = None, overrides: dict | None = None) -> dict[str, str]:
    """A distinct colour for every key (outlet kinds, frames, outlets of any study): ``known`` colours first (the
    event corpus's kinds and frames keep theirs), then unused colours of a fixed list in the order keys come, so
    the same keys always get the same colours; grey only for a key named none/other."""
    known = {**KIND_COLOURS, **FRAME_COLOURS} if known is None else known
    known = {**known, **{str(k): v for k, v in (overrides or {}).items()}}
    colours, used = {}, set()
    keys = [str(k) for k in dict.fromkeys(keys)]
    for key in keys:
        if key in known:
            colours[key] = known[key]
            used.add(known[key])
    spare = [c for c in _DISTINCT if c not in used]
    for key in keys:
        if key not in colours:
            colours[key] = "#7f7f7f" if key in ("none", "other") else spare.pop(0) if spare else \
                to_hex(plt.cm.tab20(len(colours) % 20))
    return colours


def _require(table: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise FramingError(f"{what}: table lacks column(s) {', '.join(missing)}")


def paragraphs_by_outlet(outlets: pd.DataFrame, ax: plt.Axes | None = None) -> plt.Axes:
    """Horizontal bars: body paragraphs per outlet (table from ``framing.study.figures.outlet_table``), coloured by kind."""
    _require(outlets, ("outlet", "outlet_kind", "paragraphs", "articles"), "paragraphs_by_outlet")
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 0.32 * len(outlets) + 1.2))
    rows = outlets.iloc[::-1]  # first row on top
    colours = palette(outlets["outlet_kind"].astype(str), known=KIND_COLOURS)
    ax.barh(rows["outlet"], rows["paragraphs"], color=[colours[str(k)] for k in rows["outlet_kind"]])
    for y, (count, articles) in enumerate(zip(rows["paragraphs"], rows["articles"])):
        ax.text(count, y, f" {count} ({articles} art.)", va="center", fontsize=8)
    ax.set_xlabel("body paragraphs")
    ax.set_xlim(0, rows["paragraphs"].max() * 1.25)
    ax.tick_params(axis="y", labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    kinds = list(dict.fromkeys(outlets["outlet_kind"]))
    ax.legend(handles=[Line2D([], [], marker="s", ls="", color=colours[str(k)], label=k) for k in kinds],
              title="outlet kind", fontsize=8, title_fontsize=8, loc="lower right", frameon=False)
    return ax


def paragraph_map(points: pd.DataFrame, ax: plt.Axes | None = None, *, highlight: str | None = None) -> plt.Axes:
    """Scatter of paragraphs (``x``, ``y`` from ``framing.embed.embedding_map``) coloured by outlet kind.

    ``highlight`` names an article whose paragraphs are drawn on top, numbered by position.
    """
    _require(points, ("x", "y", "outlet_kind", "article_id", "position"), "paragraph_map")
    if ax is None:
        _, ax = plt.subplots(figsize=(9.5, 6))
    colours = palette(sorted(points["outlet_kind"].astype(str).unique()), known=KIND_COLOURS)
    for kind, group in points.groupby("outlet_kind", sort=True, dropna=False):
        ax.scatter(group["x"], group["y"], s=14, alpha=0.6, color=colours[str(kind)], label=str(kind), linewidths=0)
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


FRAME_COLOURS = {
    "accusation": "#d62728", "denial": "#1f77b4", "sovereignty": "#9467bd", "whataboutism": "#ff7f0e",
    "sanctions": "#8c564b", "cooperation": "#2ca02c", "security_threat": "#e377c2", "legality": "#17becf",
    "ridicule": "#bcbd22", "factual_report": "#c7c7c7",
}


def frame_colour(frame: object) -> str:
    return FRAME_COLOURS.get(str(frame), "#7f7f7f")


def frame_shares(shares: pd.DataFrame, ax: plt.Axes | None = None, *, by: str = "outlet_kind",
                 unit: str = "body paragraphs") -> plt.Axes:
    """Dot-and-interval plot: one row per frame, one dot per group (``framing.compare.frame_shares`` table).

    Groups resting on a single article are drawn hollow: their interval reflects its paragraphs only.
    """
    _require(shares, (by, "frame", "share", "ci_low", "ci_high", "articles"), "frame_shares")
    frames = list(dict.fromkeys(shares["frame"]))
    groups = list(dict.fromkeys(shares[by]))
    if ax is None:
        _, ax = plt.subplots(figsize=(8.5, 0.55 * len(frames) * max(1, len(groups) / 6) + 1.5))
    step = 0.8 / max(1, len(groups))
    colours = palette(groups, known=KIND_COLOURS if by == "outlet_kind" else {})
    for g, group in enumerate(groups):
        rows = shares[shares[by] == group].set_index("frame").reindex(frames)
        y = [len(frames) - 1 - i + 0.4 - (g + 0.5) * step for i in range(len(frames))]
        colour = colours[str(group)]
        single = int(rows["articles"].max()) <= 1
        ax.hlines(y, rows["ci_low"], rows["ci_high"], color=colour, linewidth=1.4, alpha=0.8)
        ax.scatter(rows["share"], y, s=22, color="white" if single else colour, edgecolors=colour, zorder=3,
                   label=f"{group} ({int(rows['articles'].max())} art.)")
    ax.set_yticks(range(len(frames)), frames[::-1])
    for boundary in range(len(frames) - 1):
        ax.axhline(boundary + 0.5, color="#eeeeee", linewidth=0.8, zorder=0)
    ax.set_xlabel(f"share of {unit} carrying the frame (95% interval, articles resampled)")
    ax.set_xlim(0, 1)
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0), title=by, title_fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def divergence_heatmap(divergences: pd.DataFrame, ax: plt.Axes | None = None) -> plt.Axes:
    """Pairwise Jensen–Shannon divergence (``framing.compare.divergences`` table) as an annotated matrix."""
    _require(divergences, ("group_a", "group_b", "jsd"), "divergence_heatmap")
    matrix = divergences.pivot(index="group_a", columns="group_b", values="jsd")
    if ax is None:
        _, ax = plt.subplots(figsize=(0.75 * len(matrix) + 2.5, 0.65 * len(matrix) + 1.5))
    image = ax.imshow(matrix.to_numpy(), cmap="Reds", vmin=0, vmax=max(0.3, float(matrix.to_numpy().max())))
    ax.set_xticks(range(len(matrix.columns)), matrix.columns, rotation=40, ha="right", fontsize=8)
    ax.set_yticks(range(len(matrix.index)), matrix.index, fontsize=8)
    for (i, j), value in pd.DataFrame(matrix.to_numpy()).stack().items():
        ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=7,
                color="white" if value > 0.6 * image.get_clim()[1] else "black")
    ax.figure.colorbar(image, ax=ax, shrink=0.8, label="Jensen–Shannon divergence (bits)")
    return ax


def frame_map(points: pd.DataFrame, ax: plt.Axes | None = None) -> plt.Axes:
    """Paragraphs in 2-D (``x``, ``y``) coloured by their first frame, marker shape by outlet kind."""
    _require(points, ("x", "y", "frames", "outlet_kind"), "frame_map")
    if ax is None:
        _, ax = plt.subplots(figsize=(9.5, 6.5))
    markers = dict(zip(sorted(points["outlet_kind"].astype(str).unique()), "osD^vP*Xph<>"))
    first = points["frames"].map(lambda frames: frames[0] if len(frames) else "none")
    order = [f for f in (points.attrs.get("frames") or FRAME_COLOURS) if f in set(first)]
    order += sorted(set(first) - set(order))
    colours = palette(order, known=FRAME_COLOURS)
    for kind, marker in markers.items():
        mine = points["outlet_kind"].astype(str) == kind
        ax.scatter(points.loc[mine, "x"], points.loc[mine, "y"], marker=marker, s=18, linewidths=0, alpha=0.8,
                   c=[colours[f] for f in first[mine]])
    frame_handles = [Line2D([], [], marker="o", ls="", color=colours[f], label=f) for f in order]
    kind_handles = [Line2D([], [], marker=m, ls="", color="#555555", label=k) for k, m in markers.items()]
    legend = ax.legend(handles=frame_handles, title="first frame", fontsize=7, title_fontsize=8, frameon=False,
                       loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.add_artist(legend)
    ax.legend(handles=kind_handles, title="outlet kind", fontsize=7, title_fontsize=8, frameon=False,
              loc="lower left", bbox_to_anchor=(1.0, 0.0))
    ax.set_xlabel("first principal component")
    ax.set_ylabel("second principal component")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def alignment_grid(alignment: pd.DataFrame, ax: plt.Axes | None = None, *, focal_frames: pd.Series | None = None
                   ) -> plt.Axes:
    """Focal paragraphs (rows) against outlets (columns): a cell is filled when the outlet carries the claim,
    coloured by the first frame of its matching paragraph; '+n'/'−n' count frames gained and lost."""
    _require(alignment, ("focal_position", "outlet", "carried", "match_frames", "frames_gained", "frames_lost"),
             "alignment_grid")
    positions = sorted(alignment["focal_position"].unique())
    outlets = list(alignment.groupby("outlet")["carried"].sum().sort_values(ascending=False).index)
    if ax is None:
        _, ax = plt.subplots(figsize=(0.42 * len(outlets) + 3.5, 0.42 * len(positions) + 2.5))
    for row in alignment.itertuples():
        x, y = outlets.index(row.outlet), positions.index(row.focal_position)
        if row.carried:
            colour = frame_colour(row.match_frames[0] if row.match_frames else "none")
            ax.add_patch(plt.Rectangle((x - 0.45, y - 0.45), 0.9, 0.9, color=colour))
            change = f"+{len(row.frames_gained)}" if row.frames_gained else ""
            change += f"−{len(row.frames_lost)}" if row.frames_lost else ""
            ax.text(x, y, change or "=", ha="center", va="center", fontsize=6)
        else:
            ax.add_patch(plt.Rectangle((x - 0.45, y - 0.45), 0.9, 0.9, fill=False, edgecolor="#dddddd"))
    ax.set_xlim(-0.6, len(outlets) - 0.4)
    ax.set_ylim(len(positions) - 0.5, -0.5)
    ax.set_xticks(range(len(outlets)), outlets, rotation=60, ha="right", fontsize=7)
    labels = [f"¶{p}" + (f"  {', '.join(focal_frames[p])}" if focal_frames is not None else "") for p in positions]
    ax.set_yticks(range(len(positions)), labels, fontsize=7)
    used = sorted({row.match_frames[0] for row in alignment.itertuples() if row.carried and row.match_frames},
                  key=list(FRAME_COLOURS).index)
    ax.legend(handles=[Line2D([], [], marker="s", ls="", color=frame_colour(f), label=f) for f in used],
              title="frame of the carrying paragraph", fontsize=7, title_fontsize=8, frameon=False,
              loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.spines[:].set_visible(False)
    return ax


def speakers(counts: pd.DataFrame, ax: plt.Axes | None = None, *, by: str = "outlet_kind", top: int = 12,
             groups=None) -> plt.Axes:
    """Heat map of quotes per group (rows) and speaker (columns), the ``top`` most quoted speakers. ``groups`` lists
    every group to show, so one that quotes nobody appears as an empty row rather than not at all."""
    _require(counts, (by, "speaker", "total"), "speakers")
    leading = list(counts.groupby("speaker")["total"].sum().sort_values(ascending=False).index[:top])
    matrix = counts[counts["speaker"].isin(leading)].pivot_table(index=by, columns="speaker", values="total",
                                                                 aggfunc="sum", fill_value=0)[leading]
    if groups is not None:
        matrix = matrix.reindex(sorted(groups), fill_value=0)
    if ax is None:
        _, ax = plt.subplots(figsize=(0.55 * len(leading) + 3, 0.45 * len(matrix) + 2.2))
    image = ax.imshow(matrix.to_numpy(), cmap="Blues", vmin=0)
    ax.set_xticks(range(len(leading)), leading, rotation=50, ha="right", fontsize=8)
    ax.set_yticks(range(len(matrix.index)), matrix.index, fontsize=8)
    for (i, j), value in pd.DataFrame(matrix.to_numpy()).stack().items():
        if value:
            ax.text(j, i, str(int(value)), ha="center", va="center", fontsize=7,
                    color="white" if value > 0.6 * matrix.to_numpy().max() else "black")
    ax.figure.colorbar(image, ax=ax, shrink=0.8, label="quotes (direct + reported)")
    return ax
