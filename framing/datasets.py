"""Loaders for public benchmark data sets (GVFC, BASIL, FNC-1, RUWA, MFC codes).

Each loader takes the path of the user's own downloaded copy, either its folder or the file itself;
no data is bundled. (The examples below run in the test suite where the shared copies are present, and are skipped,
saying so, where they are not.) A missing file raises ``DatasetNotFoundError`` (a ``FramingError`` and a ``FileNotFoundError``)
naming the file and its download source; a file lacking an expected column raises ``DatasetError`` naming the file and
the column.
"""
from __future__ import annotations

import ast
import json
import os
import zipfile
from pathlib import Path

import pandas as pd

from .errors import DatasetError, DatasetNotFoundError
from .paths import shared_dir

GVFC_URL = "https://github.com/arajshah/NLP_headline_body_sentiment (data/)"
BASIL_URL = "https://github.com/launchnlp/BASIL (JSON files; flattened as described in its PROVENANCE.md)"
FNC1_URL = "https://github.com/FakeNewsChallenge/fnc-1"
RUWA_URL = "https://github.com/ninakhairova/dataset_RUWA (RUWA_01.08.23.csv.zip)"
MFC_URL = "https://github.com/dallascard/media_frames_corpus (annotations/codes.json)"

# GVFC frame names as *reported* for GVFC (Liu et al. 2019, CoNLL). The redistributing repo has no codebook,
# so these names are not verified against the original coding protocol; only the codes come with the data.
GVFC_FRAMES = {
    1: "gun or 2nd Amendment rights", 2: "gun control or regulation", 3: "politics",
    4: "mental health", 5: "school or public space safety", 6: "race or ethnicity",
    7: "public opinion", 8: "society or culture", 9: "economic consequences",
}
FNC1_STANCES = ["unrelated", "discuss", "agree", "disagree"]
# RUWA `Site` -> framing-corpus `outlet_kind`. news-front is pro-Kremlin (Crimea-based) rather than formally
# state-owned; it is grouped with RT and TASS as the provenance does ("Russian").
RUWA_OUTLET_KINDS = {
    "rt.com": "russian-state", "tass.com": "russian-state", "en.news-front.info": "russian-state",
    "ukrinform.net": "ukrainian", "censor.net": "ukrainian",
    "reuters.com": "western-wire", "bbc.co.uk": "western-press", "www.msnbc.com": "western-press",
    "aljazeera.com": "other",  # Qatari
}


def shared_datasets_dir() -> Path | None:
    """Folder of the shared benchmark copies, or None: ``$FRAMING_SHARED_DATASETS``, else ``datasets/`` in the
    ``shared/`` folder beside the checkout (``framing.paths.shared_dir``).

    >>> d = shared_datasets_dir()
    >>> df = load_fnc1(d / "fnc1") if d else None
    """
    env = os.environ.get("FRAMING_SHARED_DATASETS")
    if env:
        return Path(env) if Path(env).is_dir() else None
    shared = shared_dir()
    return shared / "datasets" if shared and (shared / "datasets").is_dir() else None


def _resolve(path, names: list[str], url: str) -> Path:
    """The file itself, or the first of ``names`` (relative paths or globs) found in the folder ``path``."""
    path = Path(path)
    if path.is_file():
        return path
    hits = [hit for name in names for hit in sorted(path.glob(name))] if path.is_dir() else []
    if hits:
        return hits[0]
    raise DatasetNotFoundError(f"{names[0]} not found at {path}; download it from {url}")


def _require(df: pd.DataFrame, columns, file: Path) -> pd.DataFrame:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DatasetError(f"{file}: expected column {missing[0]!r} is missing (columns: {list(df.columns)})")
    return df


