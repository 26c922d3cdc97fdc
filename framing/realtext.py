"""Real-text units: labels on third-party text kept by reference, the text read from the user's copy at run time.

A unit is one headline, subheading or paragraph of a public data set, named by a stable id:

- ``ruwa:<row>:title`` / ``ruwa:<row>:subheading`` — row (0-based) of ``RUWA_04.08.23.csv``;
- ``basil:<event_id>:<outlet>:p<k>`` — body paragraph ``k`` (0-based) of a BASIL article (``basil_articles.jsonl``;
  four articles there have no uuid, so the event and outlet name it);
- ``event:<para_id>`` — a paragraph of the event corpus in ``corpus/`` (collected text only).

Units table (``load_units``): one row per unit, columns ``UNIT_COLUMNS``; ``text`` is read from the data set and
checked against ``text_sha256`` (SHA-256 of the whitespace-normalised text), so a changed or different copy of a data
set fails loudly instead of silently pairing labels with other words. The repository stores ids, hashes and labels
only: the texts stay where their licences put them.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import FramingError

UNIT_COLUMNS = ("unit_id", "source", "kind", "outlet", "outlet_kind", "event", "date", "text_sha256", "text")
SOURCES = ("event", "ruwa", "basil")
BASIL_OUTLET_KINDS = {"fox": "us-conservative", "nyt": "us-liberal", "hpo": "us-liberal"}


def text_hash(text: str) -> str:
    """SHA-256 (hex) of the text with runs of whitespace folded to one space and the ends stripped."""
    return hashlib.sha256(" ".join(str(text).split()).encode("utf-8")).hexdigest()


def _missing_dataset(name: str) -> FramingError:
    return FramingError(f"the real-text units of {name.upper()} need its data set: put the public copy in "
                        f"shared/datasets/{name}/ beside the checkout or set FRAMING_SHARED_DATASETS "
                        f"(see framing.datasets for where to download it)")


@lru_cache(maxsize=2)
def _ruwa_table(folder: str) -> pd.DataFrame:
    from .datasets import load_ruwa

    return load_ruwa(folder)


@lru_cache(maxsize=2)
def _basil_table(folder: str) -> pd.DataFrame:
    from .datasets import load_basil

    return load_basil(folder, level="article")


def ruwa_units(folder: str | Path) -> pd.DataFrame:
    """Every non-empty RUWA title and subheading as a unit (before any sampling)."""
    ruwa = _ruwa_table(str(folder))
    tables = []
    for field in ("title", "subheading"):
        text = ruwa[field].fillna("").astype(str).str.strip()
        keep = text != ""
        tables.append(pd.DataFrame({
            "unit_id": [f"ruwa:{row}:{field}" for row in np.flatnonzero(keep)], "source": "ruwa", "kind": field,
            "outlet": ruwa.loc[keep, "outlet"].to_numpy(), "outlet_kind": ruwa.loc[keep, "outlet_kind"].to_numpy(),
            "event": ruwa.loc[keep, "event"].to_numpy(), "date": ruwa.loc[keep, "date"].to_numpy(),
            "text": text[keep].to_numpy()}))
    return pd.concat(tables, ignore_index=True)


def basil_units(folder: str | Path) -> pd.DataFrame:
    """Every body paragraph of every BASIL article as a unit."""
    rows = []
    for article in _basil_table(str(folder)).itertuples(index=False):
        for k, sentences in enumerate(article.paragraphs):
            text = " ".join(" ".join(sentences).split())
            if text:
                rows.append({"unit_id": f"basil:{article.event_id}:{article.outlet}:p{k}", "source": "basil", "kind": "paragraph",
                             "outlet": article.outlet, "outlet_kind": BASIL_OUTLET_KINDS.get(article.outlet, "other"),
                             "event": f"basil-{article.event_id}", "date": article.date, "text": text,
                             "article_uuid": article.article_uuid})
    return pd.DataFrame(rows)


def event_units(corpus: str | Path | None = None) -> pd.DataFrame:
    """Body paragraphs and titles of the event corpus's collected (not composed) articles."""
    from .corpus import load_corpus
    from .paths import corpus_dir
    from .segment import segment

    paragraphs = segment(load_corpus(corpus or corpus_dir()))
    real = paragraphs[paragraphs["provenance"] == "collected"]
    return pd.DataFrame({"unit_id": "event:" + real["para_id"], "source": "event", "kind": real["kind"].to_numpy(),
                         "outlet": real["outlet"].to_numpy(), "outlet_kind": real["outlet_kind"].to_numpy(),
                         "event": "kim-putin-2023", "date": real["date"].to_numpy(), "text": real["text"].to_numpy()})


