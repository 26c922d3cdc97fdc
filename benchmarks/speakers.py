"""Speaker accuracy of ``framing.quotes.find_quotes`` on real news text: BASIL (Fan et al. 2019).

The checked quotes are in ``corpus/annotations/basil_quote_speakers.csv`` (unit id, character span, hash of the quote,
the right speaker): 89 whose speaker BASIL's own annotators named (bias spans inside quotes attributed to a person),
and 69 of 70 drawn at random (seed 0) from the rest of the extracted quotes and checked by hand in an AI-assisted
session, not by a human coder (the 70th sat in one of the four HuffPost articles whose uuid BASIL gives as "empty",
so its unit id is ambiguous and it was dropped). The text is read from the user's BASIL copy.

    python benchmarks/speakers.py            # BASIL in ../shared/datasets/basil or $FRAMING_SHARED_DATASETS

prints accuracy per source (a quote the extractor no longer finds counts as wrong) and the wrong ones.
"""

from __future__ import annotations

import sys

import pandas as pd

from framing.datasets import shared_datasets_dir
from framing.paths import corpus_dir
from framing.quotes import find_quotes, speaker_accuracy
from framing.realtext import basil_units


def basil_paragraphs(folder) -> pd.DataFrame:
    units = basil_units(folder)
    return units.assign(article_id=units["unit_id"].str.rsplit(":", n=1).str[0], para_id=units["unit_id"],
                        position=units["unit_id"].str.rsplit(":p", n=1).str[1].astype(int))


def main() -> None:
    folder = shared_datasets_dir()
    if folder is None or not (folder / "basil").is_dir():
        sys.exit("BASIL not found: put it in shared/datasets/basil or set FRAMING_SHARED_DATASETS")
    paragraphs = basil_paragraphs(folder / "basil")
    quotes = find_quotes(paragraphs)
    gold = pd.read_csv(corpus_dir() / "annotations" / "basil_quote_speakers.csv")
    result = speaker_accuracy(quotes, gold)
    print(f"{len(paragraphs)} BASIL paragraphs, {len(quotes)} quotes found, "
          f"{int((~quotes['resolved']).sum())} with an unresolved speaker\n")
    summary = result.groupby("source").agg(checked=("correct", "size"), found=("found", "sum"),
                                           correct=("correct", "sum"))
    summary.loc["all"] = summary.sum()
    summary["accuracy"] = (summary["correct"] / summary["checked"]).round(3)
    print(summary.to_string())
    wrong = result[~result["correct"]]
    print(f"\nwrong ({len(wrong)}):")
    print(wrong[["unit_id", "speaker", "speaker_found", "source"]].to_string(index=False))


if __name__ == "__main__":
    main()
