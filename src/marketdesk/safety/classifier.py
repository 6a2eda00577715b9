"""The message-safety model: character n-grams of the normalised text, a logistic regression.

It catches phrasing without an explicit contact ("just wire me the money", "давайте в личку")
that the patterns miss. Trained by ``python -m marketdesk.safety.train`` from
``data/safety/train.csv`` only (``data/safety/heldout.csv`` is never read there), saved as
``model/model.joblib`` + ``model/model.json``, loaded once per process, as the triage model is.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib  # type: ignore[import-untyped, unused-ignore]
import sklearn  # type: ignore[import-untyped, unused-ignore]
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped, unused-ignore]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped, unused-ignore]
from sklearn.pipeline import Pipeline  # type: ignore[import-untyped, unused-ignore]

from marketdesk.safety.normalize import normalize, respelled

#: Bump when features or hyperparameters change: it is part of the model's version.
CODE_VERSION = "1"
RANDOM_STATE = 1
POSITIVE = "off_platform"
# Chosen by 5-fold cross-validation on train.csv (see train.py), never on the held-out rows.
HYPERPARAMETERS: dict[str, Any] = {"C": 10.0, "char_ngrams": [2, 5], "threshold": 0.8}
MODEL_DIR = Path(__file__).resolve().parent / "model"
DATA_DIR = Path(__file__).resolve().parents[3] / "data" / "safety"
_DIGIT = re.compile(r"\d")
#: The model reads the first 2,000 characters (as triage does); the patterns read the whole message.
MODEL_CHARS = 2000


@dataclass(frozen=True, slots=True)
class Row:
    text: str
    label: str
    lang: str


def rows_read(name: str) -> list[Row]:
    """Return the labelled rows of ``data/safety/<name>.csv`` (train or heldout)."""
    with (DATA_DIR / f"{name}.csv").open(newline="", encoding="utf-8") as f:
        return [Row(r["text"], r["label"], r["lang"]) for r in csv.DictReader(f)]


def features(text: str) -> str:
    """Return what the model reads: the normalised text and its Cyrillic respelling, digits as one shape."""
    norm = normalize(text[: MODEL_CHARS * 2])[:MODEL_CHARS]
    both = f"{norm} | {respelled(norm)}"
    return _DIGIT.sub("0", both)


def build_pipeline() -> Pipeline:
    """Return the untrained pipeline."""
    low, high = HYPERPARAMETERS["char_ngrams"]
    return Pipeline(
        [
            ("tfidf", TfidfVectorizer(analyzer="char_wb", ngram_range=(low, high), sublinear_tf=True, min_df=1)),
            (
                "classifier",
                LogisticRegression(
                    C=HYPERPARAMETERS["C"], class_weight="balanced", max_iter=2000, random_state=RANDOM_STATE
                ),
            ),
        ]
    )


class SafetyModel:
    """A trained pipeline and its metadata; ``score`` answers the probability of leaving the platform."""

    def __init__(self, pipeline: Pipeline, meta: dict[str, Any]) -> None:
        self.pipeline = pipeline
        self.meta = meta
        self.threshold = float(meta["threshold"])
        self._positive = list(pipeline.classes_).index(POSITIVE)

    def scores(self, texts: Sequence[str]) -> list[float]:
        """Return each text's probability of trying to leave the platform."""
        if not texts:
            return []
        probabilities = self.pipeline.predict_proba([features(t) for t in texts])
        return [float(p[self._positive]) for p in probabilities]


def model_train(rows: Sequence[Row]) -> Pipeline:
    """Return a pipeline fitted on ``rows``."""
    return build_pipeline().fit([features(r.text) for r in rows], [r.label for r in rows])


def model_save(pipeline: Pipeline, *, rows: Sequence[Row], extra: dict[str, Any]) -> Path:
    """Write the artifact and its metadata (version from the data, code and hyperparameters)."""
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(
        json.dumps([CODE_VERSION, HYPERPARAMETERS, [(r.text, r.label) for r in rows]]).encode()
    ).hexdigest()[:12]
    joblib.dump(pipeline, MODEL_DIR / "model.joblib", compress=3)
    meta = {
        "version": digest,
        "code_version": CODE_VERSION,
        "hyperparameters": HYPERPARAMETERS,
        "threshold": HYPERPARAMETERS["threshold"],
        "trained_rows": len(rows),
        "sklearn": sklearn.__version__,
        "trained_on": dt.datetime.now(dt.UTC).date().isoformat(),
        **extra,
    }
    (MODEL_DIR / "model.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return MODEL_DIR


_lock = threading.Lock()
_model: SafetyModel | None = None


def model_get() -> SafetyModel:
    """Return the saved model, loaded once per process."""
    global _model  # noqa: PLW0603 (one model per process is the point)
    with _lock:
        if _model is None:
            meta = json.loads((MODEL_DIR / "model.json").read_text(encoding="utf-8"))
            _model = SafetyModel(joblib.load(MODEL_DIR / "model.joblib"), meta)
        return _model
