"""The event corpus in corpus/: coverage, provenance, gold labels and the double-coded sample."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from framing import corpus_dir, load_codebook, load_corpus, segment
from framing.annotations import agreement, attach_gold, load_annotations


@pytest.fixture(scope="module")
def articles():
    return load_corpus(corpus_dir())


@pytest.fixture(scope="module")
def paragraphs(articles):
    return segment(articles)


def test_coverage_meets_the_minimum_counts(articles, paragraphs):
    assert len(articles) >= 30
    assert articles["outlet"].nunique() >= 8
    assert articles["outlet_kind"].nunique() >= 6
    assert (paragraphs["kind"] == "body").sum() >= 300


def test_most_articles_fall_in_the_event_window(articles):
    in_window = articles["date"].between("2023-09-10", "2023-09-20")
    assert in_window.sum() >= 30
    assert set(articles.loc[~in_window, "source_id"]) <= {"ru09", "ru10", "us07", "us08", "us09", "us10", "us11",
                                                          "us14", "us15"}  # background and follow-up statements


def test_every_composed_article_names_what_it_is_modelled_on(articles):
    composed = articles[articles["provenance"] == "composed"]
    assert len(composed) >= 25
    assert all(len(addresses) >= 1 and all(a.startswith("http") for a in addresses)
               for addresses in composed["modelled_on"])
    assert all(len(text) > 20 for text in composed["rests_on"])
    assert composed["licence"].str.contains("Composed by the framing project").all()


def test_us_government_items_are_the_collected_public_domain_words(articles, shared):
    records = [json.loads(line) for line in
               (shared / "event-2023" / "us_gov_public_domain_statements.jsonl").read_text().splitlines()]
    collected = articles.set_index("source_id")
    for record in records:
        article = collected.loc[record["id"]]
        assert article["provenance"] == "collected" and article["speaker"] == record["speaker"]
        assert article["text"].split("\n\n") == record["text_units"]


def test_one_wire_story_is_syndicated_by_two_other_outlets(articles):
    copies = articles[articles["source_id"] == "w03"]
    assert len(copies) == 3 and copies["outlet"].nunique() == 3
    assert (copies["format"] == "syndicated").sum() == 2


def test_every_paragraph_has_gold_labels_from_the_codebook(paragraphs):
    labelled = attach_gold(paragraphs, load_annotations())
    names = set(load_codebook().names)
    assert all(labels and set(labels) <= names for labels in labelled["labels"])


def test_sputnik_gold_labels(paragraphs):
    gold = load_annotations().set_index("para_id")["labels"]
    sputnik = "ru01-sputnik-2023-09-14-us-duplicity"
    assert gold[f"{sputnik}:p001"] == ("factual_report",)
    assert gold[f"{sputnik}:p003"] == ("sovereignty",)
    assert "whataboutism" in gold[f"{sputnik}:p004"]
    assert gold[f"{sputnik}:p010"] == ("denial",)


def test_at_least_80_paragraphs_are_double_coded_and_disagreements_resolved():
    first, second, gold = load_annotations("pass_a"), load_annotations("pass_b"), load_annotations("gold")
    double = first.merge(second, on="para_id", suffixes=("_a", "_b"))
    assert len(double) >= 80
    adjudication = pd.read_csv(corpus_dir() / "annotations" / "adjudication.csv", dtype=str)
    disagreeing = set(double.loc[double["labels_a"] != double["labels_b"], "para_id"])
    assert set(adjudication["para_id"]) == disagreeing
    resolved = gold.set_index("para_id").loc[adjudication["para_id"], "labels"].map(";".join)
    assert resolved.tolist() == adjudication["gold"].tolist()


def test_agreement_is_reported_for_every_frame():
    table = agreement(load_annotations("pass_a"), load_annotations("pass_b")).set_index("frame")
    assert set(load_codebook().names) | {"overall", "exact_match"} == set(table.index)
    assert table.loc["overall", "alpha"] > 0.667  # Krippendorff's lowest bar for tentative conclusions
