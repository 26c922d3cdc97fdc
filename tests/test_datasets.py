"""Loaders of the public benchmark copies in ../shared/datasets (counts from each folder's PROVENANCE.md)."""
import zipfile

import pandas as pd
import pytest

from framing.datasets import (
    GVFC_FRAMES, load_basil, load_fnc1, load_gvfc, load_mfc_codes, load_ruwa, shared_datasets_dir,
)

pytestmark = pytest.mark.skipif(
    shared_datasets_dir() is None,
    reason="needs ../shared/datasets (public benchmark copies); set FRAMING_SHARED_DATASETS",
)


@pytest.fixture(scope="module")
def data():
    return shared_datasets_dir()


def test_gvfc_gold_is_the_multimodal_file(data):
    df = load_gvfc(data / "gvfc")
    assert df.attrs["source_file"].endswith("GVFC_extension_multimodal.csv")
    assert len(df) == 1300 and df.attrs["dropped"] == 0
    assert list(df.columns[:6]) == ["id", "text", "frame", "frame2", "relevant", "focus"]
    assert df["id"].is_unique and df["relevant"].all()
    assert df["frame"].dtype == "int64" and str(df["frame2"].dtype) == "Int64"
    assert df["frame"].value_counts().sort_index().to_dict() == {
        1: 38, 2: 215, 3: 373, 4: 65, 5: 137, 6: 114, 7: 237, 8: 41, 9: 80}
    assert df["frame2"].isna().sum() == 981
    assert df.loc[0, "text"] == ("Cremated remains of Las Vegas mass shooter to be kept in safe deposit box, "
                                 "brother says")
    assert sorted(GVFC_FRAMES) == list(range(1, 10))


def test_gvfc_sheet_file_and_coded_only(data):
    sheet = data / "gvfc" / "GVFC_headlines_and_annotations.csv"
    coded = load_gvfc(sheet)
    assert len(coded) == 1301 and coded.attrs["dropped"] == 1689
    assert coded["frame"].value_counts().sort_index().to_dict() == {
        1: 38, 2: 215, 3: 380, 4: 65, 5: 130, 6: 114, 7: 237, 8: 41, 9: 81}
    every = load_gvfc(sheet, coded_only=False)
    assert len(every) == 2990 and every.attrs["dropped"] == 0
    assert every["frame"].isna().sum() == 1689 and (~every["relevant"]).sum() == 381
    assert every.loc[0, "text"].startswith("Anti-gun student walkout")


def test_basil_sentences(data):
    df = load_basil(data / "basil")
    assert len(df) == 8284
    body = df[df["segment"] == "body"]
    assert len(body) == 7984
    assert body["bias_label"].value_counts().to_dict() == {"none": 6361, "inf": 1174, "lex": 405, "lex+inf": 44}
    assert df["n_spans"].sum() == 1726 and df["n_lex"].sum() == 480 and df["n_inf"].sum() == 1246
    assert df.loc[0, "text"] == "Michael Steele Criticized for Afghanistan Comments"


def test_basil_articles(data):
    df = load_basil(data / "basil" / "basil_articles.jsonl", level="article")
    assert len(df) == 300 and df["event_id"].nunique() == 100
    assert df.groupby("event_id")["outlet"].apply(frozenset).eq(frozenset({"fox", "nyt", "hpo"})).all()
    assert df["relative_stance"].value_counts().to_dict() == {
        "center": 144, "liberal": 56, "conservative": 38, "right": 37, "left": 25}
    assert df["n_spans"].sum() == 1726 and df["n_lex"].sum() == 480
    assert df.loc[0, "title"] == "Michael Steele Criticized for Afghanistan Comments"
    assert df.loc[0, "text"].startswith("WASHINGTON — Michael Steele")
    with pytest.raises(ValueError, match="level"):
        load_basil(data / "basil", level="paragraph")


def test_fnc1(data):
    df = load_fnc1(data / "fnc1")
    assert list(df.columns) == ["headline", "body_id", "body", "stance"]
    assert len(df) == 25413 and df["body_id"].nunique() == 904 and df["body"].notna().all()
    assert df["stance"].value_counts().to_dict() == {
        "unrelated": 18349, "discuss": 4464, "agree": 1903, "disagree": 697}
    assert list(df["stance"].cat.categories) == ["unrelated", "discuss", "agree", "disagree"]
    assert df.loc[0, "headline"].startswith("Ferguson riots: Pregnant woman loses eye")
    assert df.loc[0, "body_id"] == 2008
    assert len(load_fnc1(data / "fnc1" / "competition_test_stances.csv")) == 25413


