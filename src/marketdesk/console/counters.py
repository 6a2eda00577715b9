"""The queue's counts (``QueueCount``): recounted from the rows, compared with the kept ones, repaired.

The triggers of migration ``console.0006_queue_counts`` keep the counts; this module is the check that
they did (a test after a random workload, ``marketdesk queue_counts_check`` in production).
"""

from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.db.models import Count, F, Value
from django.db.models.functions import Coalesce

from marketdesk.cases.models import Case
from marketdesk.console.models import QueueCount
from marketdesk.core.deadlines import NO_DEADLINE
from marketdesk.returns.models import Return

Key = tuple[int, str, str, int, int]


def queue_counts_recount() -> Counter[Key]:
    """Return every (marketplace, kind, status, assignee, running) count recounted from the rows (two queries)."""
    found: Counter[Key] = Counter()
    cases = (
        Case.objects.order_by()
        .values(mp=F("shop__marketplace_id"), st=F("status"), who=Coalesce("assignee_id", Value(0)))
        .annotate(n=Count("id"))
    )
    for row in cases:
        found[(row["mp"], "case", row["st"], row["who"], 1)] += row["n"]
    returns = (
        Return.objects.order_by()
        .values(mp=F("shop__marketplace_id"), st=F("status"), due=F("queue_due_at"))
        .annotate(n=Count("id"))
    )
    for ret in returns:
        found[(ret["mp"], "return", ret["st"], 0, int(ret["due"] < NO_DEADLINE))] += ret["n"]
    return found


def queue_counts_kept() -> Counter[Key]:
    """Return the kept counts, without the keys that are down to zero."""
    rows = QueueCount.objects.filter(n__gt=0) | QueueCount.objects.filter(n__lt=0)
    return Counter({(r.marketplace_id, r.kind, r.status, r.assignee_id, r.running): r.n for r in rows.order_by("pk")})


def queue_counts_drift() -> dict[Key, tuple[int, int]]:
    """Return each key whose kept count differs from a recount, as (kept, recounted); empty when exact."""
    kept, recounted = queue_counts_kept(), queue_counts_recount()
    return {
        key: (kept[key], recounted[key])
        for key in sorted(kept.keys() | recounted.keys())
        if kept[key] != recounted[key]
    }


def queue_counts_repair() -> int:
    """Rewrite the kept counts from a recount (under a lock of the table's rows); return the keys written."""
    with transaction.atomic():
        list(QueueCount.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
        recounted = queue_counts_recount()
        QueueCount.objects.all().delete()
        QueueCount.objects.bulk_create(
            QueueCount(marketplace_id=mp, kind=kind, status=status, assignee_id=who, running=running, n=n)
            for (mp, kind, status, who, running), n in recounted.items()
        )
    return len(recounted)
