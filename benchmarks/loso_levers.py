"""Leave-one-source-out (LOSO) macro F1 of the shipped detector design under the levers that could help it carry
across sources: each lever measured beside the same baseline, in one run, on real units only.

Sources: the event corpus (tested on its collected paragraphs), RUWA headlines and BASIL paragraphs (the real-text
gold of ``framing.realtext``). For each source, every lever trains on the other two (composed event paragraphs
included, as in ``framing evaluate``) and is scored on the held-out source's real units (macro F1 over the frames
coded there at least once; ``framing.evaluate.frame_scores``).

The baseline re-implements the shipped design on precomputed features so that levers can change its inputs:
[paragraph + sentence-max MiniLM embeddings | word uni/bigram TF-IDF], one class-balanced logistic regression per
frame (C=4), cut at 0.5, ``factual_report`` where no other frame is detected. Levers:

- ``no exemplars``: the codebook's exemplars left out of training (how much composed examples carry);
- ``source-balanced weights``: each training source weighs the same in the loss;
- ``per-source centring``: each source's embeddings centred on its own mean (the held-out source's mean is taken
  from its unlabelled units: a transductive domain alignment);
- ``EM prior adaptation``: each frame's probabilities re-weighted to the held-out source's prevalence estimated by
  EM on its unlabelled units (Saerens, Latinne & Decaestecker 2002), cut at 0.5;
- ``MiniLM + e5 features`` (``--e5``, needs ``framing[e5]``; about 12 times slower to embed).

    .venv/bin/python benchmarks/loso_levers.py [--e5]

Needs the RUWA and BASIL data sets (``shared/datasets`` beside the checkout, or ``FRAMING_SHARED_DATASETS``).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression

from framing.codebook import load_codebook
from framing.detectors import paragraph_features
from framing.evaluate import frame_scores
from framing.lexical import fit_vocabulary, term_matrix, with_terms
from framing.multilabel import label_indicator
from framing.realtext import available_sources
from framing.study.validity import training_pool

SOURCES = ("event", "ruwa", "basil")


def em_prevalence(p: np.ndarray, train_prior: float = 0.5, iterations: int = 200) -> np.ndarray:
    """Posteriors re-weighted to the prevalence EM finds on unlabelled units (Saerens et al. 2002). Class-balanced
    training makes 0.5 the prior the probabilities were fitted under."""
    prior, posterior = train_prior, p
    for _ in range(iterations):
        yes, no = p * prior / train_prior, (1 - p) * (1 - prior) / (1 - train_prior)
        posterior = yes / (yes + no)
        if abs(posterior.mean() - prior) < 1e-7:
            break
        prior = posterior.mean()
    return posterior


def loso(features, texts, Y, source, real, exemplars, *, use_exemplars=True, balance=False, centre=False,
         em=False, names=()) -> list[float]:
    """Macro F1 on each held-out source's real units."""
    X_ex, Y_ex, ex_texts = exemplars
    fallback = names.index("factual_report")
    scores = []
    for held in SOURCES:
        train, test = source != held, (source == held) & real
        X = features.copy()
        if centre:  # each source on its own mean; the exemplars on the training units' mean
            for s in SOURCES:
                X[source == s] -= features[source == s].mean(axis=0)
        X_train, Y_train, train_texts = X[train], Y[train], [texts[i] for i in np.flatnonzero(train)]
        weight = np.ones(len(X_train))
        if balance:
            for s in np.unique(source[train]):
                mine = source[train] == s
                weight[mine] = len(weight) / (len(np.unique(source[train])) * mine.sum())
        if use_exemplars:
            extra = X_ex - features[train].mean(axis=0) if centre else X_ex
            X_train, Y_train = np.vstack([X_train, extra]), np.vstack([Y_train, Y_ex])
            train_texts, weight = train_texts + ex_texts, np.concatenate([weight, np.ones(len(X_ex))])
        vocabulary, idf = fit_vocabulary(train_texts)
        test_texts = [texts[i] for i in np.flatnonzero(test)]
        A = with_terms(X_train, term_matrix(train_texts, vocabulary, idf))
        B = with_terms(X[test], term_matrix(test_texts, vocabulary, idf))
        predicted = np.zeros((len(test_texts), len(names)), dtype=bool)
        for j in range(len(names)):
            if j == fallback or Y_train[:, j].min() == Y_train[:, j].max():
                continue
            model = LogisticRegression(C=4.0, class_weight="balanced", max_iter=3000)
            p = model.fit(A, Y_train[:, j], sample_weight=weight).predict_proba(B)[:, 1]
            predicted[:, j] = (em_prevalence(p) if em else p) >= 0.5
        predicted[:, fallback] = ~predicted.any(axis=1)
        table = frame_scores(Y[test], predicted, names, n_boot=0).set_index("frame")
        scores.append(float(table.loc["macro", "f1"]))
    return scores


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--e5", action="store_true", help="also MiniLM + multilingual-e5-small features (slow)")
    args = parser.parse_args(argv)
    if set(available_sources()) != set(SOURCES):
        print("needs the RUWA and BASIL data sets: put them in shared/datasets beside the checkout or set "
              "FRAMING_SHARED_DATASETS (see ../shared/datasets/*/PROVENANCE.md)")
        return 0
    started = time.perf_counter()
    pool = training_pool()
    codebook = load_codebook()
    ex = codebook.exemplar_table()
    texts, ex_texts = pool.texts, ex["text"].tolist()
    source, real = pool.table["source"].to_numpy(), pool.real
    minilm = paragraph_features(texts + ex_texts)
    feature_sets = {"MiniLM": minilm}
    if args.e5:
        from framing.embed import Embedder

        e5 = paragraph_features(texts + ex_texts, Embedder("multilingual-e5-small"))
        feature_sets["MiniLM + e5"] = np.hstack([minilm, e5])
    Y_ex = label_indicator([[frame] for frame in ex["frame"]], pool.names)
    levers = {"baseline (the shipped design)": {}, "no exemplars": {"use_exemplars": False},
              "source-balanced weights": {"balance": True}, "per-source centring": {"centre": True},
              "EM prior adaptation": {"em": True}}
    print(f"units: {len(texts)} ({int(real.sum())} real); sources {', '.join(SOURCES)}\n")
    print("| features | lever | event | RUWA | BASIL | mean |\n|---|---|---|---|---|---|")
    for feature_name, F in feature_sets.items():
        n = len(texts)
        for lever, options in levers.items():
            if feature_name != "MiniLM" and lever != "baseline (the shipped design)":
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # convergence notes of frames with a handful of examples
                scores = loso(F[:n], texts, pool.Y, source, real, (F[n:], Y_ex, ex_texts), names=pool.names,
                              **options)
            print(f"| {feature_name} | {lever} | " + " | ".join(f"{s:.3f}" for s in scores)
                  + f" | {np.mean(scores):.3f} |", flush=True)
    print(f"\n{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
