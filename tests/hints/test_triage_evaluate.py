"""`make eval-triage`: the transliterated and mixed held-out sets are scored apart, or skipped when absent."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from marketdesk.triage import evaluate
from marketdesk.triage.data import heldout_examples, heldout_kind_examples, training_examples

HEADER = ["text", "label", "lang", "split", "provenance"]
SYNTHETIC = "synthetic, tests/hints/test_triage_evaluate.py"


def _write(path: Path, rows: list[tuple[str, str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([HEADER, *([text, label, lang, "heldout", SYNTHETIC] for text, label, lang in rows)])


def _train_rows(lang: str, texts: dict[str, list[str]]) -> list[tuple[str, str, str]]:
    return [(text, label, lang) for label, items in texts.items() for text in items]


@pytest.fixture
def triage_files(tmp_path, monkeypatch) -> Path:
    """Tiny training files (five rows per source, language and label: enough for 5 folds) and a held-out directory."""
    bitext = tmp_path / "bitext"
    bitext.mkdir()
    (bitext / "intent-map.csv").write_text(
        "bitext_intent,triage_label\ntrack_order,order_status\ncancel_order,cancel_order\n", encoding="utf-8"
    )
    dev = ["where is my package", "track my parcel", "where is my order", "status of my order", "track order"]
    dev_cancel = ["cancel my order", "cancel the purchase", "cancel order now", "i cancel my order", "stop order"]
    (bitext / "dev.csv").write_text(
        "instruction,intent\n"
        + "".join(f"{t},track_order\n" for t in dev)
        + "".join(f"{t},cancel_order\n" for t in dev_cancel),
        encoding="utf-8",
    )
    own, held = tmp_path / "triage", tmp_path / "heldout"
    en = {
        "order_status": [
            "where is my parcel",
            "parcel not here",
            "when will it arrive",
            "tracking stuck",
            "late order",
        ],
        "cancel_order": ["cancel it please", "i want to cancel", "please cancel order", "cancel now", "cancel that"],
    }
    ru = {
        "order_status": ["где посылка", "посылка не пришла", "когда привезут", "где мой заказ", "заказ не пришел"],
        "cancel_order": ["отмените заказ", "хочу отменить", "отмена заказа", "отмените пожалуйста", "отменить заказ"],
    }
    for lang, texts in (("en", en), ("ru", ru)):
        path = own / f"{lang}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as f:
            rows = ([text, label, lang, "train", SYNTHETIC] for text, label, lang in _train_rows(lang, texts))
            csv.writer(f).writerows([HEADER, *rows])
    _write(held / "en.csv", [("where is my stuff", "order_status", "en"), ("cancel my stuff", "cancel_order", "en")])
    _write(held / "ru.csv", [("где мои вещи", "order_status", "ru"), ("отмените вещи", "cancel_order", "ru")])
    monkeypatch.setenv("MARKETDESK_TRIAGE_DEV_CSV", str(bitext / "dev.csv"))
    monkeypatch.setenv("MARKETDESK_TRIAGE_DATA_DIR", str(own))
    monkeypatch.setenv("MARKETDESK_TRIAGE_HELDOUT_DIR", str(held))
    return held


TRANSLIT = [
    ("gde moya posylka", "order_status", "ru"),
    ("otmenite zakaz", "cancel_order", "ru"),
    ("posylka ne prishla", "order_status", "ru"),
]
MIXED = [("где мой order", "order_status", "ru"), ("хочу cancel заказа", "cancel_order", "ru")]


def test_the_transliterated_and_mixed_sets_are_scored_apart_with_their_target(triage_files, capsys):
    _write(triage_files / "ru-translit.csv", TRANSLIT)
    _write(triage_files / "ru-mixed.csv", MIXED)

    evaluate.main(["--skip-cv"])

    out = capsys.readouterr().out
    assert "=== held-out, ru: 2 requests ===" in out
    assert "=== held-out, ru-translit: 3 requests ===" in out
    assert "=== held-out, ru-mixed: 2 requests ===" in out
    summary = out.split("=== summary: macro-F1 ===")[1]
    assert re.search(r"^held-out ru-translit +\d\.\d{4}  (target 0\.85 met|BELOW 0\.85)$", summary, re.MULTILINE)
    assert re.search(r"^held-out ru-mixed +\d\.\d{4}  (target 0\.85 met|BELOW 0\.85)$", summary, re.MULTILINE)
    assert re.search(r"^held-out ru +\d\.\d{4}  (target 0\.92 met|BELOW 0\.92)$", summary, re.MULTILINE)


def test_an_absent_set_is_skipped_with_a_line_saying_so(triage_files, capsys):
    _write(triage_files / "ru-translit.csv", TRANSLIT)

    evaluate.main(["--skip-cv"])

    out = capsys.readouterr().out
    assert f"held-out ru-mixed: skipped, {triage_files / 'ru-mixed.csv'} is not there" in out
    assert re.search(r"^held-out ru-mixed +skipped \(no ru-mixed\.csv; target 0\.85\)$", out, re.MULTILINE)
    assert "=== held-out, ru-mixed" not in out


def test_the_kind_sets_are_neither_training_rows_nor_ru_heldout_rows(triage_files):
    _write(triage_files / "ru-translit.csv", TRANSLIT)
    _write(triage_files / "ru-mixed.csv", MIXED)

    training = {e.text for e in training_examples()}
    heldout_ru = [e.text for e in heldout_examples() if e.lang == "ru"]
    kinds = {kind: [e.text for e in rows] for kind, rows in heldout_kind_examples().items()}

    assert training.isdisjoint({text for text, _label, _lang in TRANSLIT + MIXED})
    assert heldout_ru == ["где мои вещи", "отмените вещи"]
    assert kinds == {"ru-translit": [t for t, _l, _g in TRANSLIT], "ru-mixed": [t for t, _l, _g in MIXED]}
