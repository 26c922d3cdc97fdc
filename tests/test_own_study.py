"""A researcher's own study end to end, on real articles: BASIL's border-wall coverage with a five-frame codebook and
partial labels (through the API and through `framing train` -> `framing frames --detector` -> `framing compare`, and
`framing figures`), and
article-level coding of GVFC through the same commands. Nothing falls back to the default codebook."""

from __future__ import annotations

import json

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

from framing import FramingError, segment  # noqa: E402
from framing.cli import main  # noqa: E402
from framing.codebook import load_codebook  # noqa: E402
from framing.compare import frame_shares  # noqa: E402
from framing.display import FramedArticle  # noqa: E402
from framing.labels import attach_labels, write_labels  # noqa: E402
from framing.plots import frame_shares as plot_shares  # noqa: E402
from framing.study import border_wall  # noqa: E402
from framing.training import cross_validate, train_detector  # noqa: E402

EVENTS = ("3ae35b16", "d4a4bc34")  # the national emergency (2019), Mexico won't pay for the wall (2016)
DEFAULT_FRAMES = set(load_codebook().names)


@pytest.fixture(scope="module")
def study():
    try:
        articles = border_wall.articles(events=EVENTS)
    except FramingError as error:
        pytest.skip(str(error))
    labels = border_wall.labels()
    paragraphs = segment(articles)
    mine = labels[labels["para_id"].isin(set(paragraphs["para_id"]))]
    partial = mine.iloc[::2].copy()  # half of the labelled paragraphs: a subset, as in any study
    partial.attrs.update(labels.attrs)
    return articles, paragraphs, partial


def test_the_border_wall_study_runs_through_the_api_without_the_default_codebook(study):
    articles, paragraphs, labels = study
    codebook = border_wall.codebook()
    assert len(articles) == 6 and labels["para_id"].nunique() < 0.6 * len(paragraphs)  # partial labels
    detector = train_detector(paragraphs, labels, codebook)
    framed = detector.frame_table(paragraphs)
    assert framed.attrs["frames"] == codebook.names and framed.attrs["codebook"] == "border-wall"
    shares = frame_shares(framed, by="outlet", n_boot=200)  # no frames= argument
    assert set(shares["frame"]) == set(codebook.names) and not set(shares["frame"]) & DEFAULT_FRAMES
    assert set(shares["outlet"]) == {"Fox News", "New York Times", "HuffPost"}
    emergency = framed[framed["text"].str.contains("constitutional|Constitution|sued|court", regex=True)]
    assert emergency["frames"].map(lambda f: "legal_authority" in f).mean() >= 0.6
    validation = attach_labels(framed, labels)  # the partial labels are a validation sample for this table
    assert validation["labelled"].sum() == len(labels) and validation.attrs["frames"] == codebook.names
    ax = plot_shares(shares, by="outlet")
    colours = {tuple(c.get_edgecolor()[0][:3]) for c in ax.collections if len(c.get_offsets())}
    assert len(colours) == 3  # one distinct colour per outlet, none grey
    html = FramedArticle(framed, "basil-3ae35b16-nyt")._repr_html_()
    assert ">legal_authority</span>" in html and "background:#7f7f7f" not in html


def test_cross_validation_on_partial_labels_reports_every_frame(study):
    _, paragraphs, labels = study
    table = cross_validate(paragraphs, labels, border_wall.codebook(), folds=3, n_boot=100).set_index("frame")
    assert list(table.index[:5]) == border_wall.codebook().names
    assert table.loc["legal_authority", "f1"] > 0.5
    assert (table["f1_low"] <= table["f1"] + 1e-9).all() and (table["f1"] <= table["f1_high"] + 1e-9).all()