def test_ruwa(data):
    df = load_ruwa(data / "ruwa")
    assert len(df) == 16545
    assert df["outlet"].value_counts().to_dict() == {
        "ukrinform.net": 6749, "censor.net": 5094, "reuters.com": 1992, "rt.com": 932, "aljazeera.com": 600,
        "bbc.co.uk": 550, "www.msnbc.com": 500, "en.news-front.info": 94, "tass.com": 34}
    assert df["event"].nunique() == 9 and (df["event"] == "beginning").sum() == 6485
    kinds = df.groupby("outlet")["outlet_kind"].first()
    assert kinds["tass.com"] == kinds["rt.com"] == "russian-state"
    assert kinds["censor.net"] == "ukrainian" and kinds["aljazeera.com"] == "other"
    assert kinds["bbc.co.uk"] == "western-press"
    assert df["date"].min() == pd.Timestamp("2021-09-01") and df["date"].max() == pd.Timestamp("2022-11-17")
    assert (df["title"].isna() & df["subheading"].isna()).sum() == 194
    assert df.loc[0, "title"] == "Ukraine invasion: Misleading claims continue to go viral"
    assert df.loc[0, "keywords"] == ["invasion"] and df["url"].is_unique


def test_mfc_codes(data):
    df = load_mfc_codes(data / "mfc-codes")
    assert len(df) == 51
    assert df["kind"].value_counts().to_dict() == {
        "frame": 15, "headline": 15, "primary": 15, "tone": 5, "irrelevant": 1}
    assert df.set_index("code").loc["17.35", "label"] == "Implicit Pro"
    assert df.set_index("code").loc["8.2", "dimension_name"] == "Security and defense"


@pytest.mark.parametrize("loader, filename", [
    (load_gvfc, "GVFC_extension_multimodal.csv"), (load_basil, "basil_sentences.csv"),
    (load_fnc1, "competition_test_stances.csv"), (load_ruwa, "RUWA_04.08.23.csv"), (load_mfc_codes, "codes.json"),
])
def test_missing_file_names_file_and_source(tmp_path, loader, filename):
    with pytest.raises(FileNotFoundError, match=filename) as err:
        loader(tmp_path)
    assert "https://github.com/" in str(err.value)


def test_missing_bodies_file(tmp_path):
    (tmp_path / "competition_test_stances.csv").write_text("Headline,Body ID,Stance\nh,1,agree\n")
    with pytest.raises(FileNotFoundError, match="competition_test_bodies.csv"):
        load_fnc1(tmp_path)


@pytest.mark.parametrize("loader, filename, header, column", [
    (load_gvfc, "GVFC_extension_multimodal.csv", "id,headline,Q1 Relevant,Q2 Focus,Q3 Theme1\n0,h,1,1,1",
     "Q3 Theme2"),
    (load_fnc1, "competition_test_stances.csv", "Headline,Body ID\nh,1", "Stance"),
    (load_ruwa, "RUWA_04.08.23.csv", "src,desc,title,Date,Site,KW\nu,d,t,01/01/2022,rt.com,[]", "Event"),
    (load_basil, "basil_sentences.csv", "event_id,article_uuid,outlet,year,date,segment\ne,a,fox,2010,"
     "2010-01-01,body", "text"),
])
def test_missing_column_names_file_and_column(tmp_path, loader, filename, header, column):
    (tmp_path / filename).write_text(header + "\n")
    (tmp_path / "competition_test_bodies.csv").write_text("Body ID,articleBody\n1,b\n")
    with pytest.raises(ValueError, match=f"expected column '{column}' is missing") as err:
        loader(tmp_path)
    assert filename in str(err.value)


def test_ruwa_reads_the_source_zip(tmp_path):
    csv = ",Unnamed: 0,src,desc,title,ref,Date,Site,Event,KW\n0,1,u,d,t,[],02/28/2022,tass.com,nuclear,['kw']\n"
    with zipfile.ZipFile(tmp_path / "RUWA_01.08.23.csv.zip", "w") as zf:
        zf.writestr("RUWA_04.08.23.csv", csv)
        zf.writestr("__MACOSX/._RUWA_04.08.23.csv", "resource fork")
    df = load_ruwa(tmp_path)
    assert df.loc[0, "outlet_kind"] == "russian-state" and df.loc[0, "keywords"] == ["kw"]


def test_shared_datasets_dir_env(monkeypatch, tmp_path, data):
    monkeypatch.setenv("FRAMING_SHARED_DATASETS", str(tmp_path))
    assert shared_datasets_dir() == tmp_path
    monkeypatch.setenv("FRAMING_SHARED_DATASETS", str(tmp_path / "absent"))
    assert shared_datasets_dir() is None
