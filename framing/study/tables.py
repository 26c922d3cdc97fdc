"""The tables of the walk-through, each built from library calls: used by ``framing figures`` and the notebooks.

Every function takes data (and a seed where anything is random) and returns tidy DataFrames.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold

from ..annotations import agreement, attach_gold, label_matrix, load_annotations
from ..cluster import FrameClusterer
from ..codebook import load_codebook
from ..compare import (align_claims, difference_test, divergences, frame_shares, mark_syndication)
from ..errors import FramingError
from ..detectors import FrameClassifier
from ..multilabel import label_indicator, label_sets

FOCAL_ARTICLE = "ru01-sputnik-2023-09-14-us-duplicity"


def outlet_table(paragraphs: pd.DataFrame) -> pd.DataFrame:
    """One row per outlet: kind, articles, body paragraphs (and how many of them are composed text, where the table
    has ``provenance``) and words, most paragraphs first."""
    body = paragraphs[paragraphs["kind"] == "body"]
    aggregates = {"paragraphs": ("para_id", "size"), "words": ("n_words", "sum")}
    if "provenance" in body.columns:
        body = body.assign(_composed=(body["provenance"] == "composed").astype(int))
        aggregates["composed_paragraphs"] = ("_composed", "sum")
    table = (paragraphs.groupby(["outlet", "outlet_kind"], dropna=False)
             .agg(articles=("article_id", "nunique")).reset_index()
             .merge(body.groupby("outlet", dropna=False).agg(**aggregates).reset_index(), on="outlet", how="left"))
    counts = [c for c in ("paragraphs", "words", "composed_paragraphs") if c in table.columns]
    table[counts] = table[counts].fillna(0).astype(int)
    return table.sort_values(["paragraphs", "outlet"], ascending=[False, True], ignore_index=True)


def article_table(articles: pd.DataFrame, paragraphs: pd.DataFrame) -> pd.DataFrame:
    """One row per article: metadata, body paragraphs and words."""
    body = paragraphs[paragraphs["kind"] == "body"].groupby("article_id")
    counts = body.agg(paragraphs=("para_id", "size"), words=("n_words", "sum")).reset_index()
    columns = ["article_id", "outlet", "outlet_kind", "date", "provenance", "language", "title"]
    table = articles[columns].merge(counts, on="article_id", how="left")
    table[["paragraphs", "words"]] = table[["paragraphs", "words"]].fillna(0).astype(int)
    table["date"] = table["date"].dt.strftime("%Y-%m-%d")
    return table


def annotation_tables(paragraphs: pd.DataFrame, corpus: Path) -> dict[str, pd.DataFrame]:
    """Gold label counts per outlet kind, and agreement between the two coding passes."""
    codebook = load_codebook()
    gold = attach_gold(paragraphs, load_annotations(corpus=corpus, codebook=codebook))
    counts = label_matrix(gold["labels"], codebook.names).groupby(gold["outlet_kind"]).sum()
    counts.insert(0, "paragraphs", gold.groupby("outlet_kind").size())
    tables = {"gold_labels_by_kind": counts.reset_index()}
    if (corpus / "annotations" / "pass_b.csv").exists():
        passes = [load_annotations(name, corpus=corpus, codebook=codebook) for name in ("pass_a", "pass_b")]
        tables["agreement"] = agreement(*passes, codebook=codebook).round(4)
    return tables


def detector_validation(gold: pd.DataFrame, features: np.ndarray, *, random_state: int = 0,
                        validation: pd.DataFrame | None = None) -> pd.DataFrame:
    """Predicted against gold, per frame, with the classifier trained without the article (5 folds by article).
    ``validation`` (from ``event_validation``) reuses those out-of-fold predictions instead of training again."""
    from ..evaluate import multilabel_scores

    names = load_codebook().names
    validation = validation if validation is not None else event_validation(gold, features, random_state=random_state)
    return multilabel_scores(label_indicator(list(validation["labels"]), names),
                             label_indicator(list(validation["frames"]), names), names).round(4)


def event_validation(gold: pd.DataFrame, features: np.ndarray, *, random_state: int = 0) -> pd.DataFrame:
    """The event corpus's validation sample: its gold paragraphs with ``frames`` predicted by a classifier that never
    saw the paragraph's article (5 folds by article), since the shipped detector was trained on these very labels
    and would look better on them than it is."""
    from ..evaluate import out_of_fold

    names = load_codebook().names
    labels = list(gold["labels"])
    predicted = out_of_fold(lambda: FrameClassifier(random_state=random_state), features, labels,
                            GroupKFold(5).split(features, label_indicator(labels, names), gold["article_id"]))
    return gold.assign(frames=label_sets(predicted, names))


def cluster_table(paragraphs: pd.DataFrame, vectors: np.ndarray, *, random_state: int = 0) -> pd.DataFrame:
    """FrameClusterer's clusters (number found by the graph method) with frames, terms and the text of the most central paragraph."""
    clusterer = FrameClusterer(random_state=random_state).fit(vectors, texts=paragraphs["text"].tolist())
    table = clusterer.clusters_.copy()
    table["example"] = [paragraphs["text"].iloc[r[0]][:160] if len(r) else "" for r in table["representatives"]]
    for column in ("frames", "frame_similarity", "terms"):
        table[column] = table[column].map(lambda values: "; ".join(map(str, values)))
    return table.drop(columns="representatives")