def load_gvfc(path, *, coded_only: bool = True) -> pd.DataFrame:
    """Gun Violence Frame Corpus headlines with their frame codes.

    Gold file: ``GVFC_extension_multimodal.csv`` (read when ``path`` is a folder). It is the 1,300 frame-coded
    relevant articles, every one with a ``Q3 Theme1`` code, with stable ids: exactly the "1,300 frame-coded
    articles" of the frame-detection task. The sheet ``GVFC_headlines_and_annotations.csv`` (2,990 headlines,
    1,301 coded) is also accepted when passed as the file, with ``id`` = row position; its codes differ from
    the gold in 8 Theme1 / 12 Theme2 rows, so use one file as gold and never mix them.

    Columns: ``id``, ``text`` (headline), ``frame`` (Theme1, 1-9; see ``GVFC_FRAMES``), ``frame2`` (Theme2,
    Int64, NA where 99), ``relevant`` (Q1 == 1), ``focus`` (Q2 code 1/2, NA where 99; meaning undocumented),
    and for the gold file also ``url``, ``lead3`` (first three sentences) and ``presumm`` (model summary).
    ``coded_only`` drops rows whose Theme1 is not 1-9 (then ``frame`` is int64, else Int64); the number
    dropped is in ``df.attrs["dropped"]``. Shared copy: gold 1,300 kept, 0 dropped; sheet 1,301 kept, 1,689
    dropped.

    >>> df = load_gvfc(shared_datasets_dir() / "gvfc")
    >>> len(df), df["frame"].map(GVFC_FRAMES).value_counts().index[0]
    (1300, 'politics')
    """
    file = _resolve(path, ["GVFC_extension_multimodal.csv", "data/GVFC_extension_multimodal.csv"], GVFC_URL)
    codes = ["Q1 Relevant", "Q2 Focus", "Q3 Theme1", "Q3 Theme2"]
    raw = pd.read_csv(file, dtype={c: "Int64" for c in codes + ["id"]})
    sheet = "news_title" in raw.columns and "headline" not in raw.columns  # the 2,990-row sheet
    extra = {} if sheet else {"article_url": "url", "lead_3_sentences_summary_of_full_article_text": "lead3",
                              "presum_summary_of_full_article_text": "presumm"}
    _require(raw, (["news_title"] if sheet else ["id", "headline"]) + codes + list(extra), file)
    theme1, theme2 = raw["Q3 Theme1"], raw["Q3 Theme2"]
    df = pd.DataFrame({
        "id": pd.RangeIndex(len(raw)) if sheet else raw["id"].astype("int64"),
        "text": raw["news_title" if sheet else "headline"],
        "frame": theme1.where(theme1.between(1, 9)),
        "frame2": theme2.where(theme2.between(1, 9)),
        "relevant": raw["Q1 Relevant"].eq(1).astype(bool),
        "focus": raw["Q2 Focus"].where(raw["Q2 Focus"].isin([1, 2])),
    })
    for src, dst in extra.items():
        df[dst] = raw[src]
    dropped = int(df["frame"].isna().sum()) if coded_only else 0
    if coded_only:
        df = df.dropna(subset=["frame"]).astype({"frame": "int64"}).reset_index(drop=True)
    df.attrs.update(dropped=dropped, source_file=str(file))
    return df


