"""Loading and validating corpora: formats, metadata, and a clear error for each kind of bad input."""

from __future__ import annotations

import json
import warnings

import pandas as pd
import pytest

from framing import CorpusError, FramingWarning, load_corpus
from conftest import SPUTNIK_ID, SPUTNIK_NAME

META = """---
article_id: {article_id}
outlet: Test Wire
outlet_kind: western-wire
date: {date}
title: A title
url: https://example.org/a
language: en
licence: CC0
provenance: collected
---
"""


def write_md(folder, name="a.md", article_id="a1", date="2023-09-14", body="First paragraph.\n\nSecond one."):
    path = folder / name
    path.write_text(META.format(article_id=article_id, date=date) + body, encoding="utf-8")
    return path


def table_row(**overrides):
    row = {"article_id": "t1", "outlet": "Test Wire", "outlet_kind": "western-wire", "date": "2023-09-13",
           "title": "Title", "url": "https://example.org/t", "language": "en", "licence": "CC0",
           "provenance": "composed", "modelled_on": "https://example.org/x https://example.org/y",
           "rests_on": "a fact", "text": "Body one.\n\nBody two."}
    row.update(overrides)
    return row


def test_sputnik_file_is_byte_identical_to_the_shared_copy(sputnik_path, shared):
    assert sputnik_path.read_bytes() == (shared / "event-2023" / SPUTNIK_NAME).read_bytes()


def test_sputnik_loads_with_its_sidecar_metadata(sputnik_path):
    article = load_corpus(sputnik_path).iloc[0]
    assert article["article_id"] == SPUTNIK_ID
    assert article["outlet"] == "Sputnik Africa"
    assert article["outlet_kind"] == "russian-state"
    assert article["date"] == pd.Timestamp("2023-09-14")
    assert article["title"] == "US Shows 'Duplicity' When Assessing Kim Jong Un's Visit to Russia: Russian Ambassador"
    assert article["provenance"] == "collected"
    assert article["text"].startswith("© Photo POOL")


def test_markdown_header_fields_become_columns(tmp_path):
    articles = load_corpus(write_md(tmp_path))
    assert articles.loc[0, ["article_id", "outlet", "language"]].tolist() == ["a1", "Test Wire", "en"]
    assert articles.loc[0, "text"] == "First paragraph.\n\nSecond one."


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_tables_load_with_the_same_fields(tmp_path, suffix):
    path = tmp_path / f"corpus{suffix}"
    frame = pd.DataFrame([table_row()])
    {".csv": lambda: frame.to_csv(path, index=False), ".parquet": lambda: frame.to_parquet(path),
     ".jsonl": lambda: frame.to_json(path, orient="records", lines=True)}[suffix]()
    article = load_corpus(path).iloc[0]
    assert article["modelled_on"] == ("https://example.org/x", "https://example.org/y")
    assert article["date"] == pd.Timestamp("2023-09-13")
    assert article["text"] == "Body one.\n\nBody two."


def test_jsonl_accepts_a_list_of_addresses(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(table_row(modelled_on=["https://a.example", "https://b.example"])) + "\n")
    assert load_corpus(path).loc[0, "modelled_on"] == ("https://a.example", "https://b.example")


def test_folder_reads_articles_subfolder_and_skips_documentation(tmp_path):
    (tmp_path / "articles").mkdir()
    write_md(tmp_path / "articles", "one.md", "one")
    write_md(tmp_path / "articles", "two.md", "two")
    (tmp_path / "README.md").write_text("# not an article")
    (tmp_path / "articles" / "README.md").write_text("# not an article either")
    with pytest.warns(FramingWarning, match=r"skipped 1 documentation or hidden file\(s\).*: README\.md"):
        assert load_corpus(tmp_path)["article_id"].tolist() == ["one", "two"]


def test_windows_line_endings_are_normalised(tmp_path):
    path = tmp_path / "w.md"
    path.write_bytes((META.format(article_id="w", date="2023-09-14") + "One.\n\nTwo.\n").replace("\n", "\r\n").encode())
    assert load_corpus(path).loc[0, "text"] == "One.\n\nTwo."


