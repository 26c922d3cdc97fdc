"""Tests for framing.codebook: the packaged default codebook, user codebooks (YAML/TOML) and their errors."""
import dataclasses
import math
from importlib import resources

import pandas as pd
import pytest

from framing.codebook import Codebook, CodebookError, Frame, load_codebook

DEFAULT_KEYS = ["accusation", "denial", "sovereignty", "whataboutism", "sanctions", "cooperation",
                "security_threat", "legality", "ridicule", "factual_report"]


@pytest.fixture(scope="module")
def default():
    return load_codebook()


# --- the packaged default -------------------------------------------------------------------------------------------

def test_default_codebook_is_package_data():
    assert resources.files("framing").joinpath("data", "codebook.yaml").is_file()


def test_default_has_exactly_the_ten_keys_in_file_order(default):
    assert default.names == DEFAULT_KEYS
    assert [f.name for f in default] == DEFAULT_KEYS
    assert len(default) == 10


def test_default_header(default):
    assert (default.name, default.version, default.fallback, default.multi_label) == \
        ("framing-default", 1, "factual_report", True)
    assert "international conflicts" in default.description


@pytest.mark.parametrize("key", DEFAULT_KEYS)
def test_default_frame_has_at_least_six_exemplars_and_nonempty_rules(default, key):
    frame = default[key]
    assert len(frame.exemplars) >= 6
    assert all(isinstance(s, str) and len(s.split()) >= 5 for s in frame.exemplars)
    for text in (frame.label, frame.definition, frame.apply_when, frame.not_when):
        assert text.strip()


def test_default_labels_are_human_readable(default):
    assert default["security_threat"].label == "Security threat"
    assert default["factual_report"].label == "Factual report"


def test_default_text_is_folded_to_single_spaces(default):
    definition = default["accusation"].definition
    assert definition.startswith("An actor is charged with wrongdoing")
    assert "\n" not in definition and "  " not in definition


def test_no_exemplar_sentence_is_duplicated(default):
    table = default.exemplar_table()
    normalised = table["text"].str.lower().str.strip()
    assert not normalised.duplicated().any(), table[normalised.duplicated(keep=False)]


def test_exemplar_table_has_one_row_per_exemplar(default):
    table = default.exemplar_table()
    assert list(table.columns) == ["frame", "text"]
    assert len(table) == sum(len(f.exemplars) for f in default)
    assert list(table["frame"].unique()) == DEFAULT_KEYS
    assert table.loc[table["frame"] == "denial", "text"].tolist() == list(default["denial"].exemplars)


def test_getitem_unknown_frame_raises_keyerror_naming_it(default):
    with pytest.raises(KeyError, match="no frame 'propaganda'"):
        default["propaganda"]


def test_contains(default):
    assert "whataboutism" in default and "propaganda" not in default


def test_frames_are_frozen(default):
    with pytest.raises(dataclasses.FrozenInstanceError):
        default["denial"].label = "x"


def test_repr_html_lists_every_frame(default):
    page = default._repr_html_()
    assert page.count("<tr><td>") == 10
    assert all(f"<code>{k}</code>" in page for k in DEFAULT_KEYS)
    assert "factual_report</code> (fallback)" in page


# --- validate_labels ------------------------------------------------------------------------------------------------

def test_validate_labels_accepts_known_labels_in_all_shapes(default):
    column = pd.Series(["accusation;whataboutism", "factual_report", "", math.nan, None])
    default.validate_labels(column)
    default.validate_labels("denial; sanctions")
    default.validate_labels([["legality", "ridicule"], ("cooperation",)])


def test_validate_labels_names_the_unknown_labels(default):
    with pytest.raises(CodebookError) as err:
        default.validate_labels(["accusation;denail", "propaganda", "denial"])
    assert "unknown label(s) 'denail', 'propaganda';" in str(err.value)


# --- user codebooks -------------------------------------------------------------------------------------------------

TOML = '''
name = "mini"
version = 3
fallback = "neutral"

[frames.blame]
label = "Blame"
definition = "Someone is blamed."
apply_when = "A culprit is named."
not_when = "Nobody is blamed."
exemplars = ["The minister blamed the opposition for the strike."]

[frames.neutral]
definition = "Nothing but facts."
exemplars = ["The meeting began at noon.", "Ten delegates attended."]
'''


def test_toml_codebook_loads_with_its_values(tmp_path):
    path = tmp_path / "mini.toml"
    path.write_text(TOML, encoding="utf-8")
    cb = load_codebook(path)
    assert (cb.name, cb.version, cb.fallback, cb.names) == ("mini", 3, "neutral", ["blame", "neutral"])
    assert cb["blame"] == Frame("blame", "Blame", "Someone is blamed.", "A culprit is named.", "Nobody is blamed.",
                                ("The minister blamed the opposition for the strike.",))


