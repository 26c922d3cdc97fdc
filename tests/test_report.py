"""`framing compare FRAMED --by COLUMN [--strata COLUMN] [--labels LABELS] --out DIR`: a study's tables and figures
for any corpus and codebook."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from framing.cli import main
from framing.errors import FramingError


def own_codebook_table(tmp_path):
    """Two outlets x six events, frames of a user's own codebook (not the shipped one), every fourth paragraph
    labelled; the detector misses some 'blame' and adds some."""
    rng = np.random.default_rng(0)
    rows, labels = [], []
    for event in range(6):
        for outlet in ("fox", "nyt"):
            for k in range(4):
                truth = rng.random() < (0.6 if outlet == "fox" else 0.3)
                detected = rng.random() < 0.8 if truth else rng.random() < 0.1
                pid = f"{outlet}-{event}:p{k}"
                rows.append({"article_id": f"{outlet}-{event}", "para_id": pid, "outlet": outlet,
                             "event": f"e{event}", "frames": ["blame"] if detected else ["other"]})
                if k % 2 == 0:
                    labels.append({"para_id": pid, "labels": "blame" if truth else "other"})
    framed, gold = tmp_path / "framed.jsonl", tmp_path / "labels.csv"
    framed.write_text("".join(json.dumps(r) + "\n" for r in rows))
    pd.DataFrame(labels).to_csv(gold, index=False)
    return framed, gold


def test_compare_writes_raw_and_corrected_shares_tests_and_figures(tmp_path):
    framed, gold = own_codebook_table(tmp_path)
    out = tmp_path / "out"
    assert main(["compare", str(framed), "--by", "outlet", "--strata", "event", "--labels", str(gold), "--out", str(out)]) == 0
    shares = pd.read_csv(out / "shares.csv")
    assert set(shares["frame"]) == {"blame", "other"}  # the user's frames, not the shipped codebook's
    assert {"share", "ci_low", "ci_high", "corrected_share", "corrected_low", "corrected_high",
            "correction_note"} <= set(shares.columns)
    test = pd.read_csv(out / "test.csv")
    assert test["strata"].fillna("").tolist() == ["", "event"]
    differences = pd.read_csv(out / "differences.csv")
    assert differences[["group_a", "group_b"]].drop_duplicates().values.tolist() == [["fox", "nyt"]]
    assert (differences["strata_used"] == 6).all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["corrected"] and manifest["labelled_units"] == 24
    for name in ("shares.csv", "test.csv", "divergences.csv", "differences.csv", "rates.csv",
                 "figures/shares.png", "figures/divergences.png", "figures/differences.png"):
        assert (out / name).is_file() and name in manifest["outputs"]


def test_compare_names_a_missing_grouping_column(tmp_path, capsys):
    framed, _ = own_codebook_table(tmp_path)
    assert main(["compare", str(framed), "--by", "outlet_kind", "--out", str(tmp_path / "out")]) == 2
    assert "the framed table has no column 'outlet_kind'" in capsys.readouterr().err


def test_compare_reads_a_csv_whose_frames_are_joined_by_semicolons(tmp_path):
    path = tmp_path / "framed.csv"
    path.write_text("article_id,outlet,frames\na1,A,x;y\na2,A,x\nb1,B,y\nb2,B,y\n")
    assert main(["compare", str(path), "--by", "outlet", "--out", str(tmp_path / "out")]) == 0
    shares = pd.read_csv(tmp_path / "out" / "shares.csv").set_index(["outlet", "frame"])["share"]
    assert shares[("A", "x")] == 1 and shares[("A", "y")] == 0.5 and shares[("B", "y")] == 1


def test_compare_refuses_a_table_without_article_ids(tmp_path, capsys):
    path = tmp_path / "framed.csv"
    path.write_text("para_id,frames\na,x\n")
    assert main(["compare", str(path), "--by", "outlet", "--out", str(tmp_path / "out")]) == 2
    assert "lacks column(s) article_id" in capsys.readouterr().err


def article_level_table(tmp_path):
    """One row per article (as `framing frames` prints with an article-level detector) and labels per article_id."""
    rng = np.random.default_rng(1)
    rows, labels = [], []
    for k in range(40):
        outlet = ("fox", "nyt")[k % 2]
        truth = rng.random() < (0.6 if outlet == "fox" else 0.3)
        detected = rng.random() < 0.8 if truth else rng.random() < 0.1
        rows.append({"article_id": f"{outlet}-{k}", "outlet": outlet, "frames": ["blame"] if detected else ["other"]})
        if k % 2 == 0 or k % 3 == 0:
            labels.append({"article_id": f"{outlet}-{k}", "labels": "blame" if truth else "other"})
    framed, gold = tmp_path / "articles.jsonl", tmp_path / "article_labels.csv"
    framed.write_text("".join(json.dumps(r) + "\n" for r in rows))
    pd.DataFrame(labels).to_csv(gold, index=False)
    return framed, gold, len(labels)


def test_compare_corrects_article_level_frames_with_labels_per_article(tmp_path):
    framed, gold, labelled = article_level_table(tmp_path)
    out = tmp_path / "out"
    assert main(["compare", str(framed), "--by", "outlet", "--labels", str(gold), "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["corrected"] and manifest["labelled_units"] == labelled
    shares = pd.read_csv(out / "shares.csv")
    assert shares["corrected_share"].notna().any()
    assert set(pd.read_csv(out / "rates.csv")["frame"]) >= {"blame"}


def test_compare_refuses_labels_per_article_for_paragraph_rows(tmp_path, capsys):
    framed, _ = own_codebook_table(tmp_path)
    gold = tmp_path / "article_labels.csv"
    gold.write_text("article_id,labels\nfox-0,blame\nnyt-0,other\n")
    assert main(["compare", str(framed), "--by", "outlet", "--labels", str(gold), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "labels are per article" in err and "article-level detector" in err


def test_labels_are_read_by_the_one_labels_reader_in_every_table_format(tmp_path):
    from framing.report import read_labels

    twice = tmp_path / "twice.csv"
    twice.write_text("para_id,labels,coder\nA:1,blame,ana\nA:1,other,ana\n")
    with pytest.raises(FramingError, match=r"twice\.csv row 2: para_id 'A:1' is labelled twice by coder 'ana'"):
        read_labels(twice)
    stored = tmp_path / "labels.parquet"
    pd.DataFrame({"para_id": ["A:1", "A:2"], "labels": [["blame", "other"], []]}).to_parquet(stored)
    assert read_labels(stored).values.tolist() == [["A:1", ("blame", "other")], ["A:2", ()]]
