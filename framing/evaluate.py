"""Scores for frame detectors: per-frame precision/recall/F1 with intervals (``frame_scores``), out-of-fold
predictions on the corpus gold, clustering against gold, and the public benchmarks (GVFC, FNC-1).

These are the building blocks; ``framing.study.evaluation.run_evaluation`` (the ``framing evaluate`` command) puts
them together with real text first. Every number is computed from data, with an explicit seed.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (accuracy_score, adjusted_rand_score, f1_score, normalized_mutual_info_score,
                             precision_recall_fscore_support, roc_auc_score)
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut, StratifiedKFold

from .annotations import gold_paragraphs
from .cluster import FrameClusterer
from .codebook import load_codebook
from .datasets import load_fnc1, load_gvfc
from .detectors import CodebookDetector, FrameClassifier, paragraph_features
from .embed import default_embedder
from .errors import FramingWarning
from .multilabel import label_indicator


def multilabel_scores(Y_true: np.ndarray, Y_pred: np.ndarray, names: list[str]) -> pd.DataFrame:
    """Precision, recall, F1 and support per label, then micro and macro averages."""
    p, r, f, s = precision_recall_fscore_support(Y_true, Y_pred, average=None, zero_division=0)
    rows = [{"label": n, "precision": p[i], "recall": r[i], "f1": f[i], "support": int(s[i])}
            for i, n in enumerate(names)]
    for average in ("micro", "macro"):
        p, r, f, _ = precision_recall_fscore_support(Y_true, Y_pred, average=average, zero_division=0)
        rows.append({"label": f"{average} avg", "precision": p, "recall": r, "f1": f, "support": int(Y_true.sum())})
    return pd.DataFrame(rows)


def out_of_fold(make_detector, features: np.ndarray, labels: list, splits) -> np.ndarray:
    """0/1 predictions for every paragraph from a detector that never saw its fold."""
    names = load_codebook().names
    predicted = np.zeros((len(features), len(names)), dtype=np.int8)
    for train, test in splits:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FramingWarning)  # a held-out outlet may take a frame's few examples
            detector = make_detector().fit(features[train], [labels[i] for i in train])
        predicted[test] = detector.predict_indicator(features[test])
    return predicted


def cross_validated_scores(make_detector, features: np.ndarray, labels: list, splitter, groups) -> pd.DataFrame:
    """``multilabel_scores`` of out-of-fold predictions: each paragraph is predicted by a detector trained without
    its group (``splitter``, e.g. ``GroupKFold(5)`` with ``groups`` the article ids)."""
    names = load_codebook().names
    Y = label_indicator(labels, names)
    predicted = out_of_fold(make_detector, features, labels, splitter.split(features, Y, groups))
    return multilabel_scores(Y, predicted, names)


def evaluate_corpus(random_state: int = 0) -> dict[str, pd.DataFrame]:
    """Per-label scores of the classifier and the calibrated zero-shot detector, grouped by article (5 folds) and
    leaving one outlet out."""
    gold = gold_paragraphs()
    labels = list(gold["labels"])
    features = paragraph_features(gold["text"])
    paragraph_vectors = features[:, : features.shape[1] // 2]
    designs = {
        "classifier": (lambda: FrameClassifier(random_state=random_state), features),
        "codebook": (lambda: CodebookDetector(), paragraph_vectors),
    }
    schemes = {"grouped by article, 5 folds": (GroupKFold(5), gold["article_id"]),
               "leave one outlet out": (LeaveOneGroupOut(), gold["outlet"])}
    tables = {}
    for detector, (make, X) in designs.items():
        for scheme, (splitter, groups) in schemes.items():
            table = cross_validated_scores(make, X, labels, splitter, groups)
            table.insert(0, "scheme", scheme)
            table.insert(0, "detector", detector)
            tables[f"corpus_{detector}_{'grouped' if 'grouped' in scheme else 'logo'}"] = table
    return tables


def evaluate_clustering(gvfc_path: Path | None, random_state: int = 0) -> pd.DataFrame:
    """ARI and NMI of FrameClusterer against gold: the corpus's primary frame, and GVFC's Theme1."""
    gold = gold_paragraphs()
    sets = [("corpus (primary gold frame)", gold["text"].tolist(), gold["labels"].map(lambda l: l[0]).tolist())]
    if gvfc_path is not None:
        gvfc = load_gvfc(gvfc_path)
        sets.append(("GVFC headlines (Theme1)", gvfc["text"].tolist(), gvfc["frame"].tolist()))
    rows = []
    for name, texts, truth in sets:
        vectors = default_embedder().embed(texts)
        n_frames = len(set(truth))
        for label, clusterer in [("k = number of gold frames", FrameClusterer(n_clusters=n_frames, outlier_quantile=0,
                                                                               random_state=random_state)),
                                 ("automatic (graph)", FrameClusterer(random_state=random_state))]:
            found = clusterer.fit(vectors, texts=texts).labels_
            kept = found >= 0
            rows.append({"data": name, "clustering": label, "clusters": clusterer.n_clusters_,
                         "outliers": int((~kept).sum()),
                         "ARI": adjusted_rand_score(np.asarray(truth)[kept], found[kept]),
                         "NMI": normalized_mutual_info_score(np.asarray(truth)[kept], found[kept])})
    return pd.DataFrame(rows)


def evaluate_gvfc(path: Path, random_state: int = 0) -> pd.DataFrame:
    """GVFC headline frames (9 classes), headline text only, stratified 5-fold CV."""
    gvfc = load_gvfc(path)
    texts, y = gvfc["text"].tolist(), gvfc["frame"].to_numpy()
    vectors = default_embedder().embed(texts)
    folds = list(StratifiedKFold(5, shuffle=True, random_state=random_state).split(vectors, y))
    rows = []
    for name, with_terms in [("MiniLM embeddings + logistic regression", False),
                             ("MiniLM embeddings + word TF-IDF + logistic regression", True)]:
        predicted, start = np.empty_like(y), time.perf_counter()
        for train, test in folds:
            X_train, X_test = vectors[train], vectors[test]
            if with_terms:
                from scipy.sparse import csr_matrix, hstack

                tfidf = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2))
                X_train = hstack([csr_matrix(X_train), tfidf.fit_transform([texts[i] for i in train])]).tocsr()
                X_test = hstack([csr_matrix(X_test), tfidf.transform([texts[i] for i in test])]).tocsr()
            model = LogisticRegression(C=4 if not with_terms else 16, max_iter=3000, random_state=random_state)
            predicted[test] = model.fit(X_train, y[train]).predict(X_test)
        rows.append({"model": name, "accuracy": accuracy_score(y, predicted),
                     "macro_f1": f1_score(y, predicted, average="macro"), "headlines": len(y),
                     "train_seconds_5_folds": time.perf_counter() - start})
    return pd.DataFrame(rows)


def evaluate_fnc1(path: Path, detector=None) -> pd.DataFrame:
    """FNC-1 as a check on denial: among related headline-body pairs, does the body's denial score find 'disagree'?"""
    from .detector_files import load_detector

    detector = detector or load_detector()
    pairs = load_fnc1(path)
    related = pairs[pairs["stance"] != "unrelated"]
    bodies = related.drop_duplicates("body_id")
    denial = detector.frames_.index("denial")
    scores = pd.Series(detector.predict_proba(bodies["body"].tolist())[:, denial], index=bodies["body_id"].to_numpy())
    score = related["body_id"].map(scores).to_numpy()
    truth = (related["stance"] == "disagree").to_numpy()
    flagged = score >= detector.thresholds_[denial]
    p, r, f, _ = precision_recall_fscore_support(truth, flagged, average="binary", zero_division=0)
    return pd.DataFrame([{"task": "disagree among related pairs, body denial score", "pairs": len(related),
                          "disagree": int(truth.sum()), "precision": p, "recall": r, "f1": f,
                          "roc_auc": roc_auc_score(truth, score), "base_rate": truth.mean()}])


