"""Where the training examples come from: Bitext's dev.csv (mapped to our labels) and our own.

Paths resolve relative to the repository (``../shared/…`` beside the clone,
``data/triage/…`` inside it) and each can be overridden by an environment
variable. Held-out rows of our own examples are read only by the evaluation.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

from marketdesk.hints.triage.labels import LABELS

REPO_DIR = Path(__file__).resolve().parents[4]
SPLITS = ("train", "heldout")
LANGS = ("en", "ru")


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: str
    lang: str
    split: str
    source: str


def dev_csv_path() -> Path:
    """Return Bitext's dev.csv (env ``MARKETDESK_TRIAGE_DEV_CSV``)."""
    default = REPO_DIR / ".." / "shared" / "data" / "bitext-customer-support" / "dev.csv"
    return Path(os.environ.get("MARKETDESK_TRIAGE_DEV_CSV", default)).resolve()


def own_data_dir() -> Path:
    """Return the directory of our own en.csv and ru.csv (env ``MARKETDESK_TRIAGE_DATA_DIR``)."""
    return Path(os.environ.get("MARKETDESK_TRIAGE_DATA_DIR", REPO_DIR / "data" / "triage")).resolve()


def intent_map(path: Path) -> dict[str, str]:
    """Read intent-map.csv: Bitext intent → triage label (intents it does not name are skipped)."""
    with path.open(newline="", encoding="utf-8") as f:
        mapping = {row["bitext_intent"].strip(): row["triage_label"].strip() for row in csv.DictReader(f)}
    unknown = set(mapping.values()) - set(LABELS)
    if unknown:
        raise ValueError(f"{path}: labels not in the triage label set: {sorted(unknown)}")
    return mapping


def dev_examples(path: Path | None = None) -> list[Example]:
    """Return dev.csv's rows mapped to triage labels (all English, all for training)."""
    path = path or dev_csv_path()
    mapping = intent_map(path.with_name("intent-map.csv"))
    with path.open(newline="", encoding="utf-8") as f:
        return [
            Example(row["instruction"], mapping[row["intent"]], "en", "train", "bitext")
            for row in csv.DictReader(f)
            if row["intent"] in mapping and row["instruction"].strip()
        ]


def own_examples(directory: Path | None = None) -> list[Example]:
    """Return our own examples of both languages, training and held-out rows alike."""
    directory = directory or own_data_dir()
    examples: list[Example] = []
    for lang in LANGS:
        path = directory / f"{lang}.csv"
        with path.open(newline="", encoding="utf-8") as f:
            for line, row in enumerate(csv.DictReader(f), start=2):
                text, label, split = row["text"].strip(), row["label"].strip(), row["split"].strip()
                if label not in LABELS or split not in SPLITS:
                    raise ValueError(f"{path}:{line}: unknown label {label!r} or split {split!r}")
                if text:
                    examples.append(Example(text, label, (row.get("lang") or lang).strip(), split, "own"))
    return examples


def training_examples() -> list[Example]:
    """Return every row the model may learn from: dev.csv and our own training rows, never held-out ones."""
    return dev_examples() + [e for e in own_examples() if e.split == "train"]