def load_basil(path, *, level: str = "sentence") -> pd.DataFrame:
    """BASIL (Fan et al. 2019): 100 events x {fox, nyt, hpo} articles with bias-span annotations.

    ``level="sentence"`` reads ``basil_sentences.csv``: one row per sentence (7,984 body + 300 titles), with
    ``event_id``, ``article_uuid``, ``outlet``, ``year``, ``date``, ``segment`` (body/title), positions,
    ``text``, span counts ``n_spans``/``n_lex``/``n_inf``, ``bias_label`` (categorical none/lex/inf/lex+inf),
    ``polarities``/``aims``/``targets``/``quote``/``speakers`` (``;``-joined) and ``spans_json``.
    ``level="article"`` reads ``basil_articles.jsonl``: one row per article (300) with ``event_id``,
    ``article_uuid``, ``outlet``, ``outlet_name``, ``year``, ``date``, ``title``, ``text`` (body; paragraphs
    joined by blank lines), ``url``, ``main_event``, ``main_entities``, ``relative_stance`` (left/liberal/
    center/conservative/right, unnormalized as in the source), ``n_spans``/``n_lex``/``n_inf`` (title spans
    included), ``spans`` (the source span dicts) and ``paragraphs``.

    >>> art = load_basil(shared_datasets_dir() / "basil", level="article")
    >>> len(art), sorted(art["outlet"].unique())
    (300, ['fox', 'hpo', 'nyt'])
    >>> stances = art.pivot(index="event_id", columns="outlet", values="relative_stance")  # one row per event
    """
    if level not in ("sentence", "article"):
        raise DatasetError(f"level must be 'sentence' or 'article', not {level!r}")
    if level == "sentence":
        file = _resolve(path, ["basil_sentences.csv"], BASIL_URL)
        ints = {c: "Int64" for c in ("para_idx", "sent_idx_in_para", "sent_idx")}
        df = pd.read_csv(file, dtype={**ints, "year": "int64", "event_id": str, "article_uuid": str})
        _require(df, ["event_id", "article_uuid", "outlet", "date", "segment", "text", "n_spans", "n_lex",
                      "n_inf", "bias_label"], file)
        df["bias_label"] = pd.Categorical(df["bias_label"], categories=["none", "lex", "inf", "lex+inf"])
    else:
        file = _resolve(path, ["basil_articles.jsonl"], BASIL_URL)
        with open(file, encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        keep = ["event_id", "article_uuid", "outlet", "outlet_name", "year", "date", "title", "url",
                "main_event", "main_entities"]
        raw = _require(pd.DataFrame(rows), keep + ["paragraphs", "article_level_annotations",
                                                   "phrase_level_annotations"], file)
        spans, df = raw["phrase_level_annotations"], raw[keep].copy()
        df.insert(7, "text", raw["paragraphs"].map(lambda ps: "\n\n".join(" ".join(p) for p in ps)))
        df["relative_stance"] = raw["article_level_annotations"].map(lambda a: a.get("relative_stance"))
        df["n_spans"] = spans.map(len)
        df["n_lex"] = spans.map(lambda s: sum(x.get("bias") == "lex" for x in s))
        df["n_inf"] = spans.map(lambda s: sum(x.get("bias") == "inf" for x in s))
        df["spans"], df["paragraphs"] = spans, raw["paragraphs"]
    df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d")
    df.attrs["source_file"] = str(file)
    return df


def load_fnc1(path) -> pd.DataFrame:
    """FNC-1 stance pairs joined with their bodies: ``headline``, ``body_id``, ``body``, ``stance``.

    ``path`` is the folder (``competition_test_stances.csv`` + ``competition_test_bodies.csv``) or a
    ``*stances*.csv`` file, whose bodies are read from the ``*bodies*.csv`` next to it (so ``train_stances.csv``
    works too). ``stance`` is categorical (unrelated, discuss, agree, disagree). Rows keep the source order;
    the 242 exact duplicate rows of the test set are kept. A body id without a body raises ``DatasetError``.

    >>> df = load_fnc1(shared_datasets_dir() / "fnc1")
    >>> len(df), round(float((df["stance"] == "disagree").mean()), 3)   # the competition test set
    (25413, 0.027)
    """
    stances_file = _resolve(path, ["competition_test_stances.csv"], FNC1_URL)
    bodies_file = stances_file.with_name(stances_file.name.replace("stances", "bodies"))
    if not bodies_file.is_file():
        raise DatasetNotFoundError(f"{bodies_file.name} not found next to {stances_file}; download it from {FNC1_URL}")
    stances = _require(pd.read_csv(stances_file, dtype={"Headline": str, "Body ID": "int64", "Stance": str}),
                       ["Headline", "Body ID", "Stance"], stances_file)
    bodies = _require(pd.read_csv(bodies_file, dtype={"Body ID": "int64", "articleBody": str}),
                      ["Body ID", "articleBody"], bodies_file)
    for name, bad in [("body ids without a body", set(stances["Body ID"]) - set(bodies["Body ID"])),
                      ("unknown stance labels", set(stances["Stance"]) - set(FNC1_STANCES))]:
        if bad:
            raise DatasetError(f"{stances_file}: {name}: {sorted(bad)[:10]}")
    df = stances.merge(bodies, on="Body ID", how="left", validate="many_to_one")
    df = df.rename(columns={"Headline": "headline", "Body ID": "body_id", "articleBody": "body",
                            "Stance": "stance"})[["headline", "body_id", "body", "stance"]]
    df["stance"] = pd.Categorical(df["stance"], categories=FNC1_STANCES)
    df.attrs["source_file"] = str(stances_file)
    return df


def load_ruwa(path) -> pd.DataFrame:
    """RUWA (Khairova et al. 2023): titles and subheadings of Russia-Ukraine war news, no article bodies.

    Columns: ``title``, ``subheading`` (source ``desc``; either may be NA, 194 rows have neither),
    ``outlet`` (``Site``), ``outlet_kind`` (see ``RUWA_OUTLET_KINDS``), ``event`` (9 events), ``date``
    (datetime), ``keywords`` (list of matched keywords) and ``url``. The folder may hold the CSV or the
    source zip. Licence: CC BY-NC-SA 4.0 (non-commercial).

    >>> df = load_ruwa(shared_datasets_dir() / "ruwa")
    >>> len(df), df["outlet_kind"].value_counts().index[0]
    (16545, 'ukrainian')
    >>> table = pd.crosstab(df["outlet_kind"], df["event"])   # headlines per kind of outlet and event
    """
    file = _resolve(path, ["RUWA_04.08.23.csv", "RUWA_*.csv", "RUWA_*.csv.zip"], RUWA_URL)
    dtypes = {c: str for c in ("src", "desc", "title", "Date", "Site", "Event", "KW")}
    if file.suffix == ".zip":  # the source zip also holds a macOS resource fork, so pick the member
        with zipfile.ZipFile(file) as zf, zf.open(next(n for n in zf.namelist() if n.endswith(".csv")
                                                       and not n.startswith("__MACOSX"))) as fh:
            raw = pd.read_csv(fh, dtype=dtypes)
    else:
        raw = pd.read_csv(file, dtype=dtypes)
    _require(raw, list(dtypes), file)
    df = pd.DataFrame({
        "title": raw["title"], "subheading": raw["desc"], "outlet": raw["Site"],
        "outlet_kind": raw["Site"].map(RUWA_OUTLET_KINDS).fillna("other"), "event": raw["Event"],
        "date": pd.to_datetime(raw["Date"], format="%m/%d/%Y"),
        "keywords": raw["KW"].map(lambda s: ast.literal_eval(s) if isinstance(s, str) else []),
        "url": raw["src"],
    })
    df.attrs["source_file"] = str(file)
    return df


def load_mfc_codes(path) -> pd.DataFrame:
    """Media Frames Corpus v2.0 codebook (``codes.json``, 51 codes): one row per code.

    Columns: ``code`` (string as in the file, e.g. ``"17.35"``), ``label``, ``kind`` (``frame``,
    ``headline``, ``primary``, ``irrelevant`` or ``tone``), ``dimension`` (1-15 for the frame kinds, else
    NA) and ``dimension_name`` (e.g. ``"Economic"``).

    >>> codes = load_mfc_codes(shared_datasets_dir() / "mfc-codes")
    >>> codes.query("kind == 'frame'")["label"].tolist()[:3]
    ['Economic', 'Capacity and resources', 'Morality']
    """
    file = _resolve(path, ["codes.json", "annotations/codes.json"], MFC_URL)
    with open(file, encoding="utf-8") as fh:
        codes = json.load(fh)
    df = pd.DataFrame({"code": list(codes), "label": list(codes.values())}).astype(str)
    major = df["code"].str.split(".").str[0].astype(int)
    minor = df["code"].str.split(".").str[1]
    df["kind"] = "tone"
    df.loc[major <= 15, "kind"] = minor[major <= 15].map({"0": "frame", "1": "headline", "2": "primary"})
    df.loc[major == 16, "kind"] = "irrelevant"
    df["dimension"] = major.where(major <= 15).astype("Int64")
    names = dict(zip(major[df["kind"] == "frame"], df.loc[df["kind"] == "frame", "label"]))
    df["dimension_name"] = df["dimension"].map(names)
    df.attrs["source_file"] = str(file)
    return df


# --- public data sets as corpus tables (framing.corpus.load_corpus), one call each -------------------------------

GVFC_FRAME_KEYS = {1: "gun_rights", 2: "gun_control", 3: "politics", 4: "mental_health", 5: "school_safety",
                   6: "race_ethnicity", 7: "public_opinion", 8: "society_culture", 9: "economic"}


def _as_corpus(table: pd.DataFrame, dropped: dict[str, int], source: str) -> pd.DataFrame:
    import warnings

    from .corpus import load_corpus
    from .errors import FramingWarning

    articles = load_corpus(table)
    articles["source"] = [f"{source} row {i}" for i in table.index]
    articles.attrs["dropped"] = {why: n for why, n in dropped.items() if n}
    if articles.attrs["dropped"]:
        warnings.warn(f"{source}: left out " + "; ".join(f"{n} row(s) {why}" for why, n in
                                                         articles.attrs["dropped"].items()), FramingWarning,
                      stacklevel=3)
    return articles


def basil_corpus(path) -> pd.DataFrame:
    """BASIL as a corpus table: 300 articles (100 events × Fox News, New York Times, HuffPost) with their full text.

    ``article_id`` is ``basil-<first 8 characters of event_id>-<fox|nyt|hpo>`` (4 source articles have no uuid);
    ``outlet`` the outlet's name,
    ``outlet_kind`` ``us-conservative`` (Fox) or ``us-liberal`` (NYT, HuffPost); ``event_id``, ``main_event``,
    ``article_uuid`` and ``relative_stance`` are kept. Body paragraphs are separated by blank lines, so
    ``segment`` gives BASIL's own paragraphs.
    """
    from .realtext import BASIL_OUTLET_KINDS

    basil = load_basil(path, level="article")
    names = {"fox": "Fox News", "nyt": "New York Times", "hpo": "HuffPost"}
    ids = "basil-" + basil["event_id"].str[:8] + "-" + basil["outlet"]
    if ids.duplicated().any():
        raise DatasetError(f"{basil.attrs['source_file']}: article ids {ids[ids.duplicated()].iloc[0]!r} collide")
    table = pd.DataFrame({
        "article_id": ids, "outlet": basil["outlet"].map(names).fillna(basil["outlet_name"]),
        "outlet_kind": basil["outlet"].map(BASIL_OUTLET_KINDS),
        "date": basil["date"], "title": basil["title"], "url": basil["url"], "language": "en",
        "licence": "none stated (BASIL research data)", "provenance": "collected", "text": basil["text"],
        "event_id": basil["event_id"], "main_event": basil["main_event"], "article_uuid": basil["article_uuid"],
        "relative_stance": basil["relative_stance"],
    })
    return _as_corpus(table, {}, basil.attrs["source_file"])


def gvfc_corpus(path) -> pd.DataFrame:
    """GVFC (multimodal gold file) as a corpus table: one article per frame-coded row, the headline as ``title`` and
    the first three sentences of the article as ``text``; ``outlet`` is the site of ``url``.

    ``frame``/``frame2`` (codes, see ``GVFC_FRAMES``) are kept; ``gvfc_labels`` turns them into a labels table. A row
    without lead sentences is left out and counted in ``attrs["dropped"]``.
    """
    gvfc = load_gvfc(path)
    if "lead3" not in gvfc.columns:
        raise DatasetError(f"{gvfc.attrs['source_file']}: a corpus needs the multimodal gold file (with lead-3 text)")
    keep = gvfc["lead3"].fillna("").str.strip() != ""
    rows = gvfc[keep]
    host = rows["url"].fillna("").str.replace(r"^[a-z]+://(www\.)?", "", regex=True).str.split("/").str[0]
    table = pd.DataFrame({
        "article_id": "gvfc-" + rows["id"].astype(str), "outlet": host.where(host != "", "unknown site"),
        "title": rows["text"], "url": rows["url"], "language": "en", "licence": "none stated (GVFC research data)",
        "provenance": "collected", "text": rows["lead3"], "frame": rows["frame"], "frame2": rows["frame2"],
    })
    return _as_corpus(table, {"without lead sentences": int((~keep).sum())}, gvfc.attrs["source_file"])


def gvfc_labels(path) -> pd.DataFrame:
    """GVFC's frames (Theme1 and, where coded, Theme2) as an article-level labels table (``framing.labels``) keyed
    like ``gvfc_corpus``, with frame keys ``GVFC_FRAME_KEYS``."""
    from .labels import load_labels

    gvfc = load_gvfc(path)
    gvfc = gvfc[gvfc["lead3"].fillna("").str.strip() != ""]  # the rows gvfc_corpus keeps
    labels = [";".join(GVFC_FRAME_KEYS[int(c)] for c in dict.fromkeys(pair) if pd.notna(c))
              for pair in gvfc[["frame", "frame2"]].itertuples(index=False)]
    return load_labels(pd.DataFrame({"article_id": "gvfc-" + gvfc["id"].astype(str), "labels": labels,
                                     "coder": "gvfc"}))


def ruwa_corpus(path) -> pd.DataFrame:
    """RUWA as a corpus table: one article per row, the title as ``title`` and the subheading as ``text`` (the title
    where there is no subheading); ``event`` is kept. Rows with neither are left out and counted."""
    ruwa = load_ruwa(path)
    title, subheading = (ruwa[c].fillna("").astype(str).str.strip() for c in ("title", "subheading"))
    keep = (title != "") | (subheading != "")
    table = pd.DataFrame({
        "article_id": [f"ruwa-{i}" for i in ruwa.index], "outlet": ruwa["outlet"],
        "outlet_kind": ruwa["outlet_kind"], "date": ruwa["date"], "title": title.where(title != "", None),
        "url": ruwa["url"], "licence": "CC BY-NC-SA 4.0", "provenance": "collected", "language": "en",
        "text": subheading.where(subheading != "", title), "event": ruwa["event"],
    })[keep]
    return _as_corpus(table, {"with neither title nor subheading": int((~keep).sum())}, ruwa.attrs["source_file"])


MEDIACLOUD_COLUMNS = {"id": "article_id", "stories_id": "article_id", "media_name": "outlet", "publish_date": "date",
                      "title": "title", "url": "url", "language": "language", "text": "text"}


def mediacloud_corpus(path, *, pages=None) -> pd.DataFrame:
    """A Media Cloud story list (the CSV its search exports: ``id`` or ``stories_id``, ``publish_date``, ``title``,
    ``url``, ``language``, ``media_name``, ``media_url``, ...) as a corpus table.

    Story lists hold no article text. It comes from a ``text`` column when the export has one, else from saved web
    pages in ``pages`` named ``<id>.html`` (read with trafilatura, as ``load_corpus`` reads HTML). Stories with
    neither are left out and counted in ``attrs["dropped"]`` (with a warning): nothing is made up.
    ``outlet`` is ``media_name`` (else the site of ``url``); ``date`` is the publication day.
    """
    from .corpus import read_html
    from .errors import CorpusError

    file = Path(path)
    if not file.is_file():
        raise DatasetNotFoundError(f"{file}: no such Media Cloud story list (export one from Media Cloud's search)")
    raw = pd.read_csv(file, dtype=str, keep_default_na=False)
    id_column = next((c for c in ("id", "stories_id") if c in raw.columns), None)
    if id_column is None:
        raise CorpusError(file, f"not a Media Cloud story list: no 'id' or 'stories_id' column (columns: "
                                f"{', '.join(raw.columns)})")
    table = raw.rename(columns={k: v for k, v in MEDIACLOUD_COLUMNS.items() if k in raw.columns and
                                (k == id_column or k not in ("id", "stories_id"))})
    table["article_id"] = "mc-" + table["article_id"].astype(str)
    if "outlet" not in table.columns or (table["outlet"] == "").any():
        host = table.get("url", pd.Series("", index=table.index)).str.replace(r"^[a-z]+://(www\.)?", "",
                                                                              regex=True).str.split("/").str[0]
        table["outlet"] = table.get("outlet", pd.Series("", index=table.index)).where(lambda s: s != "", host)
    if "date" in table.columns:
        table["date"] = table["date"].str.slice(0, 10)
    if "text" not in table.columns:
        table["text"] = ""
    folder = Path(pages) if pages is not None else None
    for i, story in table.iterrows():
        page = folder / f"{raw[id_column].iat[i]}.html" if folder is not None else None
        if not str(story["text"]).strip() and page is not None and page.is_file():
            extracted = read_html(page)
            table.at[i, "text"] = extracted["text"]
            if not story.get("title"):
                table.at[i, "title"] = extracted.get("title", "")
    has_text = table["text"].str.strip() != ""
    if not has_text.any():
        raise CorpusError(file, "no story has text: a story list holds titles and addresses only; save the pages "
                                "as <id>.html in a folder and give it as pages=")
    return _as_corpus(table[has_text], {"without text (no text column, no saved page)": int((~has_text).sum())},
                      str(file))
