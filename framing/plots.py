"""One function per figure: ``(table, ax=None, ...) -> ax``. They draw what the table holds and compute nothing.
Figures made of small multiples (one panel per frame) take ``fig=None`` instead and return the figure.

Colours come from ``palette``: the project's outlet kinds and frames keep fixed colours (``KIND_COLOURS``,
``FRAME_COLOURS``) so they look the same in every figure; any other value (a user's own outlet kinds or frames) gets a
distinct colour of its own, never grey; ``colours=`` overrides any of them. Sizes suit print: ``COLUMN`` (one column,
3.5 in) and ``PAGE`` (two columns, 7 in) wide, and no text under 7 pt.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import patheffects
import pandas as pd
from matplotlib.colors import to_hex
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .errors import FramingError

COLUMN, PAGE = 3.5, 7.0  # inches: one and two columns of a journal page
SMALL = 7  # pt: the smallest text on a figure
# Okabe & Ito's colour-blind-safe set, then the rest of tab20 (greys left out): for values without a fixed colour.
_EXTRA_COLOURS = ["#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#000000",
                  "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5",
                  "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173"]

KIND_COLOURS = {
    "russian-state": "#d62728", "dprk-state": "#8c564b", "chinese-state": "#e377c2", "us-government": "#1f77b4",
    "western-wire": "#17becf", "western-press": "#9467bd", "ukrainian": "#bcbd22", "south-korean": "#2ca02c",
    "japanese": "#ff7f0e", "other": "#7f7f7f",
}


FRAME_COLOURS = {
    "accusation": "#d62728", "denial": "#1f77b4", "sovereignty": "#9467bd", "whataboutism": "#ff7f0e",
    "sanctions": "#8c564b", "cooperation": "#2ca02c", "security_threat": "#e377c2", "legality": "#17becf",
    "ridicule": "#bcbd22", "factual_report": "#c7c7c7",
}


LOW_PRECISION = 0.6  # a frame detected with lower real-text precision is flagged where its share is drawn


def low_precision(precision: float) -> bool:
    """Whether a real-text precision is flagged: below ``LOW_PRECISION`` as printed (0.598 reads 0.60: not flagged)."""
    return round(precision, 2) < LOW_PRECISION


def frame_colour(frame: object) -> str:
    return FRAME_COLOURS.get(str(frame), "#7f7f7f")


def palette(values, *, known: dict | None = None, overrides: dict | None = None) -> dict[str, str]:
    """A colour for each of ``values``: the fixed colour where ``known`` (default: the project's outlet kinds and
    frames) has one, else a distinct colour not used by the others, assigned in sorted order so the same values get the
    same colours in every figure (grey only for a value named "none" or "other"); ``overrides`` (value -> colour)
    wins over both.

    >>> palette(["us-government", "my-blogs"])
    {'my-blogs': '#E69F00', 'us-government': '#1f77b4'}
    """
    known = {**KIND_COLOURS, **FRAME_COLOURS} if known is None else known
    overrides = {str(k): v for k, v in (overrides or {}).items()}
    names = sorted({str(v) for v in values})
    colours = {n: overrides.get(n) or known.get(n) or ("#7f7f7f" if n in ("none", "other") else None) for n in names}
    spare = iter([c for c in _EXTRA_COLOURS if c not in colours.values()] + [to_hex(c) for c in plt.cm.tab20b.colors])
    return {n: c if c else next(spare) for n, c in colours.items()}


def kind_colour(kind: object) -> str:
    return KIND_COLOURS.get(str(kind), "#c7c7c7")


def _require(table: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise FramingError(f"{what}: table lacks column(s) {', '.join(missing)}")


def _colours(values, colours: dict | None) -> dict[str, str]:
    return palette(values, overrides=colours)


def paragraphs_by_outlet(outlets: pd.DataFrame, ax: plt.Axes | None = None, *, colours: dict | None = None
                         ) -> plt.Axes:
    """Horizontal bars: body paragraphs per outlet (table from ``framing.study.tables.outlet_table``), coloured by
    kind; where the table has ``composed_paragraphs``, the composed part of a bar is hatched and pale, so collected
    (real) text and text the project composed are told apart."""
    _require(outlets, ("outlet", "outlet_kind", "paragraphs", "articles"), "paragraphs_by_outlet")
    if ax is None:
        _, ax = plt.subplots(figsize=(PAGE, 0.17 * len(outlets) + 1.0))
    rows = outlets.iloc[::-1]  # first row on top
    colour = _colours(outlets["outlet_kind"], colours)
    fills = [colour[str(k)] for k in rows["outlet_kind"]]
    composed = rows["composed_paragraphs"] if "composed_paragraphs" in rows else pd.Series(0, index=rows.index)
    collected = rows["paragraphs"] - composed
    ax.barh(rows["outlet"], collected, color=fills, height=0.75)
    ax.barh(rows["outlet"], composed, left=collected, color=fills, alpha=0.35, hatch="////", edgecolor="white",
            linewidth=0, height=0.75)
    for y, (count, articles) in enumerate(zip(rows["paragraphs"], rows["articles"])):
        ax.text(count, y, f" {count} ({articles})", va="center", fontsize=SMALL)
    ax.set_xlabel("body paragraphs (articles in brackets)")
    ax.set_xlim(0, rows["paragraphs"].max() * 1.2)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.tick_params(axis="y", labelsize=SMALL)
    ax.spines[["top", "right"]].set_visible(False)
    kinds = sorted(dict.fromkeys(outlets["outlet_kind"].astype(str)))
    handles = [Patch(color=colour[k], label=k) for k in kinds]
    if composed.sum():
        handles += [Patch(facecolor="#777777", label="collected text"),
                    Patch(facecolor="#777777", alpha=0.35, hatch="////", edgecolor="white", label="composed text")]
    ax.legend(handles=handles, title="outlet kind", fontsize=SMALL, title_fontsize=SMALL + 1, loc="lower right",
              frameon=False)
    return ax


def paragraph_map(points: pd.DataFrame, ax: plt.Axes | None = None, *, highlight: str | None = None,
                  colours: dict | None = None) -> plt.Axes:
    """Scatter of paragraphs (``x``, ``y`` from ``framing.embed.embedding_map``) coloured by outlet kind.

    ``highlight`` names an article whose paragraphs are drawn on top, numbered by position.
    """
    _require(points, ("x", "y", "outlet_kind", "article_id", "position"), "paragraph_map")
    if ax is None:
        _, ax = plt.subplots(figsize=(PAGE, 4.2))
    colour = _colours(points["outlet_kind"].astype(str), colours)
    for kind, group in points.groupby(points["outlet_kind"].astype(str), sort=True):
        ax.scatter(group["x"], group["y"], s=10, alpha=0.6, color=colour[kind], label=kind, linewidths=0)
    if highlight is not None:
        focal = points[points["article_id"] == highlight]
        if focal.empty:
            raise FramingError(f"paragraph_map: no paragraphs of article {highlight!r} to highlight")
        ax.scatter(focal["x"], focal["y"], s=45, facecolors="none", edgecolors="black", linewidths=1.0,
                   label=f"{highlight}\n(numbered by paragraph position)")
        for row in focal.itertuples():
            ax.annotate(str(row.position), (row.x, row.y), xytext=(3, 2), textcoords="offset points",
                        fontsize=SMALL)
    ax.set_xlabel("first principal component")
    ax.set_ylabel("second principal component")
    ax.legend(fontsize=SMALL, markerscale=1.2, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0),
              title="outlet kind", title_fontsize=SMALL + 1)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def frame_shares(shares: pd.DataFrame, ax: plt.Axes | None = None, *, by: str = "outlet_kind",
                 unit: str = "body paragraphs", colours: dict | None = None, corrected: bool | None = None
                 ) -> plt.Axes:
    """Dot-and-interval plot: one row per frame, one dot per group (``framing.compare.frame_shares`` table).

    With corrected columns (``corrected=None`` uses them when present) the dot and line are the corrected share and
    its interval (which includes the validation sample's uncertainty) and a small open diamond marks the detected
    (raw) share; a frame that cannot be corrected shows only its diamond and is marked "not correctable". Groups
    resting on a single article are drawn hollow: their interval reflects its paragraphs only.
    """
    _require(shares, (by, "frame", "share", "ci_low", "ci_high", "articles"), "frame_shares")
    corrected = "corrected_share" in shares.columns if corrected is None else corrected
    frames = list(dict.fromkeys(shares["frame"]))
    groups = list(dict.fromkeys(shares[by]))
    if ax is None:
        _, ax = plt.subplots(figsize=(PAGE, 0.12 * len(frames) * max(3, len(groups)) + 1.2))
    colour = _colours([str(g) for g in groups], colours)
    step = 0.8 / max(1, len(groups))
    uncorrectable = set()
    for g, group in enumerate(groups):
        rows = shares[shares[by] == group].set_index("frame").reindex(frames)
        y = np.array([len(frames) - 1 - i + 0.4 - (g + 0.5) * step for i in range(len(frames))])
        c = colour[str(group)]
        single = int(rows["articles"].max()) <= 1
        value, low, high = ("corrected_share", "corrected_low", "corrected_high") if corrected else (
            "share", "ci_low", "ci_high")
        ax.hlines(y, rows[low], rows[high], color=c, linewidth=1.2, alpha=0.85)
        ax.scatter(rows[value], y, s=14, color="white" if single else c, edgecolors=c, zorder=3, linewidths=0.9,
                   label=f"{group} ({int(rows['articles'].max())} art.)")
        if corrected:
            ax.scatter(rows["share"], y, s=12, marker="D", facecolors="none", edgecolors=c, linewidths=0.6,
                       zorder=2)
            uncorrectable |= set(rows.index[rows["corrected_share"].isna() & rows["share"].notna()])
    labels = [f"{f}\n(not correctable)" if f in uncorrectable else f for f in frames]
    ax.set_yticks(range(len(frames)), labels[::-1], fontsize=SMALL + 1)
    for boundary in range(len(frames) - 1):
        ax.axhline(boundary + 0.5, color="#eeeeee", linewidth=0.8, zorder=0)
    what = "corrected for the detector's errors" if corrected else "as detected"
    ax.set_xlabel(f"share of {unit} carrying the frame, {what} (95% interval)")
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.5, len(frames) - 0.5)
    handles, names = ax.get_legend_handles_labels()
    if corrected:
        handles += [Line2D([], [], color="#555555", marker="o", markersize=4, lw=1.2),
                    Line2D([], [], color="#555555", marker="D", markersize=4, ls="", markerfacecolor="none")]
        names += ["corrected share\n(articles and coded\nsample resampled)", "detected share"]
    ax.legend(handles, names, fontsize=SMALL, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0),
              title=by, title_fontsize=SMALL + 1)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def frame_share_panels(shares: pd.DataFrame, fig: plt.Figure | None = None, *, by: str = "outlet_kind",
                       unit: str = "body paragraphs", colours: dict | None = None, columns: int = 2) -> plt.Figure:
    """Small multiples of ``frame_shares``: one panel per frame, groups as rows (shared across panels), the corrected
    share with its interval and the detected share as an open diamond when the table has corrected columns. Frames
    that cannot be corrected say so in their panel title, and so do frames whose ``real_text_precision`` column (when
    the table has one) is below ``LOW_PRECISION``. Returns the figure."""
    _require(shares, (by, "frame", "share", "ci_low", "ci_high", "articles"), "frame_share_panels")
    corrected = "corrected_share" in shares.columns
    frames = list(dict.fromkeys(shares["frame"]))
    groups = list(dict.fromkeys(shares[by]))
    rows_n = int(np.ceil(len(frames) / columns))
    if fig is None:
        fig = plt.figure(figsize=(PAGE, rows_n * (0.11 * len(groups) + 0.42) + 0.6))
    axes = fig.subplots(rows_n, columns, sharex=True, sharey=True, squeeze=False).ravel()
    colour = _colours([str(g) for g in groups], colours)
    y = np.arange(len(groups))[::-1]
    value, low, high = ("corrected_share", "corrected_low", "corrected_high") if corrected else (
        "share", "ci_low", "ci_high")
    for ax, frame in zip(axes, frames):
        rows = shares[shares["frame"] == frame].set_index(by).reindex(groups)
        c = [colour[str(g)] for g in groups]
        single = rows["articles"].fillna(0).to_numpy() <= 1
        ax.hlines(y, rows[low], rows[high], color=c, linewidth=1.2)
        ax.scatter(rows[value], y, s=14, c=["white" if s else k for s, k in zip(single, c)], edgecolors=c,
                   linewidths=0.9, zorder=3)
        notes = []  # what a reader must know before reading the panel, on a second title line
        if corrected:
            ax.scatter(rows["share"], y, s=11, marker="D", facecolors="none", edgecolors=c, linewidths=0.6, zorder=2)
            if rows["corrected_share"].isna().all():
                ax.hlines(y, rows["ci_low"], rows["ci_high"], color=c, linewidth=0.8, linestyle=":")
                notes.append("not correctable")
        if "real_text_precision" in rows.columns and rows["real_text_precision"].notna().any():
            precision = float(rows["real_text_precision"].dropna().iloc[0])
            if low_precision(precision):
                notes.append(f"low real-text precision {precision:.2f}")
        ax.set_title(frame, fontsize=SMALL + 1, loc="left", pad=11)  # room for a note line in every panel
        if notes:
            ax.text(0, 1.02, "; ".join(notes), transform=ax.transAxes, fontsize=SMALL, style="italic",
                    color="#8a1c1c", va="bottom")
        ax.set_xlim(0, 1)
        ax.tick_params(labelsize=SMALL, length=2)
        ax.grid(axis="x", color="#eeeeee", linewidth=0.6)
        ax.spines[["top", "right"]].set_visible(False)
    for ax in axes[len(frames):]:
        ax.set_visible(False)
    axes[0].set_yticks(y, [f"{g} ({int(n)})" for g, n in zip(groups, shares.groupby(by, sort=False)["articles"]
                                                              .max().reindex(groups).fillna(0))], fontsize=SMALL)
    what = ("dot and line: corrected for the detector's errors, 95% interval (articles and coded sample "
            "resampled)\ndiamond: as detected; " if corrected else "95% interval, articles resampled; ")
    fig.supxlabel(f"share of {unit} carrying the frame\n{what}rows: {by} (articles), hollow dot: one article",
                  fontsize=SMALL, y=0.0)
    for ax in axes:
        ax.set_xticks([0, 0.2, 0.4, 0.6, 0.8])
    fig.subplots_adjust(hspace=0.75, wspace=0.06, top=0.95, bottom=0.1)
    return fig


def divergence_heatmap(divergences: pd.DataFrame, ax: plt.Axes | None = None) -> plt.Axes:
    """Pairwise Jensen–Shannon divergence (``framing.compare.divergences`` table) as an annotated matrix (lower
    triangle); with ``ci_low``/``ci_high`` each cell also shows its interval."""
    _require(divergences, ("group_a", "group_b", "jsd"), "divergence_heatmap")
    matrix = divergences.pivot(index="group_a", columns="group_b", values="jsd")
    with_ci = {"ci_low", "ci_high"} <= set(divergences.columns)
    if with_ci:
        low = divergences.pivot(index="group_a", columns="group_b", values="ci_low").loc[matrix.index, matrix.columns]
        high = divergences.pivot(index="group_a", columns="group_b", values="ci_high").loc[matrix.index,
                                                                                           matrix.columns]
    if ax is None:
        side = min(PAGE, 0.62 * len(matrix) + 2.0)
        _, ax = plt.subplots(figsize=(side, 0.5 * len(matrix) + 1.4))
    values = matrix.to_numpy().copy()
    values[np.triu_indices_from(values)] = np.nan
    image = ax.imshow(values, cmap="Reds", vmin=0, vmax=max(0.3, float(np.nanmax(values)) if np.isfinite(values).any()
                                                            else 0.3))
    ax.set_xticks(range(len(matrix.columns)), matrix.columns, rotation=40, ha="right", fontsize=SMALL)
    ax.set_yticks(range(len(matrix.index)), matrix.index, fontsize=SMALL)
    for i in range(len(matrix)):
        for j in range(i):
            value = values[i, j]
            if np.isnan(value):
                continue
            text = f"{value:.2f}" + (f"\n{low.iat[i, j]:.2f}–{high.iat[i, j]:.2f}" if with_ci else "")
            ax.text(j, i, text, ha="center", va="center", fontsize=SMALL, linespacing=1.0,
                    color="white" if value > 0.6 * image.get_clim()[1] else "black")
    ax.spines[:].set_visible(False)
    label = "Jensen–Shannon divergence (bits)" + ("\nwith 95% interval, articles resampled" if with_ci else "")
    ax.figure.colorbar(image, ax=ax, shrink=0.8).set_label(label, fontsize=SMALL)
    return ax


def divergence_intervals(divergences: pd.DataFrame, ax: plt.Axes | None = None) -> plt.Axes:
    """Each pair of groups: Jensen–Shannon divergence with its bootstrap interval, and (grey bar) the divergence
    expected by chance for groups of these sizes (``jsd_null``), largest first."""
    _require(divergences, ("group_a", "group_b", "jsd", "ci_low", "ci_high", "jsd_null"), "divergence_intervals")
    pairs = divergences[divergences["group_a"].astype(str) < divergences["group_b"].astype(str)]
    pairs = pairs.sort_values("jsd", ascending=True, na_position="first").reset_index(drop=True)
    if ax is None:
        _, ax = plt.subplots(figsize=(PAGE * 0.75, 0.16 * len(pairs) + 1.0))
    y = np.arange(len(pairs))
    ax.barh(y, pairs["jsd_null"], color="#dddddd", height=0.6, label="expected by chance (groups permuted)")
    ax.hlines(y, pairs["ci_low"], pairs["ci_high"], color="#b2182b", linewidth=1.2)
    ax.scatter(pairs["jsd"], y, s=12, color="#b2182b", zorder=3, label="divergence (95% interval, articles resampled)")
    ax.set_yticks(y, [f"{a} – {b}" for a, b in zip(pairs["group_a"], pairs["group_b"])], fontsize=SMALL)
    ax.set_ylim(-0.6, len(pairs) - 0.4)
    ax.set_xlabel("Jensen–Shannon divergence of frame mixes (bits)")
    ax.legend(fontsize=SMALL, frameon=False, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def frame_map(points: pd.DataFrame, fig: plt.Figure | None = None, *, colours: dict | None = None,
              columns: int = 5) -> plt.Figure:
    """Small multiples, one panel per frame: every paragraph in 2-D (``x``, ``y``) in pale grey, those carrying the
    frame on top coloured by outlet kind. A paragraph with several frames appears in each of their panels. Returns
    the figure."""
    _require(points, ("x", "y", "frames", "outlet_kind"), "frame_map")
    frames = [f for f in FRAME_COLOURS if any(f in row for row in points["frames"])]
    frames += sorted({f for row in points["frames"] for f in row} - set(frames))
    rows = int(np.ceil(len(frames) / columns))
    if fig is None:
        fig = plt.figure(figsize=(PAGE, 1.45 * rows + 0.7))
    axes = fig.subplots(rows, columns, sharex=True, sharey=True, squeeze=False).ravel()
    kinds = points["outlet_kind"].astype(str)
    colour = _colours(kinds, colours)
    for ax, frame in zip(axes, frames):
        mine = points["frames"].map(lambda row: frame in row)
        ax.scatter(points["x"], points["y"], s=2, color="#e4e4e4", linewidths=0)
        ax.scatter(points.loc[mine, "x"], points.loc[mine, "y"], s=4, linewidths=0,
                   c=[colour[k] for k in kinds[mine]])
        ax.set_title(f"{frame} ({int(mine.sum())})", fontsize=SMALL + 1, pad=2)
        ax.tick_params(labelsize=SMALL, length=2)
    for ax in axes[len(frames):]:
        ax.set_visible(False)
    fig.legend(handles=[Line2D([], [], marker="o", ls="", markersize=4, color=colour[k], label=k)
                        for k in sorted(set(kinds))], loc="lower center", ncol=min(5, len(set(kinds))),
               fontsize=SMALL, frameon=False, bbox_to_anchor=(0.5, -0.05))
    fig.supxlabel("first principal component", fontsize=SMALL + 1, y=0.06)
    fig.supylabel("second principal component", fontsize=SMALL + 1)
    fig.subplots_adjust(bottom=0.16, hspace=0.32, wspace=0.08)
    return fig


def alignment_grid(alignment: pd.DataFrame, ax: plt.Axes | None = None, *, focal_frames: pd.Series | None = None,
                   colours: dict | None = None) -> plt.Axes:
    """Outlets (rows) against the focal article's paragraphs (columns): a cell is filled when the outlet carries the
    paragraph's claim, split into one stripe per frame of the carrying paragraph; '+n'/'−n' count frames it adds and
    drops against the focal paragraph, '=' none. The top row shows the focal paragraphs' own frames
    (``focal_frames``: position -> frames). Outlets that carry no claim are left out and named under the grid."""
    _require(alignment, ("focal_position", "outlet", "carried", "match_frames", "frames_gained", "frames_lost"),
             "alignment_grid")
    positions = sorted(alignment["focal_position"].unique())
    carried_by = alignment.groupby("outlet")["carried"].sum()
    outlets = list(carried_by[carried_by > 0].sort_values(ascending=False, kind="stable").index)
    silent = sorted(carried_by[carried_by == 0].index)
    top = 1 if focal_frames is not None else 0
    if ax is None:
        figure, ax = plt.subplots(figsize=(PAGE, 0.2 * (len(outlets) + top) + 1.9))
        figure.subplots_adjust(left=0.34, right=0.99)
    seen = {f for row in alignment.itertuples() if row.carried for f in row.match_frames}
    if focal_frames is not None:
        seen |= {f for p in positions for f in focal_frames.get(p, ())}
    used = [f for f in FRAME_COLOURS if f in seen] + sorted(seen - set(FRAME_COLOURS))
    colour = palette(used, overrides=colours)

    def cell(x, y, frames):
        stripes = list(frames) or ["none"]
        width = 0.92 / len(stripes)
        for k, frame in enumerate(stripes):
            ax.add_patch(plt.Rectangle((x - 0.46 + k * width, y - 0.42), width, 0.84,
                                       color=colour.get(frame, "#ffffff"), linewidth=0))

    if focal_frames is not None:
        for x, p in enumerate(positions):
            cell(x, 0, focal_frames.get(p, ()))
    for row in alignment[alignment["outlet"].isin(outlets)].itertuples():
        x, y = positions.index(row.focal_position), outlets.index(row.outlet) + top
        if row.carried:
            cell(x, y, row.match_frames)
            change = f"+{len(row.frames_gained)}" if row.frames_gained else ""
            change += f"−{len(row.frames_lost)}" if row.frames_lost else ""
            ax.text(x, y, change or "=", ha="center", va="center", fontsize=SMALL,
                    path_effects=[patheffects.withStroke(linewidth=2, foreground="white")])
        else:
            ax.add_patch(plt.Rectangle((x - 0.46, y - 0.42), 0.92, 0.84, fill=False, edgecolor="#dddddd",
                                       linewidth=0.6))
    ax.set_xlim(-0.55, len(positions) - 0.45)
    ax.set_ylim(len(outlets) + top - 0.5, -0.5)
    ax.xaxis.tick_top()
    ax.set_xticks(range(len(positions)), [f"¶{p}" for p in positions], fontsize=SMALL)
    ylabels = (["focal paragraph's frames"] if top else []) + [o if len(o) <= 34 else o[:32] + "…" for o in outlets]
    ax.set_yticks(range(len(ylabels)), ylabels, fontsize=SMALL)
    if top:
        ax.get_yticklabels()[0].set_fontweight("bold")
        ax.axhline(0.5, color="#555555", linewidth=0.8)
    handles = [Patch(color=colour[f], label=f) for f in used]
    ax.legend(handles=handles, title="frames of the paragraph (one stripe each)", fontsize=SMALL,
              title_fontsize=SMALL, frameon=False, loc="upper center", bbox_to_anchor=(0.4, -0.01),
              ncol=5, handlelength=1.2, columnspacing=1.0)
    notation = ("+n / −n: the carrying paragraph adds / drops n frames against the focal paragraph; = the same "
                "frames; empty cell: claim not carried.")
    if silent:
        notation += f" Carry no claim ({len(silent)}): {', '.join(silent)}."
    ax.annotate(textwrap.fill(notation, 110), xy=(0.4, 0), xycoords="axes fraction", xytext=(0, -48),
                textcoords="offset points", fontsize=SMALL, va="top", ha="center")
    ax.spines[:].set_visible(False)
    ax.tick_params(length=0)
    ax.set_aspect("auto")
    return ax


def speakers(counts: pd.DataFrame, ax: plt.Axes | None = None, *, by: str = "outlet_kind", top: int = 12,
             groups=None) -> plt.Axes:
    """Heat map of quotes per group (rows) and speaker (columns), the ``top`` most quoted speakers. ``groups`` lists
    every group to show, so one that quotes nobody appears as an empty row rather than not at all."""
    _require(counts, (by, "speaker", "total"), "speakers")
    leading = list(counts.groupby("speaker")["total"].sum().sort_values(ascending=False, kind="stable")
                   .index[:top])
    matrix = counts[counts["speaker"].isin(leading)].pivot_table(index=by, columns="speaker", values="total",
                                                                 aggfunc="sum", fill_value=0)[leading]
    if groups is not None:
        matrix = matrix.reindex(sorted(groups), fill_value=0)
    if ax is None:
        _, ax = plt.subplots(figsize=(min(PAGE, 0.38 * len(leading) + 2.6), 0.27 * len(matrix) + 1.8))
    image = ax.imshow(matrix.to_numpy(), cmap="Blues", vmin=0)
    ax.set_xticks(range(len(leading)), leading, rotation=50, ha="right", fontsize=SMALL)
    ax.set_yticks(range(len(matrix.index)), matrix.index, fontsize=SMALL)
    for (i, j), value in pd.DataFrame(matrix.to_numpy()).stack().items():
        if value:
            ax.text(j, i, str(int(value)), ha="center", va="center", fontsize=SMALL,
                    color="white" if value > 0.6 * matrix.to_numpy().max() else "black")
    ax.figure.colorbar(image, ax=ax, shrink=0.8).set_label("quotes (direct + reported)", fontsize=SMALL)
    return ax


def frame_timeline(timeline: pd.DataFrame, frame: str, ax: plt.Axes | None = None, *, by: str = "outlet_kind",
                   groups=None, events: pd.DataFrame | None = None, corrected: bool | None = None,
                   colours: dict | None = None, unit: str = "paragraphs") -> plt.Axes:
    """One frame's share over time (``framing.timeline.frame_timeline`` table), a line and band per group, with
    events (a table with ``date`` and ``label``) as dashed vertical lines labelled at the top.

    With corrected columns (``corrected=None`` uses them when present) the line is the corrected share and its band
    the corrected interval; the detected share is a thin dotted line of the same colour.
    """
    _require(timeline, ("period", by, "frame", "share", "ci_low", "ci_high"), "frame_timeline")
    rows = timeline[timeline["frame"] == frame]
    if rows.empty:
        raise FramingError(f"frame_timeline: no rows for frame {frame!r}")
    corrected = "corrected_share" in rows.columns if corrected is None else corrected
    groups = list(groups) if groups is not None else sorted(rows[by].astype(str).unique())
    if ax is None:
        _, ax = plt.subplots(figsize=(PAGE, 2.6))
    colour = _colours(groups, colours)
    value, low, high = ("corrected_share", "corrected_low", "corrected_high") if corrected else (
        "share", "ci_low", "ci_high")
    periods = sorted(rows["period"].unique())
    dense = len(periods) > 20
    spacing = (pd.Series(periods).diff().median() if len(periods) > 1 else pd.Timedelta(days=1))
    for g, group in enumerate(groups):
        mine = rows[rows[by].astype(str) == group].sort_values("period")
        if mine.empty:
            continue
        c = colour[group]
        if dense:  # many periods: a line with a band
            ax.fill_between(mine["period"], mine[low], mine[high], color=c, alpha=0.15, linewidth=0)
            ax.plot(mine["period"], mine[value], color=c, linewidth=1.0, label=group)
            if corrected:
                ax.plot(mine["period"], mine["share"], color=c, linewidth=0.6, linestyle=":")
        else:  # few periods: dots with their intervals, side by side
            x = mine["period"] + spacing * 0.12 * (g - (len(groups) - 1) / 2)
            ax.vlines(x, mine[low], mine[high], color=c, linewidth=1.0, alpha=0.8)
            ax.plot(x, mine[value], color=c, linewidth=0.6, marker="o", markersize=3, label=group)
            if corrected:
                ax.scatter(x, mine["share"], s=10, marker="D", facecolors="none", edgecolors=c, linewidths=0.6)
    if events is not None:
        _require(events, ("date", "label"), "frame_timeline events")
        dates = pd.to_datetime(events["date"])
        span = (max(rows["period"].max(), dates.max()) - min(rows["period"].min(), dates.min())) or pd.Timedelta(1)
        ends: list[float] = []  # per text row, where its last label ends (fraction of the axis)
        width = ax.get_window_extent().width / ax.figure.dpi or 5.0
        for date, label in sorted(zip(dates, events["label"])):
            ax.axvline(date, color="#555555", linewidth=0.7, linestyle="--", zorder=0)
            if not label:
                continue
            # labels of events close in time go on rows above one another, so they never overlap
            start = (date - min(rows["period"].min(), dates.min())) / span
            row = next((k for k, end in enumerate(ends) if start > end), len(ends))
            ends[row:row + 1] = [start + 0.55 * len(label) * SMALL / 72 / width + 0.01]
            ax.text(date, 1.02 + 0.1 * row, label, transform=ax.get_xaxis_transform(), ha="left", va="bottom",
                    fontsize=SMALL)
    ax.set_ylim(0, 1)
    ax.xaxis.set_major_formatter(plt.matplotlib.dates.DateFormatter("%d %b" if not dense else "%b %Y"))
    what = ("corrected (" + ("dotted" if dense else "diamonds") + ": as detected)") if corrected else "as detected"
    ax.set_ylabel(f"share of {unit}\ncarrying {frame}", fontsize=SMALL + 1)
    ax.set_xlabel(f"{what}; {'bands' if dense else 'vertical lines'}: 95% intervals", fontsize=SMALL + 1)
    ax.tick_params(labelsize=SMALL)
    ax.legend(fontsize=SMALL, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0), title=by,
              title_fontsize=SMALL + 1)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def paired_differences(differences: pd.DataFrame, ax: plt.Axes | None = None, *, corrected: bool | None = None,
                       colours: dict | None = None) -> plt.Axes:
    """Stratum-adjusted differences in share (``framing.compare.stratified_differences``): one row per frame, one
    dot and interval per pair of groups, in percentage points; the unadjusted pooled difference (share_a - share_b) is
    a small open diamond. With corrected columns (``corrected=None`` uses them when present) the dot is the corrected
    difference; frames without one fall back to the detected difference and are marked."""
    _require(differences, ("group_a", "group_b", "frame", "difference", "ci_low", "ci_high"), "paired_differences")
    corrected = "corrected_difference" in differences.columns if corrected is None else corrected
    frames = list(dict.fromkeys(differences["frame"]))
    pairs = list(dict.fromkeys(zip(differences["group_a"], differences["group_b"])))
    names = [f"{a} − {b}" for a, b in pairs]
    colour = _colours(names, colours)
    if ax is None:
        _, ax = plt.subplots(figsize=(PAGE, 0.1 * len(frames) * max(3, len(pairs)) + 1.3))
    step = 0.8 / max(1, len(pairs))
    fallback = set()
    for p, ((a, b), name) in enumerate(zip(pairs, names)):
        rows = differences[(differences["group_a"] == a) & (differences["group_b"] == b)].set_index("frame")
        rows = rows.reindex(frames)
        y = np.array([len(frames) - 1 - i + 0.4 - (p + 0.5) * step for i in range(len(frames))])
        value, low, high = rows["difference"], rows["ci_low"], rows["ci_high"]
        if corrected:
            usable = rows["corrected_difference"].notna()
            fallback |= set(rows.index[~usable])
            value = rows["corrected_difference"].where(usable, value)
            low = rows["corrected_low"].where(usable, low)
            high = rows["corrected_high"].where(usable, high)
        c = colour[name]
        ax.hlines(y, 100 * low, 100 * high, color=c, linewidth=1.2)
        ax.scatter(100 * value, y, s=14, color=c, zorder=3, label=name)
        if {"share_a", "share_b"} <= set(rows.columns):
            ax.scatter(100 * (rows["share_a"] - rows["share_b"]), y, s=12, marker="D", facecolors="none",
                       edgecolors=c, linewidths=0.6, zorder=2)
    ax.axvline(0, color="#888888", linewidth=0.8)
    labels = [f"{f}\n(as detected)" if f in fallback else f for f in frames]
    ax.set_yticks(range(len(frames)), labels[::-1], fontsize=SMALL + 1)
    for boundary in range(len(frames) - 1):
        ax.axhline(boundary + 0.5, color="#eeeeee", linewidth=0.8, zorder=0)
    ax.set_ylim(-0.5, len(frames) - 0.5)
    what = "corrected " if corrected else ""
    ax.set_xlabel(f"{what}difference in share within the same events, percentage points (95% interval, events "
                  f"resampled)")
    handles, labels_ = ax.get_legend_handles_labels()
    handles.append(Line2D([], [], color="#555555", marker="D", ls="", markerfacecolor="none", markersize=4))
    labels_.append("pooled, not adjusted\n(as detected)")
    ax.legend(handles, labels_, fontsize=SMALL, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.spines[["top", "right"]].set_visible(False)
    return ax
