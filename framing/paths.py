"""Absolute locations of the project's data, so that notebooks and scripts never use ``../``."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import FramingError

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent


def corpus_dir() -> Path:
    """The event corpus: ``$FRAMING_CORPUS`` if set, else ``corpus/`` of the source checkout."""
    path = Path(os.environ.get("FRAMING_CORPUS") or PROJECT_DIR / "corpus")
    if not path.is_dir():
        raise FramingError(f"{path}: corpus folder not found; set FRAMING_CORPUS to the corpus/ folder of a "
                           "framing checkout")
    return path


def shared_dir() -> Path | None:
    """The read-only ``shared/`` folder beside the checkout (``$FRAMING_SHARED``), or None when absent."""
    path = Path(os.environ.get("FRAMING_SHARED") or PROJECT_DIR.parent / "shared")
    return path if path.is_dir() else None
