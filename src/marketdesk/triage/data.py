"""Where the examples come from: Bitext's dev.csv (mapped to our labels), our own, and the held-out set.

Paths resolve relative to the repository (``../shared/…`` beside the clone,
``data/triage/…`` inside it) and each can be overridden by an environment
variable. The held-out set lives in its own directory (``data/triage/heldout/``),
written by someone who never saw the training rows, and only the evaluation
reads it: :func:`training_examples` never opens that directory (and refuses to
run when the training files would be inside it). Rows of our own files marked
``split=heldout`` stay out of training too and are evaluated with the set.
Beside its en.csv and ru.csv the directory may hold sets of one kind of writing
(:data:`HELDOUT_KINDS`: Russian in Latin letters, Russian mixed with English),
each scored on its own and never added to the "ru" scores.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

from marketdesk.triage.labels import LABELS

REPO_DIR = Path(__file__).resolve().parents[3]
SPLITS = ("train", "heldout")
LANGS = ("en", "ru")
#: Held-out sets of one kind of writing, by file name (without .csv) → language.
HELDOUT_KINDS = {"ru-translit": "ru", "ru-mixed": "ru"}


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


def heldout_dir() -> Path:
    """Return the directory of the held-out en.csv and ru.csv (env ``MARKETDESK_TRIAGE_HELDOUT_DIR``)."""
    default = REPO_DIR / "data" / "triage" / "heldout"
    return Path(os.environ.get("MARKETDESK_TRIAGE_HELDOUT_DIR", default)).resolve()


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


def _read(path: Path, lang: str, *, split: str | None = None, source: str = "own") -> list[Example]:
    """Read one of our CSV files (text, label, lang, split, provenance); ``split`` overrides the column."""
    examples: list[Example] = []
    with path.open(newline="", encoding="utf-8") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            text, label = row["text"].strip(), row["label"].strip()
            row_split = split or (row.get("split") or "").strip()
            if label not in LABELS or row_split not in SPLITS:
                raise ValueError(f"{path}:{line}: unknown label {label!r} or split {row_split!r}")
            if text:
                examples.append(Example(text, label, (row.get("lang") or lang).strip(), row_split, source))
    return examples


def own_examples(directory: Path | None = None) -> list[Example]:
    """Return our own examples of both languages, training rows and any marked held-out alike."""
    directory = directory or own_data_dir()
    return [e for lang in LANGS for e in _read(directory / f"{lang}.csv", lang)]


def heldout_examples(directory: Path | None = None) -> list[Example]:
    """Return the held-out set (every row of its files, whatever their split column says): evaluation only."""
    directory = directory or heldout_dir()
    return [e for lang in LANGS for e in _read(directory / f"{lang}.csv", lang, split="heldout", source="heldout")]


def heldout_kind_path(kind: str, directory: Path | None = None) -> Path:
    """Return where the held-out set of one kind of writing is (``ru-translit.csv``, ``ru-mixed.csv``)."""
    return (directory or heldout_dir()) / f"{kind}.csv"


def heldout_kind_examples(directory: Path | None = None) -> dict[str, list[Example]]:
    """Return each held-out set of one kind of writing that is present, by kind: evaluation only."""
    paths = {kind: heldout_kind_path(kind, directory) for kind in HELDOUT_KINDS}
    return {
        kind: _read(path, HELDOUT_KINDS[kind], split="heldout", source="heldout")
        for kind, path in paths.items()
        if path.exists()
    }


def training_examples() -> list[Example]:
    """Return every row the model may learn from: dev.csv and our own training rows, never held-out ones."""
    own_dir, held = own_data_dir(), heldout_dir()
    if own_dir == held or held in own_dir.parents:
        raise ValueError(f"the training data {own_dir} is inside the held-out directory {held}")
    return dev_examples() + [e for e in own_examples(own_dir) if e.split == "train"]
