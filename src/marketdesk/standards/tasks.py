"""Standards work in the background (Django's tasks API): the nightly run and on-demand jobs."""

from __future__ import annotations

import datetime as dt

from django.tasks import task

from marketdesk.core.periodic import periodic
from marketdesk.standards.services import standards_job_run, standards_nightly


@periodic(every=dt.timedelta(days=1))
@task(queue_name="long")
def compute_standards_nightly() -> int:
    """Compute today's standards of every shop; return the job's id (its progress is on the standards page)."""
    return standards_nightly().pk


@task(queue_name="long")
def run_standards_job(job_id: int) -> int:
    """Run one queued standards job (one shop, or all of a marketplace's); return how many shops it did."""
    return standards_job_run(job_id).done
