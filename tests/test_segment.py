"""Segmentation: exact paragraphs of the Sputnik page, boilerplate rules, and awkward layouts."""

from __future__ import annotations

import pandas as pd
import pytest

from framing import DEFAULT_RULES, BoilerplateRule, FramingWarning, dropped_lines, load_corpus, segment
from framing.corpus import ARTICLE_COLUMNS
from framing.segment import split_paragraphs
from conftest import SPUTNIK_ID

SPUTNIK_BODY_STARTS = [
    "WASHINGTON (Sputnik) - Kim Jong Un arrived in Russia on Tuesday",
    "Washington's assessments of North Korean leader Kim Jong Un's visit to Russia show \"duplicity\"",
    "\"The US has no right to teach us how to live.",
    "\"Attempts to present productive and mutually beneficial Russian-North Korean dialog",
    "The ambassador added that \"the Americans do not shy away from violating their commitments,\"",
    "\"Washington's duplicity has not surprised us for a long time:",
    "\"However, with thousands of restrictions in place,",
    "The ambassador noted that \"the time has come for Washington to throw away its sanctions baton",
    "US State Department spokesperson Matthew Miller said Monday",
    "North Korea has repeatedly denied claims by Western media and officials about arms deliveries to Moscow.",
    "Russian Ambassador to North Korea Alexander Matsegora has also repeatedly said",
]
SPUTNIK_BOILERPLATE = [
    (1, "photo_credit"), (2, "caption_stamp"), (3, "call_to_action"), (12, "caption_stamp"),
    (13, "section_label"), (14, "teaser_or_caption"), (18, "section_label"), (19, "counter"),
]


def articles_from(*texts, title="Headline", language="en"):
    """An articles table as load_corpus makes it (every column, metadata left empty) with these bodies."""
    rows = [{"article_id": f"a{i}", "title": title, "text": text, "language": language, "source": f"test {i}"}
            for i, text in enumerate(texts)]
    table = pd.DataFrame(rows).reindex(columns=ARTICLE_COLUMNS)
    table["date"] = pd.to_datetime(table["date"])
    return table


@pytest.fixture(scope="module")
def sputnik_paragraphs(sputnik_path):
    return segment(load_corpus(sputnik_path))


def test_sputnik_yields_title_and_exactly_eleven_body_paragraphs(sputnik_paragraphs):
    assert sputnik_paragraphs["kind"].tolist() == ["title"] + ["body"] * 11
    assert sputnik_paragraphs["text"].iloc[0] == (
        "US Shows 'Duplicity' When Assessing Kim Jong Un's Visit to Russia: Russian Ambassador")
    for text, start in zip(sputnik_paragraphs["text"].iloc[1:], SPUTNIK_BODY_STARTS):
        assert text.startswith(start)
    assert sputnik_paragraphs["text"].iloc[-1].endswith("nothing but misinformation fabricated by the US media.")


def test_sputnik_paragraphs_carry_ids_positions_and_metadata(sputnik_paragraphs):
    assert sputnik_paragraphs["para_id"].tolist() == [f"{SPUTNIK_ID}:p{i:03d}" for i in range(12)]
    assert sputnik_paragraphs["position"].tolist() == list(range(12))
    assert set(sputnik_paragraphs["outlet"]) == {"Sputnik Africa"}
    assert sputnik_paragraphs["n_words"].iloc[1] == 39


def test_sputnik_boilerplate_is_dropped_and_listed_with_its_rule(sputnik_path, sputnik_paragraphs):
    dropped = dropped_lines(load_corpus(sputnik_path))
    assert list(zip(dropped["line"], dropped["rule"])) == SPUTNIK_BOILERPLATE
    kept = " ".join(sputnik_paragraphs["text"])
    for line in ("Go to the mediabank", "Sputnik Africa, 1920", "Subscribe", "Features", "Despite All Odds",
                 "Newsfeed"):
        assert line not in kept


def test_single_newlines_separate_paragraphs():
    assert split_paragraphs("First sentence.\nSecond paragraph.\nThird one!") == [
        "First sentence.", "Second paragraph.", "Third one!"]