def test_the_border_wall_study_runs_through_the_command_line(study, tmp_path, capsys):
    articles, _, labels = study
    corpus = tmp_path / "border_wall.jsonl"
    articles.drop(columns=["source"]).assign(date=articles["date"].dt.strftime("%Y-%m-%d")).to_json(
        corpus, orient="records", lines=True)
    write_labels(labels, tmp_path / "labels.csv")
    codebook = border_wall.data_dir() / "codebook.yaml"
    detector = tmp_path / "detector.npz"
    assert main(["train", str(corpus), "--codebook", str(codebook), "--labels", str(tmp_path / "labels.csv"),
                 "--out", str(detector)]) == 0
    assert "trained a paragraph-level detector for codebook 'border-wall'" in capsys.readouterr().err
    assert main(["frames", str(corpus), "--detector", str(detector)]) == 0
    printed = capsys.readouterr().out
    rows = [json.loads(line) for line in printed.splitlines()]
    assert set(rows[0]["scores"]) == set(border_wall.codebook().names)
    assert {f for row in rows for f in row["frames"]} <= set(border_wall.codebook().names)
    (tmp_path / "framed.jsonl").write_text(printed)
    compared = tmp_path / "compared"
    assert main(["compare", str(tmp_path / "framed.jsonl"), "--by", "outlet", "--strata", "event", "--labels",
                 str(tmp_path / "labels.csv"), "--out", str(compared)]) == 0
    shares = pd.read_csv(compared / "shares.csv")
    assert set(shares["frame"]) == set(border_wall.codebook().names)  # every frame, none of the default codebook
    assert set(shares["outlet"]) == {"Fox News", "New York Times", "HuffPost"}
    assert "corrected_share" in shares.columns  # the partial labels are the validation sample
    out = tmp_path / "figures"
    assert main(["figures", "--corpus", str(corpus), "--codebook", str(codebook), "--detector", str(detector),
                 "--by", "outlet", "--out", str(out)]) == 0
    findings = (out / "findings.txt").read_text()
    assert "codebook border-wall" in findings and "legal_authority: highest in" in findings
    assert not any(f"{frame}:" in findings for frame in DEFAULT_FRAMES)
    shares = pd.read_csv(out / "tables" / "shares.csv")
    assert set(shares["frame"]) == set(border_wall.codebook().names)
    assert (out / "figures" / "frame_shares.png").stat().st_size > 0
    assert main(["evaluate", str(corpus), "--codebook", str(codebook), "--labels", str(tmp_path / "labels.csv"),
                 "--folds", "3", "--out", str(tmp_path / "evaluation")]) == 0
    report = capsys.readouterr().out
    assert "| legal_authority |" in report and "| macro avg |" in report and "accusation" not in report
    assert main(["sample", str(corpus), "--codebook", str(codebook), "--labels", str(tmp_path / "labels.csv"),
                 "--n", "5", "--out", str(tmp_path / "to_label.csv")]) == 0
    template = pd.read_csv(tmp_path / "to_label.csv", keep_default_na=False)
    assert len(template) == 5 and not set(template["para_id"]) & set(labels["para_id"])


def train_gvfc_article_detector(tmp_path, capsys, shared):
    """150 GVFC articles as a corpus, article labels for the first 120, a 9-frame codebook, and `framing train`;
    returns the corpus's articles and all GVFC labels."""
    from framing.datasets import GVFC_FRAME_KEYS, gvfc_corpus, gvfc_labels

    folder = shared / "datasets" / "gvfc"
    if not folder.is_dir():
        pytest.skip("needs GVFC (datasets/gvfc in the shared folder; see framing.datasets.GVFC_URL)")
    with pytest.warns(Warning):
        articles = gvfc_corpus(folder).iloc[:150]
    corpus = tmp_path / "gvfc.csv"
    articles.drop(columns=["source", "date"]).to_csv(corpus, index=False)
    labels = gvfc_labels(folder)
    write_labels(labels[labels["article_id"].isin(set(articles["article_id"].iloc[:120]))], tmp_path / "labels.csv")
    codebook = tmp_path / "gvfc.yaml"
    codebook.write_text("name: gvfc\nframes:\n" + "".join(
        f"  {key}:\n    definition: news framed as {key.replace('_', ' ')}\n"
        f"    exemplars: ['{key.replace('_', ' ')}']\n" for key in GVFC_FRAME_KEYS.values()))
    assert main(["train", str(corpus), "--codebook", str(codebook), "--labels", str(tmp_path / "labels.csv"),
                 "--out", str(tmp_path / "articles.npz")]) == 0
    assert "article-level detector" in capsys.readouterr().err
    return articles, labels


def test_article_labels_train_an_article_detector_and_frames_print_one_row_per_article(tmp_path, capsys, shared):
    articles, _ = train_gvfc_article_detector(tmp_path, capsys, shared)
    assert main(["frames", str(tmp_path / "gvfc.csv"), "--detector", str(tmp_path / "articles.npz")]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 150 and [r["article_id"] for r in rows] == articles["article_id"].tolist()
    assert set(rows[0]) == {"article_id", "outlet", "outlet_kind", "date", "title", "frames", "scores"}
    assert rows[0]["date"] is None  # GVFC gives no dates: missing, not made up
    assert sum(bool(r["frames"]) for r in rows) > 100


def test_article_frames_are_compared_and_corrected_with_held_out_article_labels(tmp_path, capsys, shared):
    """The article-level chain ends in `framing compare --labels` with labels per article_id."""
    articles, labels = train_gvfc_article_detector(tmp_path, capsys, shared)
    assert main(["frames", str(tmp_path / "gvfc.csv"), "--detector", str(tmp_path / "articles.npz")]) == 0
    framed = tmp_path / "framed.jsonl"
    framed.write_text(capsys.readouterr().out)
    held_out = labels[labels["article_id"].isin(set(articles["article_id"].iloc[120:]))]
    write_labels(held_out, tmp_path / "held_out.csv")
    assert main(["compare", str(framed), "--by", "outlet", "--labels", str(tmp_path / "held_out.csv"),
                 "--out", str(tmp_path / "compared")]) == 0
    manifest = json.loads((tmp_path / "compared" / "manifest.json").read_text())
    assert manifest["corrected"] and manifest["labelled_units"] == len(held_out) == 30
    assert "corrected_share" in pd.read_csv(tmp_path / "compared" / "shares.csv").columns
