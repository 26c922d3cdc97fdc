"""The `framing` command line: JSON lines out, one-line errors, nothing written half-way."""

from __future__ import annotations

import errno
import json
import re
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
    code, out, _ = run(capsys, "segment", "--no-metadata", shared / "event-2023" / "sputnik-2023-09-14-us-duplicity.txt")
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
    code, out, _ = run(capsys, "segment", "--no-metadata", path)
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
    code, out, err = run(capsys, "segment", "--no-metadata", sputnik_path, bad)
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


# --- faults found by probing (issue 12): one line, status 2, nothing written, nothing computed first ----------------

def test_segment_applies_the_same_metadata_rules_as_load_corpus(tmp_path, capsys):
    # A CSV without 'outlet' used to pass `framing segment` with status 0 while load_corpus refused it.
    path = tmp_path / "no-outlet.csv"
    path.write_text("article_id,title,text\nx1,T,One paragraph.\n")
    code, out, err = run(capsys, "segment", path)
    assert (code, out) == (2, "")
    assert err.strip().splitlines() == [f"framing: error: {path}: table lacks required column(s): outlet (required: "
                                        f"article_id, outlet, text; every other column is optional); or run with "
                                        f"--no-metadata to accept articles without metadata"]
    code, out, _ = run(capsys, "segment", "--no-metadata", path)
    assert code == 0 and len(out.splitlines()) == 2


def never_computed(monkeypatch):
    import framing.corpus

    monkeypatch.setattr(framing.corpus, "load_corpus", lambda *a, **k: pytest.fail("computed before checking --out"))


@pytest.mark.parametrize("make_out, message", [
    (lambda tmp: (tmp / "vectors.npz").mkdir() or tmp / "vectors.npz", "vectors.npz: is a folder"),
    (lambda tmp: tmp / "missing" / "vectors.npz", "vectors.npz: folder .*missing does not exist"),
])
def test_embed_refuses_an_unwritable_out_before_computing(tmp_path, sputnik_path, capsys, monkeypatch, make_out,
                                                           message):
    never_computed(monkeypatch)
    code, out, err = run(capsys, "embed", sputnik_path, "--out", make_out(tmp_path))
    assert (code, out) == (2, "") and len(err.strip().splitlines()) == 1
    assert re.search(f"framing: error: .*{message}", err)


def test_figures_refuses_an_out_that_is_a_file_before_computing(tmp_path, capsys, monkeypatch):
    never_computed(monkeypatch)
    (tmp_path / "build").write_text("a file")
    code, out, err = run(capsys, "figures", "--out", tmp_path / "build")
    assert (code, out) == (2, "")
    assert err.strip().splitlines() == [f"framing: error: {tmp_path / 'build'}: is a file; give a folder to write into"]


def test_a_symbolic_link_loop_given_as_input_is_one_line(tmp_path, capsys):
    loop = tmp_path / "loop.txt"
    loop.symlink_to(loop)
    code, out, err = run(capsys, "segment", loop)
    assert (code, out) == (2, "") and err.strip().splitlines() == [
        f"framing: error: {loop}: a broken or looping symbolic link"]


def test_an_unreadable_input_file_is_one_line(tmp_path, sputnik_path, capsys, monkeypatch):
    from pathlib import Path

    real_read_bytes = Path.read_bytes

    def read_bytes(self):  # chmod 000 does not stop root, so the refusal is simulated
        if self.name == sputnik_path.name:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    code, out, err = run(capsys, "segment", sputnik_path)
    assert (code, out) == (2, "")
    assert err.strip().splitlines() == [f"framing: error: {sputnik_path}: cannot be read (Permission denied)"]


def test_a_full_disk_while_writing_vectors_is_one_line_and_leaves_no_file(tmp_path, sputnik_path, capsys,
                                                                          monkeypatch):
    import framing.embed

    monkeypatch.setenv("FRAMING_CACHE_DIR", str(tmp_path / "cache"))

    def savez(file, **arrays):  # writes part of the file, then the disk is full
        with open(file, "wb") as handle:
            handle.write(b"PK\x03\x04" + b"\0" * 100)
        raise OSError(errno.ENOSPC, "No space left on device", str(file))

    monkeypatch.setattr(framing.embed.np, "savez", savez)
    (tmp_path / "out").mkdir()
    code, out, err = run(capsys, "embed", sputnik_path, "--out", tmp_path / "out" / "vectors.npz")
    assert (code, out) == (2, "")
    assert err.strip().splitlines()[-1] == (f"framing: error: {tmp_path / 'out' / 'vectors.npz'}: cannot write (No "
                                            f"space left on device)")
    assert list((tmp_path / "out").iterdir()) == []  # neither the file nor a temporary one


def test_frames_refuses_a_detector_file_with_nan_coefficients(tmp_path, sputnik_path, capsys):
    import json as json_module

    from framing.detector_files import _packaged

    with np.load(_packaged("default")) as data:
        arrays = dict(data)
    header = arrays.pop("header")
    arrays["coef_"] = arrays["coef_"].copy()
    arrays["coef_"][0, 0] = np.nan  # `framing frames` used to print NaN scores, which are not JSON
    np.savez(tmp_path / "nan.npz", header=header, **arrays)
    code, out, err = run(capsys, "frames", "--detector", tmp_path / "nan.npz", sputnik_path)
    assert (code, out) == (2, "") and len(err.strip().splitlines()) == 1
    assert "nan.npz: array coef_ holds NaN or infinite values" in err
    assert json_module.loads(str(header))["format"] == 2


@pytest.mark.parametrize("rows, problem", [
    ([{"para_id": "p1", "text": "One."}, {"para_id": "p1", "text": "Two."}], r"row 2: duplicate para_id 'p1'"),
    ([{"para_id": "", "text": "One."}], r"row 1: empty or non-text 'para_id'"),
    ([{"article_id": " ", "text": "One."}], r"row 1: empty or non-text 'article_id'"),
])
def test_frames_unit_paragraph_refuses_duplicate_or_empty_ids(tmp_path, capsys, rows, problem):
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    code, out, err = run(capsys, "frames", "--unit", "paragraph", "--detector", "codebook", path)
    assert (code, out) == (2, "") and len(err.strip().splitlines()) == 1 and re.search(problem, err)


def test_frames_unit_paragraph_keeps_the_users_own_id_columns(tmp_path, capsys):
    # Rows used to come back with made-up article_ids and without the user's own id column.
    path = tmp_path / "rows.csv"
    path.write_text("doc,para_id,text\nD-17,D-17/3,Moscow denied supplying any weapons.\n")
    code, out, _ = run(capsys, "frames", "--unit", "paragraph", "--detector", "codebook", path)
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and (row["doc"], row["para_id"]) == ("D-17", "D-17/3") and "article_id" not in row
    assert list(row)[:3] == ["doc", "para_id", "text"] and "denial" in row["frames"]
