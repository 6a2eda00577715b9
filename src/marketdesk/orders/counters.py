"""The order counts (``OrderCount``): recounted from the orders, compared with the kept ones, repaired.

The triggers of migration ``orders.0004_order_counts`` keep the counts; this module is the check that they did
(a test after a random workload, ``marketdesk order_counts_check`` in production).
"""

from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.db.models import Count

from marketdesk.orders.models import Order, OrderCount

Key = tuple[str, int]
COLUMNS = {"buyer": "buyer_id", "shop": "shop_id"}


def order_counts_recount() -> Counter[Key]:
    """Return every (kind, owner) count recounted from the orders (two queries)."""
    found: Counter[Key] = Counter()
    for kind, column in COLUMNS.items():
        for owner, n in Order.objects.order_by().values_list(column).annotate(n=Count("id")):
            found[(kind, owner)] = n
    return found


def order_counts_kept() -> Counter[Key]:
    """Return the kept counts, without the keys that are down to zero."""
    rows = OrderCount.objects.exclude(n=0).order_by("pk").values_list("kind", "owner_id", "n")
    return Counter({(kind, owner): n for kind, owner, n in rows})


def order_counts_drift() -> dict[Key, tuple[int, int]]:
    """Return each key whose kept count differs from a recount, as (kept, recounted); empty when exact."""
    kept, recounted = order_counts_kept(), order_counts_recount()
    return {
        key: (kept[key], recounted[key])
        for key in sorted(kept.keys() | recounted.keys())
        if kept[key] != recounted[key]
    }


def order_counts_repair() -> int:
    """Rewrite the kept counts from a recount (under a lock of the table's rows); return the keys written."""
    with transaction.atomic():
        list(OrderCount.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
        recounted = order_counts_recount()
        OrderCount.objects.all().delete()
        OrderCount.objects.bulk_create(
            (OrderCount(kind=kind, owner_id=owner, n=n) for (kind, owner), n in recounted.items()), batch_size=5000
        )
    return len(recounted)
