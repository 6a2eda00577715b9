"""Time returns: label generation (PDF + PNG) and full lifecycles (request → receipt → inspection → refund).

Runs against the database in DATABASE_URL (after ``migrate``), in its own
marketplace, through the services only:

* Labels: ``--labels`` labels of one approved return, each drawn once and saved
  as PNG and as PDF; ms per label (both formats) and labels per second.
* Lifecycles: ``--lifecycles`` returns, each requested (in policy, so approved at
  once), received by its code and inspected with a full refund recorded in the
  ledger; returns per second, and the queries of one lifecycle.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from typing import Any

from _common import django_setup, emit, percentile


def main() -> None:  # noqa: PLR0915 - one scenario, read top to bottom
    parser = argparse.ArgumentParser()
    parser.add_argument("--labels", type=int, default=200, help="Labels drawn (default 200).")
    parser.add_argument("--lifecycles", type=int, default=200, help="Return lifecycles timed (default 200).")
    args = parser.parse_args()
    django_setup()

    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from marketdesk.accounts.models import MembershipRole, ShopMembership, User, UserRole
    from marketdesk.core import clock
    from marketdesk.core.actors import Actor
    from marketdesk.orders.models import Marketplace, Order, OrderLine, Payment, PaymentStatus, Shop
    from marketdesk.orders.states import OrderStatus
    from marketdesk.returns.labels import label_draw
    from marketdesk.returns.models import Return, ReturnReason
    from marketdesk.returns.services.inspection import LineInspection, return_inspect
    from marketdesk.returns.services.receipt import return_receive
    from marketdesk.returns.services.requesting import return_request

    run = time.time_ns()
    marketplace = Marketplace.objects.create(slug=f"bench-returns-{run}", name="Bench returns")
    password = make_password(None)

    def person(role: str, name: str) -> User:
        return User.objects.create(
            username=f"bench-r-{run}-{name}", role=role, marketplace=marketplace, display_name=name, password=password
        )

    shop = Shop.objects.create(marketplace=marketplace, external_id=f"bench-r-{run}", name="Bench shop")
    buyer = Actor.for_user(person(UserRole.BUYER, "buyer"))
    seller_user = person(UserRole.SELLER, "seller")
    ShopMembership.objects.create(user=seller_user, shop=shop, role=MembershipRole.OWNER)
    seller = Actor.for_user(seller_user)

    now = clock.now()
    wanted = args.lifecycles + 2  # one for the labels, one counted
    orders = Order.objects.bulk_create(
        Order(
            marketplace=marketplace,
            external_id=f"bench-r-{run}-{n}",
            buyer=buyer.user,
            shop=shop,
            status=OrderStatus.DELIVERED,
            currency="GBP",
            total_minor=2500,
            placed_at=now - dt.timedelta(days=10),
            delivered_at=now - dt.timedelta(days=3),
            content_hash="bench",
        )
        for n in range(wanted)
    )
    orders = list(Order.objects.filter(marketplace=marketplace).order_by("id"))
    OrderLine.objects.bulk_create(
        OrderLine(order=o, external_id="L1", title="Wool scarf", quantity=1, unit_price_minor=2500, total_minor=2500)
        for o in orders
    )
    Payment.objects.bulk_create(
        Payment(
            order=o,
            external_id=f"bench-r-{o.pk}",
            method="card",
            amount_minor=2500,
            currency="GBP",
            status=PaymentStatus.CAPTURED,
        )
        for o in orders
    )
    lines = dict(OrderLine.objects.filter(order__in=orders).values_list("order_id", "pk"))

    def lifecycle(order: Order) -> Return:
        ret = return_request(actor=buyer, order=order, lines={lines[order.pk]: 1}, reason=ReturnReason.DOESNT_FIT)
        return_receive(actor=seller, code=ret.code)
        results = {rl.pk: LineInspection(accepted=rl.quantity, condition="as_new") for rl in ret.lines.all()}
        return return_inspect(actor=seller, ret=ret, results=results)

    # Labels: one approved return, drawn again and again (what a download does).
    label_order, counted_order, *timed = orders
    ret = return_request(
        actor=buyer, order=label_order, lines={lines[label_order.pk]: 1}, reason=ReturnReason.DOESNT_FIT
    )
    ret = Return.objects.select_related("order", "shop").prefetch_related("lines__order_line").get(pk=ret.pk)
    label_draw(ret).pdf()  # warm-up: fonts and codecs load once
    label_ms: list[float] = []
    pdf_bytes = png_bytes = 0
    began_all = time.perf_counter()
    for _ in range(args.labels):
        began = time.perf_counter()
        label = label_draw(ret)
        pdf_bytes, png_bytes = len(label.pdf()), len(label.png())
        label_ms.append((time.perf_counter() - began) * 1000)
    labels_wall = time.perf_counter() - began_all

    with CaptureQueriesContext(connection) as captured:
        lifecycle(counted_order)
    began = time.perf_counter()
    for order in timed:
        lifecycle(order)
    seconds = time.perf_counter() - began

    result: dict[str, Any] = {
        "labels": {
            "count": args.labels,
            "ms_per_label": sum(label_ms) / len(label_ms),
            "p95_ms": percentile(label_ms, 95),
            "per_s": args.labels / labels_wall,
            "pdf_bytes": pdf_bytes,
            "png_bytes": png_bytes,
        },
        "lifecycle": {
            "returns": len(timed),
            "per_s": len(timed) / seconds,
            "queries": len(captured.captured_queries),
        },
    }
    emit(result)


if __name__ == "__main__":
    main()