def test_blank_lines_separate_paragraphs_and_hard_wrapped_lines_are_joined():
    wrapped = ("The talks lasted for more than five hours at the cosmodrome in\n"
               "the Amur region, officials in Moscow said on Wednesday evening\n"
               "after both delegations had left the launch site together.\n\nSecond paragraph.")
    assert split_paragraphs(wrapped) == [
        "The talks lasted for more than five hours at the cosmodrome in the Amur region, officials in Moscow said "
        "on Wednesday evening after both delegations had left the launch site together.", "Second paragraph."]


def test_a_line_ending_mid_sentence_continues_on_a_lower_case_line():
    assert split_paragraphs("Kim said the visit was\na new chapter.") == ["Kim said the visit was a new chapter."]


def test_one_line_article_gives_one_body_paragraph():
    paragraphs = segment(articles_from("Kim Jong Un arrived in Russia on Tuesday."))
    assert paragraphs["text"].tolist() == ["Headline", "Kim Jong Un arrived in Russia on Tuesday."]


def test_very_long_paragraph_is_cut_at_sentence_ends():
    sentence = "The ambassador said that Washington applies double standards to its partners in every region. "
    paragraphs = segment(articles_from(sentence * 40), max_words=50)
    body = paragraphs[paragraphs["kind"] == "body"]
    assert (body["n_words"] <= 50).all()
    assert " ".join(body["text"]) == (sentence * 40).strip()
    assert body["piece"].tolist() == list(range(1, len(body) + 1))
    assert set(body["pieces"]) == {len(body)} and len(body) == 14  # 3 sentences of 14 words per piece


def test_sentence_longer_than_the_limit_is_cut_on_words():
    paragraphs = segment(articles_from(" ".join(["word"] * 25)), max_words=10)
    assert paragraphs.loc[paragraphs["kind"] == "body", "n_words"].tolist() == [10, 10, 5]


def test_non_english_text_is_kept_with_its_language():
    text = "Посол России в США Анатолий Антонов назвал оценки Вашингтона двуличными."
    paragraphs = segment(articles_from(text, title="Антонов о визите", language="ru"))
    assert paragraphs["text"].tolist() == ["Антонов о визите", text]
    assert set(paragraphs["language"]) == {"ru"}


def test_text_that_is_only_boilerplate_warns_and_gives_no_body_paragraphs():
    with pytest.warns(FramingWarning, match="'a0'.*body is only boilerplate"):
        paragraphs = segment(articles_from("Subscribe\n© Photo AP\nNewsfeed\n0"))
    assert paragraphs["kind"].tolist() == ["title"]


@pytest.mark.parametrize("line, rule", [
    ("Photo: AP", "photo_credit"), ("REUTERS/Evgenia Novozhenina", "photo_credit"),
    ("Read also: Putin and Kim wrap up talks", "call_to_action"), ("Advertisement", "call_to_action"),
    ("(END)", "call_to_action"), ("Reporting by Guy Faulconbridge; Editing by Alex Richardson", "credit_line"),
    ("12 comments", "counter"), ("Comments (0)", "counter"), ("9:12 a.m. ET", "timestamp"),
    ("11:20 a.m. ET, September 14, 2023", "timestamp"), ("Updated 13 Sep 2023 - 18:40 GMT", "timestamp"),
    ("Share this story", "call_to_action"), ("(AP)", "credit_line"), ("/cb", "credit_line"),
    ("World News", "section_label"), ("Why Kim's Armoured Train Matters to Moscow", "teaser_or_caption"),
])
def test_each_rule_recognises_its_kind_of_line(line, rule):
    dropped = dropped_lines(articles_from(f"Kim arrived on Tuesday.\n{line}\nPutin met him."))
    assert dropped[["rule", "text"]].values.tolist() == [[rule, line]]


