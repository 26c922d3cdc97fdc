"""Article-level frame detection: which design? Paragraph evidence (mean/max/title of paragraph vectors) against the
article embedded as a whole, with and without TF-IDF, tuned per-frame thresholds against a fixed 0.5, measured by
5-fold cross-validation by article on GVFC, the data set we have with article labels (BASIL's border-wall sample,
18 labelled articles, is too small to rank designs).

    .venv/bin/python benchmarks/article_level.py gvfc [--onnx]   # GVFC: 1,299 articles, headline + lead-3, 9 frames

``--onnx`` runs the same model with onnxruntime fp32 (vectors equal to torch's to a cosine of 1.0000), for speed.

Prints one row per design: micro and macro F1 of out-of-fold predictions (and seconds). Numbers are from this data
only; the private 14-frame set of issue 11 is not among them.
"""

from __future__ import annotations

import sys
import time
import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from framing.articles import ArticleFrameClassifier, article_features, article_order, group_folds
from framing.codebook import Codebook, Frame
from framing.detectors import label_indicator
from framing.errors import FramingWarning


def gvfc_data():
    from framing.datasets import GVFC_FRAME_KEYS, gvfc_corpus, gvfc_labels, shared_datasets_dir
    from framing.segment import segment

    folder = shared_datasets_dir() / "gvfc"
    articles = gvfc_corpus(folder)
    paragraphs = segment(articles)
    names = list(GVFC_FRAME_KEYS.values())
    codebook = Codebook("gvfc", 1, tuple(Frame(n, n, n, "", "", (n,)) for n in names))
    labels = gvfc_labels(folder).set_index("article_id")["labels"].reindex(articles["article_id"]).tolist()
    return paragraphs, codebook, labels, articles["article_id"].tolist()


def evaluate(make, paragraphs, labels, groups, names, folds=5):
    order = article_order(paragraphs)
    Y = label_indicator(labels, names)
    predicted = np.zeros_like(Y)
    group_of = dict(zip(order, groups))
    for train, test in group_folds([group_of[a] for a in order], folds, 0):
        train_ids, test_ids = {order[i] for i in train}, {order[i] for i in test}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FramingWarning)
            model = make().fit(paragraphs[paragraphs.article_id.isin(train_ids)], [labels[i] for i in train])
        predicted[test] = model.predict_indicator(paragraphs[paragraphs.article_id.isin(test_ids)])
    return (f1_score(Y, predicted, average="micro", zero_division=0),
            f1_score(Y, predicted, average="macro", zero_division=0))


class MeanVectorBaseline(ArticleFrameClassifier):
    """The baseline of the issue: plain logistic regression on the mean paragraph vector, cut at 0.5."""

    def _fit_one(self, features, y):
        return LogisticRegression(max_iter=5000, random_state=0).fit(features, y)


def main(which: str, onnx: bool) -> None:
    from framing.embed import Embedder

    embedder = None
    if onnx:  # the same model run by onnxruntime in fp32: vectors match torch to a cosine of 1.0000, about 2x faster
        from framing.onnx_backend import OnnxEncoder

        embedder = Embedder(OnnxEncoder(), show_progress=False)
    paragraphs, codebook, labels, groups = {"gvfc": gvfc_data}[which]()
    print(f"{which}: {len(labels)} articles, {len(codebook)} frames, "
          f"{np.mean([len(l) for l in labels]):.2f} frames per article")
    article_features(paragraphs, embedder, parts=("mean", "whole"))  # embed once (cached) before timing
    def article(cls=ArticleFrameClassifier, **params):
        return lambda: cls(codebook=codebook, embedder=embedder, random_state=0, **params)

    designs = {
        "baseline: mean vector, plain LR, cut 0.5": article(MeanVectorBaseline, parts=("mean",), threshold=0.5),
        "whole article embedded, balanced, tuned, C=1": article(C=1.0, parts=("whole",)),
        "mean, balanced, tuned, C=1": article(C=1.0, parts=("mean",)),
        "mean+max+title, balanced, cut 0.5, C=1": article(C=1.0, threshold=0.5),
        "mean+max+title, balanced, tuned, C=1": article(C=1.0),
        "mean+max+title, balanced, tuned, C=4 (default)": article(),
        "mean+max+title + TF-IDF, tuned, C=1": article(C=1.0, tfidf=True),
        "mean+max+title+whole + TF-IDF, tuned, C=1": article(C=1.0, parts=("mean", "max", "title", "whole"),
                                                             tfidf=True),
    }
    for name, make in designs.items():
        start = time.perf_counter()
        micro, macro = evaluate(make, paragraphs, labels, groups, codebook.names)
        print(f"{name:48s} micro-F1 {micro:.3f}  macro-F1 {macro:.3f}  ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(arguments[0] if arguments else "gvfc", onnx="--onnx" in sys.argv)
