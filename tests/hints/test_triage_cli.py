"""``marketdesk triage``: one JSON line per input line, in order, whatever the lines hold."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

from marketdesk.triage.stream import triage_stream

MANAGE = Path(__file__).resolve().parents[2] / "manage.py"

MIXED = [
    b"where is my order",
    b"",
    "посылка пришла разбитая, что делать".encode(),
    "😀😀😀".encode(),
    b"x" * 20_000,
    b"<script>alert(1)</script><b>hi</b>",
    b"'; DROP TABLE orders; --",
    b"\xff\xfe\xfa broken utf-8 \xc3",
    b"i want to cancel my order\r",
]


def _run(lines: list[bytes], *, batch_size: int = 3) -> list[dict]:
    out = io.BytesIO()
    count = triage_stream(io.BytesIO(b"\n".join(lines) + b"\n"), out, batch_size=batch_size)
    answers = [json.loads(line) for line in out.getvalue().decode("utf-8").splitlines()]
    assert count == len(answers)
    return answers


def test_every_line_gets_one_answer_in_input_order(triage_model):
    answers = _run(MIXED)

    assert len(answers) == len(MIXED)
    assert [a["label"] for a in answers] == [
        "order_status",
        "other",
        "item_problem",
        "other",
        "other",
        "other",
        "other",
        answers[7]["label"],  # replaced bytes: any valid answer
        "cancel_order",
    ]
    assert [a["lang"] for a in answers][:3] == ["en", "en", "ru"]


def test_each_answer_has_the_documented_shape(triage_model):
    for answer in _run(MIXED):
        assert set(answer) == {"label", "confidence", "lang", "alternatives"}
        assert isinstance(answer["confidence"], float)
        assert answer["lang"] in ("en", "ru")
        assert all(isinstance(label, str) and isinstance(p, float) for label, p in answer["alternatives"])


def test_many_lines_across_batches_keep_their_count_and_order(triage_model):
    lines = [b"where is my order", b"cancel my order please"] * 300

    answers = _run(lines, batch_size=256)

    assert len(answers) == 600
    assert [a["label"] for a in answers[:4]] == ["order_status", "cancel_order", "order_status", "cancel_order"]


def test_the_console_command_reads_stdin_and_writes_json_lines():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "marketdesk.settings", "MARKETDESK_LOG_LEVEL": "WARNING"}

    proc = subprocess.run(
        [sys.executable, str(MANAGE), "triage"], input=b"\n".join(MIXED), capture_output=True, env=env, timeout=120
    )

    assert proc.returncode == 0, proc.stderr.decode()
    answers = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    assert len(answers) == len(MIXED)
    assert answers[2]["label"] == "item_problem"
