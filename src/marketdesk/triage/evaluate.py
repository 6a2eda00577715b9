"""Evaluate the triage model: ``python -m marketdesk.triage.evaluate`` (``make eval-triage``).

1. The held-out set (``data/triage/heldout/{en,ru}.csv``, written apart from
   the training rows, plus any row of our own files marked ``split=heldout``),
   English and Russian separately, from a model trained on dev.csv and our
   training rows (exactly what ``make model`` builds). Held-out requests whose
   cleaned text is also a training row are counted, and the scores are printed
   again without them.
2. 5-fold stratified cross-validation over the training rows, scored on our
   own rows per language (what the model was tuned on; ``make model`` prints it too).
3. 5-fold stratified cross-validation over dev.csv alone (labels mapped).

Each part prints per-label precision, recall and F1, a confusion table and the
macro-F1. Tune on training rows only: reading the held-out numbers again and
again until they look good would make them meaningless.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from marketdesk.triage.data import (
    HELDOUT_KINDS,
    LANGS,
    Example,
    dev_examples,
    heldout_examples,
    heldout_kind_examples,
    heldout_kind_path,
    own_examples,
    training_examples,
)
from marketdesk.triage.model import TriageModel
from marketdesk.triage.scores import acceptance, report
from marketdesk.triage.text import clean
from marketdesk.triage.train import cross_validated, report_cv, threshold_from_predictions

#: Macro-F1 each whole held-out set must reach (the transliterated and mixed ones: issue 15).
TARGETS = {"en": 0.95, "ru": 0.92, "ru-translit": 0.85, "ru-mixed": 0.85}


def score_heldout(
    name: str, rows: Sequence[Example], model: TriageModel, trained_on: set[str], threshold_bp: int
) -> dict[str, float]:
    """Print one held-out set's scores, also without the requests that are training rows; return both macro-F1s."""
    predictions = model.predict([e.text for e in rows])
    truth = [e.label for e in rows]
    predicted = [p.label for p in predictions]
    confidences = [p.confidence for p in predictions]
    results = {f"held-out {name}": report(f"held-out, {name}", truth, predicted)}
    sys.stdout.write(acceptance(truth, predicted, confidences, threshold_bp) + "\n")
    # A request written the same way as a training row says nothing about new requests.
    unseen = [i for i, e in enumerate(rows) if clean(e.text) not in trained_on]
    sys.stdout.write(f"{len(rows) - len(unseen)} of {len(rows)} held-out requests are also training rows\n")
    results[f"held-out {name}, unseen"] = report(
        f"held-out, {name}, without those also in training",
        [truth[i] for i in unseen],
        [predicted[i] for i in unseen],
    )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="Exit 1 when a language misses its macro-F1 target.")
    parser.add_argument("--skip-cv", action="store_true", help="Skip the cross-validation over dev.csv.")
    args = parser.parse_args(argv)

    train = training_examples()
    classes, probabilities = cross_validated(train)
    threshold_bp = threshold_from_predictions(train, classes, probabilities)
    model = TriageModel.train(train, threshold_bp=threshold_bp)
    sys.stdout.write(f"model {model.version}: trained on {len(train)} rows {model.meta['training_rows_by_source']}\n")
    sys.stdout.write(f"threshold chosen on cross-validated training predictions: {threshold_bp} bp\n")

    heldout = heldout_examples() + [e for e in own_examples() if e.split == "heldout"]
    trained_on = {clean(e.text) for e in train}
    results: dict[str, float] = {}
    for lang in LANGS:
        results.update(score_heldout(lang, [e for e in heldout if e.lang == lang], model, trained_on, threshold_bp))
    kinds = heldout_kind_examples()
    skipped = [kind for kind in HELDOUT_KINDS if kind not in kinds]
    for kind, rows in kinds.items():
        results.update(score_heldout(kind, rows, model, trained_on, threshold_bp))
    for kind in skipped:
        sys.stdout.write(f"\nheld-out {kind}: skipped, {heldout_kind_path(kind)} is not there\n")

    results.update(report_cv(train, classes, probabilities, threshold_bp=threshold_bp, full=True))

    if not args.skip_cv:
        dev = dev_examples()
        dev_classes, dev_probabilities = cross_validated(dev)
        predicted = [dev_classes[i] for i in dev_probabilities.argmax(axis=1)]
        confidences = dev_probabilities.max(axis=1).tolist()
        truth = [e.label for e in dev]
        results["dev.csv 5-fold CV"] = report("dev.csv, 5-fold stratified cross-validation", truth, predicted)
        sys.stdout.write(acceptance(truth, predicted, confidences, threshold_bp) + "\n")

    sys.stdout.write("\n=== summary: macro-F1 ===\n")
    missed = False
    for name, macro in results.items():
        target = TARGETS.get(name.removeprefix("held-out "))  # the whole held-out set, as it is
        verdict = (
            "" if target is None else (f"  target {target:.2f} met" if macro >= target else f"  BELOW {target:.2f}")
        )
        missed = missed or (target is not None and macro < target)
        sys.stdout.write(f"{name:<28} {macro:.4f}{verdict}\n")
    for kind in skipped:
        sys.stdout.write(f"{'held-out ' + kind:<28} skipped (no {kind}.csv; target {TARGETS[kind]:.2f})\n")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
