"""A second case study, on real articles: BASIL's coverage of the border wall and immigration (notebook 06).

Seven BASIL events (the 2014 House immigration principles, Mexico's ex-presidents on paying for the wall, the
January 2018 shutdown over Dreamers, the 2018-2019 shutdown over the wall and its end, the national emergency, and
the reactions to the January 2019 immigration proposal), each covered by Fox News, the New York Times and HuffPost:
21 articles. The codebook (``framing/data/border_wall/codebook.yaml``, five frames) and the labels
(``labels.csv``: ``para_id``, ``labels``, ``coder``, ``text_sha256``; no text) ship with the package; the texts come
from the user's copy of BASIL.

The labels were made by the notebook's author, an AI assistant, reading each paragraph in its article: 312 of the
457 paragraphs (the rest are left unlabelled on purpose, as in any study). They are one coder's judgement, not gold.
Each row keeps the SHA-256 of its paragraph's text, so a different copy of BASIL or a change in segmentation is
caught (``labels(paragraphs)``) instead of pairing labels with other words.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from ..codebook import Codebook, load_codebook
from ..errors import FramingError
from ..labels import load_labels

EVENTS = {  # BASIL event_id prefix -> short name
    "ccf19ab6": "2014 House immigration principles", "d4a4bc34": "2016 Mexico won't pay for the wall",
    "1ed4f378": "2018 shutdown over Dreamers ends", "0d10341a": "2019 shutdown over the wall",
    "1e41e98b": "2019 shutdown ends", "3ae35b16": "2019 national emergency", "70c75d68": "2019 immigration proposal",
}
BASIL_HELP = ("BASIL (Fan et al. 2019, https://github.com/launchnlp/BASIL) is needed: put basil_articles.jsonl in "
              "shared/datasets/basil/ beside the framing checkout, or set FRAMING_SHARED_DATASETS to the folder that "
              "holds basil/")


def data_dir() -> Path:
    return Path(str(resources.files("framing") / "data" / "border_wall"))


def codebook() -> Codebook:
    """The study's five-frame codebook."""
    return load_codebook(data_dir() / "codebook.yaml")


def basil_folder(datasets: str | Path | None = None) -> Path:
    """The BASIL folder, or a FramingError telling the user where to get it."""
    from ..datasets import shared_datasets_dir

    root = Path(datasets) if datasets else shared_datasets_dir()
    if root is None or not (root / "basil" / "basil_articles.jsonl").is_file():
        raise FramingError(BASIL_HELP)
    return root / "basil"


def articles(datasets: str | Path | None = None, events=None) -> pd.DataFrame:
    """The study's articles (a corpus table) from the user's BASIL copy, with an ``event`` column (short name)."""
    from ..datasets import basil_corpus

    chosen = list(events or EVENTS)
    corpus = basil_corpus(basil_folder(datasets))
    corpus = corpus[corpus["event_id"].str[:8].isin(chosen)].reset_index(drop=True)
    corpus["event"] = corpus["event_id"].str[:8].map(EVENTS)
    corpus.attrs["defaults"] = {}
    return corpus


def labels(paragraphs: pd.DataFrame | None = None) -> pd.DataFrame:
    """The stored paragraph labels, checked against the codebook (a labels table, ``framing.labels``) and, given the
    study's ``paragraphs``, against their texts."""
    table = load_labels(data_dir() / "labels.csv", codebook())
    if paragraphs is not None:
        from ..labels import attach_labels

        attach_labels(paragraphs, table)  # raises if a label's paragraph is missing or its text differs
    return table
