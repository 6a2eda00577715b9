"""A task whose worker died runs again after the lease, or is marked failed: never RUNNING for ever."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from marketdesk.core.task_recovery import tasks_recover_stale
from tests.conftest import NOW
from tests.processes import process_stop

pytestmark = pytest.mark.django_db

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]
LEASE = dt.timedelta(minutes=10)


def running_row(*, started: dt.timedelta, workers: int) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        started_at=NOW - started,
        worker_ids=[f"worker-{n}" for n in range(workers)],
        task_path="marketdesk.core.tasks.sweep_outbox",
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        run_after=NOW - started,
    )


def test_a_task_running_past_the_lease_is_made_ready_again(frozen_clock, settings):
    # given: one task whose worker vanished 11 minutes ago, one started 9 minutes ago
    settings.TASK_LEASE, settings.TASK_MAX_ATTEMPTS = LEASE, 3
    lost = running_row(started=dt.timedelta(minutes=11), workers=1)
    busy = running_row(started=dt.timedelta(minutes=9), workers=1)
    # when
    recovered = tasks_recover_stale()
    # then
    assert (recovered.retried, recovered.failed) == (1, 0)
    lost.refresh_from_db()
    busy.refresh_from_db()
    assert (lost.status, busy.status) == (TaskResultStatus.READY, TaskResultStatus.RUNNING)


def test_a_task_that_lost_its_worker_on_every_attempt_is_marked_failed(frozen_clock, settings):
    # given: the third worker to take it vanished too
    settings.TASK_LEASE, settings.TASK_MAX_ATTEMPTS = LEASE, 3
    row = running_row(started=dt.timedelta(minutes=11), workers=3)
    # when
    recovered = tasks_recover_stale()
    # then
    assert (recovered.retried, recovered.failed) == (0, 1)
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "marketdesk.core.task_recovery.WorkerLost"
    assert "3 times" in row.traceback


def _manage(env: dict[str, str], code: str) -> str:
    done = subprocess.run(
        [str(BIN / "marketdesk"), "shell", "--no-startup", "--no-imports", "-c", code],
        env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("a") as out:
        return subprocess.Popen(
            [str(BIN / "marketdesk"), "db_worker", "--no-reload", "--interval", "0.2"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def _wait_for(condition, what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {seconds} s"
        time.sleep(0.2)


def test_a_worker_killed_mid_task_leaves_a_task_that_another_worker_finishes(tmp_path):
    # given: a database of its own, shared by real worker processes, and a task that hangs the first time
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env |= {"MARKETDESK_VAR_DIR": str(tmp_path), "PYTHONPATH": str(ROOT), "MARKETDESK_TASK_LEASE_SECONDS": "0"}
    subprocess.run([str(BIN / "marketdesk"), "migrate", "-v0"], env=env, timeout=300, check=True)
    marker = tmp_path / "started"
    task_id = _manage(
        env, f"from tests.task_samples import hang_first_time; print(hang_first_time.enqueue({str(marker)!r}).id)"
    )
    row = f"from django_tasks_db.models import DBTaskResult as R; r = R.objects.get(pk={task_id!r}); "
    first = _worker(env, tmp_path / "worker.log")
    _wait_for(marker.exists, "the first worker started the task")
    # when the worker is killed mid-task (as the OOM killer would), and the stale task is recovered
    first.kill()
    first.wait(timeout=30)
    assert _manage(env, row + "print(r.status, len(r.worker_ids))") == "RUNNING 1"
    assert _manage(env, "from marketdesk.core.task_recovery import tasks_recover_stale as t; print(t())") == (
        "Recovered(retried=1, failed=0)"
    )
    # then another worker runs it to the end, and the row counts two attempts
    second = _worker(env, tmp_path / "worker.log")
    try:
        _wait_for(lambda: _manage(env, row + "print(r.status)") == "SUCCESSFUL", "the second worker finished it")
    finally:
        process_stop(second)
    assert _manage(env, row + "print(r.status, len(r.worker_ids), r.return_value)") == "SUCCESSFUL 2 finished"