def test_ordinary_news_sentences_are_not_boilerplate():
    lines = ["Kim Jong Un arrived in Russia on Tuesday.", '"We will talk about all the issues," Putin said.',
             "North Korea denied the reports.", "Russia and North Korea: Partners in Defiance, Says Analyst."]
    assert dropped_lines(articles_from("\n".join(lines))).empty


def test_rules_are_configurable():
    keep_subscribe = [rule for rule in DEFAULT_RULES if rule.name != "call_to_action"]
    drop_updates = BoilerplateRule("update_stamp", lambda line: line.startswith("UPDATE"), "update stamps")
    paragraphs = segment(articles_from("Subscribe now\nUPDATE 2\nKim arrived."), rules=[*keep_subscribe, drop_updates])
    assert paragraphs["text"].tolist() == ["Headline", "Subscribe now", "Kim arrived."]


def test_segment_rejects_a_table_that_is_not_an_articles_table():
    with pytest.raises(ValueError, match="lacks column"):
        segment(pd.DataFrame({"text": ["x"]}))


def test_many_boilerplate_only_articles_give_one_summary_warning():
    articles = pd.concat([articles_from("Subscribe\n0").assign(article_id=f"b{i}") for i in range(5)],
                         ignore_index=True)
    with pytest.warns(FramingWarning) as caught:
        segment(articles)
    (warning,) = [w for w in caught if "boilerplate" in str(w.message)]
    assert "'b0'" in str(warning.message) and "and 2 more" in str(warning.message)
    assert "5 in all" in str(warning.message)



# --- faults found by probing (issue 12) --------------------------------------------------------------------------

@pytest.mark.parametrize("invisible", ["\u200b", "\ufeff", "\u2066", "\u200b\u2066\u2069\ufeff", "\u200e \u200f"])
def test_a_paragraph_of_only_zero_width_or_bidi_characters_is_empty(invisible):
    # Such a paragraph used to be kept and framed (accusation, 0.85).
    paragraphs = segment(articles_from(f"Kim arrived on Tuesday.\n\n{invisible}\n\nPutin met him."))
    assert paragraphs["text"].tolist() == ["Headline", "Kim arrived on Tuesday.", "Putin met him."]


def test_an_invisible_line_inside_a_block_does_not_join_or_split_paragraphs():
    paragraphs = segment(articles_from("Kim arrived on Tuesday.\n\u200b\u2066\nPutin met him."))
    assert paragraphs["text"].tolist() == ["Headline", "Kim arrived on Tuesday.", "Putin met him."]


@pytest.mark.parametrize("first_line", [
    "Kim arrives in Russia for talks with Putin", "KIM ARRIVES IN RUSSIA FOR TALKS WITH PUTIN",
    "Kim arrives in Russia  for talks with Putin.", "  Kim arrives in Russia: for talks with Putin ",
])
def test_a_body_that_begins_with_its_own_title_does_not_repeat_it(first_line):
    articles = articles_from(f"{first_line}\nKim Jong Un arrived in Russia on Tuesday.",
                             title="Kim arrives in Russia for talks with Putin")
    paragraphs = segment(articles)
    assert paragraphs["text"].tolist() == ["Kim arrives in Russia for talks with Putin",
                                           "Kim Jong Un arrived in Russia on Tuesday."]
    dropped = dropped_lines(articles)
    assert dropped[["line", "rule"]].values.tolist() == [[1, "repeated_title"]]


def test_a_repeated_title_after_leading_boilerplate_is_dropped_too():
    articles = articles_from("Subscribe\nKim in Russia: talks begin\nKim arrived.", title="Kim in Russia: talks begin")
    assert segment(articles)["text"].tolist() == ["Kim in Russia: talks begin", "Kim arrived."]
    assert dropped_lines(articles)["rule"].tolist() == ["call_to_action", "repeated_title"]


def test_a_later_line_that_repeats_the_title_is_kept():
    title = "Putin and Kim agreed to deepen their cooperation."
    articles = articles_from(f"The talks lasted five hours.\n{title}", title=title)
    assert segment(articles)["text"].tolist() == [title, "The talks lasted five hours.", title]
