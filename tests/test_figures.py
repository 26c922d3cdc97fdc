"""`framing figures`: every output listed in the manifest, and byte-identical on a second run."""

from __future__ import annotations

import hashlib
import json

import pandas as pd

import framing

from framing.study.figures import build_figures


def test_two_runs_give_byte_identical_outputs_and_a_complete_manifest(tmp_path, real_embedder):
    first = build_figures(tmp_path / "one", embedder=real_embedder, ruwa=False, basil=False)
    second = build_figures(tmp_path / "two", embedder=real_embedder, ruwa=False, basil=False)
    assert first == second
    for name, digest in first["outputs"].items():
        assert hashlib.sha256((tmp_path / "two" / name).read_bytes()).hexdigest() == digest
    assert (tmp_path / "one" / "manifest.json").read_bytes() == (tmp_path / "two" / "manifest.json").read_bytes()
    manifest = json.loads((tmp_path / "one" / "manifest.json").read_text())
    assert manifest["model"]["name"] == "all-MiniLM-L6-v2" and manifest["seed"] == 0
    assert manifest["packages"]["torch"].startswith("2.13.0")
    assert {"figures/paragraphs_by_outlet.png", "figures/paragraph_map.png", "figures/frame_shares_by_kind.png",
            "figures/divergence_by_kind.png", "figures/sputnik_alignment.png", "figures/speakers_by_kind.png",
            "figures/frame_map.png", "tables/outlets.csv", "tables/alignment.csv", "findings.txt"} <= set(
        manifest["outputs"])
    assert manifest["framing"] == framing.__version__ and {"ruwa", "basil"} <= set(manifest["skipped"])
    assert {"figures/frames_by_day.png", "tables/misclassification_rates.csv"} <= set(manifest["outputs"])
    shares = pd.read_csv(tmp_path / "one" / "tables" / "shares_by_kind.csv")
    assert {"share", "corrected_share", "corrected_low", "corrected_high", "correction_note"} <= set(shares.columns)


def test_outlet_table_counts_the_sputnik_article(tmp_path, real_embedder):
    build_figures(tmp_path, embedder=real_embedder, ruwa=False, basil=False)
    outlets = pd.read_csv(tmp_path / "tables" / "outlets.csv")
    sputnik = outlets[outlets["outlet"] == "Sputnik Africa"].iloc[0]
    assert (sputnik["outlet_kind"], sputnik["articles"], sputnik["paragraphs"]) == ("russian-state", 1, 11)
    dropped = pd.read_csv(tmp_path / "tables" / "dropped_lines.csv")
    assert "Subscribe" in dropped["text"].tolist()
