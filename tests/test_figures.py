"""`framing figures`: every output listed in the manifest, byte-identical on a second run, and never half-written."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pandas as pd
import pytest

import framing
from framing import plots
from framing.study.figures import build_figures


@pytest.fixture(scope="module")
def built(tmp_path_factory, real_embedder):
    out = tmp_path_factory.mktemp("figures") / "one"
    return out, build_figures(out, embedder=real_embedder, ruwa=False, basil=False)


def used_folder(path):
    """An output folder from an earlier run, with outputs that a new run no longer makes, and a file of the user's."""
    for name, text in [("tables/stale.csv", "old"), ("figures/stale.png", "old"), ("tables/articles.csv", "old"),
                       ("manifest.json", "{}"), ("notes.txt", "mine")]:
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    return path


def test_two_runs_give_byte_identical_outputs_and_a_complete_manifest(built, tmp_path, real_embedder):
    one, first = built
    second = build_figures(used_folder(tmp_path / "two"), embedder=real_embedder, ruwa=False, basil=False)
    assert first == second
    for name, digest in first["outputs"].items():
        assert hashlib.sha256((tmp_path / "two" / name).read_bytes()).hexdigest() == digest
    assert (one / "manifest.json").read_bytes() == (tmp_path / "two" / "manifest.json").read_bytes()
    manifest = json.loads((one / "manifest.json").read_text())
    assert manifest["model"]["name"] == "all-MiniLM-L6-v2" and manifest["seed"] == 0
    assert manifest["packages"]["torch"].startswith("2.13.0")
    assert {"figures/paragraphs_by_outlet.png", "figures/paragraph_map.png", "figures/frame_shares_by_kind.png",
            "figures/divergence_by_kind.png", "figures/sputnik_alignment.png", "figures/speakers_by_kind.png",
            "figures/frame_map.png", "tables/outlets.csv", "tables/alignment.csv", "findings.txt"} <= set(
        manifest["outputs"])
    assert manifest["framing"] == framing.__version__ and {"ruwa", "basil"} <= set(manifest["skipped"])
    assert {"figures/frames_by_day.png", "tables/misclassification_rates.csv"} <= set(manifest["outputs"])
    shares = pd.read_csv(one / "tables" / "shares_by_kind.csv")
    assert {"share", "corrected_share", "corrected_low", "corrected_high", "correction_note"} <= set(shares.columns)


def test_a_run_into_a_used_folder_leaves_no_stale_output(built, tmp_path, real_embedder):
    # A run into a used folder used to leave outputs of the earlier run beside the new ones.
    out = used_folder(tmp_path / "used")
    manifest = build_figures(out, embedder=real_embedder, ruwa=False, basil=False)
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert on_disk == {*manifest["outputs"], "manifest.json", "notes.txt"}  # the user's own file is kept
    assert (out / "notes.txt").read_text() == "mine"


def test_an_interrupted_run_leaves_the_earlier_outputs_as_they_were(tmp_path, real_embedder, monkeypatch):
    # An interrupted run used to leave the old manifest.json beside new tables, so a partial run looked complete.
    out = used_folder(tmp_path / "out")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(plots, "frame_map", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_figures(out, embedder=real_embedder, ruwa=False, basil=False)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary folder left beside it


def test_an_output_that_is_a_file_is_refused_before_any_computing(tmp_path, monkeypatch):
    blocker = tmp_path / "build"
    blocker.write_text("a file")
    monkeypatch.setattr(framing.study.figures, "load_corpus", lambda *a: pytest.fail("computed before checking"))
    with pytest.raises(framing.FramingError, match=r"build: is a file; give a folder to write into"):
        build_figures(blocker, ruwa=False, basil=False)


def test_outlet_table_counts_the_sputnik_article(built):
    out, _ = built
    outlets = pd.read_csv(out / "tables" / "outlets.csv")
    sputnik = outlets[outlets["outlet"] == "Sputnik Africa"].iloc[0]
    assert (sputnik["outlet_kind"], sputnik["articles"], sputnik["paragraphs"]) == ("russian-state", 1, 11)
    dropped = pd.read_csv(out / "tables" / "dropped_lines.csv")
    assert "Subscribe" in dropped["text"].tolist()


def test_importing_the_figure_build_leaves_the_matplotlib_backend_alone():
    # framing.figures used to call matplotlib.use("Agg") on import, which turned off inline plots in notebooks.
    code = "import matplotlib; import framing.study.figures; print(matplotlib.get_backend())"
    env = {**os.environ, "MPLBACKEND": "svg"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == "svg"
