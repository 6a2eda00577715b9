"""Train the triage model and save it: ``python -m marketdesk.hints.triage.train`` (``make model``).

Cross-validated predictions over the training rows choose the confidence
threshold (stored in the metadata; the policy's ``triage_min_confidence_bp``
is what the product applies). Held-out rows are never read here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_predict  # type: ignore[import-untyped, unused-ignore]

from marketdesk.hints.triage.data import Example, training_examples
from marketdesk.hints.triage.model import RANDOM_STATE, TriageModel, build_pipeline, model_dir, sample_weights
from marketdesk.hints.triage.text import clean
from marketdesk.hints.triage.threshold import threshold_choose

FOLDS = 5


def cross_validated(examples: Sequence[Example], *, folds: int = FOLDS) -> tuple[list[str], np.ndarray]:
    """Return the class order and each example's probabilities from a model that never saw it."""
    texts = [clean(e.text) for e in examples]
    labels = [e.label for e in examples]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=RANDOM_STATE)
    probabilities = cross_val_predict(
        build_pipeline(),
        texts,
        labels,
        cv=splitter,
        method="predict_proba",
        params={"classifier__sample_weight": sample_weights(examples)},
    )
    return sorted(set(labels)), probabilities


def threshold_from_cv(examples: Sequence[Example]) -> int:
    """Return the confidence threshold in basis points chosen on cross-validated training predictions."""
    classes, probabilities = cross_validated(examples)
    predicted = [classes[i] for i in probabilities.argmax(axis=1)]
    correct = [p == e.label for p, e in zip(predicted, examples, strict=True)]
    return round(threshold_choose(probabilities.max(axis=1).tolist(), correct) * 10000)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=None, help="Directory to write to (default: the artifact's).")
    parser.add_argument("--no-threshold", action="store_true", help="Skip the cross-validation (faster).")
    args = parser.parse_args(argv)
    examples = training_examples()
    threshold_bp = None if args.no_threshold else threshold_from_cv(examples)
    model = TriageModel.train(examples, threshold_bp=threshold_bp)
    out = args.out or model_dir()
    model.save(out)
    sys.stdout.write(
        f"triage model {model.version}: {len(examples)} training rows {model.meta['training_rows_by_source']}, "
        f"threshold {threshold_bp} bp, written to {out}\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