def markdown_table(table: pd.DataFrame) -> str:
    """A DataFrame as a Markdown table, floats to three decimals."""
    cells = [[f"{v:.3f}" if isinstance(v, float) else str(v) for v in row] for row in table.itertuples(index=False)]
    lines = ["| " + " | ".join(map(str, table.columns)) + " |", "|" + "---|" * len(table.columns)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in cells])


def frame_scores(Y_true: np.ndarray, Y_pred: np.ndarray, names: list[str], *, groups=None, n_boot: int = 1000,
                 confidence: float = 0.95, min_support: int = 20, random_state: int = 0) -> pd.DataFrame:
    """Per-frame precision, recall and F1 with bootstrap intervals, coded and predicted shares; then macro and micro.

    Intervals resample units, or whole ``groups`` (e.g. articles: paragraphs of one article are not independent);
    ``n_boot=0`` gives the point estimates only (intervals NaN).
    Two macro averages: ``macro`` over the frames coded at least once in ``Y_true`` (a frame absent from the test
    text has no F1), and ``macro_min<N>`` over the frames coded at least ``min_support`` times (an F1 from 3 units is
    mostly noise); their ``support`` says how many frames each averages. Columns: ``frame``, ``support``,
    ``coded_share``, ``predicted_share``, ``precision``, ``recall``, ``f1`` and ``<metric>_low``/``<metric>_high``.
    """
    Y_true, Y_pred = np.asarray(Y_true, dtype=bool), np.asarray(Y_pred, dtype=bool)
    support = Y_true.sum(axis=0)
    frequent = support >= min_support
    codes = np.arange(len(Y_true)) if groups is None else pd.factorize(np.asarray(groups))[0]
    members = [np.flatnonzero(codes == g) for g in range(codes.max() + 1)]
    rng = np.random.default_rng(random_state)
    point = _frame_metrics(Y_true, Y_pred, frequent)
    draws = [np.full_like(point, np.nan)] if n_boot == 0 else []  # n_boot=0: point estimates, no intervals
    for _ in range(n_boot):
        rows = np.concatenate([members[g] for g in rng.integers(0, len(members), len(members))])
        draws.append(_frame_metrics(Y_true[rows], Y_pred[rows], frequent))
    alpha = (1 - confidence) / 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a frame absent from every draw has no interval: NaN
        draws = np.stack(draws)  # n_boot x metric x (frames + macro + macro_min + micro)
        low, high = np.nanquantile(draws, alpha, axis=0), np.nanquantile(draws, 1 - alpha, axis=0)
    table = pd.DataFrame({"frame": [*names, "macro", f"macro_min{min_support}", "micro"],
                          "support": [*support.tolist(), int((support > 0).sum()), int(frequent.sum()),
                                      int(support.sum())],
                          "coded_share": [*Y_true.mean(axis=0), np.nan, np.nan, np.nan],
                          "predicted_share": [*Y_pred.mean(axis=0), np.nan, np.nan, np.nan]})
    for i, metric in enumerate(("precision", "recall", "f1")):
        table[metric], table[f"{metric}_low"], table[f"{metric}_high"] = point[i], low[i], high[i]
    return table


