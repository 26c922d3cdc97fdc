"""Frames over time: shares per day, week or month and group, with intervals and corrected values, and event dates.

Framed paragraphs with a ``date`` per article -> ``frame_timeline`` -> one row per (period, group, frame): ``period``
(the first day of the period), the group, ``frame`` and the columns of ``framing.compare.frame_shares`` (raw share,
interval, and with a validation sample the corrected share). Events to mark on a plot: ``load_events(name)`` -> one row
per event (``date``, ``event``, ``label``, ``description``), or any table with ``date`` and ``label``.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

from .compare import frame_shares
from .errors import FramingError

FREQUENCIES = {"D": "day", "W": "week", "M": "month"}


def frame_timeline(framed: pd.DataFrame, by: str = "outlet_kind", *, freq: str = "W", date: str = "date",
                   frames=None, validation: pd.DataFrame | None = None, body_only: bool = True,
                   drop_copies: bool = False, start=None, end=None, n_boot: int = 1000, confidence: float = 0.95,
                   random_state: int = 0) -> pd.DataFrame:
    """Share of paragraphs carrying each frame per period (``freq``: ``D`` day, ``W`` week from Monday, ``M`` month)
    and group, with the two-stage article bootstrap interval and, given ``validation``, corrected shares.

    Only periods and groups with paragraphs get rows (a period is a stratum of ``frame_shares``). ``start``/``end``
    keep dates in a window (inclusive). A missing date is an error naming an article: a paragraph cannot be placed in
    time by guessing.

    >>> weekly = frame_timeline(framed, by="outlet_kind", freq="W", validation=validation)   # doctest: +SKIP
    """
    if freq not in FREQUENCIES:
        raise FramingError(f"freq {freq!r}: choose one of {', '.join(FREQUENCIES)} (day, week, month)")
    if date not in framed.columns:
        raise FramingError(f"framed table lacks a {date!r} column: frames over time need the date of each article")
    dates = pd.to_datetime(framed[date], errors="coerce")
    if dates.isna().any():
        bad = framed.loc[dates.isna()]
        raise FramingError(f"{len(bad)} paragraph(s) have no readable {date!r}, e.g. article "
                           f"{bad['article_id'].iloc[0]!r} ({bad[date].iloc[0]!r}): give every article a date or "
                           f"leave it out")
    keep = pd.Series(True, index=framed.index)
    if start is not None:
        keep &= dates >= pd.Timestamp(start)
    if end is not None:
        keep &= dates <= pd.Timestamp(end)
    if not keep.any():
        raise FramingError(f"no paragraph is dated between {start} and {end}")
    period = dates.dt.to_period(freq).dt.start_time
    data = framed.loc[keep].assign(period=period[keep])
    return frame_shares(data, by=by, frames=frames, validation=validation, body_only=body_only,
                        drop_copies=drop_copies, strata="period", n_boot=n_boot, confidence=confidence,
                        random_state=random_state)


def load_events(name: str) -> pd.DataFrame:
    """Dated events shipped with the package: ``ruwa`` (the nine events of the RUWA data set, 2022) or
    ``kim-putin-2023`` (the event corpus's week). Columns ``date``, ``event``, ``label``, ``description``."""
    path = resources.files("framing") / "data" / "events" / f"{name}.csv"
    if not path.is_file():
        known = sorted(p.name.removesuffix(".csv") for p in (resources.files("framing") / "data" / "events").iterdir())
        raise FramingError(f"no event list {name!r}; shipped: {', '.join(known)}")
    events = pd.read_csv(path, dtype=str)
    events["date"] = pd.to_datetime(events["date"])
    return events
