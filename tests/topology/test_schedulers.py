"""Two schedulers at once against PostgreSQL: each periodic task is still enqueued once per period."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from marketdesk.core.models import PeriodicRun
from marketdesk.core.periodic import registered_periodic
from tests.topology.conftest import eventually

pytestmark = pytest.mark.topology

SWEEP = "marketdesk.core.tasks.sweep_outbox"


def enqueued_since(logs: dict[Path, int]) -> Counter[str]:
    """Count the "enqueued NAME" lines the schedulers wrote past the given offsets of their logs."""
    counts: Counter[str] = Counter()
    for log, offset in logs.items():
        with log.open("rb") as f:
            f.seek(offset)
            counts.update(re.findall(r"^enqueued (\S+)$", f.read().decode(), flags=re.MULTILINE))
    return counts


def test_two_schedulers_enqueue_each_periodic_task_once_per_period(topology, orm):
    # given a second scheduler running beside the topology's own, both looping every second
    second = topology.scheduler_start("scheduler-2")
    try:
        schedulers = [topology.processes["scheduler"], second]
        eventually(lambda: "scheduling every" in second.log.read_text(), what="scheduler-2 looping")
        slow = sorted(name for name, job in registered_periodic().items() if job.every.total_seconds() >= 600)

        # when every periodic task falls due at the same moment for both of them
        offsets = {process.log: process.log.stat().st_size for process in schedulers}
        PeriodicRun.objects.all().delete()

        # then, once both have looped several times since, each task was enqueued by one of them, once
        eventually(lambda: all(enqueued_since(offsets)[name] for name in slow), what="every task enqueued again")
        eventually(lambda: enqueued_since(offsets)[SWEEP] >= 4, what="both schedulers looping on")
        counts = enqueued_since(offsets)
        assert {name: counts[name] for name in slow} == dict.fromkeys(slow, 1)
    finally:
        second.stop()