def _datasets_folder(datasets: str | Path | None) -> Path | None:
    from .datasets import shared_datasets_dir

    return Path(datasets) if datasets is not None else shared_datasets_dir()


def resolve_texts(units: pd.DataFrame, *, datasets: str | Path | None = None,
                  corpus: str | Path | None = None) -> pd.DataFrame:
    """Units (``unit_id``, ``text_sha256``, any other columns) + ``text`` read from the data sets, hash-checked.

    Raises ``FramingError`` naming the first unit whose data set is absent, whose id is unknown, or whose text no
    longer matches its hash.
    """
    folder = _datasets_folder(datasets)
    sources = units["unit_id"].str.split(":", n=1).str[0]
    if unknown := sorted(set(sources) - set(SOURCES)):
        raise FramingError(f"unit ids from unknown source(s) {', '.join(unknown)}; known: {', '.join(SOURCES)}")
    texts = {}
    for source in sorted(set(sources)):
        if source == "event":
            table = event_units(corpus)
        else:
            if folder is None or not (folder / source).is_dir():
                raise _missing_dataset(source)
            table = ruwa_units(folder / source) if source == "ruwa" else basil_units(folder / source)
        texts.update(zip(table["unit_id"], table["text"]))
    resolved = units.copy()
    resolved["text"] = [texts.get(unit) for unit in resolved["unit_id"]]
    if resolved["text"].isna().any():
        missing = resolved.loc[resolved["text"].isna(), "unit_id"]
        raise FramingError(f"{len(missing)} unit(s) not found in the data sets, e.g. {missing.iloc[0]!r}: is this the "
                           f"same release of the data set?")
    changed = [u for u, t, h in zip(resolved["unit_id"], resolved["text"], resolved["text_sha256"]) if text_hash(t) != h]
    if changed:
        raise FramingError(f"{len(changed)} unit text(s) no longer match their stored hash, e.g. {changed[0]!r}: the "
                           f"data set copy differs from the one that was coded; labels would be paired with other "
                           f"words")
    return resolved




def draw_units(datasets: str | Path | None = None, *, ruwa_per_cell: int = 12, basil_per_article: int = 3,
               seed: int = 0) -> pd.DataFrame:
    """The sample that was coded: RUWA titles and subheadings stratified by outlet × event (up to
    ``ruwa_per_cell`` per cell, distinct texts only), ``basil_per_article`` body paragraphs of every BASIL article,
    and every collected unit of the event corpus. Deterministic for a seed; kept for the record of how the units
    were chosen (``corpus/annotations/real/units.csv`` holds the result)."""
    folder = _datasets_folder(datasets)
    if folder is None:
        raise _missing_dataset("ruwa")
    rng = np.random.default_rng(seed)
    ruwa = ruwa_units(folder / "ruwa").drop_duplicates("text")
    picked = []
    for _, cell in ruwa.groupby(["outlet", "event"], sort=True):
        picked.append(cell.iloc[np.sort(rng.permutation(len(cell))[:ruwa_per_cell])])
    basil = basil_units(folder / "basil")
    basil = basil[basil["text"].str.split().str.len() >= 8]  # one-line datelines and bylines are not paragraphs
    # Grouped by the source's article uuid, as when the sample was drawn (four articles share the uuid "empty" and
    # were one group then); the unit ids name event and outlet, which are unique.
    for _, paragraphs in basil.groupby("article_uuid", sort=True):
        picked.append(paragraphs.iloc[np.sort(rng.permutation(len(paragraphs))[:basil_per_article])])
    units = pd.concat([event_units(), *picked], ignore_index=True)
    units["text_sha256"] = units["text"].map(text_hash)
    return units[list(UNIT_COLUMNS)]


# --- the coded units of this project ------------------------------------------------------------------------------

PASSES = ("gold", "pass_a", "pass_b")