def comparison_tables(framed: pd.DataFrame, embeddings, *, focal: str = FOCAL_ARTICLE, random_state: int = 0,
                      validation: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Shares (corrected for the detector's errors when a ``validation`` sample is given), test and divergences by
    outlet kind (copied wire text counted once), frames per day, claim alignment of the focal article, syndication,
    and who speaks."""
    from ..prevalence import misclassification_rates
    from ..quotes import find_quotes, speaker_counts
    from ..timeline import frame_timeline

    marked = mark_syndication(framed, embeddings)
    independent = marked[~marked["is_copy"]]
    tables = {
        "syndication": marked.loc[marked["syndication_group"] >= 0,
                                  ["syndication_group", "para_id", "outlet", "is_copy", "text"]],
        "shares_by_kind": frame_shares(marked, by="outlet_kind", drop_copies=True, random_state=random_state,
                                       validation=validation),
        "shares_by_outlet": frame_shares(marked, by="outlet", drop_copies=True, random_state=random_state,
                                         validation=validation),
        "difference_test": difference_test(independent, by="outlet_kind", random_state=random_state),
        "divergences_by_kind": divergences(independent, by="outlet_kind", random_state=random_state),
    }
    if validation is not None:
        tables["misclassification_rates"] = misclassification_rates(validation, random_state=random_state)
    if "date" in independent.columns:
        tables["frames_by_day"] = frame_timeline(independent, by="outlet_kind", freq="D", start="2023-09-10",
                                                 end="2023-09-20", validation=validation, n_boot=500,
                                                 random_state=random_state)
    if focal in set(framed["article_id"]):
        tables["alignment"] = align_claims(framed, embeddings, focal)
        tables["alignment_calibration"] = alignment_calibration(embeddings)
    quotes = find_quotes(framed)
    tables["quotes"] = quotes
    tables["speakers_by_kind"] = speaker_counts(quotes[quotes["resolved"]], by="outlet_kind")
    return tables


def alignment_calibration(embeddings) -> pd.DataFrame:
    """Precision, recall and F1 of claim matching at each cosine cut, on the hand-labelled Sputnik claim pairs
    (``corpus/annotations/claims_sputnik.csv``); the row ``in_use`` is ``ALIGNMENT_THRESHOLD``."""
    from ..compare import ALIGNMENT_THRESHOLD, calibrate_alignment
    from ..paths import corpus_dir

    pairs = pd.read_csv(corpus_dir() / "annotations" / "claims_sputnik.csv", dtype=str, keep_default_na=False)
    vectors = dict(zip(embeddings.para_id, embeddings.vectors))
    pairs["similarity"] = [float(vectors[a] @ vectors[b])
                           for a, b in zip(pairs["focal_para_id"], pairs["candidate_para_id"])]
    _, table = calibrate_alignment(pairs)
    return table.assign(pairs=len(pairs), in_use=np.isclose(table["threshold"], ALIGNMENT_THRESHOLD))


def with_real_text_precision(shares: pd.DataFrame, precision: dict[str, float]) -> pd.DataFrame:
    """Shares + ``real_text_precision``: the detector's cross-fitted precision for each frame on real text like the
    text counted (``framing.study.train.real_text_precision``), so figures and findings can flag a frame whose detected
    share rests on many false positives."""
    return shares.assign(real_text_precision=shares["frame"].map(precision))


def findings(tables: dict[str, pd.DataFrame], *, focal: str = FOCAL_ARTICLE) -> list[str]:
    """The walk-through's findings as sentences, each with its uncertainty, computed from the tables. Shares are the
    corrected ones where the table has them (and say so), else the detected ones; a frame whose real-text precision
    is below ``LOW_PRECISION`` says so."""
    test = tables["difference_test"].iloc[0]
    lines = [f"Frame mixes differ between kinds of outlet: chi-square {test['chi2']:.1f} on {int(test['dof'])} "
             f"degrees of freedom, permutation p = {test['p_permutation']:.4f} ({int(test['permutations'])} article "
             f"permutations), Cramér's V = {test['cramers_v']:.2f} (detected frames)."]
    if "corrected_share" in tables["shares_by_kind"].columns:
        lines.append("Shares below are corrected for the detector's errors (adjusted classify-and-count; error rates "
                     "from the shipped detector's design predicting each coded unit without having seen its article: "
                     "the event corpus's gold paragraphs for the corpus, the coded RUWA headlines for RUWA); their "
                     "95% intervals resample the articles and the coded sample.")
    lines += _share_lines(tables["shares_by_kind"], ("denial", "whataboutism", "sovereignty", "sanctions",
                                                     "security_threat"))
    if "alignment" in tables:
        alignment = tables["alignment"]
        carried = alignment.groupby("focal_position")["carried"].agg(["sum", "size"])
        most, least = carried["sum"].idxmax(), carried["sum"].idxmin()
        lines.append(f"Of the {len(carried)} body paragraphs of {focal}, ¶{most} is carried by the most outlets "
                     f"({carried.loc[most, 'sum']} of {carried.loc[most, 'size']}), ¶{least} by the fewest "
                     f"({carried.loc[least, 'sum']})" + _matching_quality(tables) + ".")
        lost = alignment[alignment["carried"]].explode("frames_lost")["frames_lost"].value_counts()
        if len(lost):
            lines.append(f"When other outlets carry its claims, the frames most often dropped are "
                         f"{', '.join(f'{f} ({n})' for f, n in lost.head(3).items())}.")
    if "ruwa_shares_by_kind" in tables:
        lines += [f"RUWA headlines, {line}" for line in _share_lines(
            tables["ruwa_shares_by_kind"], ("accusation", "denial", "whataboutism", "sanctions", "cooperation",
                                            "security_threat"))]
    return lines


def _share_lines(shares: pd.DataFrame, frames) -> list[str]:
    from ..plots import LOW_PRECISION, low_precision

    shares = shares.set_index(["outlet_kind", "frame"])
    corrected = "corrected_share" in shares.columns
    value, low, high = ("corrected_share", "corrected_low", "corrected_high") if corrected else (
        "share", "ci_low", "ci_high")
    lines = []
    for frame in frames:
        ranked = shares.xs(frame, level="frame")
        caution = ""
        if "real_text_precision" in ranked.columns and ranked["real_text_precision"].notna().any():
            precision = float(ranked["real_text_precision"].dropna().iloc[0])
            if low_precision(precision):
                caution = (f" Caution: the detector's precision for {frame} on real text like this is {precision:.2f}"
                           f" (below {LOW_PRECISION}), so many detections are false.")
        if corrected and ranked["corrected_share"].isna().all():
            lines.append(f"{frame}: not correctable ({ranked['correction_note'].iloc[0]}); detected shares range "
                         f"{ranked['share'].min():.0%}–{ranked['share'].max():.0%}.{caution}")
            continue
        ranked = ranked.sort_values(value, ascending=False)
        top, bottom = ranked.iloc[0], ranked.iloc[-1]
        lines.append(f"{frame}: highest in {ranked.index[0]} {top[value]:.0%} (95% interval {top[low]:.0%}–"
                     f"{top[high]:.0%}, {int(top['articles'])} articles; detected {top['share']:.0%}); lowest in "
                     f"{ranked.index[-1]} {bottom[value]:.0%} ({bottom[low]:.0%}–{bottom[high]:.0%}; detected "
                     f"{bottom['share']:.0%}).{caution}")
    return lines


def ruwa_tables(path: str | Path, detector, *, random_state: int = 0,
                validation: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Frames of RUWA headlines by kind of outlet: shares (corrected when a ``validation`` sample is given), test,
    divergences and weekly shares (one headline = one article).

    The text is the title, or the subheading where a site gives no title (RT's rows have none);
    ``ruwa_text_sources`` counts, per outlet, which field was used and how many rows had neither and were left out.
    """
    from ..datasets import load_ruwa
    from ..timeline import frame_timeline

    ruwa = load_ruwa(path)
    title, subheading = (ruwa[c].fillna("").astype(str).str.strip() for c in ("title", "subheading"))
    ruwa["text"] = title.where(title != "", subheading)
    ruwa["text_source"] = np.where(title != "", "title", np.where(subheading != "", "subheading", "none"))
    sources = ruwa.groupby(["outlet", "outlet_kind", "text_source"]).size().unstack(fill_value=0).reset_index()
    ruwa = ruwa[ruwa["text_source"] != "none"].reset_index(drop=True)
    if ruwa.empty:
        raise FramingError(f"{path}: no RUWA headline has a title or a subheading")
    framed = detector.frame_table(ruwa.assign(article_id=[f"ruwa-{i}" for i in range(len(ruwa))], kind="body"))
    return {"ruwa_text_sources": sources,
            "ruwa_shares_by_kind": frame_shares(framed, by="outlet_kind", random_state=random_state,
                                                validation=validation),
            "ruwa_difference_test": difference_test(framed, by="outlet_kind", random_state=random_state),
            "ruwa_divergences_by_kind": divergences(framed, by="outlet_kind", random_state=random_state),
            "ruwa_frames_by_week": frame_timeline(framed, by="outlet_kind", freq="W", validation=validation,
                                                  n_boot=500, random_state=random_state),
            "ruwa_headlines": framed[["outlet", "outlet_kind", "event", "date", "text_source", "text", "frames"]]}


def text_source_note(sources: pd.DataFrame) -> str:
    """What each outlet's RUWA rows count, from ``ruwa_text_sources``: 'headlines (titles); subheadings where a site
    gives no title: rt.com 878 of 878, ...'."""
    table = sources.groupby("outlet")[[c for c in ("title", "subheading") if c in sources.columns]].sum()
    if "subheading" not in table.columns:
        return "headlines (titles)"
    used = table.sum(axis=1)
    mixed = [f"{outlet} {int(n)} of {int(used[outlet])}" for outlet, n in table["subheading"].items() if n]
    return "headlines (titles)" + (f"; subheadings where a site gives no title: {', '.join(mixed)}" if mixed else "")


def basil_framed(folder: str | Path, detector, *, events: int | None = None, seed: int = 0) -> pd.DataFrame:
    """BASIL body paragraphs framed by ``detector``: one row per paragraph with ``article_id``, ``outlet`` (fox, nyt,
    hpo), ``event`` (the event all three outlets covered), ``date``. ``events`` keeps that many events drawn at
    random (with ``seed``), for a quick look."""
    from ..realtext import basil_units

    units = basil_units(folder)
    if events is not None:
        chosen = np.random.default_rng(seed).permutation(sorted(units["event"].unique()))[:events]
        units = units[units["event"].isin(chosen)]
    # one article per event and outlet; not the article uuid, which BASIL leaves as "empty" for four HuffPost articles
    article = units["event"] + ":" + units["outlet"]
    position = units["unit_id"].str.rsplit(":p", n=1).str[1]
    paragraphs = units.assign(article_id=article, para_id=article + ":p" + position, unit_id=units["unit_id"],
                              kind="body", position=position.astype(int))
    return detector.frame_table(paragraphs.reset_index(drop=True))


def basil_tables(folder: str | Path, detector, *, random_state: int = 0, validation: pd.DataFrame | None = None,
                 events: int | None = None) -> dict[str, pd.DataFrame]:
    """BASIL's event-matched design (each event covered by Fox, NYT and HuffPost): outlets compared pooled and within
    events. Pooled, a frame that some events call for looks like an outlet's habit when the outlets' articles differ
    in length across events; within events it cannot."""
    from ..compare import stratified_differences

    framed = basil_framed(folder, detector, events=events, seed=random_state)
    return {
        "basil_shares_by_outlet": frame_shares(framed, by="outlet", random_state=random_state, validation=validation),
        "basil_difference_test": pd.concat([
            difference_test(framed, by="outlet", random_state=random_state),
            difference_test(framed, by="outlet", strata="event", random_state=random_state)], ignore_index=True),
        "basil_differences": stratified_differences(framed, "outlet", "event", validation=validation,
                                                    random_state=random_state),
        "basil_divergences": pd.concat([
            divergences(framed, by="outlet", random_state=random_state).assign(design="pooled"),
            divergences(framed, by="outlet", strata="event", random_state=random_state).assign(
                design="within events")], ignore_index=True),
    }


def _matching_quality(tables: dict[str, pd.DataFrame]) -> str:
    if "alignment_calibration" not in tables:
        return ""
    row = tables["alignment_calibration"].loc[lambda t: t["in_use"]].iloc[0]
    return (f"; claim matching (cosine ≥ {row['threshold']:.2f}) has precision {row['precision']:.2f} and recall "
            f"{row['recall']:.2f} on the {int(row['pairs'])} hand-labelled pairs")
