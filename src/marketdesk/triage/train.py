"""Train the triage model and save it: ``python -m marketdesk.triage.train`` (``make model``).

Stratified 5-fold cross-validation over the training rows (folds stratified by
source, language and label) gives every row a prediction from a model that
never saw it. From those predictions on our own rows it prints the macro-F1 of
each language (``--report`` adds per-label scores and the confusion tables) and
chooses the confidence threshold (stored in the metadata; the policy's
``triage_min_confidence_bp`` is what the product applies). The held-out set is
never read here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_predict  # type: ignore[import-untyped, unused-ignore]

from marketdesk.triage.data import LANGS, Example, training_examples
from marketdesk.triage.model import RANDOM_STATE, TriageModel, build_pipeline, model_dir, sample_weights
from marketdesk.triage.scores import acceptance, macro_f1, report
from marketdesk.triage.text import clean, script_kind
from marketdesk.triage.threshold import threshold_choose

FOLDS = 5

# Choices, all made on this cross-validation (macro-F1 of our own rows, en / ru), never on the held-out set:
# - Data, the main lever: 60 → 80 own rows per label (the spent held-out rows became training rows)
#   moved 0.824 / 0.806 to 0.844 / 0.836; about 2,600 rows per language (150–250 per label, written
#   at the boundaries the confusion tables showed: refund_request / refund_status / return_request /
#   policy_question, complaint / seller_issue / human_agent / other, cancel_order / change_order,
#   change_delivery / order_status) brought it to 0.934 / 0.926. Those figures flatter us: rows written
#   in one sitting resemble each other more than the next writer's will. Scored on the first 1,120
#   rows of each language alone (another writer's) they were 0.928 / 0.915, and even that is generous:
#   the later rows were written after reading which of those rows the model got wrong.
# - Features and classifier (within ±0.005, i.e. noise, of each other): char n-grams 1–4, 2–6 or 3–5,
#   char instead of char_wb, min_df 1, raw word n-grams added, weighting words against chars, C 5–100,
#   no class weights, LinearSVC (−0.01), SGD and Ridge (−0.05 to −0.10), and soft-voting ensembles with
#   ComplementNB, a calibrated LinearSVC or separate word and char models. Kept the simplest.
# - Bitext: weight 0, 0.1, 0.3 and 1 against 3 for ours scored alike on our rows; 0.3 keeps its
#   wording of account, invoice, payment-method and delivery-option questions (all "other").
# - Russian typed in Latin letters and mixed with English (issue 15): with our 317 rows of those kinds
#   added, the cleaning as it was scored en 0.937 / ru 0.922, and on the ru rows in Latin letters 0.696,
#   mixed 0.907; respelling transliterated Russian in Cyrillic and following anglicisms with the Russian
#   word moved them to 0.938 / 0.939, Latin letters 0.964, mixed 0.966 (before both: 0.939 / 0.931).
#   The Latin-letter figure flatters: once respelled, a row often reads like a Cyrillic row of the same
#   writer. A fairer probe: train without a fifth of our Cyrillic ru rows, then score that fifth as
#   written and machine-transliterated (three schemes): 0.934 / 0.891. Reading ь, ъ and э as nothing,
#   nothing and е in both scripts (what transliteration loses), ts as ц at a word's ends, -ia as -ия and
#   a few j = ж words made it 0.941 / 0.905. Replacing anglicisms instead of following them: mixed −0.005.
#   Final (7 rows dropped that, so cleaned, equalled held-out requests): en 0.938, ru 0.938, Latin
#   letters 0.959, mixed 0.962; the threshold chosen moved from 5000 to 5500 bp.


def cross_validated(examples: Sequence[Example], *, folds: int = FOLDS) -> tuple[list[str], np.ndarray]:
    """Return the class order and each example's probabilities from a model that never saw it."""
    texts = [clean(e.text) for e in examples]
    labels = [e.label for e in examples]
    # Stratified by source and language too: each fold holds its share of our own rows of each language.
    strata = [f"{e.source}:{e.lang}:{e.label}" for e in examples]
    splits = list(StratifiedKFold(n_splits=folds, shuffle=True, random_state=RANDOM_STATE).split(texts, strata))
    probabilities = cross_val_predict(
        build_pipeline(),
        texts,
        labels,
        cv=splits,
        method="predict_proba",
        params={"classifier__sample_weight": sample_weights(examples)},
    )
    return sorted(set(labels)), probabilities


def own_rows(examples: Sequence[Example], lang: str | None = None, kind: str | None = None) -> list[int]:
    """Return the indices of our own examples (of one language, or both; of one way of writing, or any)."""
    return [
        i
        for i, e in enumerate(examples)
        if e.source == "own" and lang in (None, e.lang) and kind in (None, script_kind(e.text))
    ]


def threshold_from_predictions(examples: Sequence[Example], classes: Sequence[str], probabilities: np.ndarray) -> int:
    """Return the confidence threshold in basis points chosen on cross-validated predictions of our own rows.

    Only our own rows: they are written the way buyers write, while Bitext's
    templated rows are nearly all easy and would pull the threshold down.
    """
    rows = own_rows(examples)
    confidences = probabilities[rows].max(axis=1).tolist()
    correct = [classes[probabilities[i].argmax()] == examples[i].label for i in rows]
    return round(threshold_choose(confidences, correct) * 10000)


def threshold_from_cv(examples: Sequence[Example]) -> int:
    """Return the confidence threshold in basis points chosen on cross-validated training predictions."""
    classes, probabilities = cross_validated(examples)
    return threshold_from_predictions(examples, classes, probabilities)


def report_cv(
    examples: Sequence[Example], classes: Sequence[str], probabilities: np.ndarray, *, threshold_bp: int, full: bool
) -> dict[str, float]:
    """Print the cross-validated scores of our own rows per language; return the macro-F1 of each."""
    results: dict[str, float] = {}
    # Russian typed in Latin letters and Russian mixed with English are also scored apart (issue 15).
    for lang, kind in [*((lang, None) for lang in LANGS), ("ru", "latin"), ("ru", "mixed")]:
        rows = own_rows(examples, lang, kind)
        if not rows:
            continue
        truth = [examples[i].label for i in rows]
        predicted = [classes[probabilities[i].argmax()] for i in rows]
        name = f"{lang} own{'' if kind is None else f' {kind}'}, {FOLDS}-fold CV"
        if full:
            title = (
                f"our own training rows, {lang}{'' if kind is None else f' ({kind})'}, {FOLDS}-fold cross-validation"
            )
            results[name] = report(title, truth, predicted)
        else:
            results[name] = macro_f1(truth, predicted)
        confidences = probabilities[rows].max(axis=1).tolist()
        sys.stdout.write(
            f"{name}: macro-F1 {results[name]:.4f}, {acceptance(truth, predicted, confidences, threshold_bp)}\n"
        )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=None, help="Directory to write to (default: the artifact's).")
    parser.add_argument("--no-threshold", action="store_true", help="Skip the cross-validation (faster).")
    parser.add_argument("--report", action="store_true", help="Print per-label scores and confusion tables of the CV.")
    args = parser.parse_args(argv)
    examples = training_examples()
    threshold_bp = None
    if not args.no_threshold:
        classes, probabilities = cross_validated(examples)
        threshold_bp = threshold_from_predictions(examples, classes, probabilities)
        report_cv(examples, classes, probabilities, threshold_bp=threshold_bp, full=args.report)
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
