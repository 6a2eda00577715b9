"""Reads of orders, always scoped to the actor who asks."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Model, QuerySet, Sum

from marketdesk.core.actors import Actor, Role
from marketdesk.core.bulk import Bound, first_compiled
from marketdesk.core.errors import NotFound
from marketdesk.core.models import Audience, TimelineEvent
from marketdesk.orders.models import Order, OrderCount, Shop


def scope_to_actor[M: Model](
    qs: QuerySet[M], actor: Actor, *, order_path: str = "", shop_path: str | None = None
) -> QuerySet[M]:
    """Narrow rows that belong to an order to what the actor may see: the one visibility rule.

    ``order_path`` leads from the queryset's model to its order ("" for orders, "order__" for cases).
    Buyers see their own orders, sellers their shops' (a shop acting as itself its own), operators, admins and the marketplace's key
    their marketplace's (installation-wide staff and background jobs everything), nobody else anything.
    A row that also holds its order's shop may pass ``shop_path`` ("shop__" for cases and returns): the
    marketplace is then read from the shop (the order's own, so the same rows), a join of a few rows
    where the order's would touch every order of the marketplace.
    """
    if actor.role == Role.BUYER and actor.user is not None:
        return qs.filter(**{f"{order_path}buyer": actor.user})
    if actor.role == Role.SELLER and actor.user is not None:
        return qs.filter(**{f"{order_path}shop__memberships__user": actor.user})
    if actor.role == Role.SELLER and actor.shop_id is not None:
        return qs.filter(**{f"{order_path}shop_id": actor.shop_id})
    if actor.role in (Role.OPERATOR, Role.ADMIN, Role.MARKETPLACE) and actor.marketplace_id is not None:
        marketplace_path = order_path if shop_path is None else shop_path
        return qs.filter(**{f"{marketplace_path}marketplace_id": actor.marketplace_id})
    if actor.role in (Role.OPERATOR, Role.ADMIN, Role.SYSTEM):
        return qs
    return qs.none()


def orders_for_actor(actor: Actor) -> QuerySet[Order]:
    """Return the orders this actor may see, newest first (``line_count`` is kept on the order, never counted here)."""
    qs = Order.objects.select_related("shop", "buyer", "marketplace")
    return scope_to_actor(qs, actor).order_by("-placed_at", "-id")


def order_locked_for_actor(actor: Actor, *, pk: int | None = None, external_id: str | None = None) -> Order | None:
    """Return the order of this id (or else number) that the actor may see, locked for update, or None.

    Its shop, buyer and marketplace come along, as ``orders_for_actor`` reads them. Only its row is locked. The
    statement is ``orders_for_actor``'s, compiled once per actor and kind of key (``first_compiled``): the scope
    depends on the actor alone, so the same actor always gets the same statement, and only the key is bound
    per call. Every call reads the database.
    """
    name, value = ("pk", pk) if pk is not None else ("external_id", external_id)
    field = Order._meta.get_field("id" if name == "pk" else name)

    def build() -> QuerySet[Order]:
        # One row by its key: no ordering (the selector's newest-first is for lists).
        locked = orders_for_actor(actor).select_for_update(of=("self",)).order_by()
        return locked.filter(**{name: Bound("key", output_field=field)})[:1]  # type: ignore[arg-type]

    return first_compiled(("order_locked_for_actor", actor, name), build, key=value)


def order_list_for_actor(actor: Actor) -> QuerySet[Order]:
    """Return the orders this actor may see, newest first, for reading page by page from either end.

    The same rows as ``orders_for_actor``. A seller's are named by the person's shops (one small
    query) instead of the join through the memberships: a seller of one shop then reads a page
    straight off the (shop, placed_at, id) index from either end, where the join sorted every
    order of the shop for each page.
    """
    if actor.role == Role.SELLER and actor.user is not None:
        qs = Order.objects.select_related("shop", "buyer", "marketplace").filter(shop_id__in=shop_ids_of(actor.user.pk))
        return qs.order_by("-placed_at", "-id")
    return orders_for_actor(actor)


def order_count_for_actor(actor: Actor) -> int:
    """Return how many orders ``order_list_for_actor`` holds, from the kept counts (one query over a few rows).

    A buyer's orders are the buyer's count, a seller's the sum of their shops'; any other list is counted.
    """
    if actor.role == Role.BUYER and actor.user is not None:
        kept = OrderCount.objects.filter(kind="buyer", owner_id=actor.user.pk)
    elif actor.role == Role.SELLER and actor.user is not None:
        shops = Shop.objects.filter(memberships__user_id=actor.user.pk).values("pk")
        kept = OrderCount.objects.filter(kind="shop", owner_id__in=shops)
    elif actor.role == Role.SELLER and actor.shop_id is not None:
        kept = OrderCount.objects.filter(kind="shop", owner_id=actor.shop_id)
    else:
        return order_list_for_actor(actor).count()
    return int(kept.aggregate(total=Sum("n"))["total"] or 0)


def order_get_for_actor(
    actor: Actor, *, pk: int | None = None, external_id: str | None = None, details: bool = True
) -> Order:
    """Return one order the actor may see, or raise NotFound (never a hint that it exists).

    ``details`` reads its lines and payments along (two more queries); a write that only needs to
    know the order is visible leaves them out.
    """
    qs = orders_for_actor(actor)
    if details:
        qs = qs.prefetch_related("lines", "payments")
    lookup = {"pk": pk} if pk is not None else {"external_id": external_id}
    order = qs.filter(**lookup).first()
    if order is None:
        raise NotFound()
    return order


def order_id_for_actor(actor: Actor, *, external_id: str) -> int:
    """Return the id of the order of this number the actor may see, or raise NotFound (one read of the key alone).

    For a write whose service reads the order again under its lock: a full read here as well costs as much again.
    """
    ids = scope_to_actor(Order.objects.filter(external_id=external_id), actor).values_list("pk", flat=True)
    pk = next(iter(ids.order_by()[:1]), None)
    if pk is None:
        raise NotFound()
    return pk


def audiences_for(actor: Actor) -> list[str]:
    """Return the timeline audiences an actor may read."""
    if actor.role in (Role.OPERATOR, Role.ADMIN, Role.SYSTEM):
        return [Audience.PUBLIC, Audience.PARTIES, Audience.INTERNAL]
    return [Audience.PUBLIC, Audience.PARTIES]


def order_timeline_for_actor(actor: Actor, order: Order) -> QuerySet[TimelineEvent]:
    """Return the order's timeline as this actor may see it (the order must come from a selector)."""
    from django.contrib.contenttypes.models import ContentType

    return TimelineEvent.objects.filter(
        subject_type=ContentType.objects.get_for_model(Order), subject_id=order.pk, audience__in=audiences_for(actor)
    ).select_related("actor_user")


def shop_ids_of(user_id: int) -> list[int]:
    """Return the ids of the shops a person acts for."""
    # Memberships (accounts, the floor above) point at shops: read them through the relation, not their model.
    return list(Shop.objects.filter(memberships__user_id=user_id).values_list("pk", flat=True))


def shop_member_ids(shop_id: int) -> list[int]:
    """Return the ids of the people who act for a shop (whom its notifications reach)."""
    people = get_user_model().objects.filter(memberships__shop_id=shop_id, is_active=True)
    return list(people.values_list("pk", flat=True))