def _frame_metrics(Y_true: np.ndarray, Y_pred: np.ndarray, frequent: np.ndarray) -> np.ndarray:
    """3 x (frames + 3): precision, recall, F1 per frame, then the two macro averages of F1 and micro."""
    tp = (Y_true & Y_pred).sum(axis=0).astype(float)
    predicted, coded = Y_pred.sum(axis=0).astype(float), Y_true.sum(axis=0).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # mean of an empty set of frames: NaN
        precision = np.where(predicted > 0, tp / predicted, np.where(coded > 0, 0.0, np.nan))
        recall = np.where(coded > 0, tp / coded, np.nan)
        f1 = np.where(coded > 0, 2 * tp / (coded + predicted), np.nan)
        macro, macro_frequent = np.nanmean(f1), np.nanmean(np.where(frequent, f1, np.nan))
        micro_p = tp.sum() / predicted.sum() if predicted.sum() else 0.0
        micro_r = tp.sum() / coded.sum() if coded.sum() else np.nan
        micro_f = 2 * tp.sum() / (coded.sum() + predicted.sum()) if coded.sum() + predicted.sum() else np.nan
    none = [np.nan, np.nan]
    return np.array([[*precision, *none, micro_p], [*recall, *none, micro_r], [*f1, macro, macro_frequent, micro_f]])
