"""The framed table carries its frame list and codebook name, so no later step needs a ``frames=`` argument.

A framed table (``detector.frame_table(paragraphs)``, one row per paragraph or per article) has ``frames`` (a tuple
of frame keys) and one ``score_<frame>`` column per frame. Its frame list, in codebook order, and the codebook's name
are in ``table.attrs["frames"]`` and ``table.attrs["codebook"]``. ``attrs`` do not survive a CSV file; the
``score_<frame>`` columns do, so ``frames_of`` falls back on them, and ``parse_frames`` reads ``"a;b"`` back.
"""

from __future__ import annotations


import pandas as pd

from .errors import FramingError
from .multilabel import as_label_set

SCORE_PREFIX = "score_"


def with_frames(table: pd.DataFrame, frames, codebook: str | None = None) -> pd.DataFrame:
    """Record the frame list (and codebook name) on ``table`` (in place) and return it."""
    table.attrs["frames"] = list(getattr(frames, "names", frames))
    if codebook is not None:
        table.attrs["codebook"] = codebook
    return table


def frames_of(table: pd.DataFrame, frames=None) -> list[str]:
    """The frames a table was coded with: ``frames`` if given (a list or a Codebook), else ``attrs["frames"]``, else
    the ``score_<frame>`` columns."""
    if frames is not None:
        return list(getattr(frames, "names", frames))
    if table.attrs.get("frames"):
        return list(table.attrs["frames"])
    scored = [c[len(SCORE_PREFIX):] for c in table.columns if isinstance(c, str) and c.startswith(SCORE_PREFIX)]
    if scored:
        return scored
    raise FramingError("this table does not say which frames it was coded with (no attrs['frames'], no score_<frame> "
                       "columns): make it with detector.frame_table(...), or pass frames=codebook.names")


def codebook_of(table: pd.DataFrame) -> str | None:
    """Name of the codebook the table was coded with, when recorded."""
    return table.attrs.get("codebook")


def parse_frames(value) -> tuple[str, ...]:
    """A ``frames`` cell as a tuple: tuples and lists as they are, ``"a;b"`` (a CSV round trip) split, empty -> ()
    (``framing.multilabel.as_label_set``, the one parser of label cells)."""
    return as_label_set(value, "frames")


def unknown_frames_error(unknown, names: list[str], codebook: str | None = None) -> FramingError:
    """The error for frames in a table that are not among those compared, with the fix."""
    where = f" of codebook {codebook!r}" if codebook else ""
    return FramingError(f"frames {', '.join(sorted(unknown))} are not among the frames compared{where} "
                        f"({', '.join(names)}): pass frames=codebook.names of the codebook the table was coded with, "
                        f"or frame it again with that codebook's detector")
