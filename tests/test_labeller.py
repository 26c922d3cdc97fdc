"""The labeller, headless through its own API: labels saved atomically as they are made, undo, resume after a kill,
and suggestions with the most uncertain paragraph first."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

from framing import FramingError
from framing.codebook import Codebook, Frame
from framing.embed import Embedder
from framing.labeller import Labeller, labelling_template
from framing.labels import load_labels
from framing.training import suggest
from conftest import CountingEncoder

CODEBOOK = Codebook("budget", 1, (
    Frame("economy", "Economy", "Money, budgets, taxes and jobs.", "", "", ("The budget raises taxes.",)),
    Frame("security", "Security", "Crime, police, threats and safety.", "", "", ("Police arrested the suspects.",)),
    Frame("legal", "Law", "Courts, lawsuits and what the law allows.", "", "", ("The court struck down the law.",)),
))
TEXTS = ["The city budget raises property taxes by two percent.", "Police arrested three men after the robbery.",
         "A judge blocked the new rule, saying it broke the law.", "Unemployment fell as factories hired workers.",
         "The mayor and the council traded insults at the meeting.", "Officers patrol the station after the attack.",
         "The lawsuit says the tax was never approved by voters.", "Hundreds of jobs were lost when the mill shut.",
         "The appeals court will hear the case next month.", "Residents fear more break-ins in the neighbourhood.",
         "The school board debated the new curriculum.", "Sales taxes fund the new police headquarters.",
         "Critics call the ruling an attack on free speech.", "The port expansion will cost 40 million dollars."]


def paragraphs():
    return pd.DataFrame({"article_id": [f"a{i // 2}" for i in range(len(TEXTS))],
                         "para_id": [f"a{i // 2}:p{i % 2 + 1:03d}" for i in range(len(TEXTS))],
                         "position": [i % 2 + 1 for i in range(len(TEXTS))], "kind": "body", "outlet": "Gazette",
                         "text": TEXTS})


@pytest.fixture
def stand_in(tmp_path):
    return Embedder(CountingEncoder(dim=16), cache_dir=tmp_path / "cache", show_progress=False)


def test_every_label_is_in_the_file_at_once_and_no_temporary_file_is_left(tmp_path, stand_in):
    path = tmp_path / "labels.csv"
    labeller = Labeller(paragraphs(), CODEBOOK, path, coder="ana", embedder=stand_in)
    first = labeller.current["para_id"]
    labeller.label(["economy", "legal"])
    labeller.label([])
    saved = load_labels(path, CODEBOOK)
    assert saved["para_id"].iloc[0] == first and saved["labels"].tolist() == [("economy", "legal"), ()]
    assert set(saved["coder"]) == {"ana"} and saved["text_sha256"].str.len().eq(64).all()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "labels.csv"]


def test_a_write_that_fails_half_way_leaves_the_previous_file_whole(tmp_path, stand_in, monkeypatch):
    path = tmp_path / "labels.csv"
    labeller = Labeller(paragraphs(), CODEBOOK, path, embedder=stand_in)
    labeller.label(["economy"])
    before = path.read_bytes()

    def broken(self, target, *args, **kwargs):
        with open(target, "w") as handle:
            handle.write("para_id,lab")  # half a file, then the process dies
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    with pytest.raises(FramingError, match="labels.csv: cannot write \\(disk full\\)"):
        labeller.label(["security"])
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "labels.csv"]  # no half-written temporary


def test_undo_removes_the_label_from_the_file_and_shows_the_paragraph_again(tmp_path, stand_in):
    path = tmp_path / "labels.csv"
    labeller = Labeller(paragraphs(), CODEBOOK, path, embedder=stand_in)
    labeller.label(["economy"])
    second = labeller.current["para_id"]
    labeller.label(["security"])
    assert labeller.undo() == second
    assert labeller.current["para_id"] == second
    assert len(load_labels(path, CODEBOOK)) == 1
    skipped = labeller.current["para_id"]
    labeller.skip()
    assert labeller.current["para_id"] != skipped and labeller.undo() == skipped


def test_a_killed_session_loses_nothing_and_the_next_one_resumes(tmp_path):
    path = tmp_path / "labels.csv"
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {os.path.dirname(__file__)!r})
        from test_labeller import CODEBOOK, paragraphs, CountingEncoder
        from framing.embed import Embedder
        from framing.labeller import Labeller
        labeller = Labeller(paragraphs(), CODEBOOK, {str(path)!r},
                            embedder=Embedder(CountingEncoder(dim=16), use_cache=False, show_progress=False))
        for frames in (["economy"], [], ["legal", "security"]):
            print(labeller.current["para_id"], flush=True)
            labeller.label(frames)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == -9, result.stderr
    labelled = result.stdout.split()
    resumed = Labeller(paragraphs(), CODEBOOK, path,
                       embedder=Embedder(CountingEncoder(dim=16), use_cache=False, show_progress=False))
    assert resumed.mine()["para_id"].tolist() == labelled
    assert resumed.mine()["labels"].tolist() == [("economy",), (), ("security", "legal")]  # codebook order
    assert not set(resumed.suggestions(20)) & set(labelled) and resumed.remaining == len(TEXTS) - 3


def test_labels_outside_the_codebook_are_refused_before_anything_is_written(tmp_path, stand_in):
    path = tmp_path / "labels.csv"
    labeller = Labeller(paragraphs(), CODEBOOK, path, embedder=stand_in)
    with pytest.raises(FramingError, match="'crime' not in codebook 'budget'"):
        labeller.label(["crime"])
    assert not path.exists()


def test_suggest_takes_the_most_uncertain_first_and_spreads_near_copies():
    scores = np.array([[0.9], [0.52], [0.51], [0.1], [0.45]])
    vectors = np.array([[1, 0], [0, 1], [0, 1], [1, 0], [0.6, 0.8]], dtype=float)
    order = suggest(scores, np.array([0.5]), vectors, np.arange(5), 5, diversity=0)
    assert order == [2, 1, 4, 0, 3]  # by distance to the threshold
    spread = suggest(scores, np.array([0.5]), vectors, np.arange(5), 3, diversity=5.0)
    assert spread[0] == 2 and spread[1] != 1  # row 1 duplicates row 2: it waits


def test_the_labeller_asks_first_about_the_paragraph_nearest_a_threshold(tmp_path, real_embedder):
    labeller = Labeller(paragraphs(), CODEBOOK, tmp_path / "labels.csv", embedder=real_embedder, diversity=0.0)
    scores, thresholds = labeller.scores()  # cold start: zero-shot similarities to the codebook
    distance = (np.abs(scores - thresholds) / (scores.std(axis=0) + 1e-6)).min(axis=1)
    order = [labeller.paragraphs.index[labeller.paragraphs["para_id"] == p][0] for p in labeller.suggestions(5)]
    assert order == list(np.argsort(distance, kind="stable")[:5])
    assert labeller.current["para_id"] == labeller.paragraphs["para_id"].iat[order[0]]
    for _ in range(10):  # after ten labels with both answers per frame, the classifier takes over
        text = labeller.current["text"].lower()
        labeller.label([f for f, words in [("economy", ("tax", "job", "budget", "dollar", "unemploy", "sales")),
                                           ("security", ("police", "arrest", "officer", "break-in", "attack")),
                                           ("legal", ("court", "judge", "lawsuit", "law", "ruling"))]
                        if any(w in text for w in words)])
    labeller.suggestions(3)
    assert type(labeller.detector_).__name__ == "StudyDetector"


def test_the_widget_drives_the_same_labeller(tmp_path, stand_in):
    pytest.importorskip("ipywidgets")
    labeller = Labeller(paragraphs(), CODEBOOK, tmp_path / "labels.csv", embedder=stand_in)
    from framing.labeller import _LabellerWidget

    view = _LabellerWidget(labeller)
    shown = labeller.current["para_id"]
    assert labeller.current["text"] in view.context.value
    view.keys.value = "1 3"  # keyboard: frames 1 and 3, Enter
    assert labeller.mine()["labels"].tolist() == [("economy", "legal")]
    assert labeller.mine()["para_id"].tolist() == [shown]
    view.keys.value = "u"
    assert labeller.mine().empty and labeller.current["para_id"] == shown
    view.toggles[1].value = True
    view.save.click()
    assert labeller.mine()["labels"].tolist() == [("security",)]


def test_the_widget_shows_labels_made_in_code(tmp_path, stand_in):
    pytest.importorskip("ipywidgets")
    labeller = Labeller(paragraphs(), CODEBOOK, tmp_path / "labels.csv", embedder=stand_in)
    from framing.labeller import _LabellerWidget

    view = _LabellerWidget(labeller)
    assert view.status.value.startswith("0 labelled")
    labeller.label(["economy"])
    labeller.label([])
    assert view.status.value.startswith("2 labelled") and labeller.current["text"] in view.context.value
    labeller.undo()
    assert view.status.value.startswith("1 labelled")


def test_a_spreadsheet_template_lists_unlabelled_paragraphs_with_an_empty_labels_column(tmp_path, stand_in):
    done = tmp_path / "done.csv"
    done.write_text("para_id,labels\na0:p001,economy\n")
    template = labelling_template(paragraphs(), CODEBOOK, n=5, labels=done, embedder=stand_in)
    assert len(template) == 5 and "a0:p001" not in set(template["para_id"])
    assert list(template.columns) == ["para_id", "article_id", "outlet", "title", "text", "labels", "coder",
                                      "text_sha256"]
    assert (template["labels"] == "").all()
