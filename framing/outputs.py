"""Writing a build's outputs (tables, figures, findings, manifest) so that a partial run never looks complete.

Both figure builds (``framing.figures`` for any corpus, ``framing.study.figures`` for the case study) compute every
output in memory first (``csv_bytes``, ``png_bytes``), then ``publish`` writes them into a fresh temporary folder
beside ``out`` and moves them into place: the old ``manifest.json`` is removed first and the new one written last, and
``tables/`` and ``figures/`` are replaced whole, so no stale output survives. An interrupted run leaves ``out`` as it
was. Figures are drawn with the given rc settings in a context, with interactive mode off, and closed after saving:
nothing here changes matplotlib's global state, so a notebook keeps its inline plots.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from .errors import OutputError
from .multilabel import format_label_set

OWNED = ("tables", "figures", "findings.txt", "manifest.json")  # what a build writes into ``out``, and replaces


def csv_bytes(table: pd.DataFrame) -> bytes:
    """A table as CSV bytes: tuples (frames, labels) written ``a;b``, floats to 6 significant digits, ``\\n`` lines."""
    table = table.copy()
    for column in table.columns:
        if table[column].map(lambda v: isinstance(v, tuple)).any():
            table[column] = table[column].map(lambda v: format_label_set(tuple(map(str, v))) if isinstance(v, tuple)
                                              else v)
    return table.to_csv(index=False, lineterminator="\n", float_format="%.6g").encode("utf-8")


def png_bytes(draw: Callable, title: str, style: dict) -> bytes:
    """Draw with ``style`` and without showing anything; the figure is closed after. ``draw()`` returns an Axes (the
    title goes over it) or a Figure of several panels (the title goes over all of them)."""
    import matplotlib
    import matplotlib.pyplot as plt

    with matplotlib.rc_context(style), plt.ioff():
        drawn = draw()
        figure = drawn if isinstance(drawn, matplotlib.figure.Figure) else drawn.figure
        try:
            if drawn is figure:
                renderer = figure.canvas.get_renderer()
                top = max([ax.get_position().y1 for ax in figure.axes if ax.get_visible()]
                          + [t.get_window_extent(renderer).y1 / figure.bbox.height for ax in figure.axes
                             for t in ax.texts])
                figure.suptitle(title, x=0.01, y=top + 0.02, ha="left", va="bottom",
                                fontsize=matplotlib.rcParams["axes.titlesize"])
            else:
                drawn.set_title(title, loc="left")
                figure.tight_layout()
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png", metadata={"Software": None}, bbox_inches="tight")
        finally:
            plt.close(figure)
    return buffer.getvalue()


def digests(files: dict[str, bytes]) -> dict[str, str]:
    """SHA-256 of each output, by its path relative to ``out`` (for the manifest)."""
    return {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}


def publish(files: dict[str, bytes], out: str | Path, owned: tuple[str, ...] = OWNED) -> None:
    """Write ``files`` (relative path -> bytes, ``manifest.json`` among them) into a fresh folder beside ``out``, then
    move them into ``out``: the old manifest goes first, the new one comes last. ``owned`` names the files and folders
    the build writes at the top of ``out``: each is replaced whole (or removed, when this run does not make it); any
    other file in ``out`` is kept."""
    out = Path(out)
    staging = out.parent / f".{out.name}.tmp-{uuid.uuid4().hex[:12]}"
    retired = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:12]}"
    try:
        for name, data in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        out.mkdir(parents=True, exist_ok=True)
        (out / "manifest.json").unlink(missing_ok=True)  # from here on, a partial state never looks complete
        retired.mkdir()
        for name in [name for name in owned if name != "manifest.json"]:
            if (out / name).exists():
                os.replace(out / name, retired / name)
            if (staging / name).exists():
                os.replace(staging / name, out / name)
        os.replace(staging / "manifest.json", out / "manifest.json")
    except OSError as error:
        raise OutputError(f"{out}: cannot write the outputs ({error.strerror or error})") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
