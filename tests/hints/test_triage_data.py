"""Triage data: the held-out set is never trained on, by construction and in the committed files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from marketdesk.triage.data import heldout_examples, heldout_kind_examples, own_examples, training_examples
from marketdesk.triage.text import clean

HEADER = ["text", "label", "lang", "split", "provenance"]


def _write(path: Path, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([HEADER, *rows])


@pytest.fixture
def data_dirs(tmp_path, monkeypatch) -> tuple[Path, Path]:
    """A tiny dev.csv, our own en/ru files and a held-out directory, wired through the environment."""
    bitext = tmp_path / "bitext"
    bitext.mkdir()
    (bitext / "intent-map.csv").write_text("bitext_intent,triage_label\ntrack_order,order_status\n", encoding="utf-8")
    (bitext / "dev.csv").write_text("instruction,intent\nwhere is my package,track_order\n", encoding="utf-8")
    own, held = tmp_path / "triage", tmp_path / "triage" / "heldout"
    _write(own / "en.csv", [["cancel my order", "cancel_order", "en", "train", "test"]])
    _write(own / "ru.csv", [["отмените заказ", "cancel_order", "ru", "train", "test"]])
    monkeypatch.setenv("MARKETDESK_TRIAGE_DEV_CSV", str(bitext / "dev.csv"))
    monkeypatch.setenv("MARKETDESK_TRIAGE_DATA_DIR", str(own))
    monkeypatch.setenv("MARKETDESK_TRIAGE_HELDOUT_DIR", str(held))
    return own, held


def test_training_never_opens_the_heldout_directory(data_dirs):
    _own, held = data_dirs
    # Rows that would fail to parse: reading them at all would raise.
    _write(held / "en.csv", [["never train on me", "no_such_label", "en", "heldout", "test"]])

    texts = [e.text for e in training_examples()]

    assert texts == ["where is my package", "cancel my order", "отмените заказ"]


def test_the_heldout_files_are_read_whole_as_heldout_rows(data_dirs):
    _own, held = data_dirs
    _write(held / "en.csv", [["stop my order", "cancel_order", "en", "train", "test"]])
    _write(held / "ru.csv", [["где посылка", "order_status", "ru", "heldout", "test"]])

    rows = [(e.text, e.split, e.lang) for e in heldout_examples()]

    assert rows == [("stop my order", "heldout", "en"), ("где посылка", "heldout", "ru")]
    assert "stop my order" not in {e.text for e in training_examples()}


def test_own_rows_marked_heldout_stay_out_of_training(data_dirs):
    own, _held = data_dirs
    _write(own / "en.csv", [["cancel my order", "cancel_order", "en", "heldout", "test"]])

    assert "cancel my order" not in {e.text for e in training_examples()}
    assert [e.split for e in own_examples() if e.lang == "en"] == ["heldout"]


def test_training_data_inside_the_heldout_directory_is_refused(data_dirs, monkeypatch):
    _own, held = data_dirs
    _write(held / "en.csv", [["cancel my order", "cancel_order", "en", "train", "test"]])
    _write(held / "ru.csv", [["отмените заказ", "cancel_order", "ru", "train", "test"]])
    monkeypatch.setenv("MARKETDESK_TRIAGE_DATA_DIR", str(held))

    with pytest.raises(ValueError, match="inside the held-out directory"):
        training_examples()


def test_no_heldout_text_is_in_our_own_training_rows():
    # Our own rows (Bitext's dev.csv lives outside the repository; `make eval-triage` counts overlap with it too).
    training = {clean(e.text) for e in own_examples() if e.split == "train"}
    heldout = [clean(e.text) for e in heldout_examples()]

    overlapping = sum(1 for text in heldout if text in training)

    # Only a count: the held-out texts are not to be read while the model is being tuned.
    assert overlapping == 0, f"{overlapping} held-out texts are also training rows"


def test_no_transliterated_or_mixed_heldout_text_is_in_our_own_training_rows():
    # ru-translit.csv and ru-mixed.csv, once the lead places them in data/triage/heldout/ (none is there yet).
    training = {clean(e.text) for e in own_examples() if e.split == "train"}
    heldout = [clean(e.text) for rows in heldout_kind_examples().values() for e in rows]

    overlapping = sum(1 for text in heldout if text in training)

    assert overlapping == 0, f"{overlapping} transliterated or mixed held-out texts are also training rows"