def test_bare_text_file_needs_metadata_unless_told_otherwise(tmp_path):
    path = tmp_path / "bare.txt"
    path.write_text("A headline\nЭто статья на русском языке о визите Ким Чен Ына в Россию.\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"bare\.txt: no metadata: expected a sidecar file bare\.meta\.yaml"):
        load_corpus(path)
    article = load_corpus(path, require_metadata=False).iloc[0]
    assert (article["article_id"], article["title"]) == ("bare", "A headline")
    assert (article["language"], article["language_source"]) == ("ru", "detected")
    assert pd.isna(article["outlet"])


# --- bad input: one clear error naming file and field, and nothing loaded -------------------------------------

def test_missing_required_field_is_named(tmp_path):
    path = tmp_path / "m.md"
    path.write_text(META.format(article_id="m", date="2023-09-14").replace("outlet: Test Wire\n", "") + "Body.")
    with pytest.raises(CorpusError, match=r"m\.md: missing required field 'outlet'"):
        load_corpus(path)


def test_table_missing_required_column_is_named(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame([table_row()]).drop(columns=["outlet"]).to_csv(path, index=False)
    with pytest.raises(CorpusError, match=r"t\.csv: table lacks required column\(s\): outlet \(required: article_id, "
                                          r"outlet, text; every other column is optional\)"):
        load_corpus(path)


def test_duplicate_article_id_names_both_files(tmp_path):
    first, second = write_md(tmp_path, "a.md", "same"), write_md(tmp_path, "b.md", "same")
    with pytest.raises(CorpusError, match=rf"{second.name}: duplicate article_id 'same' \(also in .*{first.name}\)"):
        load_corpus(tmp_path)


def test_unparseable_date_is_named(tmp_path):
    with pytest.raises(CorpusError, match=r"a\.md: field 'date': '14/09/2023' is not an ISO date"):
        load_corpus(write_md(tmp_path, date="'14/09/2023'"))


def test_non_utf8_file_is_named_with_offset(tmp_path):
    path = tmp_path / "latin1.md"
    path.write_bytes((META.format(article_id="l", date="2023-09-14") + "Caf\xe9 society.").encode("latin-1"))
    with pytest.raises(CorpusError, match=r"latin1\.md: file is not UTF-8 text \(byte 0xe9 at offset \d+\)"):
        load_corpus(path)


def test_empty_body_is_an_error(tmp_path):
    with pytest.raises(CorpusError, match=r"a\.md: empty body"):
        load_corpus(write_md(tmp_path, body="\n  \n"))


def test_unknown_file_type_is_named(tmp_path):
    path = tmp_path / "notes.docx"
    path.write_bytes(b"PK")
    with pytest.raises(CorpusError, match=r"notes\.docx: unknown file type '\.docx' \(expected one of \.md"):
        load_corpus(path)


def test_unknown_file_in_a_corpus_folder_is_not_skipped_silently(tmp_path):
    write_md(tmp_path)
    (tmp_path / "stray.docx").write_bytes(b"PK")
    with pytest.raises(CorpusError, match=r"stray\.docx: unknown file type"):
        load_corpus(tmp_path)


def test_table_without_text_column_lists_its_columns(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame([table_row()]).rename(columns={"text": "body"}).to_csv(path, index=False)
    with pytest.raises(CorpusError, match=r"t\.csv: table has no 'text' column \(columns: article_id, .*body"):
        load_corpus(path)


def test_composed_text_must_say_what_it_is_modelled_on(tmp_path):
    path = tmp_path / "c.csv"
    pd.DataFrame([table_row(modelled_on="")]).to_csv(path, index=False)
    with pytest.raises(CorpusError, match=r"c\.csv row 1: missing field 'modelled_on', required for composed"):
        load_corpus(path)


def test_bad_provenance_value_is_named(tmp_path):
    path = tmp_path / "p.csv"
    pd.DataFrame([table_row(provenance="scraped")]).to_csv(path, index=False)
    with pytest.raises(CorpusError, match=r"field 'provenance': 'scraped' is not one of collected, composed"):
        load_corpus(path)


def test_outlet_kinds_are_free_form_and_need_no_warning(tmp_path):
    path = tmp_path / "k.csv"
    pd.DataFrame([table_row(outlet_kind="blog")]).to_csv(path, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_corpus(path).loc[0, "outlet_kind"] == "blog"


# --- any corpus in -----------------------------------------------------------------------------------------------

def test_a_dataframe_with_three_columns_is_a_corpus_and_its_defaults_are_recorded():
    frame = pd.DataFrame({"article_id": ["a1", "a2"], "outlet": ["Daily", "Weekly"],
                          "text": ["The council voted on the budget today.", "Prices rose again this month."]})
    articles = load_corpus(frame)
    assert articles["article_id"].tolist() == ["a1", "a2"]
    assert articles["date"].isna().all()  # an absent date stays missing, never a made-up one
    assert articles["language"].tolist() == ["en", "en"] and set(articles["language_source"]) == {"detected"}
    assert articles.attrs["defaults"]["date"] == {"articles": 2, "stands_in": "missing (NaT)"}
    assert articles.attrs["defaults"]["licence"]["articles"] == 2


def test_a_dataframe_without_outlet_is_refused_with_the_required_columns():
    with pytest.raises(CorpusError, match=r"DataFrame: table lacks required column\(s\): outlet"):
        load_corpus(pd.DataFrame({"article_id": ["a"], "text": ["Some text."]}))


def test_a_saved_web_page_gives_main_text_title_date_and_site(tmp_path):
    body = "".join(f"<p>{s}</p>" for s in [
        "The city council approved the new housing plan on Tuesday after a long debate about rents.",
        "Opponents said the plan would raise taxes for families who already struggle to pay their bills.",
        "The mayor said construction would begin next spring and create hundreds of jobs in the area."])
    page = (f"<html><head><title>Council backs housing plan | Town Gazette</title>"
            f"<meta property='og:site_name' content='Town Gazette'>"
            f"<meta property='article:published_time' content='2024-03-05'>"
            f"<meta property='og:url' content='https://gazette.example/housing'></head>"
            f"<body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article><h1>Council backs housing plan"
            f"</h1>{body}</article><footer>Subscribe to our newsletter</footer></body></html>")
    (tmp_path / "housing.html").write_text(page)
    article = load_corpus(tmp_path / "housing.html").iloc[0]
    assert (article["article_id"], article["outlet"]) == ("housing", "Town Gazette")
    assert article["title"].startswith("Council backs housing plan")
    assert article["date"] == pd.Timestamp("2024-03-05")
    assert "approved the new housing plan" in article["text"] and "Subscribe" not in article["text"]
    assert "Home" not in article["text"]


def test_a_media_cloud_story_list_reads_text_from_saved_pages_and_counts_the_rest(tmp_path):
    from framing.datasets import mediacloud_corpus

    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "101.html").write_text(
        "<html><body><article><p>Lawmakers passed the border bill late on Friday night after a long standoff "
        "between the two parties over funding.</p><p>The president is expected to sign it on Monday, aides "
        "said, ending weeks of uncertainty for federal workers.</p></article></body></html>")
    (tmp_path / "stories.csv").write_text(
        "id,indexed_date,language,media_name,media_url,publish_date,title,url\n"
        "101,2019-02-15 10:00:00,en,example.com,example.com,2019-02-15 08:00:00,Border bill passes,"
        "https://example.com/a\n"
        "102,2019-02-15 11:00:00,en,other.org,other.org,2019-02-15 09:00:00,No page saved,https://other.org/b\n")
    with pytest.warns(FramingWarning, match=r"left out 1 row\(s\) without text"):
        articles = mediacloud_corpus(tmp_path / "stories.csv", pages=tmp_path / "pages")
    article = articles.iloc[0]
    assert len(articles) == 1 and articles.attrs["dropped"] == {"without text (no text column, no saved page)": 1}
    assert (article["article_id"], article["outlet"], article["title"]) == ("mc-101", "example.com",
                                                                           "Border bill passes")
    assert article["date"] == pd.Timestamp("2019-02-15") and "border bill" in article["text"]


def test_sidecar_title_must_match_first_line(tmp_path):
    (tmp_path / "x.txt").write_text("Real headline\nBody line.\n")
    (tmp_path / "x.meta.yaml").write_text("article_id: x\ntitle: Other headline\n")
    with pytest.raises(CorpusError, match=r"x\.meta\.yaml: field 'title' differs from the first line of x\.txt"):
        load_corpus(tmp_path / "x.txt", require_metadata=False)


def test_invalid_yaml_header_names_the_line(tmp_path):
    path = tmp_path / "y.md"
    path.write_text("---\narticle_id: y\noutlet: [unclosed\n---\nBody.")
    with pytest.raises(CorpusError, match=r"y\.md: metadata header is not valid YAML at line \d"):
        load_corpus(path)


# --- faults found by probing (issue 12): each was a crash or a silent wrong result -----------------------------

def test_a_csv_row_with_more_fields_than_the_header_is_refused_naming_the_line(tmp_path):
    path = tmp_path / "ragged.csv"  # used to shift the columns silently: article_id became 'T1'
    path.write_text("article_id,title,text\na1,T1,b1,The ambassador spoke.\n")
    with pytest.raises(CorpusError, match=r"ragged\.csv: line 2 has 4 fields, the header has 3"):
        load_corpus(path, require_metadata=False)


def test_a_csv_row_with_fewer_fields_than_the_header_is_refused_naming_the_line(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text('article_id,title,text\na1,T1,"One.\nTwo."\na2,T2\n')
    with pytest.raises(CorpusError, match=r"short\.csv: line 4 has 2 fields, the header has 3"):
        load_corpus(path, require_metadata=False)


def test_a_folder_reads_every_file_that_is_not_documented_as_skipped(tmp_path):
    for name in ("a.txt", "readme_first.txt", "License-plate-fraud-2023.txt", "_draft.txt"):
        (tmp_path / name).write_text(f"Headline of {name}\nThe body of {name}.\n")
    (tmp_path / "_draft.meta.yaml").write_text("article_id: draft\n")  # '_draft' is not a valid id by itself
    (tmp_path / "README.md").write_text("# about this folder")
    (tmp_path / ".notes.txt").write_text("hidden")
    with pytest.warns(FramingWarning, match=r"skipped 2 documentation or hidden file\(s\).*\.notes\.txt, README\.md"):
        articles = load_corpus(tmp_path, require_metadata=False)
    assert sorted(articles["article_id"]) == ["License-plate-fraud-2023", "a", "draft", "readme_first"]
    assert sorted(map(lambda p: p.rsplit("/", 1)[-1], articles.attrs["skipped"])) == [".notes.txt", "README.md"]


def test_an_orphan_metadata_sidecar_is_an_error(tmp_path):
    (tmp_path / "a.txt").write_text("Headline\nBody.\n")
    (tmp_path / "renamed.meta.yaml").write_text("article_id: renamed\n")
    with pytest.raises(CorpusError, match=r"renamed\.meta\.yaml: metadata sidecar without its text file renamed\.txt"):
        load_corpus(tmp_path, require_metadata=False)


def test_an_unreadable_subfolder_is_an_error_not_skipped(tmp_path, monkeypatch):
    import os

    write_md(tmp_path)
    locked = tmp_path / "locked"
    locked.mkdir()
    write_md(locked, "hidden-away.md", "h1")
    real_scandir = os.scandir

    def scandir(path="."):  # chmod 000 does not stop root, so the refusal is simulated
        if os.fspath(path) == os.fspath(locked):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(CorpusError, match=r"locked: cannot read this folder \(Permission denied\)"):
        load_corpus(tmp_path)


def test_a_symbolic_link_loop_is_an_error(tmp_path):
    write_md(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "back").symlink_to(tmp_path)
    with pytest.raises(CorpusError, match=r"symbolic link loop"):
        load_corpus(tmp_path)


@pytest.mark.parametrize("body", ["\u200b\ufeff\u2066", "\u200b\n\n\u2069 \u00a0\n"])
def test_a_body_of_only_invisible_characters_is_empty(tmp_path, body):
    with pytest.raises(CorpusError, match=r"a\.md: empty body \(only invisible characters"):
        load_corpus(write_md(tmp_path, body=body))


def test_yaml_aliases_in_a_header_are_refused(tmp_path):
    # Nested aliases expand exponentially: a 326-byte header took 1.2 GB; this small one shows the refusal.
    path = tmp_path / "bomb.md"
    path.write_text("---\narticle_id: bomb\na: &a [x, x]\nb: [*a, *a]\n---\nBody.\n")
    with pytest.raises(CorpusError, match=r"bomb\.md: metadata header is not valid YAML at line 4: aliases \(\*a\)"):
        load_corpus(path, require_metadata=False)


def test_a_repeated_key_in_a_header_is_refused(tmp_path):
    path = tmp_path / "twice.md"
    path.write_text("---\narticle_id: twice\ntitle: One\ntitle: Two\n---\nBody.\n")
    with pytest.raises(CorpusError, match=r"twice\.md: metadata header is not valid YAML at line 4: duplicate key"):
        load_corpus(path, require_metadata=False)


@pytest.mark.parametrize("line, problem", [
    ("[1, 2]", r"line 2 is a JSON array, not an object"),
    ('"just text"', r"line 2 is a JSON string, not an object"),
    ('{"text": "x",}', r"line 2: not valid JSON \(.* at column \d+\)"),
])
def test_a_jsonl_line_that_is_not_an_object_is_named_by_line(tmp_path, line, problem):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(table_row()) + "\n" + line + "\n")
    with pytest.raises(CorpusError, match=rf"c\.jsonl: {problem}"):
        load_corpus(path)


@pytest.mark.parametrize("article_id", ["abc\n", "abc\n\n", " abc"])
def test_an_article_id_with_a_line_break_or_space_is_refused(tmp_path, article_id):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(table_row(article_id=article_id)) + "\n")
    with pytest.raises(CorpusError, match=r"field 'article_id': .* may hold only letters, digits"):
        load_corpus(path)
