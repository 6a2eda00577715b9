"""Periodic tasks: each is enqueued once per interval, whoever runs the scheduler."""

from __future__ import annotations

import datetime as dt

import pytest
from django_tasks_db.models import DBTaskResult

from marketdesk.core.periodic import periodic_enqueue_due, registered_periodic

pytestmark = pytest.mark.django_db

EXPECTED = {
    "marketdesk.accounts.tasks.purge_handoff_tokens": dt.timedelta(hours=1),
    "marketdesk.attachments.tasks.purge_unclaimed_attachments": dt.timedelta(hours=1),
    "marketdesk.api.tasks.purge_idempotency_records": dt.timedelta(hours=6),
    "marketdesk.cases.tasks.close_finished_cases": dt.timedelta(hours=1),
    "marketdesk.cases.tasks.escalate_cases_of_suspended_sellers": dt.timedelta(hours=1),
    "marketdesk.cases.tasks.expire_idle_cases": dt.timedelta(hours=1),
    "marketdesk.console.tasks.ask_satisfaction": dt.timedelta(minutes=15),
    "marketdesk.console.tasks.assign_escalated_cases": dt.timedelta(minutes=5),
    "marketdesk.console.tasks.roll_dashboard_days": dt.timedelta(hours=1),
    "marketdesk.core.tasks.recover_stale_tasks": dt.timedelta(minutes=1),
    "marketdesk.core.tasks.sweep_outbox": dt.timedelta(minutes=1),
    "marketdesk.ledger.tasks.ledger_resend_unacknowledged": dt.timedelta(hours=1),
    "marketdesk.live.tasks.prune_live_events": dt.timedelta(minutes=10),
    "marketdesk.notifications.tasks.send_daily_digests": dt.timedelta(days=1),
    "marketdesk.returns.tasks.approve_silent_returns": dt.timedelta(minutes=15),
    "marketdesk.returns.tasks.refund_late_returns": dt.timedelta(minutes=15),
    "marketdesk.returns.tasks.remind_and_lapse_returns": dt.timedelta(minutes=15),
    "marketdesk.risk.tasks.compute_risk_signals": dt.timedelta(days=1),
    "marketdesk.standards.tasks.compute_standards_nightly": dt.timedelta(days=1),
    "marketdesk.shipping.tasks.recompute_shipment_flags": dt.timedelta(hours=1),
}


def queued() -> list[str]:
    return sorted(DBTaskResult.objects.values_list("task_path", flat=True))


def test_every_periodic_task_is_registered_with_its_interval():
    assert {name: job.every for name, job in registered_periodic().items()} == EXPECTED


def test_first_run_enqueues_every_task_once(frozen_clock, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        names = periodic_enqueue_due()

    assert (sorted(names), queued()) == (sorted(EXPECTED), sorted(EXPECTED))


def test_a_second_run_within_the_interval_enqueues_nothing(frozen_clock, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        periodic_enqueue_due()
        frozen_clock.advance(dt.timedelta(seconds=59))
        again = periodic_enqueue_due()

    assert again == []


def test_after_an_interval_only_the_due_tasks_are_enqueued(frozen_clock, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        periodic_enqueue_due()
        frozen_clock.advance(dt.timedelta(hours=1))
        due = periodic_enqueue_due()

    assert sorted(due) == sorted(name for name, every in EXPECTED.items() if every <= dt.timedelta(hours=1))
