"""scikit-learn's own estimator checks on the three estimators, with every expected failure listed and explained.

The checks feed random matrices of 2 to 20 columns and class numbers as targets. The estimators get a stand-in
embedder for them (the checks never use text, and the real model would only make them slow); the detectors' behaviour
with the real model is tested in test_detectors.py.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from framing import FramingError
from framing.cluster import FrameClusterer
from framing.codebook import load_codebook
from framing.detectors import CodebookDetector, FrameClassifier, ParameterError
from framing.embed import Embedder
from conftest import CountingEncoder

STAND_IN = Embedder(CountingEncoder(dim=8), use_cache=False, show_progress=False)

# Why each check is expected to fail. The reasons are properties of frame detection, not defects:
EMBEDDER_IS_STATEFUL = ("the embedder parameter is a shared object that loads its model on first use and keeps "
                        "statistics of its last call, so its hash changes during fit (its settings do not)")
LABELS_ARE_FRAMES = ("y must name frames of the codebook: label sets such as ('denial',) or a 0/1 matrix with one "
                     "column per frame (10); the check feeds class numbers or a 1- to 5-column 0/1 matrix")
X_IS_EMBEDDINGS = ("X must be paragraph texts or embeddings as wide as the codebook's embedding (n_features_in_ = 8 "
                   "here, 384 with the real model), and y label sets; the check feeds random matrices of 2-20 columns")
CHECKS_WITH_CLASS_NUMBERS = [
    "check_classifier_data_not_an_array", "check_classifier_multioutput", "check_classifiers_classes",
    "check_classifiers_multilabel_output_format_decision_function",
    "check_classifiers_multilabel_output_format_predict", "check_classifiers_multilabel_output_format_predict_proba",
    "check_classifiers_multilabel_representation_invariance", "check_classifiers_one_label",
    "check_classifiers_train", "check_dict_unchanged", "check_dont_overwrite_parameters", "check_dtype_object",
    "check_estimators_dtypes", "check_estimators_fit_returns_self", "check_estimators_nan_inf",
    "check_estimators_overwrite_params", "check_estimators_pickle", "check_f_contiguous_array_estimator",
    "check_fit2d_1feature", "check_fit2d_1sample", "check_fit2d_predict1d", "check_fit_check_is_fitted",
    "check_fit_idempotent", "check_fit_score_takes_y", "check_methods_sample_order_invariance",
    "check_methods_subset_invariance", "check_n_features_in", "check_n_features_in_after_fitting",
    "check_pipeline_consistency", "check_positive_only_tag_during_fit", "check_readonly_memmap_input",
]
EXPECTED_FAILURES = {
    "FrameClusterer": {"check_estimators_overwrite_params": EMBEDDER_IS_STATEFUL},
    "FrameClassifier": dict.fromkeys(CHECKS_WITH_CLASS_NUMBERS, LABELS_ARE_FRAMES),
    "CodebookDetector": dict.fromkeys([*CHECKS_WITH_CLASS_NUMBERS, "check_classifiers_regression_target"],
                                      X_IS_EMBEDDINGS),
}


@parametrize_with_checks(
    [FrameClusterer(n_clusters=3, random_state=0, embedder=STAND_IN), CodebookDetector(embedder=STAND_IN),
     FrameClassifier(embedder=STAND_IN, use_exemplars=False, random_state=0)],
    expected_failed_checks=lambda estimator: EXPECTED_FAILURES[type(estimator).__name__],
)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


# What the failing checks would have covered, on data the detectors accept: frame label sets over the codebook.

@pytest.fixture
def labelled():
    names = load_codebook().names
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 12))
    y = [("factual_report",) if i % 5 == 0 else tuple(sorted({names[i % 9], names[(i * 7) % 9]})) for i in range(60)]
    return X, y


def test_a_fitted_classifier_survives_pickling_and_refitting(labelled):
    X, y = labelled
    classifier = FrameClassifier(embedder=STAND_IN, use_exemplars=False, random_state=0)
    assert classifier.fit(X, y) is classifier
    first = classifier.predict(X)
    assert first.shape == (60, 10) and first.dtype == np.int8 and list(classifier.classes_) == load_codebook().names
    assert np.array_equal(pickle.loads(pickle.dumps(classifier)).predict(X), first)
    assert np.array_equal(classifier.fit(X, y).predict(X), first)
    assert 0 <= classifier.score(X, y) <= 1  # label sets are accepted by score (it used to raise)


def test_predictions_do_not_depend_on_row_order_or_batch(labelled):
    X, y = labelled
    classifier = FrameClassifier(embedder=STAND_IN, use_exemplars=False, random_state=0).fit(X, y)
    order = np.random.default_rng(1).permutation(len(X))
    assert np.array_equal(classifier.predict(X[order]), classifier.predict(X)[order])
    assert np.array_equal(classifier.predict(X[:7]), classifier.predict(X)[:7])


def test_features_of_another_width_are_refused_naming_both(labelled):
    X, y = labelled
    classifier = FrameClassifier(embedder=STAND_IN, use_exemplars=False, random_state=0).fit(X, y)
    with pytest.raises(FramingError, match="X has 5 features, but FrameClassifier is expecting 12 features"):
        classifier.predict(X[:, :5])


@pytest.mark.parametrize("estimator, message", [
    (CodebookDetector(embedder=STAND_IN, top_k=0), r"'top_k' parameter of CodebookDetector must be an int in the "
                                                   r"range \[1, inf\)"),
    (CodebookDetector(embedder=STAND_IN, threshold=1.5), r"'threshold' parameter of CodebookDetector"),
    (FrameClassifier(embedder=STAND_IN, C=0), r"'C' parameter of FrameClassifier must be a float in the range "
                                              r"\(0.0, inf\)"),
    (FrameClassifier(embedder=STAND_IN, threshold="best"), r"'threshold' parameter of FrameClassifier"),
    (FrameClusterer(embedder=STAND_IN, method="dbscan"), r"'method' parameter of FrameClusterer must be a str among"),
])
def test_a_parameter_out_of_range_is_refused_at_fit(estimator, message, labelled):
    # CodebookDetector(top_k=0) used to give NaN scores and label every paragraph factual_report.
    X, y = labelled
    with pytest.raises(ParameterError, match=message) as error:
        estimator.fit(X[:, :8], y)
    assert isinstance(error.value, FramingError)