def real_dir(corpus: str | Path | None = None) -> Path:
    """``<corpus>/annotations/real``: units.csv (ids, metadata, text hashes), pass_a.csv, pass_b.csv,
    adjudication.csv and gold.csv (labels by unit id; the event corpus's own units take theirs from
    ``<corpus>/annotations``)."""
    from .paths import corpus_dir

    return Path(corpus or corpus_dir()) / "annotations" / "real"


def load_units(*, corpus: str | Path | None = None, datasets: str | Path | None = None,
               sources: tuple[str, ...] | None = None, text: bool = True) -> pd.DataFrame:
    """The coded real-text units (``UNIT_COLUMNS``), with their text read from the data sets when ``text``.

    ``sources`` restricts to some of ``SOURCES`` (default: all; ``available_sources()`` lists those whose data set is
    present here).
    """
    path = real_dir(corpus) / "units.csv"
    if not path.is_file():
        raise FramingError(f"{path}: the table of real-text units is missing")
    units = pd.read_csv(path, dtype=str, keep_default_na=False)
    if sources is not None:
        if unknown := sorted(set(sources) - set(SOURCES)):
            raise FramingError(f"unknown source(s) {', '.join(unknown)}; choose from {', '.join(SOURCES)}")
        units = units[units["source"].isin(sources)].reset_index(drop=True)
    units["date"] = pd.to_datetime(units["date"].replace("", None))
    return resolve_texts(units, datasets=datasets, corpus=corpus) if text else units


def available_sources(datasets: str | Path | None = None) -> tuple[str, ...]:
    """The sources whose text can be read here: ``event`` always, ``ruwa``/``basil`` when their data set is present."""
    folder = _datasets_folder(datasets)
    present = {name for name in ("ruwa", "basil") if folder is not None and (folder / name).is_dir()}
    return tuple(s for s in SOURCES if s == "event" or s in present)


def load_real_labels(which: str = "gold", *, corpus: str | Path | None = None) -> pd.DataFrame:
    """Labels of the real-text units by one coding pass: ``unit_id``, ``labels`` (tuple), ``coder``.

    ``gold``: the adjudicated labels (pass A where a unit was coded once; the adjudicated set where two coders
    disagreed). Units of the event corpus take their labels from the corpus's own annotation tables.
    """
    from .annotations import load_annotations

    if which not in PASSES:
        raise FramingError(f"unknown coding pass {which!r}; choose one of {', '.join(PASSES)}")
    path = real_dir(corpus) / f"{which}.csv"
    if not path.is_file():
        raise FramingError(f"{path}: label table not found")
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    event = load_annotations(which, corpus=corpus)
    event = pd.DataFrame({"unit_id": "event:" + event["para_id"], "labels": event["labels"],
                          "coder": f"event-corpus-{which}"})
    from .codebook import load_codebook

    names = load_codebook().names
    table["labels"] = [_labels(value, names, f"{path}: {unit}") for unit, value in zip(table["unit_id"],
                                                                                        table["labels"])]
    if "coder" not in table.columns:
        table["coder"] = which
    return pd.concat([event, table[["unit_id", "labels", "coder"]]], ignore_index=True)


def _labels(value: str, names: list[str], where: str) -> tuple[str, ...]:
    labels = [label for label in value.split(";") if label]
    if not labels or (unknown := [label for label in labels if label not in names]):
        raise FramingError(f"{where}: labels {value!r} are empty or not in the codebook")
    return tuple(name for name in names if name in labels)


def load_real_gold(which: str = "gold", *, corpus: str | Path | None = None, datasets: str | Path | None = None,
                   sources: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Real-text units with their text and labels, in one call: ``UNIT_COLUMNS`` + ``labels`` (tuple) + ``coder``.

    Only units the pass coded are returned (``pass_b`` is the double-coded sample). Raises ``FramingError`` when a
    data set is absent (pass ``sources=available_sources()`` to use what is here) or a text no longer matches its hash.

    >>> gold = load_real_gold(sources=("event",))
    >>> len(gold), sorted(set(gold["source"])), int(gold["labels"].map(len).min())
    (63, ['event'], 1)
    """
    labels = load_real_labels(which, corpus=corpus)
    units = load_units(corpus=corpus, datasets=datasets, sources=sources, text=False)
    coded = units.merge(labels, on="unit_id", how="inner", validate="one_to_one")
    return resolve_texts(coded, datasets=datasets, corpus=corpus)