def test_optional_fields_get_defaults(tmp_path):
    path = tmp_path / "tiny.yml"
    path.write_text("frames:\n  hard_news:\n    definition: Facts.\n    exemplars: [It rained.]\n", encoding="utf-8")
    cb = load_codebook(str(path))
    assert (cb.name, cb.version, cb.fallback, cb.multi_label) == ("tiny", 1, None, True)
    assert cb["hard_news"] == Frame("hard_news", "Hard news", "Facts.", "", "", ("It rained.",))


def test_codebook_rejects_fallback_outside_frames():
    frame = Frame("a", "A", "d", "", "", ("x",))
    with pytest.raises(CodebookError, match="fallback 'b'"):
        Codebook("c", 1, (frame,), fallback="b")


GOOD_FRAME = "    definition: D.\n    exemplars: [An example.]\n"
MALFORMED = {
    "missing_definition": ("my.yaml", "frames:\n  denial:\n    exemplars: [x]\n",
                           ["frame 'denial'", "missing 'definition'"]),
    "missing_exemplars": ("my.yaml", "frames:\n  denial:\n    definition: D.\n",
                          ["frame 'denial'", "missing 'exemplars'"]),
    "empty_exemplars": ("my.yaml", "frames:\n  x:\n    definition: D.\n    exemplars: []\n",
                        ["frame 'x'", "'exemplars' must be a list of at least 1 non-empty string"]),
    "exemplars_not_list": ("my.yaml", "frames:\n  x:\n    definition: D.\n    exemplars: one\n",
                           ["frame 'x'", "'exemplars' must be a list"]),
    "blank_exemplar": ("my.yaml", "frames:\n  x:\n    definition: D.\n    exemplars: ['ok', '  ']\n",
                       ["frame 'x'", "non-empty string"]),
    "empty_definition": ("my.yaml", "frames:\n  x:\n    definition: ''\n    exemplars: [a]\n",
                         ["frame 'x'", "'definition' must be a non-empty string"]),
    "bad_key": ("my.yaml", "frames:\n  Bad-Key:\n" + GOOD_FRAME, ["frame 'Bad-Key'", "lower-case identifier"]),
    "unknown_frame_field": ("my.yaml", "frames:\n  x:\n" + GOOD_FRAME + "    examples: [a]\n",
                            ["frame 'x'", "unknown field(s) 'examples'"]),
    "unknown_top_key": ("my.yaml", "fallbak: x\nframes:\n  x:\n" + GOOD_FRAME, ["unknown top-level key(s) 'fallbak'"]),
    "no_frames": ("my.yaml", "name: empty\n", ["no frames"]),
    "empty_frames": ("my.yaml", "frames: {}\n", ["no frames"]),
    "empty_file": ("my.yaml", "", ["expected a mapping"]),
    "unknown_fallback": ("my.yaml", "fallback: neutral\nframes:\n  x:\n" + GOOD_FRAME,
                         ["fallback 'neutral' is not one of the frames"]),
    "bad_version": ("my.yaml", "version: one\nframes:\n  x:\n" + GOOD_FRAME, ["'version' must be an integer"]),
    "duplicate_yaml_frame": ("my.yaml", "frames:\n  x:\n" + GOOD_FRAME + "  x:\n" + GOOD_FRAME,
                             ["duplicate key 'x'", "line 5"]),
    "bad_yaml": ("my.yaml", "frames:\n  x: [unclosed\n  y: 2\n", ["not valid YAML", "line "]),
    "bad_toml": ("my.toml", "[frames.x]\ndefinition = \n", ["not valid TOML", "line 2"]),
    "duplicate_toml_frame": ("my.toml", '[frames.x]\ndefinition = "D"\nexemplars = ["e"]\n[frames.x]\n',
                             ["not valid TOML", "frames", "'x'", "line 4"]),
    "toml_missing_definition": ("my.toml", '[frames.denial]\nexemplars = ["e"]\n',
                                ["frame 'denial'", "missing 'definition'"]),
    "unknown_extension": ("my.json", '{"frames": {}}', ["unknown codebook file extension '.json'"]),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_codebook_error_names_file_and_entry(tmp_path, case):
    filename, text, fragments = MALFORMED[case]
    path = tmp_path / filename
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CodebookError) as err:
        load_codebook(path)
    message = str(err.value)
    assert message.startswith(f"{path}: ")
    for fragment in fragments:
        assert fragment in message


def test_codebook_error_is_a_value_error():
    assert issubclass(CodebookError, ValueError)
