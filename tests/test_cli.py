"""The `framing` command line: JSON lines out, one-line errors, nothing written half-way."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from framing.cli import main
from conftest import SPUTNIK_ID


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_segment_prints_the_twelve_sputnik_paragraphs_as_json_lines(shared, capsys):
    code, out, _ = run(capsys, "segment", shared / "event-2023" / "sputnik-2023-09-14-us-duplicity.txt")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 12
    assert set(rows[0]) == {"article_id", "para_id", "position", "text"}
    assert rows[1]["text"].startswith("WASHINGTON (Sputnik) - Kim Jong Un arrived")
    assert rows[-1]["text"].endswith("fabricated by the US media.")
    assert not any(word in out for word in ("Subscribe", "mediabank", "Newsfeed", "Despite All Odds"))


def test_segment_reads_the_corpus_folder_with_its_metadata(capsys):
    from framing.paths import corpus_dir

    code, out, _ = run(capsys, "segment", corpus_dir())
    ids = {json.loads(line)["article_id"] for line in out.splitlines()}
    assert code == 0 and SPUTNIK_ID in ids


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_segment_reads_tables(tmp_path, capsys, suffix):
    path = tmp_path / f"in{suffix}"
    if suffix == ".jsonl":
        path.write_text(json.dumps({"article_id": "x1", "title": "T", "text": "One.\nTwo."}) + "\n")
    else:
        path.write_text('article_id,title,text\nx1,T,"One.\nTwo."\n')
    code, out, _ = run(capsys, "segment", path)
    assert code == 0
    assert [json.loads(line)["text"] for line in out.splitlines()] == ["T", "One.", "Two."]


def test_segment_shows_dropped_lines_on_request(sputnik_path, capsys):
    _, _, err = run(capsys, "segment", "--show-dropped", sputnik_path)
    assert "line 3 (call_to_action): Subscribe" in err


def test_errors_are_one_line_naming_the_file(tmp_path, capsys):
    bad = tmp_path / "notes.docx"
    bad.write_bytes(b"PK")
    code, out, err = run(capsys, "segment", bad)
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [f"framing: error: {bad}: unknown file type '.docx' (expected one of .md, "
                                        ".txt, .html, .htm, .csv, .jsonl, .parquet)"]


def test_a_bad_file_among_good_ones_prints_nothing(tmp_path, sputnik_path, capsys):
    bad = tmp_path / "empty.csv"
    bad.write_text("article_id,text\nx,\n")
    code, out, err = run(capsys, "segment", sputnik_path, bad)
    assert (code, out) == (2, "")
    assert "empty.csv row 1: empty body" in err


def test_embed_writes_vectors_with_their_para_ids(sputnik_path, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FRAMING_CACHE_DIR", str(tmp_path / "cache"))
    out_file = tmp_path / "vectors.npz"
    code, _, err = run(capsys, "embed", sputnik_path, "--out", out_file)
    assert code == 0 and "wrote 12 vectors of 384 dimensions" in err
    with np.load(out_file) as data:
        assert data["para_id"][1] == f"{SPUTNIK_ID}:p001"
        assert data["vectors"].shape == (12, 384) and data["vectors"].dtype == np.float32


def test_embed_on_bad_input_writes_no_file(tmp_path, capsys):
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"\xff\xfe not utf-8")
    out_file = tmp_path / "vectors.npz"
    code, _, err = run(capsys, "embed", bad, "--out", out_file)
    assert code == 2 and "bad.md: file is not UTF-8 text" in err
    assert list(tmp_path.iterdir()) == [bad]


def test_console_script_is_installed(sputnik_path):
    result = subprocess.run([sys.executable, "-m", "framing.cli", "segment", str(sputnik_path)],
                            capture_output=True, text=True, check=True)
    assert len(result.stdout.splitlines()) == 12


def test_frames_prints_the_sputnik_paragraphs_with_frames_and_scores(sputnik_path, capsys):
    code, out, _ = run(capsys, "frames", sputnik_path)
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 12
    assert set(rows[0]) == {"article_id", "para_id", "text", "frames", "scores", "outlet", "outlet_kind", "date",
                            "kind", "position", "provenance"}  # what `framing compare --by/--strata` groups by
    assert (rows[0]["outlet"], rows[0]["date"]) == ("Sputnik Africa", "2023-09-14")
    assert rows[1]["frames"] == ["factual_report"]  # the neutral lede
    assert "sovereignty" in rows[3]["frames"]        # "The US has no right to teach us how to live. ..."
    assert "denial" in rows[10]["frames"]            # "North Korea has repeatedly denied claims ..."
    assert all(0 <= value <= 1 for value in rows[4]["scores"].values())


def test_frames_unit_paragraph_reads_each_row_unsegmented(tmp_path, capsys):
    path = tmp_path / "paras.jsonl"
    path.write_text(json.dumps({"text": "Moscow denied supplying any weapons.\nIt called the reports lies."}) + "\n")
    code, out, _ = run(capsys, "frames", "--unit", "paragraph", "--detector", "codebook", path)
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and row["para_id"] == "paras:1" and "denial" in row["frames"]


def test_frames_unit_paragraph_needs_a_text_column(tmp_path, capsys):
    path = tmp_path / "paras.csv"
    path.write_text("body\nsomething\n")
    code, out, err = run(capsys, "frames", "--unit", "paragraph", path)
    assert (code, out) == (2, "") and "paras.csv: table has no 'text' column (columns: body)" in err


def test_frames_with_an_unknown_detector_is_one_line(tmp_path, sputnik_path, capsys):
    code, _, err = run(capsys, "frames", "--detector", tmp_path / "missing.npz", sputnik_path)
    assert code == 2 and "missing.npz: no such detector file" in err
